// Route programming benchmark: how long LinuxDataplane.ApplyAsync takes to put 5,000 peer routes into an empty
// table, next to a bare `ip -batch` of the same 5,000 `route replace` lines (the floor: one process, no reading, no
// diff), plus a re-apply with nothing to change and a repair of one missing and one stray route. Runs as root in a
// throw-away network namespace (a veth gives the next hops in 172.31.0.0/16), deleted on exit even on failure.
// A measurement, not a test: it prints figures. Run it through `bench/run routes`.
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Portal.Agent.Dataplane;
using Portal.Contracts;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
if (Environment.UserName != "root")
{
    Console.Error.WriteLine("The route benchmark needs root: it creates a network namespace and programs its routes.");
    return 2;
}

const int peers = 5000;
const int nextHops = 50;
const int rounds = 5;
var netns = $"prb{RandomNumberGenerator.GetHexString(6, lowercase: true)}";
var state = Directory.CreateTempSubdirectory("portal-routebench-");

// Ctrl-C and SIGTERM stop between steps, so the finally below still deletes the namespace.
using var stop = new CancellationTokenSource();
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
var ct = stop.Token;

var snapshot = new Snapshot { Generation = 1, NodeName = "bench", NodeIp = "172.31.0.1", PodCidr = "10.200.0.0/24", Gateway = "10.200.0.1", Mtu = 1500 };
var batch = new List<string>(peers);
for (var i = 0; i < peers; i++)
{
    var peer = new Peer { NodeName = $"n{i}", NodeIp = $"172.31.1.{i % nextHops + 1}", PodCidr = $"10.{i / 256}.{i % 256}.0/24" };
    snapshot.Peers.Add(peer);
    batch.Add($"route replace {peer.PodCidr} via {peer.NodeIp} proto {LinuxDataplane.RouteProto}");
}

try
{
    await IpAsync(null, null, "netns", "add", netns);
    await IpAsync(netns, null, "link", "add", "v0", "type", "veth", "peer", "name", "v1");
    await IpAsync(netns, null, "link", "set", "v0", "up");
    await IpAsync(netns, null, "link", "set", "v1", "up");
    await IpAsync(netns, null, "addr", "add", "172.31.0.1/16", "dev", "v0");
    await using var dataplane = new LinuxDataplane(new PodStore(state.FullName, "bench"), netns);

    Console.WriteLine($"Warming up in netns {netns} (bridge, ip_forward, JIT; not counted)...");
    Check(await dataplane.ApplyAsync(snapshot, ct), peers);
    await FlushAsync();
    await IpAsync(netns, batch, "-batch", "-");
    await FlushAsync();

    var ours = new List<double>();
    var bare = new List<double>();
    for (var round = 1; round <= rounds; round++)
    {
        var clock = Stopwatch.StartNew();
        var result = await dataplane.ApplyAsync(snapshot, ct);
        ours.Add(clock.Elapsed.TotalMilliseconds);
        Check(result, peers);
        await FlushAsync();

        clock.Restart();
        await IpAsync(netns, batch, "-batch", "-");
        bare.Add(clock.Elapsed.TotalMilliseconds);
        await FlushAsync();
        Console.WriteLine($"  round {round}: LinuxDataplane {ours[^1],7:F1} ms, ip -batch {bare[^1],7:F1} ms");
    }

    Check(await dataplane.ApplyAsync(snapshot, ct), peers);
    var unchanged = new List<double>();
    var repairs = new List<double>();
    for (var round = 1; round <= rounds; round++)
    {
        var clock = Stopwatch.StartNew();
        var result = await dataplane.ApplyAsync(snapshot, ct);
        unchanged.Add(clock.Elapsed.TotalMilliseconds);
        if (result.Changes != 0) throw new InvalidOperationException($"a re-apply changed {result.Changes} routes");

        await IpAsync(netns, null, "route", "del", snapshot.Peers[round * 7].PodCidr);
        await IpAsync(netns, null, "route", "add", "10.250.0.0/24", "via", "172.31.9.9", "proto", LinuxDataplane.RouteProto.ToString());
        clock.Restart();
        var repair = await dataplane.RepairAsync(ct);
        repairs.Add(clock.Elapsed.TotalMilliseconds);
        if (repair.Changes != 2 || repair.RouteCount != peers) throw new InvalidOperationException($"a repair made {repair.Changes} changes, {repair.RouteCount} routes");
    }

    var oursMedian = Median(ours);
    var bareMedian = Median(bare);
    var ratio = oursMedian / bareMedian;
    Console.WriteLine();
    Console.WriteLine($"== Route programming benchmark ({peers} peer routes via {nextHops} next hops, median of {rounds}) ==");
    Console.WriteLine($"LinuxDataplane.ApplyAsync from no routes:  {oursMedian,8:F1} ms");
    Console.WriteLine($"ip -batch of the same route replace lines: {bareMedian,8:F1} ms");
    Console.WriteLine($"ratio: {ratio:F2}x (target <= 2x: {(ratio <= 2 ? "met" : "MISSED")})");
    Console.WriteLine($"re-apply with nothing to change:           {Median(unchanged),8:F1} ms");
    Console.WriteLine($"repair (1 missing + 1 stray route):        {Median(repairs),8:F1} ms");
    return 0;
}
finally
{
    // Not the benchmark's token: cleanup runs after a Ctrl-C too.
    await Ip(null, null, ["netns", "del", netns], CancellationToken.None);
    state.Delete(recursive: true);
}

void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    stop.Cancel();
}

Task FlushAsync() => IpAsync(netns, null, "route", "flush", "proto", LinuxDataplane.RouteProto.ToString());

async Task IpAsync(string? ns, IReadOnlyList<string>? input, params string[] arguments)
{
    var (exitCode, error) = await Ip(ns, input, arguments, ct);
    if (exitCode != 0) throw new InvalidOperationException($"ip {string.Join(' ', arguments)} failed: {error.Trim()}");
}

static void Check(ApplyResult result, int expected)
{
    if (result.RouteCount != expected || result.Errors.Count > 0)
        throw new InvalidOperationException($"the apply left {result.RouteCount} of {expected} routes: {string.Join("; ", result.Errors.Take(3))}");
}

static double Median(List<double> samples)
{
    var sorted = samples.Order().ToList();
    return sorted[sorted.Count / 2];
}

static async Task<(int ExitCode, string Error)> Ip(string? ns, IReadOnlyList<string>? input, string[] arguments, CancellationToken ct)
{
    var start = new ProcessStartInfo("ip") { RedirectStandardError = true, RedirectStandardInput = input is not null };
    if (ns is not null) start.ArgumentList.Add("-n");
    if (ns is not null) start.ArgumentList.Add(ns);
    foreach (var argument in arguments) start.ArgumentList.Add(argument);
    using var process = Process.Start(start)!;
    var error = process.StandardError.ReadToEndAsync(ct);
    if (input is not null)
    {
        // One write of the whole batch, as from a file: the floor to compare with.
        await process.StandardInput.WriteAsync(string.Join('\n', input) + "\n");
        process.StandardInput.Close();
    }
    await process.WaitForExitAsync(ct);
    return (process.ExitCode, await error);
}
