using System.Net;

namespace Portal.Data.Entities;

/// <summary>A node of a cluster: its port (and so its IP) in the node subnet, its pod CIDR and its agent's state.</summary>
public class ClusterNode
{
    public Guid Id { get; set; }
    public Guid ClusterId { get; set; }
    public required string Name { get; set; }
    public required string Role { get; set; }
    /// <summary>1-based position within the role, so names and ports are stable across retries.</summary>
    public int Ordinal { get; set; }
    public Guid? PortId { get; set; }
    public IPAddress? IpAddress { get; set; }
    public IPNetwork? PodCidr { get; set; }
    public bool Ready { get; set; }
    public DateTimeOffset? LastHeartbeat { get; set; }
    public long DesiredGeneration { get; set; }
    public long ObservedGeneration { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

public static class NodeRoles
{
    public const string Master = "master";
    public const string Worker = "worker";
}
