using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using Portal.Data;
using Portal.Data.ChangeFeed;
using Portal.Data.Entities;
using Portal.Data.Services;
using Portal.Data.Store;
using Portal.Core.Clusters;

namespace Portal.Backend.Agents;

/// <summary>
/// The node agents' side of the service layer (DESIGN.md §3 "Agent protocol"), for the backend's gRPC service:
/// registration with a cluster's join token, the state snapshots are made of, reports (the heartbeat) and the
/// liveness sweep. A node credential is stored only as its SHA-256, and every call finds its node by it, so an
/// agent reads and writes nothing but its own node. The hot calls (registration, the heartbeat) are one statement each.
/// </summary>
public sealed class NodeAgentService(
    IDbContextFactory<PortalDbContext> dbs, NpgsqlDataSource dataSource, ChangePublisher publisher, ClusterSignal signal, TimeProvider clock,
    IOptions<AgentOptions> options)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Entries kept in <see cref="_contexts"/> before it starts again from empty (stale credentials pile up otherwise).</summary>
    private const int MaxContexts = 20_000;

    /// <summary>
    /// What reports are checked against, by credential hash, so that a heartbeat stays one statement: a node's name
    /// and pod CIDR never change once set; the generation and check are read again when a report is ahead of them,
    /// and the statement itself refuses a generation or check the cluster does not have.
    /// </summary>
    private readonly ConcurrentDictionary<string, ReportContext> _contexts = new(StringComparer.Ordinal);

    /// <summary>
    /// Exchanges a join token and a node name for a new credential of that node (the previous one stops working).
    /// The node's first registration makes it a peer of all others: the cluster's generation is bumped. A node whose
    /// agent reported within <see cref="AgentOptions.NotReadyAfter"/> is taken only by the agent presenting the
    /// node's current credential (<paramref name="presentedCredential"/>: the same agent registering again, or
    /// restarted with its state directory), so that a second agent with the join token cannot knock it out.
    /// </summary>
    /// <exception cref="AgentRejectedException">Unknown token or node, a cluster being deleted, or a node in use.</exception>
    /// <exception cref="AgentRequestException">A field too long or with control characters.</exception>
    public async Task<NodeRegistration> RegisterAsync(string joinToken, string nodeName, string? agentVersion, string? presentedCredential = null,
        CancellationToken ct = default)
    {
        ReportValidation.CheckRegistration(joinToken, nodeName, agentVersion, presentedCredential);
        var credential = Base64Url(RandomNumberGenerator.GetBytes(32));
        var now = clock.GetUtcNow();
        var aliveSince = now - options.Value.NotReadyAfter;
        var node = await NodeStore.RegisterAsync(dataSource, joinToken, nodeName, Hash(credential),
            string.IsNullOrEmpty(presentedCredential) ? [] : Hash(presentedCredential), aliveSince, agentVersion, now, ct);
        if (node is null)
        {
            await using var db = await dbs.CreateDbContextAsync(ct);
            throw Rejection(await NodeStore.JoinTokenOwnerAsync(db, joinToken, nodeName, ct), nodeName, now, aliveSince);
        }
        publisher.Changed(node.ProjectId, node.FirstJoin ? [Tables.Clusters, Tables.ClusterNetwork] : [Tables.Clusters]);
        return new NodeRegistration(node.Id, node.ClusterId, node.ProjectId, credential);
    }

    /// <summary>The node a credential belongs to, or null when it is not (or no longer) valid.</summary>
    public async Task<NodeIdentity?> AuthenticateAsync(string credential, CancellationToken ct = default)
    {
        return await NodeStore.AuthenticateAsync(dataSource, Hash(credential), ct) is { } n
            ? new NodeIdentity(n.Id, n.ClusterId, n.ProjectId, n.Name, n.Ready)
            : null;
    }

    /// <summary>
    /// A heartbeat: the node is ready, with what its agent applied and saw. Returns null for an unknown credential.
    /// Pods that changed bump the generation (checks probe every pod); other changes reach open pages only when
    /// something they show changed, not on every heartbeat. The report is checked first (<see cref="ReportValidation"/>)
    /// and a refused one writes nothing; pods are stored sorted by name, so the same pods in another order are no change.
    /// </summary>
    /// <exception cref="AgentRequestException">The report is too large, or does not fit its node or its cluster.</exception>
    public async Task<ReportOutcome?> ReportAsync(string credential, AgentReport report, CancellationToken ct = default)
    {
        var pods = ReportValidation.CheckAlone(report);
        var hash = Hash(credential);
        var key = Convert.ToBase64String(hash);
        var context = _contexts.TryGetValue(key, out var known) && Fits(report, known) ? known : await ContextAsync(hash, key, ct);
        if (context is null) return null;
        ReportValidation.CheckAgainstNode(report, context.Name, context.PodCidr, context.Generation, context.CheckId);
        if (report.Probes.Count > 0)
        {
            await using var db = await dbs.CreateDbContextAsync(ct);
            var cluster = await NodeStore.ClusterPodsAsync(db, context.ClusterId, ct);
            ReportValidation.CheckProbes(report, context.Name, cluster.Select(n => (n.Name, (IReadOnlyList<NodePod>)n.Pods)));
        }
        var now = clock.GetUtcNow();
        var podsJson = JsonSerializer.Serialize(pods, Json);
        var probesJson = JsonSerializer.Serialize(report.Probes, Json);
        var node = await NodeStore.ReportAsync(dataSource, hash, now, report.ObservedGeneration, report.RouteCount,
            [.. report.Errors], podsJson, report.AgentVersion, report.CheckId, probesJson, ct);
        if (node is null && ReferenceEquals(context, known))
        {
            // The credential is gone, or the cluster moved on since the context was read: read it again, so that
            // an unknown credential is told so and a report that no longer fits gets its exact reason.
            if (await ContextAsync(hash, key, ct) is not { } fresh) return null;
            ReportValidation.CheckAgainstNode(report, fresh.Name, fresh.PodCidr, fresh.Generation, fresh.CheckId);
            node = await NodeStore.ReportAsync(dataSource, hash, now, report.ObservedGeneration, report.RouteCount,
                [.. report.Errors], podsJson, report.AgentVersion, report.CheckId, probesJson, ct);
        }
        if (node is null) return null;
        if (node.PodsChanged) publisher.Changed(node.ProjectId, Tables.ClusterNetwork);
        if (node.Visible || !node.WasReady || node.PodsChanged) publisher.Changed(node.ProjectId, Tables.Clusters);
        if (!node.WasReady && node.Phase == ClusterPhase.WaitingForAgents) signal.Raise();
        return new ReportOutcome(node.Id, node.ClusterId, Resync: node.Back);
    }

    /// <summary>Whether a known context can check <paramref name="report"/> without reading the node again.</summary>
    private static bool Fits(AgentReport report, ReportContext context) =>
        (report.Pods.Count == 0 || context.PodCidr is not null)
        && report.ObservedGeneration <= context.Generation
        && (report.CheckId == 0 || report.CheckId == context.CheckId);

    private async Task<ReportContext?> ContextAsync(byte[] hash, string key, CancellationToken ct)
    {
        var context = await NodeStore.ReportContextAsync(dataSource, hash, ct);
        if (context is null)
        {
            _contexts.TryRemove(key, out _);
            return null;
        }
        if (_contexts.Count >= MaxContexts) _contexts.Clear();
        _contexts[key] = context;
        return context;
    }

    /// <summary>
    /// A node without an agent reports ready (the simulated provisioner): as a first heartbeat would, with the first
    /// generation as observed.
    /// </summary>
    public async Task ReportWithoutAgentAsync(Guid nodeId, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        if (await NodeStore.ReportWithoutAgentAsync(db, nodeId, ready: true, observedGeneration: 1, clock.GetUtcNow(), ct) is not { } projectId) return;
        publisher.Changed(projectId, Tables.Clusters);
        signal.Raise();
    }

    /// <summary>Marks nodes whose last heartbeat is older than <paramref name="deadline"/> NotReady, with an event each; returns them.</summary>
    public async Task<IReadOnlyList<string>> MarkSilentNodesAsync(TimeSpan deadline, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        await using var db = await dbs.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var silent = await NodeStore.MarkSilentAsync(db, now - deadline, ct);
        foreach (var node in silent)
        {
            ClusterStore.AddEvent(db, node.ClusterId, node.Phase, "Event.NodeNotReady", [node.Name, (int)deadline.TotalSeconds], warning: true, now);
        }
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        foreach (var project in silent.Select(n => n.ProjectId).Distinct()) publisher.Changed(project, Tables.Clusters);
        return silent.Select(n => n.Name).ToList();
    }

    /// <summary>Everything the snapshots of a cluster's nodes are made of, in one read; null when the cluster is gone.</summary>
    public async Task<ClusterNetworkState?> LoadStateAsync(Guid clusterId, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var cluster = await db.Clusters.Where(c => c.Id == clusterId)
            .Select(c => new
            {
                c.PodCidr,
                Mtu = db.Networks.Where(n => n.Id == c.NetworkId).Select(n => (int?)n.Mtu).FirstOrDefault(),
                Generation = db.ClusterGenerations.Where(g => g.ClusterId == c.Id).Select(g => new { g.Generation, g.CheckId }).FirstOrDefault(),
                Nodes = c.Nodes.OrderBy(n => n.CreatedAt).Select(n => new ClusterNetworkNode(n.Id, n.Name, n.IpAddress, n.PodCidr, n.JoinedAt != null, n.Ready, n.Pods)).ToList(),
            })
            .AsNoTracking().FirstOrDefaultAsync(ct);
        if (cluster is null) return null;
        return new ClusterNetworkState(clusterId, cluster.Generation?.Generation ?? 1, cluster.PodCidr, cluster.Mtu ?? DefaultMtu,
            cluster.Generation?.CheckId ?? 0, cluster.Nodes);
    }

    /// <summary>The MTU of a cluster whose network is not chosen yet (Neutron's default).</summary>
    public const int DefaultMtu = 1500;

    public static byte[] Hash(string credential) => SHA256.HashData(Encoding.UTF8.GetBytes(credential));

    private AgentRejectedException Rejection(JoinTokenOwner? owner, string nodeName, DateTimeOffset now, DateTimeOffset aliveSince) =>
        owner is null ? new AgentRejectedException(AgentRejection.UnknownToken, "The join token is not valid for any cluster.")
        : owner.DeleteRequested ? new AgentRejectedException(AgentRejection.NotFound, $"Cluster «{owner.Name}» is being deleted.")
        : !owner.NodeExists ? new AgentRejectedException(AgentRejection.NotFound, $"Cluster «{owner.Name}» has no node «{nodeName}».")
        : owner.LastHeartbeat is { } last && last >= aliveSince
            ? new AgentRejectedException(AgentRejection.NodeInUse,
                $"Node «{nodeName}» of cluster «{owner.Name}» is in use: its agent reported {Math.Max(0, (int)(now - last).TotalSeconds)} s ago. " +
                "A second agent cannot take it over. The node's own agent registers again with the credential in its state directory; " +
                $"without it, it can register once the node has been silent for {(int)options.Value.NotReadyAfter.TotalSeconds} s.")
            // The node was free when looked at again: the agent that took it meanwhile reported just now.
            : new AgentRejectedException(AgentRejection.NodeInUse, $"Node «{nodeName}» of cluster «{owner.Name}» was just taken by another agent.");

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

public sealed record NodeRegistration(Guid NodeId, Guid ClusterId, string ProjectId, string Credential);

public sealed record NodeIdentity(Guid NodeId, Guid ClusterId, string ProjectId, string Name, bool Ready);

public sealed record AgentReport(long ObservedGeneration, int RouteCount, IReadOnlyList<string> Errors, IReadOnlyList<NodePod> Pods,
    long CheckId, IReadOnlyList<PodProbe> Probes, string? AgentVersion);

public sealed record ReportOutcome(Guid NodeId, Guid ClusterId, bool Resync);

public enum AgentRejection
{
    /// <summary>No cluster has the join token.</summary>
    UnknownToken,
    /// <summary>The token's cluster has no such node (or is being deleted).</summary>
    NotFound,
    /// <summary>The node's agent is alive, and the registration did not present its credential.</summary>
    NodeInUse,
}

/// <summary>A registration refused, and why (<see cref="Reason"/>).</summary>
public sealed class AgentRejectedException(AgentRejection reason, string message) : Exception(message)
{
    public AgentRejection Reason { get; } = reason;
}

public sealed record ClusterNetworkNode(Guid Id, string Name, IPAddress? Ip, IPNetwork? PodCidr, bool Joined, bool Ready, List<NodePod> Pods);

/// <summary>A cluster as its agents' snapshots show it, at one generation.</summary>
public sealed record ClusterNetworkState(Guid ClusterId, long Generation, IPNetwork PodCidr, int Mtu, long CheckId, IReadOnlyList<ClusterNetworkNode> Nodes);
