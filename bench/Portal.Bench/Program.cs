// IPAM benchmark: next-free-address latency with an empty and a nearly full /16, and port creation throughput
// with 32 clients next to pgbench's single-row INSERT on the same server. A measurement, not a test: it exits 0
// whether or not the targets are met and says PASS or MISS for each. Run it through bench/run; an argument
// `latency` or `throughput` runs only that half (for profiling one of them).
using System.Globalization;
using Portal.Bench;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var connectionString = Environment.GetEnvironmentVariable("ConnectionStrings__Portal");
if (string.IsNullOrEmpty(connectionString))
{
    Console.Error.WriteLine("ConnectionStrings__Portal is not set; bench/run starts a private PostgreSQL and sets it.");
    return 2;
}
var part = args.FirstOrDefault() ?? "all";
if (part is not ("all" or "latency" or "throughput"))
{
    Console.Error.WriteLine("usage: Portal.Bench [all|latency|throughput]");
    return 2;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
var ct = cancel.Token;

Console.WriteLine("Creating and migrating database portal_bench...");
await using var db = await BenchDatabase.CreateAsync(connectionString, "portal_bench", ct);

// JIT, EF's query cache, the connection pool and the sessions' plpgsql plans, before anything is timed.
await new SequentialCreations(db, await db.CreateNetworkAsync(Scenarios.Cidr, ct)).RunAsync(300, ct);

var latency = part is "all" or "latency" ? await Scenarios.LatencyAsync(db, ct) : null;
var throughput = part is "all" or "throughput" ? await Scenarios.ThroughputAsync(db, ct) : null;

Console.WriteLine();
Console.WriteLine("== IPAM benchmark ==");
if (latency is not null)
{
    var ratio = latency.Full.Median / latency.Empty.Median;
    Console.WriteLine($"next-free allocation, /16, 0 allocated:      {latency.Empty}");
    Console.WriteLine($"next-free allocation, /16, {Scenarios.Filled} allocated:  {latency.Full}");
    Console.WriteLine($"ratio 60k/0: {ratio:F2} (target <= 1.5)  {Verdict(ratio <= 1.5)}");
    Console.WriteLine($"  (informational) 60000 allocated, free only in low gaps:      {latency.LowGaps}");
    Console.WriteLine($"  (informational) 60000 allocated + pool's last address taken: {latency.LastTaken}");
}
if (throughput is not null)
{
    var ours = throughput.Ours;
    var consistent = throughput.Duplicates == 0 && throughput.Allocated == ours.TotalCreations;
    Console.WriteLine($"port creation, {ours.Clients} clients: {ours.PerSecond:F0} ports/s; duplicates: {throughput.Duplicates}; " +
                      $"allocations = creations: {(throughput.Allocated == ours.TotalCreations ? "yes" : "NO")} " +
                      $"({throughput.Allocated}/{ours.TotalCreations}); errors: {ours.Errors.Values.Sum()}  {Verdict(consistent)}");
    if (throughput.PgBench.Tps is { } tps)
    {
        var share = ours.PerSecond / tps;
        Console.WriteLine($"pgbench single-row INSERT, {ours.Clients} clients: {tps:F0} tps");
        Console.WriteLine($"ratio: {share * 100:F0} % (target >= 40 %)  {Verdict(share >= 0.40)}");
    }
    else
    {
        Console.WriteLine("pgbench single-row INSERT: not measured (see above)");
        Console.WriteLine("ratio: n/a  MISS");
    }
}
return 0;

static string Verdict(bool met) => met ? "PASS" : "MISS";
