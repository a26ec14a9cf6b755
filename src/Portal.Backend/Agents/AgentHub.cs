using System.Net;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Portal.Contracts;
using Portal.Data.ChangeFeed;
using Portal.Data.Services;

namespace Portal.Backend.Agents;

/// <summary>
/// The open watches of this process, by cluster. One read of a cluster's state per generation serves all of its
/// nodes' snapshots: when the change feed says a cluster's generation moved, the hub reloads it once and hands each
/// watching node its own snapshot (its peers are everyone else that joined). A slow watcher only ever holds the
/// latest snapshot, never a queue of stale ones.
/// </summary>
public sealed class AgentHub(NodeAgentService agents, ChangeFeed feed, ILogger<AgentHub> logger) : IDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<Guid, ClusterWatch> _clusters = [];

    /// <summary>Watches open now (for the memory figures of bench/run agents).</summary>
    public int WatchCount
    {
        get
        {
            lock (_lock) return _clusters.Values.Sum(c => c.Watchers.Count);
        }
    }

    /// <summary>
    /// Starts watching for <paramref name="node"/>: its current snapshot comes first unless it already has this
    /// generation and is ready (a node back from NotReady, or a restarted agent, always gets a full one).
    /// </summary>
    public async Task<Watcher> WatchAsync(NodeIdentity node, long afterGeneration, CancellationToken ct)
    {
        var watcher = new Watcher(this, node);
        ClusterWatch cluster;
        lock (_lock)
        {
            if (!_clusters.TryGetValue(node.ClusterId, out cluster!))
            {
                cluster = new ClusterWatch(node.ClusterId);
                // Subscribed before the first load: a change between the two is not missed.
                cluster.Subscription = feed.Subscribe(node.ProjectId, e => OnChangeAsync(cluster, e));
                _clusters[node.ClusterId] = cluster;
            }
            cluster.Watchers.Add(watcher);
        }
        var state = cluster.State ?? await ReloadAsync(cluster, ct);
        if (state is not null && (afterGeneration != state.Generation || !node.Ready)) watcher.Offer(state);
        else if (state is not null) watcher.Sent = state.Generation;
        if (state is null || state.Nodes.All(n => n.Id != node.NodeId) || Stopping) watcher.Complete();
        return watcher;
    }

    /// <summary>Builds <paramref name="nodeId"/>'s snapshot of <paramref name="state"/>; null when the node is no longer in it.</summary>
    public static Snapshot? SnapshotFor(ClusterNetworkState state, Guid nodeId)
    {
        var self = state.Nodes.FirstOrDefault(n => n.Id == nodeId);
        if (self is null) return null;
        var snapshot = new Snapshot
        {
            Generation = state.Generation,
            NodeName = self.Name,
            NodeIp = self.Ip?.ToString() ?? "",
            PodCidr = self.PodCidr?.ToString() ?? "",
            Gateway = self.PodCidr is { } cidr ? Gateway(cidr).ToString() : "",
            Mtu = state.Mtu,
            ClusterPodCidr = state.PodCidr.ToString(),
        };
        foreach (var peer in state.Nodes)
        {
            if (peer.Id == nodeId || !peer.Joined || peer.Ip is null || peer.PodCidr is null) continue;
            snapshot.Peers.Add(new Peer { NodeName = peer.Name, NodeIp = peer.Ip.ToString(), PodCidr = peer.PodCidr.Value.ToString() });
        }
        if (state.CheckId > 0)
        {
            var check = new NetworkCheck { Id = state.CheckId };
            foreach (var node in state.Nodes)
            {
                foreach (var pod in node.Pods) check.Targets.Add(new PodAddress { NodeName = node.Name, PodName = pod.Name, Ip = pod.Ip });
            }
            snapshot.Check = check;
        }
        return snapshot;
    }

    /// <summary>The pod CIDR's first address: the bridge's, every pod's default gateway.</summary>
    public static IPAddress Gateway(IPNetwork podCidr)
    {
        var bytes = podCidr.BaseAddress.GetAddressBytes();
        bytes[^1]++;
        return new IPAddress(bytes);
    }

    /// <summary>Only generation changes (and a feed resync) matter: reports and workflow steps change nothing snapshots carry.</summary>
    private Task OnChangeAsync(ClusterWatch cluster, ChangeEvent e) =>
        e.Table is Tables.ClusterNetwork || e.IsResync ? ReloadAsync(cluster, CancellationToken.None) : Task.CompletedTask;

    /// <summary>Reads the cluster once and offers every watcher its snapshot if the generation moved; concurrent calls coalesce.</summary>
    private async Task<ClusterNetworkState?> ReloadAsync(ClusterWatch cluster, CancellationToken ct)
    {
        if (Interlocked.Exchange(ref cluster.Dirty, 1) == 1 && cluster.State is not null) return cluster.State;
        await cluster.Loading.WaitAsync(ct);
        try
        {
            ClusterNetworkState? state = cluster.State;
            while (Interlocked.Exchange(ref cluster.Dirty, 0) == 1)
            {
                try
                {
                    state = await agents.LoadStateAsync(cluster.ClusterId, ct);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogWarning(ex, "Agent hub: could not load cluster {Cluster}; watches keep their last snapshot", cluster.ClusterId);
                    return cluster.State;
                }
                if (state is not null && cluster.State is { } old && state.Generation <= old.Generation && state.Nodes.Count == old.Nodes.Count) continue;
                cluster.State = state;
                Watcher[] watchers;
                lock (_lock) watchers = [.. cluster.Watchers];
                foreach (var watcher in watchers)
                {
                    if (state is null || state.Nodes.All(n => n.Id != watcher.Node.NodeId)) watcher.Complete();
                    else if (state.Generation > watcher.Sent) watcher.Offer(state);
                }
            }
            return state;
        }
        finally
        {
            cluster.Loading.Release();
        }
    }

    private void Remove(Watcher watcher)
    {
        lock (_lock)
        {
            if (!_clusters.TryGetValue(watcher.Node.ClusterId, out var cluster)) return;
            cluster.Watchers.Remove(watcher);
            if (cluster.Watchers.Count > 0) return;
            _clusters.Remove(watcher.Node.ClusterId);
            cluster.Subscription?.Dispose();
        }
    }

    /// <summary>True once the server is stopping: open watches have ended and new ones end at once.</summary>
    public bool Stopping { get; private set; }

    /// <summary>Accepts watches (again, after <see cref="Stop"/>).</summary>
    public void Start()
    {
        lock (_lock) Stopping = false;
    }

    /// <summary>Ends every open watch, so that the server's shutdown does not wait for streams that never end on their own.</summary>
    public void Stop()
    {
        lock (_lock)
        {
            Stopping = true;
            foreach (var watcher in _clusters.Values.SelectMany(c => c.Watchers)) watcher.Complete();
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var cluster in _clusters.Values) cluster.Subscription?.Dispose();
            _clusters.Clear();
        }
    }

    private sealed class ClusterWatch(Guid clusterId)
    {
        public Guid ClusterId { get; } = clusterId;
        public List<Watcher> Watchers { get; } = [];
        public IDisposable? Subscription { get; set; }
        public volatile ClusterNetworkState? State;
        public readonly SemaphoreSlim Loading = new(1, 1);
        public int Dirty;
    }

    /// <summary>One node's watch: the latest snapshot not yet sent, if any. Dispose it when the call ends.</summary>
    public sealed class Watcher(AgentHub hub, NodeIdentity node) : IDisposable
    {
        private readonly Channel<ClusterNetworkState> _pending =
            Channel.CreateBounded<ClusterNetworkState>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest });

        public NodeIdentity Node { get; } = node;

        /// <summary>The generation last handed out.</summary>
        public long Sent { get; set; }

        /// <summary>The snapshots to send, newest state only; ends when the node leaves the cluster.</summary>
        public async IAsyncEnumerable<Snapshot> SnapshotsAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
        {
            await foreach (var state in _pending.Reader.ReadAllAsync(ct))
            {
                if (state.Generation <= Sent && Sent != 0) continue;
                if (SnapshotFor(state, Node.NodeId) is not { } snapshot) yield break;
                Sent = state.Generation;
                yield return snapshot;
            }
        }

        internal void Offer(ClusterNetworkState state) => _pending.Writer.TryWrite(state);

        internal void Complete() => _pending.Writer.TryComplete();

        public void Dispose() => hub.Remove(this);
    }
}
