namespace Portal.Data.Entities;

/// <summary>
/// The generation of a cluster's agent snapshots: bumped in the same transaction as anything the snapshots carry
/// changes (a node joins, leaves or changes; a pod appears or goes; a network check is asked for). Agents report
/// the generation they applied. A row of its own, beside the cluster's: the provisioning workflow holds the
/// cluster's row locked while it runs a step, and agents must not wait for that.
/// </summary>
public class ClusterGeneration
{
    public Guid ClusterId { get; set; }
    public long Generation { get; set; } = 1;
    /// <summary>The last network check asked for (0: none), and when.</summary>
    public long CheckId { get; set; }
    public DateTimeOffset? CheckRequestedAt { get; set; }
}
