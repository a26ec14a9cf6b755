using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using Portal.Data.Entities;

namespace Portal.Data.Services;

/// <summary>
/// The node agents' side of the service layer (DESIGN.md §3 "Agent protocol"), for the backend's gRPC service:
/// registration with a cluster's join token, the state snapshots are made of, reports (the heartbeat) and the
/// liveness sweep. A node credential is stored only as its SHA-256, and every call finds its node by it, so an
/// agent reads and writes nothing but its own node. The hot calls are single statements.
/// </summary>
public sealed class NodeAgentService(
    IDbContextFactory<PortalDbContext> dbs, NpgsqlDataSource dataSource, ChangeFeed.ChangePublisher changes, ClusterSignal signal, TimeProvider clock)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Exchanges a join token and a node name for a new credential of that node (the previous one stops working).
    /// The node's first registration makes it a peer of all others: the cluster's generation is bumped.
    /// </summary>
    public async Task<NodeRegistration> RegisterAsync(string joinToken, string nodeName, string? agentVersion, CancellationToken ct = default)
    {
        var credential = Base64Url(RandomNumberGenerator.GetBytes(32));
        var now = clock.GetUtcNow();
        // One statement, as a report is: the credential, the first join's generation bump and its event together.
        await using var cmd = dataSource.CreateCommand("""
            WITH r AS (
                UPDATE cluster_nodes n SET credential_hash = @hash, joined_at = coalesce(o.joined_at, @now), agent_version = @version
                  FROM cluster_nodes o JOIN clusters c ON c.id = o.cluster_id
                 WHERE o.id = n.id AND c.join_token = @token AND o.name = @name AND NOT c.delete_requested
                RETURNING n.id, n.cluster_id, c.project_id, c.phase, o.joined_at IS NULL AS first_join),
            bumped AS (
                UPDATE cluster_generations g SET generation = g.generation + 1 FROM r WHERE g.cluster_id = r.cluster_id AND r.first_join),
            logged AS (
                INSERT INTO cluster_events (cluster_id, at, phase, message_key, args, warning)
                SELECT r.cluster_id, @now, r.phase, 'Event.NodeJoined', ARRAY[@name], false FROM r WHERE r.first_join)
            SELECT id, cluster_id, project_id, first_join FROM r
            """);
        cmd.Parameters.AddWithValue("hash", Hash(credential));
        cmd.Parameters.AddWithValue("now", now);
        cmd.Parameters.AddWithValue("version", (object?)Truncate(agentVersion, 64) ?? DBNull.Value);
        cmd.Parameters.AddWithValue("token", joinToken);
        cmd.Parameters.AddWithValue("name", nodeName);
        Guid nodeId, clusterId;
        string projectId;
        bool firstJoin;
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
        {
            if (!await reader.ReadAsync(ct)) throw await RejectionAsync(joinToken, nodeName, ct);
            (nodeId, clusterId, projectId, firstJoin) = (reader.GetGuid(0), reader.GetGuid(1), reader.GetString(2), reader.GetBoolean(3));
        }
        changes.Changed(projectId, firstJoin ? [Tables.Clusters, Tables.ClusterNetwork] : [Tables.Clusters]);
        return new NodeRegistration(nodeId, clusterId, projectId, credential);
    }

    /// <summary>The node a credential belongs to, or null when it is not (or no longer) valid.</summary>
    public async Task<NodeIdentity?> AuthenticateAsync(string credential, CancellationToken ct = default)
    {
        await using var cmd = dataSource.CreateCommand("""
            SELECT n.id, n.cluster_id, c.project_id, n.name, n.ready FROM cluster_nodes n JOIN clusters c ON c.id = n.cluster_id
             WHERE n.credential_hash = @hash
            """);
        cmd.Parameters.AddWithValue("hash", Hash(credential));
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct)
            ? new NodeIdentity(reader.GetGuid(0), reader.GetGuid(1), reader.GetString(2), reader.GetString(3), reader.GetBoolean(4))
            : null;
    }

    /// <summary>
    /// A heartbeat: the node is ready, with what its agent applied and saw. Returns null for an unknown credential.
    /// Pods that changed bump the generation (checks probe every pod); other changes reach open pages only when
    /// something they show changed, not on every heartbeat.
    /// </summary>
    public async Task<ReportOutcome?> ReportAsync(string credential, AgentReport report, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        // One statement, so the node's state, the generation bump for changed pods and the "back" event are seen
        // together or not at all.
        await using var cmd = new NpgsqlCommand("""
            WITH r AS (
                UPDATE cluster_nodes n SET ready = true, last_heartbeat = @now, observed_generation = @generation, route_count = @routes,
                       agent_errors = @errors, pods = @pods, agent_version = coalesce(@version, o.agent_version),
                       check_id = CASE WHEN @check > 0 THEN @check ELSE o.check_id END,
                       check_results = CASE WHEN @check > 0 THEN @probes ELSE o.check_results END
                  FROM cluster_nodes o JOIN clusters c ON c.id = o.cluster_id
                 WHERE n.credential_hash = @hash AND o.id = n.id
                RETURNING n.id, n.cluster_id, c.project_id, n.name, o.ready AS was_ready,
                          NOT o.ready AND o.last_heartbeat IS NOT NULL AS back, o.pods IS DISTINCT FROM n.pods AS pods_changed,
                          o.observed_generation <> n.observed_generation OR o.route_count <> n.route_count
                          OR o.agent_errors <> n.agent_errors OR @check > 0 AS visible, c.phase),
            bumped AS (
                UPDATE cluster_generations g SET generation = g.generation + 1 FROM r WHERE g.cluster_id = r.cluster_id AND r.pods_changed),
            logged AS (
                INSERT INTO cluster_events (cluster_id, at, phase, message_key, args, warning)
                SELECT r.cluster_id, @now, r.phase, 'Event.NodeBack', ARRAY[r.name], false FROM r WHERE r.back)
            SELECT id, cluster_id, project_id, was_ready, back, pods_changed, visible, phase FROM r
            """, connection);
        cmd.Parameters.AddWithValue("hash", Hash(credential));
        cmd.Parameters.AddWithValue("now", now);
        cmd.Parameters.AddWithValue("generation", report.ObservedGeneration);
        cmd.Parameters.AddWithValue("routes", report.RouteCount);
        cmd.Parameters.AddWithValue("errors", report.Errors.Select(e => Truncate(e, 500)!).Take(20).ToArray());
        cmd.Parameters.Add(new NpgsqlParameter("pods", NpgsqlDbType.Jsonb) { Value = JsonSerializer.Serialize(report.Pods, Json) });
        cmd.Parameters.AddWithValue("version", (object?)Truncate(report.AgentVersion, 64) ?? DBNull.Value);
        cmd.Parameters.AddWithValue("check", report.CheckId);
        cmd.Parameters.Add(new NpgsqlParameter("probes", NpgsqlDbType.Jsonb) { Value = JsonSerializer.Serialize(report.Probes, Json) });
        Guid nodeId, clusterId;
        string projectId, phase;
        bool wasReady, back, podsChanged, visible;
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
        {
            if (!await reader.ReadAsync(ct)) return null;
            (nodeId, clusterId, projectId) = (reader.GetGuid(0), reader.GetGuid(1), reader.GetString(2));
            (wasReady, back, podsChanged, visible, phase) =
                (reader.GetBoolean(3), reader.GetBoolean(4), reader.GetBoolean(5), reader.GetBoolean(6), reader.GetString(7));
        }
        if (podsChanged) changes.Changed(projectId, Tables.ClusterNetwork);
        if (visible || !wasReady || podsChanged) changes.Changed(projectId, Tables.Clusters);
        if (!wasReady && phase == ClusterPhase.WaitingForAgents) signal.Raise();
        return new ReportOutcome(nodeId, clusterId, Resync: back);
    }

    /// <summary>Marks nodes whose last heartbeat is older than <paramref name="deadline"/> NotReady, with an event each; returns them.</summary>
    public async Task<IReadOnlyList<string>> MarkSilentNodesAsync(TimeSpan deadline, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await using var cmd = new NpgsqlCommand("""
            WITH silent AS (
                UPDATE cluster_nodes n SET ready = false FROM clusters c
                 WHERE c.id = n.cluster_id AND n.ready AND n.last_heartbeat < @cutoff
                RETURNING n.cluster_id, c.project_id, n.name, c.phase),
            logged AS (
                INSERT INTO cluster_events (cluster_id, at, phase, message_key, args, warning)
                SELECT cluster_id, @now, phase, 'Event.NodeNotReady', ARRAY[name, @seconds], true FROM silent)
            SELECT project_id, name FROM silent
            """, connection, tx);
        cmd.Parameters.AddWithValue("cutoff", now - deadline);
        cmd.Parameters.AddWithValue("now", now);
        cmd.Parameters.AddWithValue("seconds", ((int)deadline.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture));
        var names = new List<string>();
        var projects = new HashSet<string>();
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                projects.Add(reader.GetString(0));
                names.Add(reader.GetString(1));
            }
        }
        await tx.CommitAsync(ct);
        foreach (var project in projects) changes.Changed(project, Tables.Clusters);
        return names;
    }

    /// <summary>Everything the snapshots of a cluster's nodes are made of, in one read; null when the cluster is gone.</summary>
    public async Task<ClusterNetworkState?> LoadStateAsync(Guid clusterId, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var cluster = await db.Clusters.Where(c => c.Id == clusterId)
            .Select(c => new
            {
                c.PodCidr,
                Generation = db.ClusterGenerations.Where(g => g.ClusterId == c.Id).Select(g => new { g.Generation, g.CheckId }).FirstOrDefault(),
                Nodes = c.Nodes.OrderBy(n => n.CreatedAt).Select(n => new ClusterNetworkNode(n.Id, n.Name, n.IpAddress, n.PodCidr, n.JoinedAt != null, n.Ready, n.Pods)).ToList(),
            })
            .AsNoTracking().FirstOrDefaultAsync(ct);
        if (cluster is null) return null;
        return new ClusterNetworkState(clusterId, cluster.Generation?.Generation ?? 1, cluster.PodCidr, cluster.Generation?.CheckId ?? 0, cluster.Nodes);
    }

    /// <summary>Bumps a cluster's generation inside the caller's transaction (EF).</summary>
    internal static Task BumpAsync(PortalDbContext db, Guid clusterId, CancellationToken ct) =>
        db.Database.ExecuteSqlAsync($"UPDATE cluster_generations SET generation = generation + 1 WHERE cluster_id = {clusterId}", ct);

    public static byte[] Hash(string credential) => SHA256.HashData(Encoding.UTF8.GetBytes(credential));

    private async Task<AgentRejectedException> RejectionAsync(string joinToken, string nodeName, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand("SELECT name, delete_requested FROM clusters WHERE join_token = @token");
        cmd.Parameters.AddWithValue("token", joinToken);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return new AgentRejectedException(false, "The join token is not valid for any cluster.");
        var (cluster, deleting) = (reader.GetString(0), reader.GetBoolean(1));
        return deleting
            ? new AgentRejectedException(true, $"Cluster «{cluster}» is being deleted.")
            : new AgentRejectedException(true, $"Cluster «{cluster}» has no node «{nodeName}».");
    }

    private static string? Truncate(string? s, int max) => s is null ? null : s.Length <= max ? s : s[..max];

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

public sealed record NodeRegistration(Guid NodeId, Guid ClusterId, string ProjectId, string Credential);

public sealed record NodeIdentity(Guid NodeId, Guid ClusterId, string ProjectId, string Name, bool Ready);

public sealed record AgentReport(long ObservedGeneration, int RouteCount, IReadOnlyList<string> Errors, IReadOnlyList<NodePod> Pods,
    long CheckId, IReadOnlyList<PodProbe> Probes, string? AgentVersion);

public sealed record ReportOutcome(Guid NodeId, Guid ClusterId, bool Resync);

/// <summary>A registration refused: an unknown join token (<see cref="TokenKnown"/> false), or a node the cluster does not have.</summary>
public sealed class AgentRejectedException(bool tokenKnown, string message) : Exception(message)
{
    public bool TokenKnown { get; } = tokenKnown;
}

public sealed record ClusterNetworkNode(Guid Id, string Name, IPAddress? Ip, IPNetwork? PodCidr, bool Joined, bool Ready, List<NodePod> Pods);

/// <summary>A cluster as its agents' snapshots show it, at one generation.</summary>
public sealed record ClusterNetworkState(Guid ClusterId, long Generation, IPNetwork PodCidr, long CheckId, IReadOnlyList<ClusterNetworkNode> Nodes);
