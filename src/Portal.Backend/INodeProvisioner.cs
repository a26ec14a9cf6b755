using Portal.Data.Entities;

namespace Portal.Backend;

/// <summary>
/// Brings a cluster's nodes into being and takes them away (DESIGN.md §3 "Node provisioning"). Implementations:
/// simulated (agents that report ready at once, until real agents exist), local processes, Linux namespaces.
/// Both calls are idempotent: the workflow repeats them after a crash.
/// </summary>
public interface INodeProvisioner
{
    /// <summary>Starts (or finds running) a node for each of <paramref name="nodes"/>; readiness is reported later, by each node.</summary>
    Task EnsureNodesAsync(Cluster cluster, IReadOnlyList<ClusterNode> nodes, CancellationToken ct);

    /// <summary>Stops every node of the cluster, whatever the provisioner still knows of it.</summary>
    Task RemoveNodesAsync(Cluster cluster, CancellationToken ct);
}
