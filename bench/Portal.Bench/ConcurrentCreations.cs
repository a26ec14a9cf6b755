using System.Collections.Concurrent;
using System.Diagnostics;
using Portal.Core.Errors;
using Portal.Data.Services;

namespace Portal.Bench;

internal sealed record ThroughputResult(
    int Clients, TimeSpan Measured, long MeasuredCreations, long TotalCreations, IReadOnlyDictionary<string, int> Errors,
    TimeSpan ClientCpu)
{
    public double PerSecond => MeasuredCreations / Measured.TotalSeconds;
}

/// <summary>
/// Many clients creating ports on one subnet at once, as many panel users and the cluster backend would.
/// The rate counts creations that complete inside the measured window (after the warm-up), which is unbiased
/// in steady state; every successful creation, warm-up included, is counted for the consistency check.
/// </summary>
internal static class ConcurrentCreations
{
    public static async Task<ThroughputResult> RunAsync(
        BenchDatabase db, BenchSubnet subnet, int clients, TimeSpan warmUp, TimeSpan measured, CancellationToken ct)
    {
        var request = new PortCreate { NetworkId = subnet.NetworkId, FixedIps = [new FixedIpRequest(subnet.SubnetId, null)] };
        var errors = new ConcurrentDictionary<string, int>();
        long total = 0, inWindow = 0;
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var end = warmUp + measured;

        async Task ClientAsync()
        {
            while (clock.Elapsed < end)
            {
                try
                {
                    await db.Ports.CreateAsync(db.Customer, db.ProjectId, request, ct);
                    Interlocked.Increment(ref total);
                    var done = clock.Elapsed;
                    if (done >= warmUp && done < end) Interlocked.Increment(ref inWindow);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // Keep going: a failed creation is a finding to report, not a reason to stop measuring.
                    errors.AddOrUpdate(e is NeutronException n ? $"{n.Type}" : e.GetType().Name, 1, (_, c) => c + 1);
                }
            }
        }

        // Task.Run: each client starts on the thread pool instead of running its first synchronous part inline.
        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(ClientAsync, ct)));
        return new ThroughputResult(clients, measured, inWindow, total, errors,
            Process.GetCurrentProcess().TotalProcessorTime - cpuBefore);
    }
}
