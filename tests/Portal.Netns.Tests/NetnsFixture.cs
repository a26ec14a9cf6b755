using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Portal.Backend;
using Portal.Backend.Agents;
using Portal.Backend.Nodes;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Data.Services;
using Portal.Data.Tests;

using Portal.Agent.Tests;
using Portal.Backend.Tests;
using Portal.Core.Clusters;

namespace Portal.Netns.Tests;

/// <summary>
/// The backend as the portal runs it (workers, the agents' gRPC server on a free loopback port, liveness,
/// supervision) with the netns provisioner: every node a network namespace on a bridge, a real Linux agent per node.
/// Fast timings for the test: heartbeat 1 s, NotReady after 4 s, drift repair every 2 s. Every namespace and bridge
/// of the clusters made here is removed at the end, also when a test failed.
/// </summary>
public sealed class NetnsFixture : DatabaseFixture
{
    private readonly List<Cluster> _clusters = [];
    private IHostedService[] _hosted = [];

    public static readonly TimeSpan NotReadyAfter = TimeSpan.FromSeconds(4);

    public string StateDirectory { get; } = Path.Combine(Path.GetTempPath(), "portal-netns-tests-" + Guid.NewGuid().ToString("N")[..8]);
    public ClusterService Clusters => Services.GetRequiredService<ClusterService>();
    public NetnsNodeProvisioner Provisioner => Services.GetRequiredService<NetnsNodeProvisioner>();
    public string AgentDll => AgentProcesses.ResolveAgentPath("");

    protected override void ConfigureServices(IServiceCollection services)
    {
        services.AddLogging();
        services.AddPortalBackend(runWorkers: true, serveAgents: true);
        services.Configure<AgentOptions>(o =>
        {
            o.Provisioner = "netns";
            o.Port = 0;
            o.HeartbeatInterval = TimeSpan.FromSeconds(1);
            o.NotReadyAfter = NotReadyAfter;
            o.LivenessSweep = TimeSpan.FromMilliseconds(250);
            o.RepairInterval = TimeSpan.FromSeconds(2);
            o.SuperviseInterval = TimeSpan.FromSeconds(1);
            o.PodsPerNode = 0;
            o.StateDirectory = StateDirectory;
        });
        services.Configure<BackendOptions>(o =>
        {
            o.PollInterval = TimeSpan.FromMilliseconds(200);
            o.AgentPollInterval = TimeSpan.FromMilliseconds(200);
        });
    }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Services.GetRequiredService<DemoData>().SeedAsync();
        if (Environment.UserName != "root") return;
        _hosted = Services.GetServices<IHostedService>().ToArray();
        foreach (var service in _hosted) await service.StartAsync(CancellationToken.None);
    }

    public override async Task DisposeAsync()
    {
        try
        {
            foreach (var service in _hosted.Reverse()) await service.StopAsync(CancellationToken.None);
            Services.GetRequiredService<AgentProcesses>().Dispose();
            foreach (var cluster in _clusters) await Provisioner.RemoveNodesAsync(cluster, CancellationToken.None);
            foreach (var cluster in _clusters)
            {
                var prefix = NetnsNodeProvisioner.ClusterPrefix(cluster.Id);
                foreach (var ns in await Shell.NamespacesAsync(prefix)) await Shell.RunAsync("ip", "netns", "del", ns);
            }
            if (Directory.Exists(StateDirectory)) Directory.Delete(StateDirectory, recursive: true);
        }
        finally
        {
            await base.DisposeAsync();
        }
    }

    /// <summary>A cluster of one master and <paramref name="workers"/> workers, Running with every agent reporting.</summary>
    public async Task<Cluster> RunningClusterAsync(string name, int workers)
    {
        var project = await NewProjectAsync();
        var created = await Clusters.CreateAsync(Actor.System, project, new ClusterCreate { Name = name, Workers = workers });
        lock (_clusters) _clusters.Add(created);
        await Eventually.Async(async () => (await ClusterAsync(created.Id)).Phase == ClusterPhase.Running,
            async () => $"cluster {name} is {(await ClusterAsync(created.Id)).Phase}", TimeSpan.FromSeconds(90));
        return await ClusterAsync(created.Id);
    }

    public async Task<Cluster> ClusterAsync(Guid id)
    {
        await using var db = await Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var cluster = await db.Clusters.Include(c => c.Nodes).AsNoTracking().FirstAsync(c => c.Id == id);
        cluster.Nodes = [.. cluster.Nodes.OrderByDescending(n => n.Role == NodeRole.Master).ThenBy(n => n.Ordinal)];
        return cluster;
    }

    public async Task<long> GenerationAsync(Guid clusterId)
    {
        await using var db = await Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        return await db.ClusterGenerations.Where(g => g.ClusterId == clusterId).Select(g => g.Generation).FirstAsync();
    }

    /// <summary><c>Portal.Agent pod add|del</c> on a node, as an operator would type it.</summary>
    public async Task<(string Name, string Ip, string Netns)> PodAsync(Cluster cluster, ClusterNode node, string verb, string pod)
    {
        var (code, output) = await Shell.RunAsync("dotnet", AgentDll, "pod", verb, pod, "--node", node.Name,
            "--state-dir", Path.Combine(StateDirectory, cluster.Id.ToString()));
        Assert.True(code == 0, $"pod {verb} {pod} on {node.Name}: {output}");
        var fields = output.Trim().Split('\t');
        return verb == "add" ? (fields[0], fields[1], fields[2]) : (pod, "", "");
    }

}

[CollectionDefinition(Name)]
public sealed class NetnsCollection : ICollectionFixture<NetnsFixture>
{
    public const string Name = "netns";
}
