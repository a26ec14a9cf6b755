using Microsoft.EntityFrameworkCore;
using Portal.Data.Entities;
using Portal.Data.Store;

namespace Portal.Data.Services;

/// <summary>The audit trail: written by the other services in their own transactions, read here.</summary>
public sealed class AuditService(IDbContextFactory<PortalDbContext> dbs, TimeProvider clock)
{
    /// <summary>
    /// Adds an entry to <paramref name="db"/>; it is saved with the change it records. A creation passes its
    /// object's creation time as <paramref name="at"/>, so the trail and the object agree on when it happened.
    /// </summary>
    internal void Record(PortalDbContext db, Actor actor, string? projectId, string action, string objectType, string objectId,
        string objectName = "", string details = "", DateTimeOffset? at = null) =>
        AuditStore.Add(db, actor, projectId, action, objectType, objectId, objectName, details, at ?? clock.GetUtcNow());

    /// <summary>A project's trail, newest first. Members see their project's; support sees any (both checked now).</summary>
    public async Task<Page<AuditEntry>> ListAsync(Actor actor, string projectId, PageRequest page, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        await ProjectService.RequireMemberOrSupportAsync(db, actor, projectId, ct);
        var query = db.AuditEntries.Where(e => e.ProjectId == projectId);
        var total = await query.CountAsync(ct);
        var items = await query.OrderByDescending(e => e.At).ThenByDescending(e => e.Id)
            .Skip(page.Skip).Take(Math.Min(page.Take, PageRequest.MaxTake)).AsNoTracking().ToListAsync(ct);
        return new Page<AuditEntry>(items, total);
    }
}
