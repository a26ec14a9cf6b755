using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Portal.Backend;
using Portal.Backend.Agents;
using Portal.Backend.Workflow;
using Portal.Data;
using Portal.Data.ChangeFeed;
using Portal.Data.Entities;
using Portal.Data.Services;
using Portal.Core.Clusters;

namespace Portal.Web.Tests.Infrastructure;

/// <summary>
/// A fresh, migrated and seeded database on the real PostgreSQL named by ConnectionStrings__Portal (a server whose
/// user may create databases), as tests/Portal.Data.Tests does it. The pages work in the demo project
/// (<see cref="CurrentProject"/>), so every test shares it and tells its own data apart by unique names.
/// The change feed's listener is not started: a page re-renders only because of what its test does. The backend's
/// workflow is there but runs only when a test drives a cluster (<see cref="RunClusterUntilAsync"/>); its nodes are
/// "external": they become ready only when the test reports for them as their agents would (<see cref="Agents"/>).
/// </summary>
public sealed class PortalDatabase : IAsyncLifetime
{
    private string _adminConnectionString = "";
    private string _database = "";
    private ServiceProvider? _services;

    public IServiceProvider Services => _services ?? throw new InvalidOperationException("Database not initialised.");

    public NetworkService Networks => Services.GetRequiredService<NetworkService>();
    public SubnetService Subnets => Services.GetRequiredService<SubnetService>();
    public PortService Ports => Services.GetRequiredService<PortService>();
    public ProjectService Projects => Services.GetRequiredService<ProjectService>();
    public ClusterService Clusters => Services.GetRequiredService<ClusterService>();
    public ChangeFeed Feed => Services.GetRequiredService<ChangeFeed>();
    public NodeAgentService Agents => Services.GetRequiredService<NodeAgentService>();

    public static string ProjectId => DemoData.DemoProjectId;

    public async Task InitializeAsync()
    {
        _adminConnectionString = Environment.GetEnvironmentVariable("ConnectionStrings__Portal") is { Length: > 0 } cs
            ? cs
            : throw new InvalidOperationException(
                "The UI tests need a real PostgreSQL: run ./test, or set ConnectionStrings__Portal to a server where the user may create databases " +
                "(e.g. ConnectionStrings__Portal='Host=127.0.0.1;Port=5432;Username=portal;Database=postgres').");
        _database = "portal_webtest_" + Guid.NewGuid().ToString("N")[..12];
        await using (var admin = new NpgsqlConnection(_adminConnectionString))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {_database}", admin);
            await create.ExecuteNonQueryAsync();
        }
        var connectionString = new NpgsqlConnectionStringBuilder(_adminConnectionString) { Database = _database }.ConnectionString;
        _services = new ServiceCollection().AddLogging().AddPortalData(connectionString)
            .AddPortalBackend(runWorkers: false, serveAgents: false)
            .Configure<AgentOptions>(o => o.Provisioner = "external")
            .BuildServiceProvider();
        await _services.MigratePortalDatabaseAsync();
        await _services.GetRequiredService<DemoData>().SeedAsync();
        // Every test adds its own networks, subnets and ports to the demo project: room for all of them.
        foreach (var resource in Quotas.Defaults.Keys) await Projects.SetQuotaAsync(Actor.System, ProjectId, resource, 5000);
    }

    public async Task DisposeAsync()
    {
        if (_services is not null) await _services.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        if (_database.Length == 0) return;
        await using var admin = new NpgsqlConnection(_adminConnectionString);
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_database} WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// Runs the backend's workflow steps of one cluster, as the workers would, until it is in <paramref name="phase"/>.
    /// Other clusters of the shared database (earlier tests') are claimed and held untouched meanwhile, so this test
    /// provisions only its own cluster; the claims are released at the end.
    /// </summary>
    public async Task RunClusterUntilAsync(Guid clusterId, ClusterPhase phase)
    {
        var workflow = Services.GetRequiredService<ClusterWorkflow>();
        var reconciler = Services.GetRequiredService<ClusterReconciler>();
        var dbs = Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        var held = new List<ClusterClaim>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        try
        {
            while (true)
            {
                await using (var db = await dbs.CreateDbContextAsync())
                {
                    var cluster = await db.Clusters.AsNoTracking().FirstAsync(c => c.Id == clusterId);
                    if (cluster.Phase == phase) return;
                    if (cluster.Phase == ClusterPhase.Failed)
                        throw new InvalidOperationException($"Cluster failed: {cluster.FailureKey} [{string.Join(", ", cluster.FailureArgs)}]");
                }
                if (DateTime.UtcNow > deadline) throw new TimeoutException($"Cluster {clusterId} did not reach {phase}.");
                if (await workflow.ClaimNextAsync() is not { } claim)
                {
                    await Task.Delay(20); // its step is requeued for later (e.g. waiting for agents)
                    continue;
                }
                if (claim.Cluster.Id != clusterId)
                {
                    held.Add(claim);
                    continue;
                }
                await using (claim) await reconciler.ReconcileAsync(claim, CancellationToken.None);
            }
        }
        finally
        {
            foreach (var claim in held) await claim.DisposeAsync();
        }
    }

    /// <summary>A name no other test uses, e.g. "net-3f9a1c2b".</summary>
    public static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>A network of the demo project, with a first subnet when <paramref name="cidr"/> is given.</summary>
    public Task<Portal.Data.Entities.Network> CreateNetworkAsync(string name, string? cidr = null, bool internet = false, int mtu = 1500) =>
        Networks.CreateAsync(Actor.System, ProjectId, new NetworkCreate
        {
            Name = name,
            Mtu = mtu,
            InternetAccess = internet,
            FirstSubnet = cidr is null ? null : new SubnetCreate { Name = name + "-subnet", Cidr = cidr },
        });
}

/// <summary>
/// All UI tests share one database and the demo project, and some change its quota for a moment, so they run one
/// after another.
/// </summary>
[CollectionDefinition(Name)]
public sealed class PortalDatabaseCollection : ICollectionFixture<PortalDatabase>
{
    public const string Name = "portal database";
}
