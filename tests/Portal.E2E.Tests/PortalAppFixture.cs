using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Playwright;
using Npgsql;

namespace Portal.E2E.Tests;

/// <summary>
/// The real Portal, as a child process, on a fresh database of the PostgreSQL server that ./test provides
/// (ConnectionStrings__Portal names a server whose user may create databases), plus Debian's Chromium driven
/// by Playwright. One per test collection; every test opens its own browser context.
/// </summary>
public sealed class PortalAppFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    /// <summary>Deadline for the app to answer GET / with 200 (migrations and seeding run before it listens).</summary>
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(60);

    private const int LogLines = 400;
    private readonly ConcurrentQueue<string> _log = new();
    private string _adminConnectionString = "";
    private string _database = "";
    private Process? _app;
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public string BaseUrl { get; private set; } = "";

    /// <summary>The app's own database, for tests that arrange or check rows directly.</summary>
    public string DatabaseConnectionString { get; private set; } = "";

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("Fixture not initialised.");

    public async Task InitializeAsync()
    {
        _adminConnectionString = Environment.GetEnvironmentVariable("ConnectionStrings__Portal") is { Length: > 0 } cs
            ? cs
            : throw new InvalidOperationException(
                "The browser tests need a real PostgreSQL: run ./test, or set ConnectionStrings__Portal to a server where the user may create databases " +
                "(e.g. Host=127.0.0.1;Port=55433;Username=portal;Database=postgres).");
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException(
                $"The browser tests drive Debian's Chromium at {ChromiumPath}, which is missing: apt-get install chromium (./test installs it when run as root).");
        }

        var webDll = FindWebDll();

        _database = "portal_e2e_" + Guid.NewGuid().ToString("N")[..12];
        await using (var admin = new NpgsqlConnection(_adminConnectionString))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {_database}", admin);
            await create.ExecuteNonQueryAsync();
        }
        var appConnectionString = new NpgsqlConnectionStringBuilder(_adminConnectionString) { Database = _database }.ConnectionString;
        DatabaseConnectionString = appConnectionString;

        try
        {
            BaseUrl = $"http://127.0.0.1:{FreePort()}";
            StartApp(webDll, appConnectionString);
            await WaitForAppAsync();
            await LaunchBrowserAsync();
        }
        catch
        {
            // xunit does not dispose a fixture whose initialisation failed: stop the app and drop the database here.
            await DisposeAsync();
            throw;
        }
    }

    private async Task LaunchBrowserAsync()
    {
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
            ],
        });
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null) await _browser.DisposeAsync();
        _browser = null;
        _playwright?.Dispose();
        _playwright = null;

        if (_app is not null)
        {
            try
            {
                if (!_app.HasExited)
                {
                    _app.Kill(entireProcessTree: true);
                    await _app.WaitForExitAsync();
                }
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }
            _app.Dispose();
            _app = null;
        }

        if (_database.Length > 0)
        {
            NpgsqlConnection.ClearAllPools();
            await using var admin = new NpgsqlConnection(_adminConnectionString);
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_database} WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
            _database = "";
        }
    }

    /// <summary>Deadline for any one wait in a browser test (element, navigation, server round trip); never a pause.</summary>
    public const float Deadline = 30_000;

    /// <summary>A fresh browser context (its own cookies) on the app, with the tests' deadline for every wait.</summary>
    public async Task<IBrowserContext> NewContextAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseUrl,
            ViewportSize = new ViewportSize { Width = 1300, Height = 900 },
        });
        context.SetDefaultTimeout(Deadline);
        context.SetDefaultNavigationTimeout(Deadline);
        return context;
    }

    /// <summary>Waits until the page's circuit is interactive (MainLayout's marker), so clicks reach their handlers.</summary>
    public static Task ReadyAsync(IPage page) =>
        page.WaitForSelectorAsync("#portal-interactive[data-ready=true]", new() { State = WaitForSelectorState.Attached, Timeout = Deadline });

    /// <summary>The app's most recent stdout/stderr lines, for failure messages.</summary>
    public string RecentLog(int lines = 150)
    {
        var all = _log.ToArray();
        return string.Join(Environment.NewLine, all.Skip(Math.Max(0, all.Length - lines)));
    }

    /// <summary>The Portal.Web build of the same configuration (Debug/Release) as this test assembly.</summary>
    private static string FindWebDll()
    {
        var baseDir = AppContext.BaseDirectory;
        var root = new DirectoryInfo(baseDir);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Portal.sln"))) root = root.Parent;
        if (root is null) throw new InvalidOperationException($"Could not find the repository root (the folder with Portal.sln) above {baseDir}.");

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

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void StartApp(string webDll, string connectionString)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(webDll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(webDll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(BaseUrl);
        start.Environment["ConnectionStrings__Portal"] = connectionString;
        start.Environment["Portal__MigrateOnStart"] = "true";
        start.Environment["Portal__SeedDemoData"] = "true";
        // Development serves MudBlazor's static assets from the build output (no publish step).
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment.Remove("ASPNETCORE_URLS");
        start.Environment.Remove("DOTNET_URLS");

        var app = new Process { StartInfo = start, EnableRaisingEvents = true };
        app.OutputDataReceived += (_, e) => Append("out", e.Data);
        app.ErrorDataReceived += (_, e) => Append("err", e.Data);
        if (!app.Start()) throw new InvalidOperationException($"Could not start dotnet {webDll}.");
        _app = app;
        app.BeginOutputReadLine();
        app.BeginErrorReadLine();
    }

    private void Append(string stream, string? line)
    {
        if (line is null) return;
        _log.Enqueue($"[{DateTime.Now:HH:mm:ss.fff} {stream}] {line}");
        while (_log.Count > LogLines && _log.TryDequeue(out _)) { }
    }

    private async Task WaitForAppAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var deadline = Stopwatch.StartNew();
        string last = "no answer yet";
        while (deadline.Elapsed < StartDeadline)
        {
            if (_app!.HasExited)
            {
                throw new InvalidOperationException(
                    $"Portal.Web exited with code {_app.ExitCode} before answering {BaseUrl}/.{Environment.NewLine}App log:{Environment.NewLine}{RecentLog()}");
            }
            try
            {
                using var response = await http.GetAsync(BaseUrl + "/");
                if (response.StatusCode == HttpStatusCode.OK) return;
                last = $"HTTP {(int)response.StatusCode}";
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }
            catch (TaskCanceledException)
            {
                last = "request timed out";
            }
            // Polling interval only; the deadline above is what bounds the wait.
            await Task.Delay(250);
        }
        throw new InvalidOperationException(
            $"Portal.Web did not answer GET {BaseUrl}/ with 200 within {StartDeadline.TotalSeconds:0} s (last: {last}).{Environment.NewLine}App log:{Environment.NewLine}{RecentLog()}");
    }
}

[CollectionDefinition(Name)]
public sealed class PortalAppCollection : ICollectionFixture<PortalAppFixture>
{
    public const string Name = "portal-app";
}
