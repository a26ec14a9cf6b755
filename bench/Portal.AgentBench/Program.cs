// Agent protocol benchmark (DESIGN.md §3 "Agent protocol"), with the backend hosted in this process (the change feed and
// the agents' gRPC server on a free port, no workers) on real PostgreSQL and real agents over real gRPC:
//   1. convergence: with 200 simulated agents (one Portal.Agent process, one HTTP/2 connection each) watching one
//      cluster, the time from a node's join (its registration bumps the generation) until all 200 have reported it;
//   2. the backend's memory per connected agent (managed heap and working set, before and after the 200 connect);
//   3. the resident memory of one agent whose node has 100 joined peers: the published self-contained single file,
//      and the framework-dependent Release build for comparison.
// A measurement, not a test: it prints figures. Run it through `bench/run agents`.
using System.Globalization;
using System.Runtime.InteropServices;
using Portal.AgentBench;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var admin = Environment.GetEnvironmentVariable("ConnectionStrings__Portal");
if (string.IsNullOrEmpty(admin))
{
    Console.Error.WriteLine("ConnectionStrings__Portal is not set; bench/run starts a private PostgreSQL and sets it.");
    return 2;
}

// Ctrl-C and SIGTERM cancel the current wait, so the finally blocks still kill the agents and delete the temp folder.
using var stop = new CancellationTokenSource();
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

await using var bench = new AgentBench(admin, stop.Token);
try
{
    await bench.RunAsync();
    return 0;
}
catch (BenchFailure e)
{
    Console.Error.WriteLine();
    Console.Error.WriteLine($"Agent benchmark failed: {e.Message}");
    return 1;
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
    Console.Error.WriteLine();
    Console.Error.WriteLine("Agent benchmark interrupted; cleaning up.");
    return 130;
}

void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    stop.Cancel();
}
