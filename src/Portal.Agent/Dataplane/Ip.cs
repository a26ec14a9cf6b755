using System.Diagnostics;

namespace Portal.Agent.Dataplane;

/// <summary>What one run of <c>ip</c> left.</summary>
internal readonly record struct IpResult(int ExitCode, string Output, string Error)
{
    public bool Succeeded => ExitCode == 0;
}

/// <summary>
/// Runs iproute2's <c>ip</c>. Arguments go through <see cref="ProcessStartInfo.ArgumentList"/>, so names are never
/// re-split by a shell; batch commands are written to stdin (<c>ip -batch -</c>) one per line, so a thousand routes
/// cost one process.
/// </summary>
internal static class Ip
{
    /// <summary>Runs <c>ip [-n netns] arguments…</c>, writing <paramref name="input"/> (if any) to its stdin line by line.</summary>
    public static async Task<IpResult> RunAsync(string? netns, IReadOnlyList<string> arguments, IReadOnlyList<string>? input, CancellationToken ct)
    {
        var start = new ProcessStartInfo("ip")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = input is not null,
        };
        if (netns is not null)
        {
            start.ArgumentList.Add("-n");
            start.ArgumentList.Add(netns);
        }
        foreach (var argument in arguments) start.ArgumentList.Add(argument);

        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start ip (iproute2).");
        // Both pipes are drained while stdin is written: a long batch with many errors would otherwise fill the
        // stderr pipe and deadlock against our writes.
        var output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var error = process.StandardError.ReadToEndAsync(CancellationToken.None);
        try
        {
            if (input is not null) await WriteAsync(process.StandardInput, input, ct);
            await process.WaitForExitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            if (!process.HasExited) process.Kill();
            throw;
        }
        return new IpResult(process.ExitCode, await output, await error);
    }

    private static async Task WriteAsync(StreamWriter stdin, IReadOnlyList<string> lines, CancellationToken ct)
    {
        // Process turns AutoFlush on, which would make every line its own write to the pipe.
        stdin.AutoFlush = false;
        try
        {
            foreach (var line in lines) await stdin.WriteLineAsync(line.AsMemory(), ct);
            stdin.Close();
        }
        catch (IOException)
        {
            // ip stopped reading (it exited early): its exit code and stderr say why, and closing our end again
            // would only fail the same way.
        }
    }

    /// <summary>Like <see cref="RunAsync"/>, but a non-zero exit throws with ip's own message.</summary>
    public static async Task<string> RunCheckedAsync(string? netns, IReadOnlyList<string> arguments, IReadOnlyList<string>? input, CancellationToken ct)
    {
        var result = await RunAsync(netns, arguments, input, ct);
        if (!result.Succeeded) throw new InvalidOperationException($"{Describe(netns, arguments)} failed: {Message(result)}");
        return result.Output;
    }

    /// <summary>ip's error text without its trailing newline, or the exit code when it printed nothing.</summary>
    public static string Message(IpResult result) =>
        result.Error.Trim() is { Length: > 0 } text ? text : $"exit code {result.ExitCode}";

    private static string Describe(string? netns, IReadOnlyList<string> arguments) =>
        netns is null ? $"ip {string.Join(' ', arguments)}" : $"ip -n {netns} {string.Join(' ', arguments)}";
}
