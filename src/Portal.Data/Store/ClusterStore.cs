using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Portal.Data.Entities;
using Portal.Core.Clusters;

namespace Portal.Data.Store;

/// <summary>
/// The SQL of clusters, and the writes that several callers make, each in one place: the event log, the
/// agents' generation bump, a network check request, the workflow's claim.
/// </summary>
internal static class ClusterStore
{
    /// <summary>Adds an event to the cluster's log; it is saved with the caller's change.</summary>
    public static void AddEvent(PortalDbContext db, Guid clusterId, ClusterPhase phase, string key, IEnumerable<object> args, bool warning,
        DateTimeOffset at) =>
        db.ClusterEvents.Add(new ClusterEvent
        {
            ClusterId = clusterId, At = at, Phase = phase, MessageKey = key, Warning = warning,
            Args = args.Select(a => Convert.ToString(a, CultureInfo.InvariantCulture) ?? "").ToArray(),
        });

    /// <summary>
    /// Bumps the cluster's generation (in the caller's transaction): every agent of the cluster gets a new snapshot.
    /// The generation is a row apart from the cluster's, so agents never wait for the workflow's row lock.
    /// </summary>
    public static Task BumpGenerationAsync(PortalDbContext db, Guid clusterId, CancellationToken ct) =>
        db.Database.ExecuteSqlAsync($"UPDATE cluster_generations SET generation = generation + 1 WHERE cluster_id = {clusterId}", ct);

    /// <summary>A new network check: its id goes out with the bumped generation; returns the id.</summary>
    public static async Task<long> RequestCheckAsync(PortalDbContext db, Guid clusterId, DateTimeOffset now, CancellationToken ct) =>
        (await db.Database.SqlQuery<long>($"""
            UPDATE cluster_generations SET check_id = check_id + 1, check_requested_at = {now}, generation = generation + 1
             WHERE cluster_id = {clusterId} RETURNING check_id AS "Value"
            """).ToListAsync(ct)).Single();

    /// <summary>
    /// Locks the cluster whose step is due soonest and that no other worker holds, in the caller's transaction.
    /// The row lock is <c>FOR NO KEY UPDATE</c>, the form of <c>FOR UPDATE</c> that still lets the step's own
    /// transactions insert rows referring to the cluster (its nodes) while the claim holds it.
    /// </summary>
    public static async Task<Cluster?> ClaimDueAsync(PortalDbContext db, DateTimeOffset now, CancellationToken ct) =>
        (await db.Clusters.FromSql($"""
            SELECT * FROM clusters
             WHERE (phase NOT IN ('Running', 'Failed') OR delete_requested) AND next_attempt_at <= {now}
             ORDER BY next_attempt_at LIMIT 1
             FOR NO KEY UPDATE SKIP LOCKED
            """).ToListAsync(ct)).FirstOrDefault();

    /// <summary>Holds a project-wide lock until the transaction ends (e.g. while choosing a free CIDR for a new network).</summary>
    public static Task LockProjectAsync(PortalDbContext db, string projectId, string purpose, CancellationToken ct) =>
        db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(hashtextextended({purpose + ":" + projectId}, 0))", ct);
}
