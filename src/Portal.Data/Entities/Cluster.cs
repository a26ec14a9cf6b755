using System.Net;
using Portal.Core.Clusters;

namespace Portal.Data.Entities;

/// <summary>
/// A Kubernetes cluster of a project and the state of its provisioning workflow: the backend moves it through
/// <see cref="ClusterPhase"/> one durable step at a time (Portal.Backend), or removes it after a deletion request.
/// </summary>
public class Cluster
{
    public Guid Id { get; set; }
    public required string ProjectId { get; set; }
    public required string Name { get; set; }
    public required string KubernetesVersion { get; set; }
    public required string Flavor { get; set; }
    public int Masters { get; set; }
    public int Workers { get; set; }
    /// <summary>The node network: chosen by the user, or created by the workflow when <see cref="AutoNetwork"/>.</summary>
    public Guid? NetworkId { get; set; }
    public Guid? SubnetId { get; set; }
    public bool AutoNetwork { get; set; }
    public required IPNetwork PodCidr { get; set; }
    public required IPNetwork ServiceCidr { get; set; }
    public int NodePrefix { get; set; } = 24;
    /// <summary>The API endpoint gets a floating IP from ext-net; false is a shadowport cluster, reachable only inside.</summary>
    public bool ExternalIp { get; set; }
    public IPAddress? FloatingIp { get; set; }
    /// <summary>The API load balancer's address in the node subnet.</summary>
    public IPAddress? ApiAddress { get; set; }
    public ClusterPhase Phase { get; set; } = ClusterPhase.Pending;
    /// <summary>Why the cluster failed: a message key of Portal.Core's messages and its arguments.</summary>
    public string? FailureKey { get; set; }
    public string[] FailureArgs { get; set; } = [];
    public bool DeleteRequested { get; set; }
    /// <summary>When a worker may next take the cluster's step (a requeue sets it in the future).</summary>
    public DateTimeOffset NextAttemptAt { get; set; }
    /// <summary>Consecutive failed attempts of the current step, for backoff.</summary>
    public int Attempts { get; set; }
    public DateTimeOffset PhaseSince { get; set; }
    /// <summary>
    /// What an agent presents to register as one of the cluster's nodes (shown to the project's members, like a
    /// kubeadm join token). Registering exchanges it for a per-node credential.
    /// </summary>
    public string JoinToken { get; set; } = "";
    public string CreatedBy { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public List<ClusterNode> Nodes { get; set; } = [];
}
