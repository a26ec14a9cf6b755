using System.Net;
using System.Numerics;
using Portal.Core.Errors;
using Portal.Data.Entities;
using Portal.Core.Clusters;

namespace Portal.Data.Services;

/// <summary>
/// A cluster as the wizard submits it. No network (<see cref="NetworkId"/> null) means «Создать новую сеть»:
/// the workflow creates <c>&lt;name&gt;-net</c> with the first free /24 of 10.0.0.0/8.
/// </summary>
public sealed record ClusterCreate
{
    public required string Name { get; init; }
    public string? KubernetesVersion { get; init; }
    public string? Flavor { get; init; }
    public int Masters { get; init; } = 1;
    public int Workers { get; init; } = 2;
    public Guid? NetworkId { get; init; }
    public Guid? SubnetId { get; init; }
    public string PodCidr { get; init; } = Core.Clusters.ClusterRules.DefaultPodCidr;
    public string ServiceCidr { get; init; } = Core.Clusters.ClusterRules.DefaultServiceCidr;
    public int NodePrefix { get; init; } = Core.Clusters.ClusterRules.DefaultNodePrefix;
    /// <summary>«Назначить внешний IP»; off is a shadowport cluster.</summary>
    public bool ExternalIp { get; init; } = true;
}

/// <summary>A validated request with everything resolved, for the wizard's review step and for creation.</summary>
public sealed record ClusterPlan(
    string Name, string KubernetesVersion, string Flavor, int Masters, int Workers,
    Guid? NetworkId, string NetworkName, Guid? SubnetId, string SubnetName, IPNetwork SubnetCidr, bool AutoNetwork,
    IPNetwork PodCidr, IPNetwork ServiceCidr, int NodePrefix, BigInteger NodeCapacity, bool ExternalIp,
    int AddressesNeeded, BigInteger? FreeAddresses)
{
    public int Nodes => Masters + Workers;
}

/// <summary>Why a cluster failed, as a message that reads in the viewer's language.</summary>
public sealed record ClusterFailure(string Key, IReadOnlyList<string> Args)
{
    public string Localize(System.Globalization.CultureInfo culture) =>
        new NeutronException("ClusterFailed", 409, Key, null, Args.Select(Unpack).ToArray()).Localize(culture);

    public override string ToString() => Localize(System.Globalization.CultureInfo.CurrentUICulture);

    /// <summary>Stores an argument so that a resource name (e.g. «порты» in an OverQuota message) is translated when shown.</summary>
    internal static string Pack(object? arg) => arg is LocalizedText text ? "@" + text.Key : Convert.ToString(arg, System.Globalization.CultureInfo.InvariantCulture) ?? "";

    private static object Unpack(string arg) => arg.StartsWith('@') ? new LocalizedText(arg[1..]) : arg;
}

public sealed record ClusterRow(
    Guid Id, string Name, ClusterPhase Phase, bool DeleteRequested, string KubernetesVersion, string Flavor, int Masters, int Workers,
    int NodesReady, Guid? NetworkId, string? NetworkName, IPNetwork? SubnetCidr, bool AutoNetwork, bool ExternalIp,
    IPAddress? FloatingIp, IPAddress? ApiAddress, IPNetwork PodCidr, IPNetwork ServiceCidr, int NodePrefix,
    ClusterFailure? Failure, DateTimeOffset CreatedAt, DateTimeOffset PhaseSince)
{
    public int Nodes => Masters + Workers;

    /// <summary>The phase users see: a deletion request shows as «Deleting» whatever step was under way.</summary>
    public ClusterPhase DisplayPhase => DeleteRequested ? ClusterPhase.Deleting : Phase;
}

public sealed record ClusterNodeRow(
    Guid Id, string Name, NodeRole Role, IPAddress? IpAddress, IPNetwork? PodCidr, bool Ready, DateTimeOffset? LastHeartbeat,
    long DesiredGeneration, long ObservedGeneration, DateTimeOffset? JoinedAt, string? AgentVersion, int RouteCount,
    IReadOnlyList<string> AgentErrors, IReadOnlyList<NodePod> Pods);

public sealed record ClusterEventRow(long Id, DateTimeOffset At, ClusterPhase Phase, string MessageKey, IReadOnlyList<string> Args, bool Warning);

/// <summary>
/// A cluster with its nodes, its latest events, what its agents need to join (<see cref="JoinToken"/>), the generation
/// of their snapshots, and the last network check.
/// </summary>
public sealed record ClusterDetail(ClusterRow Cluster, IReadOnlyList<ClusterNodeRow> Nodes, IReadOnlyList<ClusterEventRow> Events,
    string JoinToken, long Generation, NetworkCheckView? Check);

/// <summary>One probe of a network check and the node its source pod runs on.</summary>
public sealed record NodeProbe(string SourceNode, PodProbe Probe);

/// <summary>
/// A network check: every pod probing every other pod over TCP; each listener answers with the source address it
/// saw. <see cref="NoNat"/> holds when some pair was reached and every reachable pair saw the source pod's own
/// address. <see cref="Nodes"/> counts the nodes expected to answer: those that answered, and the ready ones with
/// pods (a dead node does not keep the check open forever; its pods show as unreachable from the others).
/// </summary>
public sealed record NetworkCheckView(long Id, DateTimeOffset? RequestedAt, IReadOnlyList<NodeProbe> Probes, int Pods, int NodesAnswered, int Nodes)
{
    public int Pairs => Pods * (Pods - 1);
    public int Reachable => Probes.Count(p => p.Probe.Reachable);
    public bool NoNat => Reachable > 0 && Probes.Where(p => p.Probe.Reachable).All(p => p.Probe.SeenSourceIp == p.Probe.SourceIp);
    public bool Complete => NodesAnswered >= Nodes;
}
