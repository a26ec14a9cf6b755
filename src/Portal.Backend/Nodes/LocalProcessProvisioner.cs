using Microsoft.Extensions.Options;
using Portal.Backend.Agents;
using Portal.Data.Entities;

namespace Portal.Backend.Nodes;

/// <summary>
/// The embedded default: real Portal.Agent processes on this machine with the simulated dataplane, one process per
/// cluster hosting all its nodes (each with its own connection and identity), so a 100-node cluster is one process.
/// A change of the node set restarts the cluster's process; its agents re-register and resync.
/// </summary>
public sealed class LocalProcessProvisioner(AgentProcesses processes, AgentServer server, IOptions<AgentOptions> options) : INodeProvisioner
{
    public Task EnsureNodesAsync(Cluster cluster, IReadOnlyList<ClusterNode> nodes, CancellationToken ct)
    {
        var names = nodes.Where(n => n.PodCidr is not null).Select(n => n.Name).Order(StringComparer.Ordinal).ToList();
        var key = Key(cluster.Id);
        if (names.Count == 0)
        {
            processes.Stop(key);
            return Task.CompletedTask;
        }
        var args = AgentArgs(cluster, server, options.Value, "simulated");
        foreach (var name in names) args.AddRange(["--node", name]);
        if (!processes.IsRunning(key, args)) processes.Start(key, args, cluster.JoinToken);
        return Task.CompletedTask;
    }

    public Task RemoveNodesAsync(Cluster cluster, CancellationToken ct)
    {
        processes.Stop(Key(cluster.Id));
        var state = Path.Combine(options.Value.StateDirectory, cluster.Id.ToString());
        if (Directory.Exists(state)) Directory.Delete(state, recursive: true);
        return Task.CompletedTask;
    }

    public Task RetainAsync(IReadOnlySet<Guid> clusters, CancellationToken ct)
    {
        foreach (var key in processes.Keys)
        {
            if (key.StartsWith("cluster:", StringComparison.Ordinal) && Guid.TryParse(key[8..], out var id) && !clusters.Contains(id)) processes.Stop(key);
        }
        return Task.CompletedTask;
    }

    internal static string Key(Guid clusterId) => "cluster:" + clusterId;

    /// <summary>What every locally started agent of the cluster is given: where to connect and where its state lives (the join token goes in its environment).</summary>
    internal static List<string> AgentArgs(Cluster cluster, AgentServer server, AgentOptions o, string dataplane) =>
    [
        "--server", server.AgentUrl, "--dataplane", dataplane,
        "--state-dir", Path.Combine(o.StateDirectory, cluster.Id.ToString()),
        "--pods", o.PodsPerNode.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "--repair-interval", Math.Max(1, (int)o.RepairInterval.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
    ];
}
