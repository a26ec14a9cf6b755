using Microsoft.EntityFrameworkCore;
using Portal.Core.Errors;
using Portal.Data.Entities;
using Portal.Data.Store;

namespace Portal.Data.Services;

public sealed record ProjectFound(string Id, string Name, string? Owner, bool ShadowportEnabled);

public sealed record ProjectMemberView(string UserId, string Name, string Email, bool IsOwner);

public sealed record ProjectDetails(
    Project Project, IReadOnlyList<ProjectMemberView> Members, int NetworkCount, IReadOnlyList<ShadowportChange> ShadowportHistory)
{
    public ProjectMemberView? Owner => Members.FirstOrDefault(m => m.IsOwner);
}

/// <summary>
/// The support console's actions. Every one requires a support engineer, checked against the database on each call
/// (the role as it is now, not as it was at sign-in); customers get Forbidden.
/// </summary>
public sealed class SupportService(
    IDbContextFactory<PortalDbContext> dbs, AuditService audit, ChangeFeed.ChangePublisher changes, TimeProvider clock)
{
    /// <summary>Projects whose id is <paramref name="query"/> exactly, or whose name contains it.</summary>
    public async Task<IReadOnlyList<ProjectFound>> SearchAsync(Actor actor, string query, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        await Access.RequireSupportAsync(db, actor, ct);
        var text = query.Trim();
        if (text.Length == 0) return [];
        var id = text.ToLowerInvariant();
        var pattern = "%" + Sql.EscapeLike(text) + "%";
        var projects = db.Projects.Where(p => p.Id == id || EF.Functions.ILike(p.Name, pattern, "\\"));
        return await (from p in projects
                      orderby p.Id == id descending, p.Name
                      select new ProjectFound(p.Id, p.Name,
                          (from m in db.ProjectMembers
                           join u in db.Users on m.UserId equals u.Id
                           where m.ProjectId == p.Id && m.IsOwner
                           select u.Email).FirstOrDefault(),
                          p.ShadowportEnabled))
            .Take(50).AsNoTracking().ToListAsync(ct);
    }

    public async Task<ProjectDetails> GetAsync(Actor actor, string projectId, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        await Access.RequireSupportAsync(db, actor, ct);
        var project = await db.Projects.AsNoTracking().FirstOrDefaultAsync(p => p.Id == projectId, ct)
                      ?? throw NeutronErrors.NotFound("Resource.Project", projectId);
        var members = await (from m in db.ProjectMembers
                             join u in db.Users on m.UserId equals u.Id
                             where m.ProjectId == projectId
                             orderby m.IsOwner descending, u.DisplayName
                             select new ProjectMemberView(u.Id, u.DisplayName, u.Email ?? u.UserName ?? "", m.IsOwner)).ToListAsync(ct);
        var networks = await db.Networks.CountAsync(n => n.ProjectId == projectId && !n.External, ct);
        var history = await db.ShadowportChanges.Where(c => c.ProjectId == projectId)
            .OrderByDescending(c => c.ChangedAt).ThenByDescending(c => c.Id).AsNoTracking().ToListAsync(ct);
        return new ProjectDetails(project, members, networks, history);
    }

    /// <summary>
    /// Turns shadowport on or off for a project, with the reason (a ticket number). Turning it off keeps the
    /// networks that already have services access; it only stops new ones.
    /// </summary>
    public async Task SetShadowportAsync(Actor actor, string projectId, bool enabled, string reason, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        await Access.RequireSupportAsync(db, actor, ct);
        var why = reason.Trim();
        if (why.Length == 0) throw NeutronErrors.InvalidInput("Shadowport.ReasonRequired", "reason");
        if (why.Length > 500) throw NeutronErrors.InvalidInput("Shadowport.ReasonTooLong", "reason", 500);
        var project = await db.Projects.FirstOrDefaultAsync(p => p.Id == projectId, ct)
                      ?? throw NeutronErrors.NotFound("Resource.Project", projectId);
        var now = clock.GetUtcNow();
        project.ShadowportEnabled = enabled;
        project.ShadowportChangedBy = actor.Name;
        project.ShadowportReason = why;
        project.ShadowportChangedAt = now;
        db.ShadowportChanges.Add(new ShadowportChange { ProjectId = projectId, Enabled = enabled, ChangedBy = actor.Name, ChangedAt = now, Reason = why });
        audit.Record(db, actor, projectId, enabled ? "shadowport.enable" : "shadowport.disable", "project", projectId, project.Name, why);
        await db.SaveChangesAsync(ct);
        changes.Changed(projectId, Tables.Projects);
    }
}
