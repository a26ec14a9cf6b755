using Portal.Data.Entities;

namespace Portal.Backend.Nodes;

/// <summary>Agents started elsewhere, by whoever runs the nodes: they join with the cluster's token. Nothing to start or stop here.</summary>
public sealed class ExternalNodeProvisioner : INodeProvisioner
{
    public Task EnsureNodesAsync(Cluster cluster, IReadOnlyList<ClusterNode> nodes, CancellationToken ct) => Task.CompletedTask;

    public Task RemoveNodesAsync(Cluster cluster, CancellationToken ct) => Task.CompletedTask;

    public Task RetainAsync(IReadOnlySet<Guid> clusters, CancellationToken ct) => Task.CompletedTask;
}
