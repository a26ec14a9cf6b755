using Microsoft.EntityFrameworkCore;
using Portal.Core.Errors;
using Portal.Data.Entities;

namespace Portal.Data.Services;

public sealed record QuotaView(string Resource, int Limit, int Used)
{
    public bool Exhausted => Used >= Limit;
}

/// <summary>Projects and their quotas.</summary>
public sealed class ProjectService(IDbContextFactory<PortalDbContext> dbs, ChangeFeed.ChangePublisher changes, TimeProvider clock)
{
    /// <summary>Creates the project with default quotas, or returns it if it exists.</summary>
    public async Task<Project> EnsureAsync(string id, string name, CancellationToken ct = default)
    {
        if (!System.Text.RegularExpressions.Regex.IsMatch(id, "^[0-9a-f]{32}$"))
            throw new ArgumentException("A project id is 32 lowercase hex characters.", nameof(id));
        await using var db = await dbs.CreateDbContextAsync(ct);
        if (await db.Projects.AsNoTracking().FirstOrDefaultAsync(p => p.Id == id, ct) is { } existing) return existing;
        var project = new Project
        {
            Id = id,
            Name = name,
            CreatedAt = clock.GetUtcNow(),
            Quotas = Quotas.Defaults.Select(q => new Quota { ProjectId = id, Resource = q.Key, Limit = q.Value }).ToList(),
        };
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        db.Projects.Add(project);
        await db.SaveChangesAsync(ct);
        foreach (var (resource, limit) in Quotas.Defaults) await AddSlotsAsync(db, id, resource, limit, ct);
        await tx.CommitAsync(ct);
        return project;
    }

    public async Task<Project> GetAsync(string id, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        return await db.Projects.AsNoTracking().FirstOrDefaultAsync(p => p.Id == id, ct)
               ?? throw NeutronErrors.NotFound("Resource.Project", id);
    }

    /// <summary>Limits, and usage counted as the quota slots held by existing resources.</summary>
    public async Task<IReadOnlyList<QuotaView>> GetQuotasAsync(string projectId, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var used = await db.QuotaSlots.Where(s => s.ProjectId == projectId && s.HolderId != null)
            .GroupBy(s => s.Resource).Select(g => new { g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        var limits = await db.Quotas.Where(q => q.ProjectId == projectId).OrderBy(q => q.Resource).AsNoTracking().ToListAsync(ct);
        return limits.Select(q => new QuotaView(q.Resource, q.Limit, used.GetValueOrDefault(q.Resource))).ToList();
    }

    /// <summary>One resource's limit and usage (a page that needs one quota need not count the others).</summary>
    public async Task<QuotaView?> GetQuotaAsync(string projectId, string resource, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var limit = await db.Quotas.Where(q => q.ProjectId == projectId && q.Resource == resource).Select(q => (int?)q.Limit).FirstOrDefaultAsync(ct);
        if (limit is null) return null;
        var used = await db.QuotaSlots.CountAsync(s => s.ProjectId == projectId && s.Resource == resource && s.HolderId != null, ct);
        return new QuotaView(resource, limit.Value, used);
    }

    /// <summary>Sets a limit. Lowering it below the usage blocks new resources; existing ones stay.</summary>
    public async Task SetQuotaAsync(string projectId, string resource, int limit, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        await using var db = await dbs.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var changed = await db.Quotas.Where(q => q.ProjectId == projectId && q.Resource == resource)
            .ExecuteUpdateAsync(u => u.SetProperty(q => q.Limit, limit), ct);
        if (changed == 0) throw NeutronErrors.NotFound("Resource.Project", projectId);
        await AddSlotsAsync(db, projectId, resource, limit, ct);
        await MoveHoldersBelowLimitAsync(db, projectId, resource, limit, ct);
        await tx.CommitAsync(ct);
        changes.Changed(projectId, Tables.Projects);
    }

    /// <summary>
    /// After a limit is lowered, resources holding slots above it move to free slots within it, so that the
    /// slots within the limit that stay free are exactly the room left. (Slots are taken from a position
    /// derived from the holder's id, so holders are spread over the whole range.)
    /// </summary>
    private static async Task MoveHoldersBelowLimitAsync(PortalDbContext db, string projectId, string resource, int limit, CancellationToken ct)
    {
        var movers = await db.QuotaSlots.Where(q => q.ProjectId == projectId && q.Resource == resource && q.HolderId != null && q.Slot > limit)
            .OrderBy(q => q.Slot).ToListAsync(ct);
        if (movers.Count == 0) return;
        var targets = await db.QuotaSlots.Where(q => q.ProjectId == projectId && q.Resource == resource && q.HolderId == null && q.Slot <= limit)
            .OrderBy(q => q.Slot).Take(movers.Count).ToListAsync(ct);
        var moves = movers.Zip(targets, (from, to) => (From: from, To: to, Holder: from.HolderId)).ToList();
        // Two steps, because a holder may hold one slot at a time (unique index) at every moment.
        foreach (var move in moves) move.From.HolderId = null;
        await db.SaveChangesAsync(ct);
        foreach (var move in moves) move.To.HolderId = move.Holder;
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Makes sure slots 1..limit exist; slots above a lowered limit stay but are never taken.</summary>
    private static Task AddSlotsAsync(PortalDbContext db, string projectId, string resource, int limit, CancellationToken ct) =>
        db.Database.ExecuteSqlAsync($"""
            INSERT INTO quota_slots (project_id, resource, slot)
            SELECT {projectId}, {resource}, g FROM generate_series(1, {limit}) g
            ON CONFLICT DO NOTHING
            """, ct);

    /// <summary>Support's switch for shadowport (clusters and networks without an external IP).</summary>
    public async Task SetShadowportAsync(string projectId, bool enabled, string changedBy, string reason, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var project = await db.Projects.FirstOrDefaultAsync(p => p.Id == projectId, ct)
                      ?? throw NeutronErrors.NotFound("Resource.Project", projectId);
        project.ShadowportEnabled = enabled;
        project.ShadowportChangedBy = changedBy;
        project.ShadowportReason = reason;
        project.ShadowportChangedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(ct);
        changes.Changed(projectId, Tables.Projects);
    }
}
