using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Backend.Agents;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Core.Clusters;

namespace Portal.Backend.Nodes;

/// <summary>
/// Nodes as Linux network namespaces (root only): the cluster subnet is a bridge <c>pb-&lt;cluster&gt;</c> in this
/// namespace; each node is a namespace <c>pn-&lt;cluster&gt;-&lt;m|w&gt;&lt;n&gt;</c> whose <c>eth0</c> (a veth whose
/// other end is on the bridge) carries the node's IP from its port; each node gets its own Portal.Agent process
/// with the Linux dataplane acting in that namespace. Pods are namespaces named after their node's.
/// </summary>
public sealed class NetnsNodeProvisioner(
    AgentProcesses processes, AgentServer server, IDbContextFactory<PortalDbContext> dbs, IOptions<AgentOptions> options,
    ILogger<NetnsNodeProvisioner> logger) : INodeProvisioner
{
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly HashSet<string> _held = new(StringComparer.Ordinal);

    public async Task EnsureNodesAsync(Cluster cluster, IReadOnlyList<ClusterNode> nodes, CancellationToken ct)
    {
        await _lock.WaitAsync(ct);
        try
        {
            var prefix = await SubnetPrefixAsync(cluster, ct);
            var bridge = Bridge(cluster.Id);
            if (!await SucceedsAsync(ct, "link", "show", bridge))
            {
                await IpAsync(ct, "link", "add", bridge, "type", "bridge");
            }
            await IpAsync(ct, "link", "set", bridge, "up");
            var wanted = new HashSet<string>(StringComparer.Ordinal);
            foreach (var node in nodes.Where(n => n.IpAddress is not null && n.PodCidr is not null))
            {
                var ns = Netns(cluster.Id, node);
                wanted.Add(ns);
                await EnsureNodeNamespaceAsync(bridge, ns, VethOf(ns), $"{node.IpAddress}/{prefix}", ct);
                var key = Key(ns);
                bool held;
                lock (_held) held = _held.Contains(node.Name);
                if (held) continue;
                var args = AgentArgs(cluster, node.Name, ns);
                if (!processes.IsRunning(key, args)) processes.Start(key, args, cluster.JoinToken);
            }
            // Nodes removed from the cluster: their agent, pods and namespace go.
            foreach (var ns in await NamespacesAsync(ClusterPrefix(cluster.Id), ct))
            {
                if (IsNodeNamespace(ns) && !wanted.Contains(ns)) await RemoveNodeNamespaceAsync(ns, ct);
            }
        }
        finally
        {
            _lock.Release();
        }
    }

    public async Task RemoveNodesAsync(Cluster cluster, CancellationToken ct)
    {
        await _lock.WaitAsync(ct);
        try
        {
            await RemoveClusterAsync(Short(cluster.Id), ct);
            var state = Path.Combine(options.Value.StateDirectory, cluster.Id.ToString());
            if (Directory.Exists(state)) Directory.Delete(state, recursive: true);
        }
        finally
        {
            _lock.Release();
        }
    }

    public async Task RetainAsync(IReadOnlySet<Guid> clusters, CancellationToken ct)
    {
        var keep = clusters.Select(Short).ToHashSet(StringComparer.Ordinal);
        var found = (await NamespacesAsync("pn-", ct)).Select(ns => ns.Split('-')[1]).Distinct().Where(c => !keep.Contains(c)).ToList();
        if (found.Count == 0) return;
        await _lock.WaitAsync(ct);
        try
        {
            foreach (var c in found) await RemoveClusterAsync(c, ct);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>For tests: stops a node's agent and keeps it stopped until <see cref="ResumeAgent"/>.</summary>
    internal void HoldAgent(Cluster cluster, ClusterNode node)
    {
        lock (_held) _held.Add(node.Name);
        processes.Stop(Key(Netns(cluster.Id, node)));
    }

    internal void ResumeAgent(ClusterNode node)
    {
        lock (_held) _held.Remove(node.Name);
    }

    /// <summary>The agent process of a node, for tests that kill it the hard way.</summary>
    internal int? AgentPid(Cluster cluster, ClusterNode node) => processes.Pid(Key(Netns(cluster.Id, node)));

    public static string Netns(Guid clusterId, ClusterNode node) =>
        $"{ClusterPrefix(clusterId)}{(node.Role == NodeRole.Master ? 'm' : 'w')}{node.Ordinal}";

    public static string Bridge(Guid clusterId) => "pb-" + Short(clusterId);

    public static string ClusterPrefix(Guid clusterId) => $"pn-{Short(clusterId)}-";

    /// <summary>Six hex digits of the id's random tail (a version-7 id begins with its time, shared by clusters of the same hours).</summary>
    private static string Short(Guid clusterId) => clusterId.ToString("N")[^6..];

    /// <summary>"pn-abcdef-w3" is a node; "pn-abcdef-w3-pod-1" is one of its pods.</summary>
    private static bool IsNodeNamespace(string ns) => ns.Count(c => c == '-') == 2;

    /// <summary>The node's end on the bridge: "pv-abcdef-w3" (at most 15 characters for ordinals up to 100).</summary>
    private static string VethOf(string ns) => "pv" + ns[2..];

    private static string Key(string ns) => "node:" + ns;

    private List<string> AgentArgs(Cluster cluster, string node, string ns) =>
        [.. LocalProcessProvisioner.AgentArgs(cluster, server, options.Value, "linux"), "--node", node, "--netns", ns];

    private async Task EnsureNodeNamespaceAsync(string bridge, string ns, string veth, string address, CancellationToken ct)
    {
        // Runs for every node at every supervision: one look at the node's address.
        var (code, shown) = await ExecAsync(["-n", ns, "-o", "addr", "show", "dev", "eth0"], ct);
        if (code == 0 && shown.Contains(" " + address + " ", StringComparison.Ordinal)) return;
        // Absent, or half made by an interrupted run: made again from scratch.
        await RunAsync(ct, "netns", "del", ns);
        await IpAsync(ct, "netns", "add", ns);
        await IpAsync(ct, "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns);
        await IpAsync(ct, "link", "set", veth, "master", bridge, "up");
        await IpAsync(ct, "-n", ns, "addr", "add", address, "dev", "eth0");
        await IpAsync(ct, "-n", ns, "link", "set", "eth0", "up");
        await IpAsync(ct, "-n", ns, "link", "set", "lo", "up");
        logger.LogInformation("Node namespace {Netns} ({Address}) on {Bridge}", ns, address, bridge);
    }

    private async Task RemoveNodeNamespaceAsync(string ns, CancellationToken ct)
    {
        processes.Stop(Key(ns));
        foreach (var pod in await NamespacesAsync(ns + "-", ct)) await RunAsync(ct, "netns", "del", pod);
        await RunAsync(ct, "netns", "del", ns);
        logger.LogInformation("Removed node namespace {Netns} and its pods", ns);
    }

    private async Task RemoveClusterAsync(string cluster6, CancellationToken ct)
    {
        foreach (var ns in await NamespacesAsync($"pn-{cluster6}-", ct))
        {
            if (IsNodeNamespace(ns)) processes.Stop(Key(ns));
        }
        foreach (var ns in await NamespacesAsync($"pn-{cluster6}-", ct)) await RunAsync(ct, "netns", "del", ns);
        await RunAsync(ct, "link", "del", "pb-" + cluster6);
    }

    private async Task<int> SubnetPrefixAsync(Cluster cluster, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var cidr = await db.Subnets.Where(s => s.Id == cluster.SubnetId).Select(s => (System.Net.IPNetwork?)s.Cidr).FirstOrDefaultAsync(ct);
        return cidr?.PrefixLength ?? throw new InvalidOperationException($"Cluster {cluster.Name} has no node subnet.");
    }

    private static async Task<List<string>> NamespacesAsync(string prefix, CancellationToken ct) =>
        (await RunAsync(ct, "netns", "list")).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split(' ')[0]).Where(ns => ns.StartsWith(prefix, StringComparison.Ordinal)).ToList();

    private static async Task IpAsync(CancellationToken ct, params string[] args)
    {
        var (code, output) = await ExecAsync(args, ct);
        if (code != 0) throw new InvalidOperationException($"ip {string.Join(' ', args)}: {output.Trim()}");
    }

    private static async Task<bool> SucceedsAsync(CancellationToken ct, params string[] args) => (await ExecAsync(args, ct)).Code == 0;

    private static async Task<string> RunAsync(CancellationToken ct, params string[] args) => (await ExecAsync(args, ct)).Output;

    private static async Task<(int Code, string Output)> ExecAsync(string[] args, CancellationToken ct)
    {
        var start = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not run ip (iproute2).");
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        return (process.ExitCode, await stdout + await stderr);
    }
}
