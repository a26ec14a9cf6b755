using Npgsql;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Clusters;

namespace Portal.Data.Store;

/// <summary>A node's registration as written: <see cref="FirstJoin"/> when it had never joined.</summary>
internal sealed record RegisteredNode(Guid Id, Guid ClusterId, string ProjectId, string PhaseName, bool FirstJoin)
{
    public ClusterPhase Phase => Enum.Parse<ClusterPhase>(PhaseName);
}

/// <summary>A node's heartbeat as written, with what changed against the node as it was.</summary>
internal sealed record ReportedNode(Guid Id, Guid ClusterId, string ProjectId, string Name, string PhaseName, bool WasReady, bool Back,
    bool PodsChanged, bool Visible)
{
    public ClusterPhase Phase => Enum.Parse<ClusterPhase>(PhaseName);
}

/// <summary>A node that went silent and was marked NotReady.</summary>
internal sealed record SilentNode(Guid ClusterId, string ProjectId, string Name, string PhaseName)
{
    public ClusterPhase Phase => Enum.Parse<ClusterPhase>(PhaseName);
}

/// <summary>A node as a report is checked against it (<see cref="NodeStore.ReportContextAsync"/>).</summary>
internal sealed record ReportContext(string Name, System.Net.IPNetwork? PodCidr, Guid ClusterId, long Generation, long CheckId);

internal sealed record ClusterNodePods(string Name, List<Portal.Data.Entities.NodePod> Pods);

internal sealed record NodeRow(Guid Id, Guid ClusterId, string ProjectId, string Name, bool Ready);

internal sealed record JoinTokenOwner(string Name, bool DeleteRequested, bool NodeExists, DateTimeOffset? LastHeartbeat);

/// <summary>
/// The SQL of the node agents' calls (rows of raw queries get no value conversion, so a phase comes as its name): each finds its node by the credential's hash, so an agent reads and writes
/// nothing but its own node. Every write reads the node as it was in the same statement (the self-join), so the
/// caller learns what changed without a read before.
/// </summary>
/// <remarks>
/// Registration and the heartbeat are the agents' hot calls, and each is one statement on the data source: the
/// generation bump and the event are in its CTE rather than ClusterStore's, because as a transaction of several round
/// trips they held the cluster's generation row across them, and 200 agents joining at once took 11.8 s instead of
/// 1.3 s (bench/run agents).
/// </remarks>
internal static class NodeStore
{
    /// <summary>
    /// The credential, the first join's generation bump and its event, in one statement (see the remarks on the class).
    /// A node whose agent reported at or after <paramref name="aliveSince"/> is only taken by the agent holding its
    /// current credential (<paramref name="presentedHash"/>, the hash of what the agent presents; empty: none): null
    /// otherwise, as for an unknown token or node.
    /// </summary>
    public static async Task<RegisteredNode?> RegisterAsync(NpgsqlDataSource dataSource, string joinToken, string nodeName,
        byte[] credentialHash, byte[] presentedHash, DateTimeOffset aliveSince, string? agentVersion, DateTimeOffset now, CancellationToken ct)
    {
        await using var command = Sql.Command(dataSource, $"""
            WITH r AS (
                UPDATE cluster_nodes n SET credential_hash = {credentialHash}, joined_at = coalesce(o.joined_at, {now}), agent_version = {agentVersion}
                  FROM cluster_nodes o JOIN clusters c ON c.id = o.cluster_id
                 WHERE o.id = n.id AND c.join_token = {joinToken} AND o.name = {nodeName} AND NOT c.delete_requested
                   AND (o.credential_hash IS NULL OR o.last_heartbeat IS NULL OR o.last_heartbeat < {aliveSince}
                        OR o.credential_hash = {presentedHash})
                RETURNING n.id, n.cluster_id, c.project_id, c.phase, o.joined_at IS NULL AS first_join),
            bumped AS (
                UPDATE cluster_generations g SET generation = g.generation + 1 FROM r WHERE g.cluster_id = r.cluster_id AND r.first_join),
            logged AS (
                INSERT INTO cluster_events (cluster_id, at, phase, message_key, args, warning)
                SELECT r.cluster_id, {now}, r.phase, 'Event.NodeJoined', ARRAY[{nodeName}], false FROM r WHERE r.first_join)
            SELECT id, cluster_id, project_id, phase, first_join FROM r
            """);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct)
            ? new RegisteredNode(reader.GetGuid(0), reader.GetGuid(1), reader.GetString(2), reader.GetString(3), reader.GetBoolean(4))
            : null;
    }

    /// <summary>Why a registration was refused: the token's cluster and the node of that name, if any (refusals are rare: no hot path).</summary>
    public static async Task<JoinTokenOwner?> JoinTokenOwnerAsync(PortalDbContext db, string joinToken, string nodeName, CancellationToken ct) =>
        (await db.Database.SqlQuery<JoinTokenOwner>($"""
            SELECT c.name, c.delete_requested, n.id IS NOT NULL AS node_exists, n.last_heartbeat
              FROM clusters c LEFT JOIN cluster_nodes n ON n.cluster_id = c.id AND n.name = {nodeName}
             WHERE c.join_token = {joinToken}
            """).ToListAsync(ct)).FirstOrDefault();

    /// <summary>Every agent call starts here, so it is a plain command on the data source too.</summary>
    public static async Task<NodeRow?> AuthenticateAsync(NpgsqlDataSource dataSource, byte[] credentialHash, CancellationToken ct)
    {
        await using var command = Sql.Command(dataSource, $"""
            SELECT n.id, n.cluster_id, c.project_id, n.name, n.ready FROM cluster_nodes n JOIN clusters c ON c.id = n.cluster_id
             WHERE n.credential_hash = {credentialHash}
            """);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct)
            ? new NodeRow(reader.GetGuid(0), reader.GetGuid(1), reader.GetString(2), reader.GetString(3), reader.GetBoolean(4))
            : null;
    }

    /// <summary>
    /// What a report is checked against before it is written (a plain read: it holds no lock): the node of the
    /// credential, its pod CIDR, and its cluster's generation and check.
    /// </summary>
    public static async Task<ReportContext?> ReportContextAsync(NpgsqlDataSource dataSource, byte[] credentialHash, CancellationToken ct)
    {
        await using var command = Sql.Command(dataSource, $"""
            SELECT n.name, n.pod_cidr, n.cluster_id, coalesce(g.generation, 1), coalesce(g.check_id, 0)
              FROM cluster_nodes n LEFT JOIN cluster_generations g ON g.cluster_id = n.cluster_id
             WHERE n.credential_hash = {credentialHash}
            """);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct)
            ? new ReportContext(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetFieldValue<System.Net.IPNetwork>(1),
                reader.GetGuid(2), reader.GetInt64(3), reader.GetInt64(4))
            : null;
    }

    /// <summary>Every node of a cluster with its pods as last reported: the targets a check's results may name.</summary>
    public static Task<List<ClusterNodePods>> ClusterPodsAsync(PortalDbContext db, Guid clusterId, CancellationToken ct) =>
        db.ClusterNodes.Where(n => n.ClusterId == clusterId).Select(n => new ClusterNodePods(n.Name, n.Pods)).AsNoTracking().ToListAsync(ct);

    /// <summary>
    /// The heartbeat: the node is ready, with what its agent applied and saw, and the generation bump for changed pods
    /// and the «back» event, in one statement (see the remarks on the class). <paramref name="podsJson"/> and
    /// <paramref name="probesJson"/> are jsonb; a check id of 0 keeps the node's last check results. Null also when
    /// the observed generation is ahead of the cluster's or the check id is not the cluster's current one (the caller
    /// checked both against what it read before; this catches the cluster moving on since).
    /// </summary>
    public static async Task<ReportedNode?> ReportAsync(NpgsqlDataSource dataSource, byte[] credentialHash, DateTimeOffset now,
        long observedGeneration, int routeCount, string[] errors, string podsJson, string? agentVersion, long checkId, string probesJson,
        CancellationToken ct)
    {
        await using var command = Sql.Command(dataSource, $"""
            WITH r AS (
                UPDATE cluster_nodes n SET ready = true, last_heartbeat = {now}, observed_generation = {observedGeneration}, route_count = {routeCount},
                       agent_errors = {errors}, pods = {Sql.Jsonb(podsJson)}, agent_version = coalesce({agentVersion}, o.agent_version),
                       check_id = CASE WHEN {checkId} > 0 THEN {checkId} ELSE o.check_id END,
                       check_results = CASE WHEN {checkId} > 0 THEN {Sql.Jsonb(probesJson)} ELSE o.check_results END
                  FROM cluster_nodes o JOIN clusters c ON c.id = o.cluster_id LEFT JOIN cluster_generations g ON g.cluster_id = o.cluster_id
                 WHERE n.credential_hash = {credentialHash} AND o.id = n.id
                   AND {observedGeneration} <= coalesce(g.generation, 1) AND ({checkId} = 0 OR {checkId} = coalesce(g.check_id, 0))
                RETURNING n.id, n.cluster_id, c.project_id, n.name, c.phase, o.ready AS was_ready,
                          NOT o.ready AND o.last_heartbeat IS NOT NULL AS back, o.pods IS DISTINCT FROM n.pods AS pods_changed,
                          o.observed_generation <> n.observed_generation OR o.route_count <> n.route_count
                          OR o.agent_errors <> n.agent_errors OR {checkId} > 0 AS visible),
            bumped AS (
                UPDATE cluster_generations g SET generation = g.generation + 1 FROM r WHERE g.cluster_id = r.cluster_id AND r.pods_changed),
            logged AS (
                INSERT INTO cluster_events (cluster_id, at, phase, message_key, args, warning)
                SELECT r.cluster_id, {now}, r.phase, 'Event.NodeBack', ARRAY[r.name], false FROM r WHERE r.back)
            SELECT id, cluster_id, project_id, name, phase, was_ready, back, pods_changed, visible FROM r
            """);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct)
            ? new ReportedNode(reader.GetGuid(0), reader.GetGuid(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                reader.GetBoolean(5), reader.GetBoolean(6), reader.GetBoolean(7), reader.GetBoolean(8))
            : null;
    }

    /// <summary>Marks the nodes whose last heartbeat is older than <paramref name="cutoff"/> NotReady; returns them.</summary>
    public static Task<List<SilentNode>> MarkSilentAsync(PortalDbContext db, DateTimeOffset cutoff, CancellationToken ct) =>
        db.Database.SqlQuery<SilentNode>($"""
            UPDATE cluster_nodes n SET ready = false FROM clusters c
             WHERE c.id = n.cluster_id AND n.ready AND n.last_heartbeat < {cutoff}
            RETURNING n.cluster_id, c.project_id, n.name, c.phase AS phase_name
            """).ToListAsync(ct);

    /// <summary>A node's heartbeat without an agent (the simulated provisioner); returns the project, or null for an unknown node.</summary>
    public static async Task<string?> ReportWithoutAgentAsync(PortalDbContext db, Guid nodeId, bool ready, long observedGeneration,
        DateTimeOffset now, CancellationToken ct) =>
        (await db.Database.SqlQuery<string>($"""
            UPDATE cluster_nodes n SET ready = {ready}, last_heartbeat = {now}, observed_generation = {observedGeneration}
              FROM clusters c WHERE n.id = {nodeId} AND c.id = n.cluster_id
            RETURNING c.project_id AS "Value"
            """).ToListAsync(ct)).FirstOrDefault();
}
