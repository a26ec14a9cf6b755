using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Backend.Agents;
using Portal.Backend.Workflow;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Data.Services;
using Portal.Data.Tests;
using Portal.Core.Clusters;

namespace Portal.Backend.Tests;

/// <summary>
/// The data tests' fresh database plus the backend's workflow, with ext-net seeded and nodes that report ready
/// at once. The workers do not run by themselves: a test drives them (<see cref="RunUntilAsync"/>), so it knows
/// exactly which steps ran.
/// </summary>
public sealed class BackendFixture : DatabaseFixture
{
    public ClusterService Clusters => Services.GetRequiredService<ClusterService>();
    public ClusterWorkflow Workflow => Services.GetRequiredService<ClusterWorkflow>();
    public ProvisioningWorker Worker => Services.GetRequiredService<ProvisioningWorker>();


    protected override void ConfigureServices(IServiceCollection services)
    {
        services.AddPortalBackend(runWorkers: false, serveAgents: false);
        // The workflow alone: nodes without agents report ready at once (the agents have tests of their own).
        services.Configure<Agents.AgentOptions>(o => o.Provisioner = "simulated");
        services.Configure<BackendOptions>(o =>
        {
            o.SimulatedBootTime = TimeSpan.Zero;
            o.AgentPollInterval = TimeSpan.FromMilliseconds(20);
        });
    }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Services.GetRequiredService<DemoData>().SeedAsync();
        await Projects.AddMemberAsync(Actor.System, DemoData.DemoProjectId, Customer.UserId, owner: false);
    }

    public PortalDbContext NewDb() => Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext();

    /// <summary>Runs due steps until the cluster reaches <paramref name="phase"/> (or is gone, for null), within a bound.</summary>
    public async Task<Cluster?> RunUntilAsync(Guid clusterId, ClusterPhase? phase, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            await Worker.DrainAsync(CancellationToken.None);
            await using var db = NewDb();
            var cluster = await db.Clusters.AsNoTracking().FirstOrDefaultAsync(c => c.Id == clusterId);
            if (phase is null ? cluster is null : cluster?.Phase == phase) return cluster;
            if (cluster?.Phase == ClusterPhase.Failed && phase != ClusterPhase.Failed)
                throw new InvalidOperationException($"Cluster failed: {cluster.FailureKey} [{string.Join(", ", cluster.FailureArgs)}]");
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Cluster {clusterId} is {cluster?.Phase.ToString() ?? "gone"}, not {phase?.ToString() ?? "gone"}.");
            await Task.Delay(20);
        }
    }

    /// <summary>A network with internet access (and so a router) and one subnet.</summary>
    public async Task<(Network Network, Subnet Subnet)> NewNetworkAsync(string projectId, string cidr, bool internet = true, bool services = false)
    {
        var network = await Networks.CreateAsync(Actor.System, projectId, new NetworkCreate
        {
            Name = "net-" + Guid.NewGuid().ToString("N")[..6], InternetAccess = internet, ServicesAccess = services,
            FirstSubnet = new SubnetCreate { Name = "sub", Cidr = cidr },
        });
        return (network, network.Subnets[0]);
    }
}

[CollectionDefinition(Name)]
public sealed class BackendCollection : ICollectionFixture<BackendFixture>
{
    public const string Name = "backend";
}
