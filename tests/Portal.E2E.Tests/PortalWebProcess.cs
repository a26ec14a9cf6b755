using System.Collections.Concurrent;
using System.Diagnostics;

namespace Portal.E2E.Tests;

/// <summary>
/// Portal.Web of the same build configuration as the running tests, started as its own process (as it runs in
/// production) on a given database, with its recent output kept for failure messages; killed when disposed.
/// Shared by the browser tests' fixture and the backend's crash tests (linked into that project).
/// </summary>
public sealed class PortalWebProcess : IAsyncDisposable
{
    private const int LogLines = 400;
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _log = new();

    /// <param name="settings">Configuration as environment variables (e.g. <c>Portal__SeedDemoData</c>), beside the connection string.</param>
    public PortalWebProcess(string url, string connectionString, IReadOnlyDictionary<string, string> settings)
    {
        var dll = WebDll();
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(url);
        start.Environment["ConnectionStrings__Portal"] = connectionString;
        start.Environment["Portal__MigrateOnStart"] = "true";
        // Development serves MudBlazor's static assets from the build output (no publish step).
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        // The agents' gRPC service on a free port: tests run beside each other and beside a developer's ./run.
        start.Environment["Portal__Agents__Port"] = "0";
        start.Environment.Remove("ASPNETCORE_URLS");
        start.Environment.Remove("DOTNET_URLS");
        foreach (var (key, value) in settings) start.Environment[key] = value;

        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => Append("out", e.Data);
        _process.ErrorDataReceived += (_, e) => Append("err", e.Data);
        if (!_process.Start()) throw new InvalidOperationException($"Could not start dotnet {dll}.");
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>The process's most recent stdout/stderr lines.</summary>
    public string RecentLog(int lines = 150)
    {
        var all = _log.ToArray();
        return string.Join(Environment.NewLine, all.Skip(Math.Max(0, all.Length - lines)));
    }

    /// <summary>Waits until the process exits by itself; false when it still runs after <paramref name="within"/>.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        _process.Dispose();
    }

    private void Append(string stream, string? line)
    {
        if (line is null) return;
        _log.Enqueue($"[{DateTime.Now:HH:mm:ss.fff} {stream}] {line}");
        while (_log.Count > LogLines && _log.TryDequeue(out _)) { }
    }

    /// <summary>The folder with Portal.sln, above this test assembly's.</summary>
    public static DirectoryInfo RepositoryRoot()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Portal.sln"))) root = root.Parent;
        return root ?? throw new InvalidOperationException($"Could not find the repository root (the folder with Portal.sln) above {AppContext.BaseDirectory}.");
    }

    /// <summary>The Portal.Web build of the same configuration (Debug/Release) as this test assembly.</summary>
    private static string WebDll()
    {
        var baseDir = AppContext.BaseDirectory;
        var root = RepositoryRoot();

        var normalized = baseDir.Replace('\\', '/');
        var configuration = normalized.Contains("/bin/Release/", StringComparison.Ordinal) ? "Release"
            : normalized.Contains("/bin/Debug/", StringComparison.Ordinal) ? "Debug"
            : throw new InvalidOperationException($"Cannot tell the build configuration from the test output path {baseDir} (expected /bin/Release/ or /bin/Debug/).");

        var dll = Path.Combine(root.FullName, "src", "Portal.Web", "bin", configuration, "net10.0", "Portal.Web.dll");
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException(
                $"{dll} does not exist: build the solution first (dotnet build Portal.sln -c {configuration}; ./test does this).");
        }
        return dll;
    }
}
