using System.Net;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Portal.Core.Ip;
using Portal.Data.Entities;

namespace Portal.Data.Store;

/// <summary>The SQL of subnets: overlap lookups, locks, and address usage computed by the database.</summary>
internal static class SubnetStore
{
    /// <summary>
    /// The subnets a project sees: its own. As in Neutron, a provider network (ext-net) is visible to every project but
    /// its subnets are the cloud's: its floating IPs are handed out without anyone choosing from them.
    /// </summary>
    public static IQueryable<Subnet> Visible(PortalDbContext db, string projectId) =>
        db.Subnets.Where(s => s.ProjectId == projectId);

    /// <summary>Locks a subnet's row until the transaction ends, so a port being created in it finishes first or fails.</summary>
    public static Task LockAsync(PortalDbContext db, Guid subnetId, CancellationToken ct) =>
        db.Database.ExecuteSqlAsync($"SELECT 1 FROM subnets WHERE id = {subnetId} FOR UPDATE", ct);

    /// <summary>How many addresses inside its pools each subnet has given out.</summary>
    public static async Task<Dictionary<Guid, long>> UsedInPoolsAsync(PortalDbContext db, Guid[] subnetIds, CancellationToken ct)
    {
        var rows = await db.Database.SqlQuery<UsageRow>($"""
            SELECT a.subnet_id, count(*) AS used FROM ip_allocations a
              JOIN allocation_pools p ON p.subnet_id = a.subnet_id AND a.ip_address BETWEEN p.first_ip AND p.last_ip
             WHERE a.subnet_id = ANY({subnetIds}) GROUP BY a.subnet_id
            """).ToListAsync(ct);
        return rows.ToDictionary(r => r.SubnetId, r => r.Used);
    }

    /// <summary>
    /// The addresses of a subnet's pools given out, and up to <paramref name="maxRanges"/> + 1 free ranges (in order),
    /// in one round trip; the ranges come from a gap query over the allocations, never from loading them.
    /// </summary>
    public static async Task<(long Used, List<IpRange> Free)> UsageAsync(PortalDbContext db, Guid subnetId, int maxRanges, CancellationToken ct)
    {
        await db.Database.OpenConnectionAsync(ct);
        await using var batch = new NpgsqlBatch(Sql.Connection(db));
        batch.BatchCommands.Add(Sql.BatchCommand($"""
            SELECT count(*) FROM ip_allocations a
             WHERE a.subnet_id = {subnetId}
               AND EXISTS (SELECT 1 FROM allocation_pools p
                            WHERE p.subnet_id = {subnetId} AND a.ip_address BETWEEN p.first_ip AND p.last_ip)
            """));
        batch.BatchCommands.Add(Sql.BatchCommand($"""
            WITH p AS (SELECT first_ip, last_ip FROM allocation_pools WHERE subnet_id = {subnetId}),
            a AS (SELECT p.first_ip AS pf, p.last_ip AS pl, x.ip_address,
                         lag(x.ip_address) OVER (PARTITION BY p.first_ip ORDER BY x.ip_address) AS prev
                    FROM p JOIN ip_allocations x
                      ON x.subnet_id = {subnetId} AND x.ip_address BETWEEN p.first_ip AND p.last_ip)
            SELECT lo, hi FROM (
                SELECT CASE WHEN prev IS NULL THEN pf ELSE prev + 1 END AS lo, ip_address - 1 AS hi FROM a
                 WHERE (prev IS NULL AND ip_address > pf) OR (prev IS NOT NULL AND ip_address > prev + 1)
                UNION ALL
                SELECT max(ip_address) + 1, pl FROM a GROUP BY pf, pl HAVING max(ip_address) < pl
                UNION ALL
                SELECT first_ip, last_ip FROM p
                 WHERE NOT EXISTS (SELECT 1 FROM ip_allocations x
                                    WHERE x.subnet_id = {subnetId} AND x.ip_address BETWEEN p.first_ip AND p.last_ip)
            ) gaps ORDER BY lo LIMIT {maxRanges + 1}
            """));
        await using var reader = await batch.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var used = reader.GetInt64(0);
        await reader.NextResultAsync(ct);
        var ranges = new List<IpRange>();
        while (await reader.ReadAsync(ct))
        {
            ranges.Add(new IpRange(reader.GetFieldValue<IPAddress>(0), reader.GetFieldValue<IPAddress>(1)));
        }
        return (used, ranges);
    }

    private sealed record UsageRow(Guid SubnetId, long Used);
}
