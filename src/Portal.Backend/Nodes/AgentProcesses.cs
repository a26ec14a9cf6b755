using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Backend.Agents;

namespace Portal.Backend.Nodes;

/// <summary>
/// Portal.Agent processes started by this process, by key (a cluster, or a node). Each gets
/// <c>--parent-pid</c>, so agents end with the portal even when it is killed; all are stopped when the host stops.
/// The join token goes in the environment (<see cref="JoinTokenVariable"/>), never on the command line, which every
/// user of the machine can read (<c>ps</c>, <c>/proc/&lt;pid&gt;/cmdline</c>); a process's environment only its user can.
/// </summary>
public sealed class AgentProcesses(IOptions<AgentOptions> options, ILogger<AgentProcesses> logger) : IDisposable
{
    private readonly ConcurrentDictionary<string, (Process Process, string Args)> _running = new(StringComparer.Ordinal);
    private string? _agentPath;

    /// <summary>Where Portal.Agent looks for the join token (its <c>AgentSettings.JoinTokenVariable</c>).</summary>
    public const string JoinTokenVariable = "PORTAL_JOIN_TOKEN";

    public IReadOnlyCollection<string> Keys => [.. _running.Keys];

    /// <summary>Whether the agent of <paramref name="key"/> runs with exactly these arguments.</summary>
    public bool IsRunning(string key, IReadOnlyList<string> args) =>
        _running.TryGetValue(key, out var r) && !r.Process.HasExited && r.Args == string.Join('\u001f', args);

    public bool IsRunning(string key) => _running.TryGetValue(key, out var r) && !r.Process.HasExited;

    /// <summary>Starts the agent of <paramref name="key"/> with the cluster's <paramref name="joinToken"/>, first stopping one running with other arguments.</summary>
    public void Start(string key, IReadOnlyList<string> args, string joinToken)
    {
        Stop(key);
        var path = _agentPath ??= ResolveAgentPath(options.Value.AgentPath);
        var start = new ProcessStartInfo(path.EndsWith(".dll", StringComparison.Ordinal) ? "dotnet" : path)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        start.Environment[JoinTokenVariable] = joinToken;
        if (path.EndsWith(".dll", StringComparison.Ordinal)) start.ArgumentList.Add(path);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.ArgumentList.Add("--parent-pid");
        start.ArgumentList.Add(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) logger.LogDebug("agent {Key}: {Line}", key, e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) logger.LogDebug("agent {Key}: {Line}", key, e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _running[key] = (process, string.Join('\u001f', args));
        logger.LogInformation("Started agent {Key} (pid {Pid})", key, process.Id);
    }

    public void Stop(string key)
    {
        if (!_running.TryRemove(key, out var r)) return;
        try
        {
            if (!r.Process.HasExited)
            {
                r.Process.Kill(entireProcessTree: true);
                r.Process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // Exited meanwhile.
        }
        r.Process.Dispose();
    }

    /// <summary>The process id of the agent of <paramref name="key"/>, for tests that kill it the hard way.</summary>
    internal int? Pid(string key) => _running.TryGetValue(key, out var r) && !r.Process.HasExited ? r.Process.Id : null;

    /// <summary>
    /// The configured path, else Portal.Agent beside this program, else the build of Portal.Agent in the source tree
    /// this program was built from (same configuration first).
    /// </summary>
    public static string ResolveAgentPath(string configured)
    {
        if (configured.Length > 0)
            return File.Exists(configured) ? configured : throw new FileNotFoundException($"Portal:Agents:AgentPath: no file {configured}.");
        var beside = Path.Combine(AppContext.BaseDirectory, "Portal.Agent.dll");
        if (File.Exists(beside)) return beside;
        var configuration = AppContext.BaseDirectory.Contains("/Debug/", StringComparison.Ordinal) ? "Debug" : "Release";
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            foreach (var c in new[] { configuration, configuration == "Debug" ? "Release" : "Debug" })
            {
                var candidate = Path.Combine(dir.FullName, "src", "Portal.Agent", "bin", c, "net10.0", "Portal.Agent.dll");
                if (File.Exists(candidate)) return candidate;
            }
        }
        throw new FileNotFoundException("Portal.Agent was not found: build src/Portal.Agent, or set Portal:Agents:AgentPath.");
    }

    public void Dispose()
    {
        foreach (var key in _running.Keys) Stop(key);
    }
}
