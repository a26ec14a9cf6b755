using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Agent;
using Portal.Contracts;
using Portal.Backend.Workflow;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Data.Services;
using AgentApi = Portal.Contracts.NodeAgent;
using Portal.Core.Clusters;

namespace Portal.Backend.Tests;

/// <summary>
/// The agent protocol end to end, without root: real Portal.Agent agents (simulated dataplane) against the backend's
/// real gRPC server, workflow and liveness sweep on real PostgreSQL.
/// </summary>
[Collection(AgentCollection.Name)]
public sealed class AgentProtocolTests(AgentFixture f)
{
    private static readonly Actor Customer = new("customer", "customer@test", "192.0.2.1", IsSupport: false);

    [Fact]
    public async Task Agents_join_and_every_node_gets_a_route_to_every_other_nodes_pods()
    {
        var cluster = await NewClusterAsync("join", workers: 2);
        await using var agents = f.StartAgents(cluster, pods: 0, Names(cluster));

        var running = await RunningAsync(cluster.Id);
        var generation = await f.GenerationAsync(cluster.Id);
        Assert.All(running.Nodes, n =>
        {
            Assert.True(n.Ready, n.Name);
            Assert.NotNull(n.JoinedAt);
            Assert.Equal(2, n.RouteCount);
        });
        await Eventually.Async(
            async () => (await f.ClusterAsync(cluster.Id)).Nodes.All(n => n.ObservedGeneration == generation),
            async () => $"observed {string.Join(", ", (await f.ClusterAsync(cluster.Id)).Nodes.Select(n => n.ObservedGeneration))}, generation {generation}");
        var events = await EventKeysAsync(cluster.Id);
        Assert.Equal(3, events.Count(k => k == "Event.NodeJoined"));
    }

    [Fact]
    public async Task A_node_credential_reads_only_its_own_snapshot_and_a_wrong_token_joins_nothing()
    {
        var cluster = await NewClusterAsync("scope", workers: 1);
        var other = await NewClusterAsync("other", workers: 1);
        var client = new AgentApi.NodeAgentClient(AgentHost.NewChannel(f.Server));
        var names = Names(cluster);

        var wrong = await Assert.ThrowsAsync<RpcException>(() => client.RegisterAsync(new RegisterRequest { JoinToken = "nope", NodeName = names[0] }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, wrong.StatusCode);
        // Another cluster's token does not open this cluster's nodes.
        var foreign = await Assert.ThrowsAsync<RpcException>(() => client.RegisterAsync(new RegisterRequest { JoinToken = other.JoinToken, NodeName = names[0] }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, foreign.StatusCode);
        Assert.Contains(names[0], foreign.Status.Detail);

        var master = await client.RegisterAsync(new RegisterRequest { JoinToken = cluster.JoinToken, NodeName = names[0] });
        var worker = await client.RegisterAsync(new RegisterRequest { JoinToken = cluster.JoinToken, NodeName = names[1] });
        var snapshot = await FirstSnapshotAsync(client, master.Credential);
        Assert.Equal(names[0], snapshot.NodeName);
        var peer = Assert.Single(snapshot.Peers);
        Assert.Equal(names[1], peer.NodeName);
        Assert.DoesNotContain(snapshot.Peers, p => p.NodeName == names[0]);
        Assert.Equal(AgentHubGateway(snapshot.PodCidr), snapshot.Gateway);

        var none = await Assert.ThrowsAsync<RpcException>(() => FirstSnapshotAsync(client, "not-a-credential"));
        Assert.Equal(StatusCode.Unauthenticated, none.StatusCode);
        // Registering again replaces the credential: the old one stops working.
        await client.RegisterAsync(new RegisterRequest { JoinToken = cluster.JoinToken, NodeName = names[1] });
        var stale = await Assert.ThrowsAsync<RpcException>(() =>
            client.ReportAsync(new ReportRequest { ObservedGeneration = 1 }, new Metadata { { "authorization", "Bearer " + worker.Credential } }).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, stale.StatusCode);
    }

    [Fact]
    public async Task A_silent_node_goes_NotReady_within_the_deadline_and_comes_back_with_a_full_resync()
    {
        var cluster = await NewClusterAsync("silent", workers: 1);
        var names = Names(cluster);
        await using var master = f.StartAgents(cluster, pods: 0, names[0]);
        var worker = f.StartAgents(cluster, pods: 0, names[1]);
        await RunningAsync(cluster.Id);

        await worker.DisposeAsync();
        await Eventually.Async(
            async () => !(await f.ClusterAsync(cluster.Id)).Nodes.Single(n => n.Name == names[1]).Ready,
            () => Task.FromResult($"{names[1]} still ready"), AgentFixture.NotReadyAfter + TimeSpan.FromSeconds(10));
        // The master, still reporting, stays ready.
        Assert.True((await f.ClusterAsync(cluster.Id)).Nodes.Single(n => n.Name == names[0]).Ready);
        Assert.Contains("Event.NodeNotReady", await EventKeysAsync(cluster.Id));

        await using var again = f.StartAgents(cluster, pods: 0, names[1]);
        await Eventually.Async(
            async () => (await f.ClusterAsync(cluster.Id)).Nodes.Single(n => n.Name == names[1]) is { Ready: true, RouteCount: 1 },
            () => Task.FromResult($"{names[1]} not back"));
        Assert.Contains("Event.NodeBack", await EventKeysAsync(cluster.Id));
    }

    [Fact]
    public async Task The_network_check_probes_every_pod_pair_and_sees_no_NAT()
    {
        var cluster = await NewClusterAsync("check", workers: 2);
        await using var agents = f.StartAgents(cluster, pods: 2, Names(cluster));
        await RunningAsync(cluster.Id);
        await Eventually.Async(
            async () => (await f.ClusterAsync(cluster.Id)).Nodes.Sum(n => n.Pods.Count) == 6,
            async () => $"pods: {(await f.ClusterAsync(cluster.Id)).Nodes.Sum(n => n.Pods.Count)}");

        var id = await f.Clusters.RequestNetworkCheckAsync(Customer, cluster.ProjectId, cluster.Id);
        NetworkCheckView? check = null;
        await Eventually.Async(async () =>
        {
            check = (await f.Clusters.GetAsync(Actor.System, cluster.ProjectId, cluster.Id)).Check;
            return check is { Complete: true } && check.Id == id;
        }, () => Task.FromResult($"check {check?.Id}: {check?.NodesAnswered}/{check?.Nodes} nodes answered"));

        Assert.Equal(6, check!.Pods);
        Assert.Equal(30, check.Pairs);
        Assert.Equal(30, check.Probes.Count);
        Assert.Equal(30, check.Reachable);
        Assert.True(check.NoNat);
        Assert.All(check.Probes, p => Assert.Equal(p.Probe.SourceIp, p.Probe.SeenSourceIp));
        // Every pod's address is from its own node's pod CIDR.
        var detail = await f.Clusters.GetAsync(Actor.System, cluster.ProjectId, cluster.Id);
        Assert.All(detail.Nodes, n => Assert.All(n.Pods, p => Assert.True(n.PodCidr!.Value.Contains(System.Net.IPAddress.Parse(p.Ip)), $"{p.Ip} in {n.PodCidr}")));
    }

    [Fact]
    public async Task Scaling_out_gives_every_peer_the_new_route_and_scaling_in_takes_it_away()
    {
        var cluster = await NewClusterAsync("scale", workers: 2);
        await using var agents = f.StartAgents(cluster, pods: 0, Names(cluster));
        await RunningAsync(cluster.Id);

        await f.Clusters.ScaleAsync(Customer, cluster.ProjectId, cluster.Id, 3);
        var newNode = ClusterRules.NodeName(cluster.Name, NodeRole.Worker, 3);
        await Eventually.Async(async () => (await f.ClusterAsync(cluster.Id)).Nodes.Any(n => n.Name == newNode && n.PodCidr != null),
            () => Task.FromResult("no fourth node"));
        await using (var fourth = f.StartAgents(cluster, pods: 0, newNode))
        {
            await RunningAsync(cluster.Id);
            await Eventually.Async(async () => (await f.ClusterAsync(cluster.Id)).Nodes is var nodes && nodes.Count == 4 && nodes.All(n => n.RouteCount == 3),
                async () => "routes " + string.Join(", ", (await f.ClusterAsync(cluster.Id)).Nodes.Select(n => $"{n.Name}={n.RouteCount}")));

            await f.Clusters.ScaleAsync(Customer, cluster.ProjectId, cluster.Id, 2);
            await Eventually.Async(async () => (await f.ClusterAsync(cluster.Id)) is { Phase: ClusterPhase.Running } c && c.Nodes.Count == 3 && c.Nodes.All(n => n.RouteCount == 2),
                async () => "routes " + string.Join(", ", (await f.ClusterAsync(cluster.Id)).Nodes.Select(n => $"{n.Name}={n.RouteCount}")));
        }
        Assert.Contains("Event.NodesRemoved", await EventKeysAsync(cluster.Id));
        var refused = await Assert.ThrowsAsync<Portal.Core.Errors.NeutronException>(() => f.Clusters.ScaleAsync(Customer, cluster.ProjectId, cluster.Id, 101));
        Assert.Equal("Cluster.WorkersOutOfRange", refused.MessageKey);
    }

    [Fact]
    public async Task Agents_ride_out_a_backend_outage_and_resync_when_it_is_back()
    {
        var cluster = await NewClusterAsync("outage", workers: 1);
        await using var agents = f.StartAgents(cluster, pods: 0, Names(cluster));
        await RunningAsync(cluster.Id);
        var server = f.Services.GetRequiredService<Agents.AgentServer>();

        await server.StopAsync(CancellationToken.None);
        await Task.Delay(TimeSpan.FromSeconds(2));
        // What changes while the backend is away reaches the agents once it is back: a network check (a new generation).
        await using (var db = await f.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync())
            await db.Database.ExecuteSqlAsync($"UPDATE cluster_generations SET generation = generation + 1 WHERE cluster_id = {cluster.Id}");
        var generation = await f.GenerationAsync(cluster.Id);
        await server.StartAsync(CancellationToken.None);

        await Eventually.Async(async () => (await f.ClusterAsync(cluster.Id)).Nodes.All(n => n.Ready && n.ObservedGeneration == generation),
            async () => "observed " + string.Join(", ", (await f.ClusterAsync(cluster.Id)).Nodes.Select(n => $"{n.Name}={n.ObservedGeneration}/{n.Ready}")) + $" of {generation}; agents:\n{agents.Log}");
        Assert.Contains("retrying", agents.Log);
    }

    private async Task<Cluster> NewClusterAsync(string name, int workers)
    {
        var project = await f.NewProjectAsync();
        var created = await f.Clusters.CreateAsync(Customer, project, new ClusterCreate { Name = name, Workers = workers });
        await Eventually.Async(async () => (await f.ClusterAsync(created.Id)).Phase == ClusterPhase.WaitingForAgents,
            async () => $"phase {(await f.ClusterAsync(created.Id)).Phase}");
        return await f.ClusterAsync(created.Id);
    }

    private static string[] Names(Cluster cluster) =>
        [.. cluster.Nodes.OrderByDescending(n => n.Role == NodeRole.Master).ThenBy(n => n.Ordinal).Select(n => n.Name)];

    private async Task<Cluster> RunningAsync(Guid id)
    {
        await Eventually.Async(async () => (await f.ClusterAsync(id)).Phase == ClusterPhase.Running,
            async () => $"phase {(await f.ClusterAsync(id)).Phase}, ready {(await f.ClusterAsync(id)).Nodes.Count(n => n.Ready)}");
        return await f.ClusterAsync(id);
    }

    private async Task<List<string>> EventKeysAsync(Guid clusterId)
    {
        await using var db = await f.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        return await db.ClusterEvents.Where(e => e.ClusterId == clusterId).OrderBy(e => e.Id).Select(e => e.MessageKey).ToListAsync();
    }

    private static async Task<Snapshot> FirstSnapshotAsync(AgentApi.NodeAgentClient client, string credential)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var call = client.Watch(new WatchRequest(), new Metadata { { "authorization", "Bearer " + credential } }, cancellationToken: timeout.Token);
        Assert.True(await call.ResponseStream.MoveNext(timeout.Token));
        return call.ResponseStream.Current;
    }

    private static string AgentHubGateway(string podCidr) => Agents.AgentHub.Gateway(System.Net.IPNetwork.Parse(podCidr)).ToString();
}
