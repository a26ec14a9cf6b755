using Portal.Data.Entities;

namespace Portal.Backend.Nodes;

/// <summary>
/// Brings a cluster's nodes into being and takes them away (DESIGN.md §3 "Node provisioning"): local agent
/// processes, Linux network namespaces, external agents, or simulated nodes without agents. Every call is
/// idempotent: the workflow and the supervisor repeat them, also after a crash.
/// </summary>
public interface INodeProvisioner
{
    /// <summary>
    /// Makes sure an agent runs for each of <paramref name="nodes"/> (all the cluster's nodes now), and that nothing
    /// this provisioner runs for the cluster's other, removed nodes is left. Readiness is reported later, by the agents.
    /// </summary>
    Task EnsureNodesAsync(Cluster cluster, IReadOnlyList<ClusterNode> nodes, CancellationToken ct);

    /// <summary>Stops every node of the cluster, whatever the provisioner still knows of it.</summary>
    Task RemoveNodesAsync(Cluster cluster, CancellationToken ct);

    /// <summary>Stops what it runs for clusters not in <paramref name="clusters"/> (deleted while this process was away).</summary>
    Task RetainAsync(IReadOnlySet<Guid> clusters, CancellationToken ct);
}
