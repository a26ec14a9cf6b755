using System.Net;
using Portal.Core.Clusters;

namespace Portal.Data.Entities;

/// <summary>A node of a cluster: its port (and so its IP) in the node subnet, its pod CIDR and its agent's state.</summary>
public class ClusterNode
{
    public Guid Id { get; set; }
    public Guid ClusterId { get; set; }
    public required string Name { get; set; }
    public required NodeRole Role { get; set; }
    /// <summary>1-based position within the role, so names and ports are stable across retries.</summary>
    public int Ordinal { get; set; }
    public Guid? PortId { get; set; }
    public IPAddress? IpAddress { get; set; }
    public IPNetwork? PodCidr { get; set; }
    public bool Ready { get; set; }
    public DateTimeOffset? LastHeartbeat { get; set; }
    public long ObservedGeneration { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    /// <summary>SHA-256 of the credential its agent got at its last registration; null before the first.</summary>
    public byte[]? CredentialHash { get; set; }
    /// <summary>When an agent first registered for the node: from then on it is every other node's peer.</summary>
    public DateTimeOffset? JoinedAt { get; set; }
    public string? AgentVersion { get; set; }
    /// <summary>Peer routes the agent has programmed, and what failed when it last applied a snapshot.</summary>
    public int RouteCount { get; set; }
    public string[] AgentErrors { get; set; } = [];
    /// <summary>The node's pods as its agent last reported them.</summary>
    public List<NodePod> Pods { get; set; } = [];
    /// <summary>The network check these results answer (see <see cref="ClusterGeneration.CheckId"/>).</summary>
    public long CheckId { get; set; }
    public List<PodProbe> CheckResults { get; set; } = [];
}

/// <summary>A pod on a node: its name and its address from the node's pod CIDR.</summary>
public sealed record NodePod(string Name, string Ip);

/// <summary>One probe of a network check: from a pod of this node to a pod anywhere in the cluster.</summary>
public sealed record PodProbe(string SourcePod, string SourceIp, string TargetNode, string TargetPod, string TargetIp,
    bool Reachable, string SeenSourceIp, string Error);
