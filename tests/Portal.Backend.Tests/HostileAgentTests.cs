using System.Net;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Agent;
using Portal.Backend.Nodes;
using Portal.Contracts;
using Portal.Core.Clusters;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Data.Services;
using AgentApi = Portal.Contracts.NodeAgent;

namespace Portal.Backend.Tests;

/// <summary>
/// The agent protocol against someone holding a join token or a node credential and sending what no agent would
/// (issue 15): over real gRPC on real PostgreSQL, every refused call answers a clear status and writes nothing.
/// </summary>
[Collection(AgentCollection.Name)]
public sealed class HostileAgentTests(AgentFixture f)
{
    private static readonly Actor Customer = new("customer", "customer@test", "192.0.2.1", IsSupport: false);

    [Fact]
    public async Task Oversize_reports_are_refused_with_ResourceExhausted_and_write_nothing()
    {
        var (cluster, client) = await NewClusterAsync("oversize");
        var node = Names(cluster)[0];
        var headers = Bearer((await client.RegisterAsync(new RegisterRequest { JoinToken = cluster.JoinToken, NodeName = node })).Credential);
        var cidr = await PodCidrAsync(cluster.Id, node);
        var generation = await f.GenerationAsync(cluster.Id);

        // The report of the issue: 60,000 pods whose addresses are none.
        var flood = new ReportRequest { ObservedGeneration = 1 };
        for (var i = 0; i < 60_000; i++) flood.Pods.Add(new PodAddress { PodName = $"fake-{i}", Ip = $"not-an-ip-{i}" });
        var refused = await RefusedAsync(client, flood, headers, StatusCode.ResourceExhausted);
        Assert.Contains($"at most {AgentLimits.MaxPods} pods", refused);

        // More pods than the node's /24 has addresses for (253), each one otherwise plausible.
        var crowded = new ReportRequest { ObservedGeneration = 1 };
        for (var i = 0; i < 254; i++) crowded.Pods.Add(new PodAddress { PodName = $"pod-{i}", Ip = Host(cidr, 2 + i) });
        Assert.Contains("253 addresses for pods", await RefusedAsync(client, crowded, headers, StatusCode.ResourceExhausted));

        var probes = new ReportRequest { ObservedGeneration = 1, CheckId = 1 };
        for (var i = 0; i <= AgentLimits.MaxProbes; i++) probes.Probes.Add(new ProbeResult { SourcePod = "pod-1", TargetPod = $"p{i}" });
        await RefusedAsync(client, probes, headers, StatusCode.ResourceExhausted);

        var errors = new ReportRequest { ObservedGeneration = 1 };
        errors.Errors.AddRange(Enumerable.Range(0, AgentLimits.MaxErrors + 1).Select(i => $"error {i}"));
        await RefusedAsync(client, errors, headers, StatusCode.ResourceExhausted);
        var longError = new ReportRequest { ObservedGeneration = 1, Errors = { new string('e', AgentLimits.MaxErrorLength + 1) } };
        await RefusedAsync(client, longError, headers, StatusCode.ResourceExhausted);

        // Beyond the server's message size: refused before it is read.
        var huge = new ReportRequest { ObservedGeneration = 1, Errors = { new string('x', AgentLimits.MaxMessageBytes + 1) } };
        await RefusedAsync(client, huge, headers, StatusCode.ResourceExhausted);

        var stored = await NodeAsync(cluster.Id, node);
        Assert.Null(stored.LastHeartbeat);
        Assert.False(stored.Ready);
        Assert.Empty(stored.Pods);
        Assert.Empty(stored.AgentErrors);
        Assert.Equal(generation, await f.GenerationAsync(cluster.Id));
    }

    [Fact]
    public async Task Reports_that_do_not_fit_their_node_are_refused_with_InvalidArgument_and_write_nothing()
    {
        var (cluster, client) = await NewClusterAsync("misfit");
        var names = Names(cluster);
        var headers = Bearer((await client.RegisterAsync(new RegisterRequest { JoinToken = cluster.JoinToken, NodeName = names[0] })).Credential);
        var cidr = await PodCidrAsync(cluster.Id, names[0]);
        var otherCidr = await PodCidrAsync(cluster.Id, names[1]);
        var generation = await f.GenerationAsync(cluster.Id);
        ReportRequest WithPod(string name, string ip) => new() { ObservedGeneration = 1, Pods = { new PodAddress { PodName = name, Ip = ip } } };

        (ReportRequest Report, string Says)[] cases =
        [
            (WithPod("pod-1", "not-an-ip"), "not an IP address"),
            (WithPod("pod-1", "10.1"), "not an IP address"), // IPAddress.Parse would read 10.0.0.1
            (WithPod("pod-1", Host(cidr, 2) + "\0"), "not an IP address"),
            (WithPod("pod-1", Host(otherCidr, 2)), $"outside node «{names[0]}»'s pod CIDR {cidr}"),
            (WithPod("pod-1", "2001:db8::5"), "outside"),
            (WithPod("pod-1", Host(cidr, 1)), "gateway"),
            (WithPod("pod-1", Host(cidr, 0)), "network"),
            (WithPod("pod-1", Host(cidr, 255)), "broadcast"),
            (WithPod("Pod_1", Host(cidr, 2)), "not a valid pod name"),
            (WithPod(new string('p', 64), Host(cidr, 2)), "not a valid pod name"),
            (WithPod("pod-\0", Host(cidr, 2)), "not a valid pod name"),
            (new ReportRequest
            {
                ObservedGeneration = 1,
                Pods = { new PodAddress { PodName = "pod-1", Ip = Host(cidr, 2) }, new PodAddress { PodName = "pod-1", Ip = Host(cidr, 3) } },
            }, "named twice"),
            (new ReportRequest
            {
                ObservedGeneration = 1,
                Pods = { new PodAddress { PodName = "pod-1", Ip = Host(cidr, 2) }, new PodAddress { PodName = "pod-2", Ip = Host(cidr, 2) } },
            }, "same address"),
            (new ReportRequest { ObservedGeneration = 1, Errors = { "bad\0error" } }, "NUL"),
            (new ReportRequest { ObservedGeneration = 1, RouteCount = -1 }, "route_count must not be negative"),
            (new ReportRequest { ObservedGeneration = -1 }, "observed_generation must not be negative"),
            (new ReportRequest { ObservedGeneration = generation + 5 }, $"ahead of the cluster's generation {generation}"),
            (new ReportRequest { ObservedGeneration = 1, CheckId = 7 }, "no network check was asked for"),
            (new ReportRequest { ObservedGeneration = 1, Probes = { new ProbeResult { SourcePod = "pod-1" } } }, "need the check_id"),
        ];
        foreach (var (report, says) in cases)
        {
            Assert.Contains(says, await RefusedAsync(client, report, headers, StatusCode.InvalidArgument));
        }

        var stored = await NodeAsync(cluster.Id, names[0]);
        Assert.Null(stored.LastHeartbeat);
        Assert.Empty(stored.Pods);
        Assert.Equal(generation, await f.GenerationAsync(cluster.Id));
        // The node itself is fine: a valid report is taken.
        await client.ReportAsync(WithPod("pod-1", Host(cidr, 2)), headers);
        Assert.Equal([new NodePod("pod-1", Host(cidr, 2))], (await NodeAsync(cluster.Id, names[0])).Pods);
    }

    [Fact]
    public async Task Check_results_are_taken_only_for_the_check_asked_for_from_the_nodes_pods_to_the_clusters()
    {
        var (cluster, client) = await NewClusterAsync("probes");
        var names = Names(cluster);
        var (master, worker) = (names[0], names[1]);
        var masterHeaders = Bearer((await client.RegisterAsync(new RegisterRequest { JoinToken = cluster.JoinToken, NodeName = master })).Credential);
        var workerHeaders = Bearer((await client.RegisterAsync(new RegisterRequest { JoinToken = cluster.JoinToken, NodeName = worker })).Credential);
        var (masterPod, workerPod) = (Host(await PodCidrAsync(cluster.Id, master), 2), Host(await PodCidrAsync(cluster.Id, worker), 2));
        ReportRequest Results(long checkId, params ProbeResult[] probes)
        {
            var report = new ReportRequest { ObservedGeneration = 1, CheckId = checkId, Pods = { new PodAddress { PodName = "pod-1", Ip = masterPod } } };
            report.Probes.AddRange(probes);
            return report;
        }
        await client.ReportAsync(Results(0), masterHeaders);
        await client.ReportAsync(new ReportRequest { ObservedGeneration = 1, Pods = { new PodAddress { PodName = "pod-1", Ip = workerPod } } }, workerHeaders);
        await RunningAsync(cluster.Id);
        var check = await f.Clusters.RequestNetworkCheckAsync(Customer, cluster.ProjectId, cluster.Id);
        ProbeResult Probe(string source = "pod-1", string? sourceIp = null, string target = "pod-1", string? targetIp = null) => new()
        {
            SourcePod = source, SourceIp = sourceIp ?? masterPod, TargetNode = worker, TargetPod = target, TargetIp = targetIp ?? workerPod,
            Reachable = true, SeenSourceIp = sourceIp ?? masterPod,
        };

        Assert.Contains($"the check asked for is {check}", await RefusedAsync(client, Results(check + 1, Probe()), masterHeaders, StatusCode.InvalidArgument));
        Assert.Contains("not a pod of this report", await RefusedAsync(client, Results(check, Probe(source: "ghost")), masterHeaders, StatusCode.InvalidArgument));
        Assert.Contains("not a pod of this report", await RefusedAsync(client, Results(check, Probe(sourceIp: workerPod)), masterHeaders, StatusCode.InvalidArgument));
        Assert.Contains("not a pod of the cluster", await RefusedAsync(client, Results(check, Probe(target: "ghost")), masterHeaders, StatusCode.InvalidArgument));
        Assert.Contains("not a pod of the cluster", await RefusedAsync(client, Results(check, Probe(targetIp: masterPod)), masterHeaders, StatusCode.InvalidArgument));
        Assert.Contains("reported twice", await RefusedAsync(client, Results(check, Probe(), Probe()), masterHeaders, StatusCode.InvalidArgument));
        Assert.Equal(0, (await NodeAsync(cluster.Id, master)).CheckId);

        await client.ReportAsync(Results(check, Probe()), masterHeaders);
        var stored = await NodeAsync(cluster.Id, master);
        Assert.Equal(check, stored.CheckId);
        Assert.Equal(workerPod, Assert.Single(stored.CheckResults).TargetIp);
    }

    [Fact]
    public async Task A_report_repeating_the_same_pods_does_not_bump_the_generation()
    {
        var (cluster, client) = await NewClusterAsync("repeat");
        var node = Names(cluster)[0];
        var headers = Bearer((await client.RegisterAsync(new RegisterRequest { JoinToken = cluster.JoinToken, NodeName = node })).Credential);
        var cidr = await PodCidrAsync(cluster.Id, node);
        ReportRequest With(params string[] pods)
        {
            var report = new ReportRequest { ObservedGeneration = 1 };
            foreach (var pod in pods) report.Pods.Add(new PodAddress { PodName = pod, Ip = Host(cidr, pod == "pod-a" ? 2 : 3) });
            return report;
        }

        var before = await f.GenerationAsync(cluster.Id);
        await client.ReportAsync(With("pod-b", "pod-a"), headers);
        var withPods = await f.GenerationAsync(cluster.Id);
        Assert.Equal(before + 1, withPods);
        await client.ReportAsync(With("pod-b", "pod-a"), headers);
        await client.ReportAsync(With("pod-a", "pod-b"), headers); // the same pods in another order
        Assert.Equal(withPods, await f.GenerationAsync(cluster.Id));
        Assert.Equal(["pod-a", "pod-b"], (await NodeAsync(cluster.Id, node)).Pods.Select(p => p.Name));

        await client.ReportAsync(With("pod-a"), headers);
        Assert.Equal(withPods + 1, await f.GenerationAsync(cluster.Id));
    }

    [Fact]
    public async Task A_live_node_cannot_be_taken_over_and_a_silent_one_can_be_registered_again()
    {
        var (cluster, client) = await NewClusterAsync("takeover");
        var node = Names(cluster)[0];
        var first = await client.RegisterAsync(new RegisterRequest { JoinToken = cluster.JoinToken, NodeName = node });
        await client.ReportAsync(new ReportRequest { ObservedGeneration = 1 }, Bearer(first.Credential));

        foreach (var presented in new[] { "", "forged-credential" })
        {
            var taken = await Assert.ThrowsAsync<RpcException>(() =>
                client.RegisterAsync(new RegisterRequest { JoinToken = cluster.JoinToken, NodeName = node, Credential = presented }).ResponseAsync);
            Assert.Equal(StatusCode.FailedPrecondition, taken.StatusCode);
            Assert.Contains($"Node «{node}» of cluster «{cluster.Name}» is in use", taken.Status.Detail);
        }
        // The live agent was not knocked out.
        await client.ReportAsync(new ReportRequest { ObservedGeneration = 1 }, Bearer(first.Credential));

        // The agent itself, presenting its credential (a restart with its state directory), gets the node at once.
        var again = await client.RegisterAsync(new RegisterRequest { JoinToken = cluster.JoinToken, NodeName = node, Credential = first.Credential });
        await client.ReportAsync(new ReportRequest { ObservedGeneration = 1 }, Bearer(again.Credential));
        var stale = await Assert.ThrowsAsync<RpcException>(() =>
            client.ReportAsync(new ReportRequest { ObservedGeneration = 1 }, Bearer(first.Credential)).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, stale.StatusCode);

        // Silent for NotReadyAfter, the node is free again: an agent that lost its state directory can register it.
        RegisterReply? taker = null;
        await Eventually.Async(async () =>
        {
            try
            {
                taker = await client.RegisterAsync(new RegisterRequest { JoinToken = cluster.JoinToken, NodeName = node });
                return true;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.FailedPrecondition)
            {
                return false;
            }
        }, () => Task.FromResult($"{node} still in use"), AgentFixture.NotReadyAfter + TimeSpan.FromSeconds(10));
        Assert.True(await SilentForAsync(cluster.Id, node) >= AgentFixture.NotReadyAfter);
        await client.ReportAsync(new ReportRequest { ObservedGeneration = 1 }, Bearer(taker!.Credential));
    }

    [Fact]
    public async Task Two_agents_for_one_node_do_not_knock_each_other_out_and_a_restarted_agent_takes_its_node_back()
    {
        var (cluster, _) = await NewClusterAsync("twins");
        var names = Names(cluster);
        var first = f.StartAgents(cluster, pods: 0, names);
        try
        {
            await RunningAsync(cluster.Id);
            var held = (await NodeAsync(cluster.Id, names[1])).CredentialHash;
            await using (var twin = f.StartAgentsIn(f.StateDirectory(cluster, "-elsewhere"), cluster, pods: 0, names[1]))
            {
                await Eventually.Async(() => Task.FromResult(twin.Log.Contains($"{names[1]}: FailedPrecondition: Node «{names[1]}»")),
                    () => Task.FromResult("the second agent's log:\n" + twin.Log));
                Assert.DoesNotContain("registered", twin.Log);
            }
            var node = await NodeAsync(cluster.Id, names[1]);
            Assert.Equal(held, node.CredentialHash);
            Assert.True(node.Ready);
            Assert.DoesNotContain("Unauthenticated", first.Log);
        }
        finally
        {
            await first.DisposeAsync();
        }

        // The same agent restarted (its state directory kept) takes its nodes back with their stored credentials,
        // while they still count as alive.
        var before = (await f.ClusterAsync(cluster.Id)).Nodes.ToDictionary(n => n.Name, n => n.CredentialHash);
        await using var restarted = f.StartAgents(cluster, pods: 0, names);
        await Eventually.Async(
            async () => (await f.ClusterAsync(cluster.Id)).Nodes.All(n => n.Ready && !n.CredentialHash!.SequenceEqual(before[n.Name]!)),
            () => Task.FromResult("the restarted agents' log:\n" + restarted.Log));
        Assert.DoesNotContain("FailedPrecondition", restarted.Log);
    }

    [Fact]
    public async Task An_agent_started_by_the_provisioner_has_no_join_token_on_its_command_line()
    {
        var (cluster, _) = await NewClusterAsync("cmdline");
        var provisioner = f.Services.GetRequiredService<LocalProcessProvisioner>();
        await provisioner.EnsureNodesAsync(cluster, [.. cluster.Nodes], CancellationToken.None);
        try
        {
            var pid = f.Services.GetRequiredService<AgentProcesses>().Pid(LocalProcessProvisioner.Key(cluster.Id));
            Assert.NotNull(pid);
            var commandLine = (await File.ReadAllTextAsync($"/proc/{pid}/cmdline")).Replace('\0', ' ');
            Assert.Contains("Portal.Agent", commandLine);
            Assert.Contains("--node " + Names(cluster)[0], commandLine);
            Assert.DoesNotContain(cluster.JoinToken, commandLine);
            Assert.DoesNotContain("--join-token", commandLine);
            // It joined all the same: the token reached it in its environment.
            await RunningAsync(cluster.Id);
        }
        finally
        {
            await provisioner.RemoveNodesAsync(cluster, CancellationToken.None);
        }
    }

    private async Task<(Cluster Cluster, AgentApi.NodeAgentClient Client)> NewClusterAsync(string name)
    {
        var project = await f.NewProjectAsync();
        var created = await f.Clusters.CreateAsync(Customer, project, new ClusterCreate { Name = name, Workers = 1 });
        await Eventually.Async(async () => (await f.ClusterAsync(created.Id)).Phase == ClusterPhase.WaitingForAgents,
            async () => $"phase {(await f.ClusterAsync(created.Id)).Phase}");
        return (await f.ClusterAsync(created.Id), new AgentApi.NodeAgentClient(AgentHost.NewChannel(f.Server)));
    }

    private static string[] Names(Cluster cluster) =>
        [.. cluster.Nodes.OrderByDescending(n => n.Role == NodeRole.Master).ThenBy(n => n.Ordinal).Select(n => n.Name)];

    private async Task RunningAsync(Guid id) =>
        await Eventually.Async(async () => (await f.ClusterAsync(id)).Phase == ClusterPhase.Running,
            async () => $"phase {(await f.ClusterAsync(id)).Phase}, ready {(await f.ClusterAsync(id)).Nodes.Count(n => n.Ready)}");

    private async Task<ClusterNode> NodeAsync(Guid clusterId, string name) =>
        (await f.ClusterAsync(clusterId)).Nodes.Single(n => n.Name == name);

    private async Task<IPNetwork> PodCidrAsync(Guid clusterId, string name) =>
        (await NodeAsync(clusterId, name)).PodCidr ?? throw new InvalidOperationException($"{name} has no pod CIDR.");

    private async Task<TimeSpan> SilentForAsync(Guid clusterId, string name)
    {
        await using var db = await f.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var last = await db.ClusterNodes.Where(n => n.ClusterId == clusterId && n.Name == name).Select(n => n.LastHeartbeat).SingleAsync();
        return DateTimeOffset.UtcNow - last!.Value;
    }

    private static Metadata Bearer(string credential) => new() { { "authorization", "Bearer " + credential } };

    /// <summary>The report is refused with <paramref name="status"/>; returns the status's message.</summary>
    private static async Task<string> RefusedAsync(AgentApi.NodeAgentClient client, ReportRequest report, Metadata headers, StatusCode status)
    {
        var refused = await Assert.ThrowsAsync<RpcException>(() => client.ReportAsync(report, headers).ResponseAsync);
        Assert.True(refused.StatusCode == status, $"{refused.StatusCode} ({refused.Status.Detail}), not {status}");
        return refused.Status.Detail;
    }

    /// <summary>The address <paramref name="host"/> places into a /24 pod CIDR.</summary>
    private static string Host(IPNetwork cidr, int host)
    {
        var bytes = cidr.BaseAddress.GetAddressBytes();
        bytes[3] += (byte)host;
        return new IPAddress(bytes).ToString();
    }
}
