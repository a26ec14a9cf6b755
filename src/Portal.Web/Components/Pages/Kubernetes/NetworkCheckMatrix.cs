using Portal.Data.Entities;
using Portal.Data.Services;

namespace Portal.Web.Components.Pages.Kubernetes;

/// <summary>A pod as the network check names it: its node, its name and its address.</summary>
public sealed record CheckPod(string Node, string Name, string Ip)
{
    public string Key => $"{Node}/{Name}";

    public string Label => $"{Node}/{Name} ({Ip})";
}

/// <summary>What a pair's probe found: the pod itself, reachable, reachable through NAT, unreachable, or no answer yet.</summary>
public enum CheckCell { Self, Ok, Nat, Failed, None }

/// <summary>
/// A network check laid out pod by pod: every pod of the cluster's nodes and every pod the probes name (a pod removed
/// since the check still has its results), in node order, and the probe of each ordered pair.
/// </summary>
public sealed class NetworkCheckMatrix
{
    /// <summary>
    /// The most pods shown as a matrix. It has pods² cells; a 100-node cluster's few hundred pods would make one of
    /// tens of thousands, which no one reads and every render of the page would carry: beyond this only the pairs
    /// with problems are listed.
    /// </summary>
    public const int MaxMatrixPods = 32;

    private readonly Dictionary<(string Source, string Target), PodProbe> _probes;

    private NetworkCheckMatrix(IReadOnlyList<CheckPod> pods, Dictionary<(string, string), PodProbe> probes)
    {
        Pods = pods;
        _probes = probes;
    }

    public IReadOnlyList<CheckPod> Pods { get; }

    public bool FitsMatrix => Pods.Count <= MaxMatrixPods;

    public static NetworkCheckMatrix Of(IReadOnlyList<ClusterNodeRow> nodes, NetworkCheckView check)
    {
        var pods = new List<CheckPod>();
        var known = new HashSet<string>();
        void Add(CheckPod pod)
        {
            if (known.Add(pod.Key)) pods.Add(pod);
        }
        foreach (var node in nodes)
        {
            foreach (var pod in node.Pods) Add(new CheckPod(node.Name, pod.Name, pod.Ip));
        }
        var probes = new Dictionary<(string, string), PodProbe>();
        foreach (var (sourceNode, probe) in check.Probes)
        {
            var source = new CheckPod(sourceNode, probe.SourcePod, probe.SourceIp);
            var target = new CheckPod(probe.TargetNode, probe.TargetPod, probe.TargetIp);
            Add(source);
            Add(target);
            probes[(source.Key, target.Key)] = probe;
        }
        return new NetworkCheckMatrix(pods, probes);
    }

    public (CheckCell State, PodProbe? Probe) Cell(CheckPod source, CheckPod target)
    {
        if (source.Key == target.Key) return (CheckCell.Self, null);
        if (!_probes.TryGetValue((source.Key, target.Key), out var probe)) return (CheckCell.None, null);
        return (State(probe), probe);
    }

    /// <summary>The pairs that failed or went through NAT, in the matrix's order.</summary>
    public IEnumerable<(CheckPod Source, CheckPod Target, CheckCell State, PodProbe Probe)> Problems()
    {
        foreach (var source in Pods)
        {
            foreach (var target in Pods)
            {
                if (Cell(source, target) is ({ } state and (CheckCell.Failed or CheckCell.Nat), { } probe)) yield return (source, target, state, probe);
            }
        }
    }

    /// <summary>A connection that arrived from another address than its pod's went through NAT, which the model forbids.</summary>
    public static CheckCell State(PodProbe probe) =>
        !probe.Reachable ? CheckCell.Failed : probe.SeenSourceIp == probe.SourceIp ? CheckCell.Ok : CheckCell.Nat;
}
