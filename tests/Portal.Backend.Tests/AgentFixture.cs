using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Portal.Agent;
using Portal.Backend.Agents;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Data.Services;
using Portal.Data.Tests;

namespace Portal.Backend.Tests;

/// <summary>
/// The backend as it runs in the portal — workers, the agent protocol's gRPC server on a free loopback port, the
/// liveness sweep, the change feed — on a fresh database, with fast heartbeats (1 s, NotReady after 3 s). Nodes
/// are "external": the tests start real agents (Portal.Agent, simulated dataplane) in this process, over real gRPC.
/// </summary>
public sealed class AgentFixture : DatabaseFixture
{
    private readonly string _stateDirectory = Path.Combine(Path.GetTempPath(), "portal-agent-tests-" + Guid.NewGuid().ToString("N")[..8]);
    private IHostedService[] _hosted = [];

    public static readonly TimeSpan NotReadyAfter = TimeSpan.FromSeconds(3);

    public ClusterService Clusters => Services.GetRequiredService<ClusterService>();
    public Uri Server => Services.GetRequiredService<AgentServer>().Address ?? throw new InvalidOperationException("Agent server not started.");

    protected override void ConfigureServices(IServiceCollection services)
    {
        services.AddLogging();
        services.AddPortalBackend(runWorkers: true, serveAgents: true);
        services.Configure<AgentOptions>(o =>
        {
            o.Provisioner = "external";
            // A fixed free port rather than 0: a test stops and restarts the server, and agents keep its address.
            o.Port = FreePort();
            o.HeartbeatInterval = TimeSpan.FromSeconds(1);
            o.NotReadyAfter = NotReadyAfter;
            o.LivenessSweep = TimeSpan.FromMilliseconds(250);
        });
        services.Configure<BackendOptions>(o =>
        {
            o.PollInterval = TimeSpan.FromMilliseconds(200);
            o.AgentPollInterval = TimeSpan.FromMilliseconds(100);
        });
    }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Services.GetRequiredService<DemoData>().SeedAsync();
        _hosted = Services.GetServices<IHostedService>().ToArray();
        foreach (var service in _hosted) await service.StartAsync(CancellationToken.None);
    }

    public override async Task DisposeAsync()
    {
        foreach (var service in _hosted.Reverse()) await service.StopAsync(CancellationToken.None);
        if (Directory.Exists(_stateDirectory)) Directory.Delete(_stateDirectory, recursive: true);
        await base.DisposeAsync();
    }

    /// <summary>Agents for <paramref name="nodes"/>, each with its own connection, until the handle is disposed (as a killed agent would stop).</summary>
    public RunningAgents StartAgents(Cluster cluster, int pods, params string[] nodes) => StartAgentsIn(StateDirectory(cluster), cluster, pods, nodes);

    /// <summary>As <see cref="StartAgents"/>, with the state (pods, node credentials) in <paramref name="stateDirectory"/>: another machine's agent.</summary>
    public RunningAgents StartAgentsIn(string stateDirectory, Cluster cluster, int pods, params string[] nodes)
    {
        var settings = new AgentSettings
        {
            Server = Server, JoinToken = cluster.JoinToken, Nodes = nodes, Dataplane = "simulated",
            StateDirectory = stateDirectory, Pods = pods, MaxBackoff = TimeSpan.FromSeconds(1),
        };
        return new RunningAgents(settings);
    }

    /// <summary>Where the agents of <see cref="StartAgents"/> keep their state; a fresh one for another machine's agents.</summary>
    public string StateDirectory(Cluster cluster, string machine = "") => Path.Combine(_stateDirectory, cluster.Id.ToString() + machine);

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async Task<Cluster> ClusterAsync(Guid id)
    {
        await using var db = await Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        return await db.Clusters.Include(c => c.Nodes).AsNoTracking().FirstAsync(c => c.Id == id);
    }

    public async Task<long> GenerationAsync(Guid clusterId)
    {
        await using var db = await Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        return await db.ClusterGenerations.Where(g => g.ClusterId == clusterId).Select(g => g.Generation).FirstAsync();
    }

    public sealed class RunningAgents : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly StringWriter _log = new();
        private readonly Task _run;

        public RunningAgents(AgentSettings settings)
        {
            _run = Task.Run(() => AgentHost.RunAsync(settings, TextWriter.Synchronized(_log), _stop.Token));
        }

        public string Log => _log.ToString();

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _run;
            _stop.Dispose();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class AgentCollection : ICollectionFixture<AgentFixture>
{
    public const string Name = "agents";
}
