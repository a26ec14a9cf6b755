using Microsoft.EntityFrameworkCore;

namespace Portal.Data.Store;

/// <summary>The SQL of projects and their networks that EF cannot say: quota shares and row locks.</summary>
internal static class ProjectStore
{
    /// <summary>
    /// Splits the limit over the quota's shares and spreads the usage over them again (portal_quota_set, which
    /// first waits for racing creations and deletions): the room the shares leave is then exactly what is left.
    /// </summary>
    public static Task SetQuotaAsync(PortalDbContext db, string projectId, string resource, int limit, CancellationToken ct) =>
        db.Database.ExecuteSqlAsync($"SELECT portal_quota_set({projectId}, {resource}, {limit})", ct);

    /// <summary>Locks a network's row until the transaction ends.</summary>
    public static Task LockNetworkAsync(PortalDbContext db, Guid networkId, CancellationToken ct) =>
        db.Database.ExecuteSqlAsync($"SELECT 1 FROM networks WHERE id = {networkId} FOR UPDATE", ct);
}
