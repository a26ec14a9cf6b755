using Portal.Contracts;

namespace Portal.Agent.Dataplane;

/// <summary>
/// What realises the network model on one node (DESIGN.md §3 "Agent dataplane"): the bridge, one route per peer
/// pod CIDR, the node's pods, and the probes of a network check. <see cref="LinuxDataplane"/> programs the kernel;
/// <see cref="SimulatedDataplane"/> keeps the same state in memory, for many nodes in one process.
/// Every call is idempotent: applying the same snapshot twice changes nothing the second time.
/// </summary>
public interface IDataplane : IAsyncDisposable
{
    /// <summary>
    /// Makes the node match the snapshot: the bridge with the gateway address, a route per peer (replacing wrong
    /// ones) and no tagged route that the snapshot does not name (garbage from removed nodes), in one batch.
    /// Remembers the snapshot for <see cref="RepairAsync"/> and the pod commands.
    /// </summary>
    Task<ApplyResult> ApplyAsync(Snapshot snapshot, CancellationToken ct);

    /// <summary>Compares the node with the last applied snapshot and puts back what drifted; nothing before the first apply.</summary>
    Task<ApplyResult> RepairAsync(CancellationToken ct);

    /// <summary>The node's pods, as persisted in its state directory.</summary>
    IReadOnlyList<PodRecord> Pods();

    /// <summary>Creates a pod with the lowest free address of the node's pod CIDR; an existing pod of that name is returned as it is.</summary>
    Task<PodRecord> AddPodAsync(string name, CancellationToken ct);

    /// <summary>Deletes a pod and frees its address; false when there was none of that name.</summary>
    Task<bool> DeletePodAsync(string name, CancellationToken ct);

    /// <summary>From each of this node's pods to each target (not itself): can it connect, and which source address did the target see.</summary>
    Task<IReadOnlyList<ProbeResult>> ProbeAsync(NetworkCheck check, CancellationToken ct);
}

/// <summary>What an apply or repair left: the peer routes in place, how many it had to change, and what failed.</summary>
public sealed record ApplyResult(int RouteCount, int Changes, IReadOnlyList<string> Errors);
