// Cluster provisioning benchmark: the time from «Создать» (ClusterService.CreateAsync) to Running for clusters of
// 3, 30 and 100 nodes, with the product's workflow and workers and simulated agents that report ready at once
// (each node's report is its own write, as a real agent's heartbeat is), and the rate of the Ports step. A
// measurement, not a test: it prints figures. Run it through `bench/run clusters`.
using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Portal.Backend;
using Portal.Backend.Workflow;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Data.Services;
using Portal.Core.Clusters;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var admin = Environment.GetEnvironmentVariable("ConnectionStrings__Portal");
if (string.IsNullOrEmpty(admin))
{
    Console.Error.WriteLine("ConnectionStrings__Portal is not set; bench/run starts a private PostgreSQL and sets it.");
    return 2;
}
const string database = "portal_cluster_bench";
await using (var connection = new NpgsqlConnection(admin))
{
    await connection.OpenAsync();
    await new NpgsqlCommand($"DROP DATABASE IF EXISTS {database} WITH (FORCE)", connection).ExecuteNonQueryAsync();
    await new NpgsqlCommand($"CREATE DATABASE {database}", connection).ExecuteNonQueryAsync();
}
var connectionString = new NpgsqlConnectionStringBuilder(admin) { Database = database, MaxPoolSize = 50 }.ConnectionString;
var services = new ServiceCollection().AddLogging().AddPortalData(connectionString).AddPortalBackend(runWorkers: false, serveAgents: false);
// The workflow alone: nodes without agents report ready at once (bench/run agents measures the agents).
services.Configure<Portal.Backend.Agents.AgentOptions>(o => o.Provisioner = "simulated");
services.Configure<BackendOptions>(o =>
{
    o.SimulatedBootTime = TimeSpan.Zero;
    o.AgentPollInterval = TimeSpan.FromMilliseconds(10);
    o.Workers = 2;
});
await using var provider = services.BuildServiceProvider();
await provider.MigratePortalDatabaseAsync();
await provider.GetRequiredService<DemoData>().SeedAsync();
var project = DemoData.DemoProjectId;
var projects = provider.GetRequiredService<ProjectService>();
await projects.SetQuotaAsync(Actor.System, project, Quotas.Ports, 5000);
var network = await provider.GetRequiredService<NetworkService>().CreateAsync(Actor.System, project, new NetworkCreate
{
    Name = "bench-net", InternetAccess = true, FirstSubnet = new SubnetCreate { Name = "bench-subnet", Cidr = "10.50.0.0/16" },
});
var clusters = provider.GetRequiredService<ClusterService>();
var dbs = provider.GetRequiredService<IDbContextFactory<PortalDbContext>>();
var worker = provider.GetRequiredService<ProvisioningWorker>();
await provider.GetRequiredService<Portal.Data.ChangeFeed.ChangePublisher>().StartAsync(CancellationToken.None);
await worker.StartAsync(CancellationToken.None);

Console.WriteLine("Warming up (one 3-node cluster, not counted)...");
await CreateAndDeleteAsync("warmup", 1, 2);

var results = new List<(int Nodes, Sample Sample)>();
foreach (var (masters, workers, rounds) in new[] { (1, 2, 5), (3, 27, 3), (3, 97, 3) })
{
    for (var round = 1; round <= rounds; round++)
    {
        var sample = await CreateAndDeleteAsync($"bench-{masters + workers}-{round}", masters, workers);
        results.Add((masters + workers, sample));
        Console.WriteLine($"  {masters + workers,3} nodes, round {round}: Running after {sample.ToRunning.TotalMilliseconds,7:F0} ms " +
                          $"(Ports step {sample.PortsStep.TotalMilliseconds:F0} ms for {sample.Ports} ports), deleted in {sample.Deletion.TotalMilliseconds:F0} ms");
    }
}
await worker.StopAsync(CancellationToken.None);

Console.WriteLine();
Console.WriteLine("== Cluster provisioning benchmark (simulated agents, 2 workers, real PostgreSQL) ==");
foreach (var group in results.GroupBy(r => r.Nodes))
{
    var toRunning = group.Select(r => r.Sample.ToRunning.TotalMilliseconds).Order().ToList();
    var portsPerSecond = group.Sum(r => r.Sample.Ports) / group.Sum(r => r.Sample.PortsStep.TotalSeconds);
    Console.WriteLine($"{group.Key,3} nodes: «Создать» → Running median {toRunning[toRunning.Count / 2]:F0} ms (min {toRunning[0]:F0}, max {toRunning[^1]:F0}); " +
                      $"Ports step {portsPerSecond:F0} ports/s; deletion median {group.Select(r => r.Sample.Deletion.TotalMilliseconds).Order().ElementAt(group.Count() / 2):F0} ms");
}
return 0;

async Task<Sample> CreateAndDeleteAsync(string name, int masters, int workers)
{
    var started = Stopwatch.StartNew();
    var cluster = await clusters.CreateAsync(Actor.System, project, new ClusterCreate { Name = name, Masters = masters, Workers = workers, NetworkId = network.Id, SubnetId = network.Subnets[0].Id });
    while (true)
    {
        await using var db = await dbs.CreateDbContextAsync();
        var phase = await db.Clusters.Where(c => c.Id == cluster.Id).Select(c => c.Phase).FirstAsync();
        if (phase == ClusterPhase.Running) break;
        if (phase == ClusterPhase.Failed) throw new InvalidOperationException($"{name} failed");
        if (started.Elapsed > TimeSpan.FromMinutes(5)) throw new TimeoutException(name);
        await Task.Delay(2);
    }
    var toRunning = started.Elapsed;
    var detail = await clusters.GetAsync(Actor.System, project, cluster.Id);
    var events = detail.Events.Reverse().ToList();
    var portsDone = events.First(e => e.MessageKey == "Event.PortsCreated");
    var portsBegan = events.Last(e => e.Id < portsDone.Id);
    var deleting = Stopwatch.StartNew();
    await clusters.DeleteAsync(Actor.System, project, cluster.Id);
    while (true)
    {
        await using var db = await dbs.CreateDbContextAsync();
        if (!await db.Clusters.AnyAsync(c => c.Id == cluster.Id)) break;
        if (deleting.Elapsed > TimeSpan.FromMinutes(5)) throw new TimeoutException(name + " deletion");
        await Task.Delay(2);
    }
    return new Sample(toRunning, portsDone.At - portsBegan.At, masters + workers + 2, deleting.Elapsed);
}

internal sealed record Sample(TimeSpan ToRunning, TimeSpan PortsStep, int Ports, TimeSpan Deletion);
