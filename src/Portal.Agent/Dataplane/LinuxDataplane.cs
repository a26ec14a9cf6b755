using Portal.Contracts;

namespace Portal.Agent.Dataplane;

/// <summary>
/// The node's network in the Linux kernel (DESIGN.md §3 "Agent dataplane (Linux)"): bridge <c>cni0</c> holding the
/// gateway, pods as network namespaces with a veth into the bridge, and one route per peer pod CIDR tagged with
/// <see cref="RouteProto"/>. <see cref="LinuxRouting"/>, <see cref="LinuxPods"/>, <see cref="PodListeners"/> and
/// <see cref="PodProbes"/> do the work; this class orders it: one apply or repair at a time, and the listeners
/// brought in line after anything that may have changed the pods. <paramref name="netns"/> is the node's network
/// namespace (null: the one this process runs in).
/// </summary>
public sealed class LinuxDataplane(PodStore store, string? netns, int probePort = LinuxDataplane.DefaultProbePort) : IDataplane
{
    /// <summary>Our private route protocol number (see /etc/iproute2/rt_protos; 77 is unassigned).</summary>
    public const int RouteProto = 77;

    /// <summary>The TCP port of every pod's listener, which answers with the address it saw the caller come from.</summary>
    public const int DefaultProbePort = 7077;

    public const string Bridge = "cni0";

    // Applies and repairs read the kernel, then change it: two at once would each plan against a state the other
    // is changing.
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly LinuxRouting _routing = new(store, netns);
    private readonly LinuxPods _pods = new(store, netns);
    private readonly PodListeners _listeners = new(store, probePort);
    private readonly PodProbes _probes = new(probePort);
    private Snapshot? _applied;

    public async Task<ApplyResult> ApplyAsync(Snapshot snapshot, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            var result = await _routing.ReconcileAsync(snapshot, ct);
            _applied = snapshot;
            if (snapshot.PodCidr.Length > 0)
                store.SaveNode(new NodeRecord(snapshot.NodeName, "linux", netns, snapshot.PodCidr, snapshot.Gateway, snapshot.Mtu));
            _listeners.Sync();
            return result;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<ApplyResult> RepairAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            // A pod added or deleted by a separate `pod add`/`pod del` process shows up here.
            _listeners.Sync();
            return _applied is null ? new ApplyResult(0, 0, []) : await _routing.ReconcileAsync(_applied, ct);
        }
        finally
        {
            _gate.Release();
        }
    }

    public IReadOnlyList<PodRecord> Pods() => store.Pods();

    public async Task<PodRecord> AddPodAsync(string name, CancellationToken ct)
    {
        var pod = await _pods.AddAsync(name, ct);
        _listeners.Sync();
        return pod;
    }

    public async Task<bool> DeletePodAsync(string name, CancellationToken ct)
    {
        var deleted = await _pods.DeleteAsync(name, ct);
        _listeners.Sync();
        return deleted;
    }

    public async Task<IReadOnlyList<ProbeResult>> ProbeAsync(NetworkCheck check, CancellationToken ct)
    {
        _listeners.Sync();
        return await _probes.ProbeAsync(store.Pods(), check, ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _listeners.DisposeAsync();
        _gate.Dispose();
    }
}
