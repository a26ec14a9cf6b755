using Portal.Core.Clusters;

namespace Portal.Data.Entities;

/// <summary>One line of a cluster's events log: a message key of the UI's resources and its arguments.</summary>
public class ClusterEvent
{
    public long Id { get; set; }
    public Guid ClusterId { get; set; }
    public DateTimeOffset At { get; set; }
    public required ClusterPhase Phase { get; set; }
    public required string MessageKey { get; set; }
    public string[] Args { get; set; } = [];
    public bool Warning { get; set; }
}
