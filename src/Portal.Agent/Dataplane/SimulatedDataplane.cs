using System.Net;
using Portal.Contracts;

namespace Portal.Agent.Dataplane;

/// <summary>
/// A node whose routes live in memory and whose pods are records: the same snapshot handling, pod addresses and
/// check results as the Linux dataplane, without root or namespaces, so one process can run hundreds of nodes.
/// A probe reaches a target when this node holds a route to it (or the target is local), and nothing translates
/// addresses, so the listener "sees" the source pod's own address.
/// </summary>
public sealed class SimulatedDataplane(PodStore store) : IDataplane
{
    private readonly Lock _lock = new();
    private Dictionary<IPNetwork, string> _routes = [];
    private Snapshot? _applied;

    public Task<ApplyResult> ApplyAsync(Snapshot snapshot, CancellationToken ct)
    {
        var wanted = new Dictionary<IPNetwork, string>();
        var errors = new List<string>();
        foreach (var peer in snapshot.Peers)
        {
            if (IPNetwork.TryParse(peer.PodCidr, out var cidr)) wanted[cidr] = peer.NodeIp;
            else errors.Add($"peer {peer.NodeName}: bad pod CIDR «{peer.PodCidr}»");
        }
        int changes;
        lock (_lock)
        {
            changes = wanted.Count(w => !_routes.TryGetValue(w.Key, out var via) || via != w.Value) + _routes.Keys.Count(k => !wanted.ContainsKey(k));
            _routes = wanted;
            _applied = snapshot;
        }
        if (snapshot.PodCidr.Length > 0)
            store.SaveNode(new NodeRecord(snapshot.NodeName, "simulated", null, snapshot.PodCidr, snapshot.Gateway, snapshot.Mtu));
        return Task.FromResult(new ApplyResult(wanted.Count, changes, errors));
    }

    public Task<ApplyResult> RepairAsync(CancellationToken ct)
    {
        lock (_lock)
        {
            return Task.FromResult(new ApplyResult(_routes.Count, 0, []));
        }
    }

    public IReadOnlyList<PodRecord> Pods() => store.Pods();

    public Task<PodRecord> AddPodAsync(string name, CancellationToken ct) =>
        Portal.Contracts.AgentLimits.IsValidPodName(name)
            ? store.AddAsync(name, (_, address, _) => Task.FromResult(new PodRecord(name, address.ToString(), null, null)))
            : throw new ArgumentException(
                $"«{name}» is not a valid pod name: use 1–{Portal.Contracts.AgentLimits.MaxPodNameLength} lowercase letters, digits and '-', starting and ending with a letter or digit.");

    public Task<bool> DeletePodAsync(string name, CancellationToken ct) => store.UpdateAsync(pods =>
        Task.FromResult((pods.Where(p => p.Name != name).ToList(), pods.Any(p => p.Name == name))));

    public Task<IReadOnlyList<ProbeResult>> ProbeAsync(NetworkCheck check, CancellationToken ct)
    {
        Snapshot? applied;
        Dictionary<IPNetwork, string> routes;
        lock (_lock)
        {
            applied = _applied;
            routes = _routes;
        }
        var own = applied is not null && IPNetwork.TryParse(applied.PodCidr, out var c) ? c : (IPNetwork?)null;
        var results = new List<ProbeResult>();
        foreach (var pod in Pods())
        {
            foreach (var target in check.Targets.Where(t => t.Ip != pod.Ip))
            {
                var ip = IPAddress.TryParse(target.Ip, out var a) ? a : null;
                var reachable = ip is not null && (own?.Contains(ip) == true || routes.Keys.Any(r => r.Contains(ip)));
                results.Add(new ProbeResult
                {
                    SourcePod = pod.Name, SourceIp = pod.Ip, TargetNode = target.NodeName, TargetPod = target.PodName, TargetIp = target.Ip,
                    Reachable = reachable, SeenSourceIp = reachable ? pod.Ip : "", Error = reachable ? "" : "no route to host",
                });
            }
        }
        return Task.FromResult<IReadOnlyList<ProbeResult>>(results);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
