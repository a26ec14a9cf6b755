using System.Diagnostics;
using System.Net;
using Portal.Backend.Nodes;
using Portal.Data.Entities;
using Portal.Data.Services;

using Portal.Agent.Tests;
using Portal.Backend.Tests;
using Portal.Core.Clusters;

namespace Portal.Netns.Tests;

/// <summary>
/// Seed part 1 on real namespaces: every pod has its own IP, pods reach all pods on all nodes without NAT, and
/// each node reaches its own pods, kept so by the backend and one Linux agent per node as nodes come and go.
/// </summary>
[Collection(NetnsCollection.Name)]
public sealed class KubernetesNetworkModelTests(NetnsFixture f)
{
    private static readonly Actor Customer = new("customer", "customer@test", "192.0.2.1", IsSupport: false);

    [SkippableFact]
    public async Task Pods_reach_every_pod_on_every_node_without_NAT_and_the_agents_keep_the_routes_right()
    {
        Root.Require();
        var cluster = await f.RunningClusterAsync("model", workers: 2);
        var nodes = cluster.Nodes;
        Assert.Equal(3, nodes.Count);

        // Node pod CIDRs: disjoint, inside the cluster's.
        foreach (var node in nodes) Assert.True(Inside(node.PodCidr!.Value, cluster.PodCidr), $"{node.PodCidr} inside {cluster.PodCidr}");
        foreach (var a in nodes)
        foreach (var b in nodes.Where(b => b != a))
            Assert.False(Overlap(a.PodCidr!.Value, b.PodCidr!.Value), $"{a.Name} {a.PodCidr} overlaps {b.Name} {b.PodCidr}");

        // Exactly one route per peer pod CIDR, via that peer's IP.
        await RoutesAreExactlyPeersAsync(cluster, nodes);

        // Two pods per node, through the agent's pod command; host-local addresses from the node's pod CIDR.
        var pods = new List<(ClusterNode Node, string Name, string Ip, string Netns)>();
        foreach (var node in nodes)
        {
            foreach (var name in new[] { "web", "db" })
            {
                var pod = await f.PodAsync(cluster, node, "add", name);
                Assert.True(node.PodCidr!.Value.Contains(IPAddress.Parse(pod.Ip)), $"{pod.Ip} in {node.PodCidr}");
                pods.Add((node, pod.Name, pod.Ip, pod.Netns));
            }
        }
        Assert.Equal(6, pods.Select(p => p.Ip).Distinct().Count());

        // The full ping matrix, same node and across nodes.
        var failed = new List<string>();
        foreach (var from in pods)
        foreach (var to in pods.Where(t => t != from))
        {
            var (code, output) = await Shell.PingAsync(from.Netns, to.Ip);
            if (code != 0) failed.Add($"{from.Node.Name}/{from.Name} → {to.Node.Name}/{to.Name} ({to.Ip}): {output.Trim()}");
        }
        Assert.True(failed.Count == 0, "unreachable pod pairs:\n" + string.Join('\n', failed));

        // Each node reaches its own pods.
        foreach (var pod in pods)
            Assert.True((await Shell.PingAsync(NetnsNodeProvisioner.Netns(cluster.Id, pod.Node), pod.Ip)).Code == 0, $"{pod.Node.Name} → its pod {pod.Name}");

        // A TCP listener in pod B sees pod A's own address: no NAT on the way.
        var (source, target) = (pods[0], pods[^1]);
        Assert.NotEqual(source.Node.Id, target.Node.Id);
        Assert.Equal(source.Ip, await SeenSourceAsync(source.Netns, target.Netns, target.Ip));

        // The product's own network check agrees: 30 of 30 pairs, no NAT.
        await Eventually.Async(async () => (await f.ClusterAsync(cluster.Id)).Nodes.Sum(n => n.Pods.Count) == 6,
            () => Task.FromResult("agents did not report 6 pods"));
        var checkId = await f.Clusters.RequestNetworkCheckAsync(Customer, cluster.ProjectId, cluster.Id);
        NetworkCheckView? check = null;
        await Eventually.Async(async () =>
        {
            check = (await f.Clusters.GetAsync(Actor.System, cluster.ProjectId, cluster.Id)).Check;
            return check is { Complete: true } && check.Id == checkId;
        }, () => Task.FromResult($"check answered by {check?.NodesAnswered}/{check?.Nodes} nodes"));
        Assert.Equal(30, check!.Pairs);
        Assert.True(check.Reachable == 30, string.Join('\n', check.Probes.Where(p => !p.Probe.Reachable).Select(p => $"{p.SourceNode}/{p.Probe.SourcePod} → {p.Probe.TargetPod}: {p.Probe.Error}")));
        Assert.True(check.NoNat);

        // An agent restart changes no route (nothing in `ip monitor route` while it re-registers, resyncs and repairs).
        var restarted = nodes[1];
        var generation = await f.GenerationAsync(cluster.Id);
        var before = (await f.ClusterAsync(cluster.Id)).Nodes.Single(n => n.Id == restarted.Id).CredentialHash!;
        var netns = NetnsNodeProvisioner.Netns(cluster.Id, restarted);
        // The kernel adds a veth's link-local route only when duplicate address detection ends, a second or more
        // after the pod came up (longer on a busy machine); that is not the agent's doing, so it is waited out.
        await Eventually.Async(async () => (await Shell.IpAsync("-n", netns, "-6", "addr", "show", "tentative")).Trim().Length == 0,
            () => Task.FromResult($"{netns} still has tentative IPv6 addresses"));
        using (var monitor = RouteMonitor.Start(netns))
        {
            f.Provisioner.HoldAgent(cluster, restarted);
            f.Provisioner.ResumeAgent(restarted);
            await Eventually.Async(async () =>
                    (await f.ClusterAsync(cluster.Id)).Nodes.Single(n => n.Id == restarted.Id) is var n
                    && !n.CredentialHash!.SequenceEqual(before) && n.ObservedGeneration >= generation && n.Ready,
                () => Task.FromResult($"{restarted.Name}'s agent did not come back"));
            await Task.Delay(TimeSpan.FromSeconds(3)); // one drift-repair pass of the new agent
            Assert.True(monitor.Lines.Count == 0, "routes changed during the restart:\n" + string.Join('\n', monitor.Lines));
        }

        // A route deleted by hand comes back; a stray route with the agents' tag is removed.
        var peer = nodes[2];
        await Shell.IpAsync("-n", netns, "route", "del", peer.PodCidr!.Value.ToString());
        await Eventually.Async(async () => (await Shell.TaggedRoutesAsync(netns)).GetValueOrDefault(peer.PodCidr!.Value.ToString()) == peer.IpAddress!.ToString(),
            () => Task.FromResult("the deleted route did not come back"));
        await Shell.IpAsync("-n", netns, "route", "add", "10.250.7.0/24", "via", peer.IpAddress!.ToString(), "proto", "77");
        await Eventually.Async(async () => !(await Shell.TaggedRoutesAsync(netns)).ContainsKey("10.250.7.0/24"),
            () => Task.FromResult("the stray tagged route is still there"));
        await RoutesAreExactlyPeersAsync(cluster, nodes);
    }

    [SkippableFact]
    public async Task Adding_and_removing_a_node_reaches_every_peer_also_one_stopped_during_the_removal()
    {
        Root.Require();
        var cluster = await f.RunningClusterAsync("members", workers: 2);

        await f.Clusters.ScaleAsync(Customer, cluster.ProjectId, cluster.Id, 3);
        await Eventually.Async(async () => await f.ClusterAsync(cluster.Id) is { Phase: ClusterPhase.Running, Nodes.Count: 4 },
            async () => $"cluster is {(await f.ClusterAsync(cluster.Id)).Phase} with {(await f.ClusterAsync(cluster.Id)).Nodes.Count} nodes", TimeSpan.FromSeconds(60));
        var four = (await f.ClusterAsync(cluster.Id)).Nodes;
        var added = four.Single(n => n.Role == NodeRole.Worker && n.Ordinal == 3);
        await Eventually.Async(() => RoutesMatchAsync(cluster, four), () => DescribeRoutesAsync(cluster, four));

        // One agent is down while the new node is removed again.
        var stopped = four.Single(n => n.Role == NodeRole.Worker && n.Ordinal == 1);
        f.Provisioner.HoldAgent(cluster, stopped);
        await f.Clusters.ScaleAsync(Customer, cluster.ProjectId, cluster.Id, 2);
        await Eventually.Async(async () => await f.ClusterAsync(cluster.Id) is { Phase: ClusterPhase.Running, Nodes.Count: 3 },
            async () => $"cluster is {(await f.ClusterAsync(cluster.Id)).Phase} with {(await f.ClusterAsync(cluster.Id)).Nodes.Count} nodes", TimeSpan.FromSeconds(60));
        var three = (await f.ClusterAsync(cluster.Id)).Nodes;
        var running = three.Where(n => n.Id != stopped.Id).ToList();
        await Eventually.Async(() => RoutesMatchAsync(cluster, three, running), () => DescribeRoutesAsync(cluster, three));
        Assert.Empty(await Shell.NamespacesAsync(NetnsNodeProvisioner.Netns(cluster.Id, added)));
        var stoppedNetns = NetnsNodeProvisioner.Netns(cluster.Id, stopped);
        Assert.Contains(added.PodCidr!.Value.ToString(), (await Shell.TaggedRoutesAsync(stoppedNetns)).Keys);

        // Back up, it finds the removed node's route among its own and removes it.
        f.Provisioner.ResumeAgent(stopped);
        await Eventually.Async(() => RoutesMatchAsync(cluster, three), () => DescribeRoutesAsync(cluster, three));
        Assert.DoesNotContain(added.PodCidr!.Value.ToString(), (await Shell.TaggedRoutesAsync(stoppedNetns)).Keys);
    }

    [SkippableFact]
    public async Task A_killed_agent_is_marked_NotReady_within_the_deadline()
    {
        Root.Require();
        var cluster = await f.RunningClusterAsync("liveness", workers: 1);
        var node = cluster.Nodes.Single(n => n.Role == NodeRole.Worker);
        var pid = f.Provisioner.AgentPid(cluster, node);
        Assert.NotNull(pid);
        // The join token reached the agent in its environment, not on its command line, which every user can read.
        var commandLine = (await File.ReadAllTextAsync($"/proc/{pid}/cmdline")).Replace('\0', ' ');
        Assert.Contains("--netns " + NetnsNodeProvisioner.Netns(cluster.Id, node), commandLine);
        Assert.DoesNotContain(cluster.JoinToken, commandLine);

        f.Provisioner.HoldAgent(cluster, node); // SIGKILL: no goodbye
        await Eventually.Async(async () => !(await f.ClusterAsync(cluster.Id)).Nodes.Single(n => n.Id == node.Id).Ready,
            () => Task.FromResult($"{node.Name} still Ready"), NetnsFixture.NotReadyAfter + TimeSpan.FromSeconds(3));
        Assert.True((await f.ClusterAsync(cluster.Id)).Nodes.Single(n => n.Role == NodeRole.Master).Ready);

        f.Provisioner.ResumeAgent(node);
        await Eventually.Async(async () => (await f.ClusterAsync(cluster.Id)).Nodes.Single(n => n.Id == node.Id).Ready,
            () => Task.FromResult($"{node.Name} did not come back"));
    }

    private async Task RoutesAreExactlyPeersAsync(Cluster cluster, IReadOnlyList<ClusterNode> nodes)
    {
        await Eventually.Async(() => RoutesMatchAsync(cluster, nodes), () => DescribeRoutesAsync(cluster, nodes));
    }

    /// <summary>Each of <paramref name="check"/> (default: all) has exactly one tagged route per other node of <paramref name="nodes"/>, via its IP.</summary>
    private static async Task<bool> RoutesMatchAsync(Cluster cluster, IReadOnlyList<ClusterNode> nodes, IReadOnlyList<ClusterNode>? check = null)
    {
        foreach (var node in check ?? nodes)
        {
            var expected = nodes.Where(p => p.Id != node.Id).ToDictionary(p => p.PodCidr!.Value.ToString(), p => p.IpAddress!.ToString());
            var actual = await Shell.TaggedRoutesAsync(NetnsNodeProvisioner.Netns(cluster.Id, node));
            if (actual.Count != expected.Count || expected.Any(e => actual.GetValueOrDefault(e.Key) != e.Value)) return false;
        }
        return true;
    }

    private static async Task<string> DescribeRoutesAsync(Cluster cluster, IReadOnlyList<ClusterNode> nodes)
    {
        var lines = new List<string>();
        foreach (var node in nodes)
        {
            var routes = await Shell.TaggedRoutesAsync(NetnsNodeProvisioner.Netns(cluster.Id, node));
            lines.Add($"{node.Name} ({node.IpAddress}, {node.PodCidr}): {string.Join(", ", routes.Select(r => $"{r.Key} via {r.Value}"))}");
        }
        return "routes differ from the peers:\n" + string.Join('\n', lines);
    }

    /// <summary>Connects from one pod to a listener in another (not the agents' probe port); returns the peer address the listener saw.</summary>
    private static async Task<string> SeenSourceAsync(string fromNetns, string toNetns, string toIp)
    {
        const string listen = "import socket;s=socket.socket();s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1);s.bind(('0.0.0.0',7300));s.listen(1);s.settimeout(20);c,a=s.accept();print(a[0],flush=True)";
        var listener = Shell.RunAsync("ip", "netns", "exec", toNetns, "python3", "-c", listen);
        var connect = $"import socket,time\nfor i in range(50):\n  try:\n    socket.create_connection(('{toIp}',7300),2).close();break\n  except OSError:\n    time.sleep(0.1)";
        var (code, output) = await Shell.RunAsync("ip", "netns", "exec", fromNetns, "python3", "-c", connect);
        Assert.True(code == 0, output);
        var (listened, seen) = await listener;
        Assert.True(listened == 0, seen);
        return seen.Trim();
    }

    private static bool Inside(IPNetwork inner, IPNetwork outer) => inner.PrefixLength >= outer.PrefixLength && outer.Contains(inner.BaseAddress);

    private static bool Overlap(IPNetwork a, IPNetwork b) => a.Contains(b.BaseAddress) || b.Contains(a.BaseAddress);

    /// <summary><c>ip -n NS monitor route</c> in the background: every route change in the namespace while it runs.</summary>
    private sealed class RouteMonitor : IDisposable
    {
        private readonly Process _process;
        private readonly List<string> _lines = [];

        private RouteMonitor(Process process)
        {
            _process = process;
            _process.OutputDataReceived += (_, e) =>
            {
                if (!string.IsNullOrWhiteSpace(e.Data)) lock (_lines) _lines.Add(e.Data);
            };
            _process.BeginOutputReadLine();
        }

        public IReadOnlyList<string> Lines
        {
            get
            {
                lock (_lines) return [.. _lines];
            }
        }

        public static RouteMonitor Start(string netns)
        {
            var start = new ProcessStartInfo("ip") { RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var arg in new[] { "-n", netns, "monitor", "route" }) start.ArgumentList.Add(arg);
            return new RouteMonitor(Process.Start(start)!);
        }

        public void Dispose()
        {
            _process.Kill();
            _process.WaitForExit(5000);
            _process.Dispose();
        }
    }
}
