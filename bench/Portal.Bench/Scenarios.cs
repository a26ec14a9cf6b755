using System.Diagnostics;

namespace Portal.Bench;

internal sealed record LatencyFigures(LatencySummary Empty, LatencySummary Full, LatencySummary LowGaps, LatencySummary LastTaken);

internal sealed record ThroughputFigures(ThroughputResult Ours, long Duplicates, long Allocated, PgBenchResult PgBench);

/// <summary>The two halves of the benchmark; each prints its details as it goes, the caller prints the summary.</summary>
internal static class Scenarios
{
    public const string Cidr = "10.20.0.0/16";
    public const int Filled = 60_000;
    private const int Clients = 32;
    private const int PgBenchSeconds = 10;
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(PgBenchSeconds);

    public static async Task<LatencyFigures> LatencyAsync(BenchDatabase db, CancellationToken ct)
    {
        // The two main cases are measured interleaved, one creation each in turn, so that both see the same
        // machine: on a shared machine the load drifts over a minute, and that drift would otherwise land in the ratio.
        // "0 allocated" must really be empty, so it is the first creations on fresh subnets (10 of them, 200 each).
        Console.WriteLine($"A) next-free allocation: empty /16 (10 fresh subnets x 200) interleaved with a /16 holding {Filled} " +
                          "allocations from the bottom (next-fit above them)...");
        var full = await FilledAsync(db, size => Layouts.Bottom(size, Filled), ct);
        var emptySamples = new List<double>();
        var fullSamples = new List<double>();
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        for (var round = 0; round < 10; round++)
        {
            var empty = new SequentialCreations(db, await db.CreateNetworkAsync(Cidr, ct));
            for (var i = 0; i < 200; i++)
            {
                emptySamples.Add(await empty.TimeOneAsync(ct));
                fullSamples.Add(await full.TimeOneAsync(ct));
            }
        }
        var clientCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMicroseconds / 4000;
        var emptySummary = LatencySummary.Of(emptySamples);
        var fullSummary = LatencySummary.Of(fullSamples);
        Console.WriteLine($"   0 allocated:     {emptySummary}");
        Console.WriteLine($"   {Filled} allocated: {fullSummary}");
        Console.WriteLine($"   client CPU: {clientCpu:F0} us per creation (spin-waiting included); {LoadAverage.Describe()}");

        Console.WriteLine("   informational: top of the pool full, free addresses only in low gaps (every other address)...");
        var lowGaps = LatencySummary.Of(await (await FilledAsync(db, size => Layouts.LowGaps(size, Filled), ct)).RunAsync(2000, ct));
        Console.WriteLine($"   {lowGaps}");

        Console.WriteLine("   informational: bottom filled and the pool's last address taken (free addresses above the filled part)...");
        var lastTaken = LatencySummary.Of(await (await FilledAsync(db, size => Layouts.BottomAndLast(size, Filled), ct)).RunAsync(200, ct));
        Console.WriteLine($"   {lastTaken}");

        Console.WriteLine("   round trips of one creation (traced, 200 sequential creations on a fresh subnet)...");
        var traced = new SequentialCreations(db, await db.CreateNetworkAsync(Cidr, ct));
        using (var counter = new RoundTripCounter())
        {
            await traced.RunAsync(200, ct);
            Console.WriteLine($"   {counter.Describe(200)}");
        }
        return new LatencyFigures(emptySummary, fullSummary, lowGaps, lastTaken);
    }

    public static async Task<ThroughputFigures> ThroughputAsync(BenchDatabase db, CancellationToken ct)
    {
        Console.WriteLine($"B) port creation, {Clients} clients, {WarmUp.TotalSeconds:F0} s warm-up + {Window.TotalSeconds:F0} s measured...");
        var target = await db.CreateNetworkAsync(Cidr, ct);
        await db.ClosePooledSessionsAsync(ct);
        var before = await db.TransactionCountersAsync(ct);
        await db.CheckpointAsync(ct);
        var walBefore = await db.WalCountersAsync(ct);
        ThroughputResult ours;
        string waits;
        await using (var sampler = WaitSampler.Start(db))
        {
            ours = await ConcurrentCreations.RunAsync(db, target, Clients, WarmUp, Window, ct);
            waits = await sampler.StopAsync();
        }
        var walAfter = await db.WalCountersAsync(ct);
        await db.ClosePooledSessionsAsync(ct);
        var after = await db.TransactionCountersAsync(ct);

        var duplicates = await db.ScalarAsync<long>(
            "SELECT count(*) - count(DISTINCT (subnet_id, ip_address)) FROM ip_allocations", ct);
        var allocated = await db.ScalarAsync<long>("SELECT count(*) FROM ip_allocations WHERE subnet_id = $1", ct, target.SubnetId);
        var span = await db.ScalarAsync<long>(
            "SELECT coalesce(max(ip_address) - min(ip_address) + 1, 0) FROM ip_allocations WHERE subnet_id = $1", ct, target.SubnetId);
        var created = Math.Max(1, ours.TotalCreations);
        Console.WriteLine($"   {ours.PerSecond:F0} ports/s ({ours.MeasuredCreations} in the window, {ours.TotalCreations} in all)");
        Console.WriteLine($"   errors: {(ours.Errors.Count == 0 ? "none" : string.Join(", ", ours.Errors.Select(e => $"{e.Key} x{e.Value}")))}");
        // Commits include the DISCARD ALL Npgsql sends when a pooled connection is reused (prepended, no extra round trip).
        Console.WriteLine($"   server statements per port: {(double)(after.Commits - before.Commits) / created:F2} committed, " +
                          $"{(double)(after.Rollbacks - before.Rollbacks) / created:F3} failed " +
                          $"({after.Rollbacks - before.Rollbacks} failed batches, retried by the service)");
        // This process's CPU (all threads) per port: on a small machine the client competes with the server for the
        // cores. An upper bound: it includes the thread pool's spin-waiting (sched_yield) between completions.
        Console.WriteLine($"   client CPU: {ours.ClientCpu.TotalMicroseconds / created:F0} us per port " +
                          $"({ours.ClientCpu.TotalSeconds / (WarmUp + Window).TotalSeconds * 100:F0} % of one core, spin-waiting included)");
        Console.WriteLine($"   WAL per port: {(double)(walAfter.Bytes - walBefore.Bytes) / created:F0} bytes, " +
                          $"{(double)(walAfter.FullPages - walBefore.FullPages) / created:F2} full-page images");
        Console.WriteLine($"   addresses: {allocated} allocated over a span of {span} (holes: {span - allocated})");
        Console.WriteLine($"   server sessions: {waits}; {LoadAverage.Describe()}");

        Console.WriteLine($"B) pgbench single-row INSERT, {Clients} clients, {PgBenchSeconds} s...");
        await db.CheckpointAsync(ct);
        var pgWalBefore = await db.WalCountersAsync(ct);
        PgBenchResult pgbench;
        await using (var sampler = WaitSampler.Start(db))
        {
            pgbench = await PgBench.RunAsync(db, Clients, PgBenchSeconds, ct);
            waits = await sampler.StopAsync();
        }
        var pgWalAfter = await db.WalCountersAsync(ct);
        Console.WriteLine(pgbench.Tps is { } tps ? $"   {tps:F0} tps; server sessions: {waits}; {LoadAverage.Describe()}" : pgbench.Output);
        if (pgbench.Tps is { } rate)
        {
            var rows = Math.Max(1, rate * PgBenchSeconds);
            Console.WriteLine($"   WAL per insert: {(pgWalAfter.Bytes - pgWalBefore.Bytes) / rows:F0} bytes, " +
                              $"{(pgWalAfter.FullPages - pgWalBefore.FullPages) / rows:F2} full-page images");
        }
        return new ThroughputFigures(ours, duplicates, allocated, pgbench);
    }

    /// <summary>
    /// A fresh subnet with its pool filled in the given layout, warmed up briefly: its statements replan after
    /// the fill's ANALYZE, and that first cost is not what is measured.
    /// </summary>
    private static async Task<SequentialCreations> FilledAsync(BenchDatabase db, Func<long, long[]> layout, CancellationToken ct)
    {
        var subnet = await db.CreateNetworkAsync(Cidr, ct);
        await db.FillAsync(subnet, layout(subnet.PoolSize), ct);
        var creations = new SequentialCreations(db, subnet);
        await creations.RunAsync(20, ct);
        return creations;
    }
}
