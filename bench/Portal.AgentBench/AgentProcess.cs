using System.Diagnostics;
using System.Globalization;

namespace Portal.AgentBench;

/// <summary>
/// A Portal.Agent child process: its output drained (the last lines kept for a failure message) and killed with its
/// children when disposed. The agents are also started with <c>--parent-pid</c>, so they stop by themselves within a
/// second should the bench die without its finally blocks.
/// </summary>
internal sealed class AgentProcess : IAsyncDisposable
{
    private const int TailLines = 30;

    private readonly Process _process;
    private readonly Lock _lock = new();
    private readonly Queue<string> _tail = new();
    private readonly List<string> _retries = [];
    private readonly Dictionary<string, long> _applied = new(StringComparer.Ordinal);
    private readonly long _started = Stopwatch.GetTimestamp();
    private int _retryCount;

    private AgentProcess(Process process) => _process = process;

    public int Id => _process.Id;

    public string Label { get; private init; } = "";

    public static AgentProcess Start(string label, string fileName, IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo(fileName) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        var process = new Process { StartInfo = info };
        var agent = new AgentProcess(process) { Label = label };
        process.OutputDataReceived += (_, e) => agent.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => agent.Keep(e.Data);
        if (!process.Start()) throw new BenchFailure($"{label}: {fileName} did not start.");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return agent;
    }

    /// <summary>Fails the bench with the agent's last lines when it is no longer running.</summary>
    public void ThrowIfExited()
    {
        if (_process.HasExited) throw new BenchFailure($"{Label} exited with code {_process.ExitCode}; its last lines:\n{Tail()}");
    }

    public string Tail()
    {
        lock (_lock) return string.Join('\n', _tail);
    }

    /// <summary>
    /// When (a <see cref="Stopwatch"/> timestamp) the agent logged «NODE: generation G: … peer routes»: it applied
    /// generation G and is about to report it. Null when it did not (yet), or applied it without a change.
    /// </summary>
    public long? Applied(string node, long generation)
    {
        lock (_lock) return _applied.TryGetValue($"{node}: generation {generation}", out var at) ? at : null;
    }

    /// <summary>Sessions an agent had to start again («…; retrying in …»: a failed call, a lost watch), and the first few of those lines (time since the process started).</summary>
    public (int Count, IReadOnlyList<string> First) Retries()
    {
        lock (_lock) return (_retryCount, [.. _retries]);
    }

    /// <summary>VmRSS and VmHWM (peak resident set) from /proc, in bytes.</summary>
    public (long Rss, long Hwm) Resident()
    {
        ThrowIfExited();
        long rss = 0, hwm = 0;
        foreach (var line in File.ReadLines($"/proc/{Id}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) rss = Kilobytes(line) * 1024;
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal)) hwm = Kilobytes(line) * 1024;
        }
        return (rss, hwm);
    }

    private static long Kilobytes(string line) =>
        long.Parse(line.Split(':', 2)[1].Trim().Split(' ')[0], CultureInfo.InvariantCulture);

    private void Keep(string? line)
    {
        if (line is null) return;
        lock (_lock)
        {
            if (line.Contains("; retrying in ", StringComparison.Ordinal) && ++_retryCount <= 10)
                _retries.Add($"+{Stopwatch.GetElapsedTime(_started).TotalSeconds:F1} s: {line}");
            if (line.IndexOf(" peer routes", StringComparison.Ordinal) is > 0 and var end && line.Contains(": generation ", StringComparison.Ordinal))
                _applied[line[..line.LastIndexOf(':', end)]] = Stopwatch.GetTimestamp();
            _tail.Enqueue(line);
            while (_tail.Count > TailLines) _tail.Dequeue();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine($"{Label} (pid {Id}) did not exit within 10 s of being killed.");
        }
        _process.Dispose();
    }
}

/// <summary>The bench cannot go on: a bound was passed, a process died, a build failed. The message says which.</summary>
internal sealed class BenchFailure(string message) : Exception(message);
