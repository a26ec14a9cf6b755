using System.Diagnostics;
using System.Text.Json;

namespace Portal.Netns.Tests;

/// <summary>Runs iproute2 and friends, bounded in time.</summary>
internal static class Shell
{
    public static async Task<(int Code, string Output)> RunAsync(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in 30 s.");
        }
        return (process.ExitCode, await stdout + await stderr);
    }

    public static async Task<string> IpAsync(params string[] args)
    {
        var (code, output) = await RunAsync("ip", args);
        return code == 0 ? output : throw new InvalidOperationException($"ip {string.Join(' ', args)}: {output}");
    }

    /// <summary>The node's peer routes (tagged with the agents' protocol): destination → gateway.</summary>
    public static async Task<Dictionary<string, string>> TaggedRoutesAsync(string netns)
    {
        var json = await IpAsync("-n", netns, "-j", "route", "show", "proto", "77");
        using var doc = JsonDocument.Parse(string.IsNullOrWhiteSpace(json) ? "[]" : json);
        return doc.RootElement.EnumerateArray().ToDictionary(r => r.GetProperty("dst").GetString()!, r => r.GetProperty("gateway").GetString()!);
    }

    public static Task<(int Code, string Output)> PingAsync(string netns, string address) =>
        RunAsync("ip", "netns", "exec", netns, "ping", "-c", "1", "-W", "2", address);

    public static async Task<List<string>> NamespacesAsync(string prefix) =>
        (await IpAsync("netns", "list")).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.Split(' ')[0]).Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).ToList();
}
