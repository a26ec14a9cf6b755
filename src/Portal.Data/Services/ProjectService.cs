using Microsoft.EntityFrameworkCore;
using Portal.Core.Errors;
using Portal.Data.Entities;
using Portal.Data.Store;

namespace Portal.Data.Services;

public sealed record QuotaView(string Resource, int Limit, int Used)
{
    public bool Exhausted => Used >= Limit;
}

/// <summary>Projects and their quotas.</summary>
/// <remarks>
/// Creating a project, its members and its limits is support's (or the portal's own seeding, <see cref="Actor.System"/>):
/// each is checked against the role as it is now, and a support engineer's is recorded in the project's trail, as a
/// customer's changes are (the seeding leaves no entry: <see cref="Record"/>).
/// </remarks>
public sealed class ProjectService(
    IDbContextFactory<PortalDbContext> dbs, AuditService audit, ChangeFeed.ChangePublisher changes, TimeProvider clock)
{
    /// <summary>The highest limit support can set: more than a project can use, low enough to stay a quota.</summary>
    public const int MaxQuotaLimit = 1_000_000;

    /// <summary>What a limit must be; also what a form says when what was typed is not a number it can hold.</summary>
    public static NeutronException LimitOutOfRange() => NeutronErrors.InvalidInput("Quota.LimitRange", "limit", MaxQuotaLimit);

    /// <summary>Creates the project with default quotas, or returns it if it exists.</summary>
    public async Task<Project> EnsureAsync(Actor actor, string id, string name, CancellationToken ct = default)
    {
        if (!System.Text.RegularExpressions.Regex.IsMatch(id, "^[0-9a-f]{32}$"))
            throw new ArgumentException("A project id is 32 lowercase hex characters.", nameof(id));
        await using var db = await dbs.CreateDbContextAsync(ct);
        await Access.RequireSupportAsync(db, actor, ct);
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
        Record(db, actor, id, "project.create", "project", id, name, at: project.CreatedAt);
        await db.SaveChangesAsync(ct);
        foreach (var (resource, limit) in Quotas.Defaults) await ProjectStore.SetQuotaAsync(db, id, resource, limit, ct);
        await tx.CommitAsync(ct);
        return project;
    }

    /// <summary>A project, to one of its members (or support); anyone else is told it does not exist.</summary>
    public async Task<Project> GetAsync(Actor actor, string id, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        await RequireMemberOrSupportAsync(db, actor, id, ct);
        return await db.Projects.AsNoTracking().FirstOrDefaultAsync(p => p.Id == id, ct)
               ?? throw NeutronErrors.NotFound("Resource.Project", id);
    }

    /// <summary>
    /// Limits, and usage: the sum of the quota's shares, which count the existing resources; in <see cref="Quotas.All"/>'s order.
    /// </summary>
    public async Task<IReadOnlyList<QuotaView>> GetQuotasAsync(Actor actor, string projectId, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        await RequireMemberOrSupportAsync(db, actor, projectId, ct);
        var used = await db.QuotaShares.Where(s => s.ProjectId == projectId)
            .GroupBy(s => s.Resource).Select(g => new { g.Key, Used = g.Sum(s => s.Used) })
            .ToDictionaryAsync(g => g.Key, g => g.Used, ct);
        var limits = await db.Quotas.Where(q => q.ProjectId == projectId).AsNoTracking().ToListAsync(ct);
        return limits.OrderBy(q => Quotas.All.IndexOf(q.Resource))
            .Select(q => new QuotaView(q.Resource, q.Limit, used.GetValueOrDefault(q.Resource))).ToList();
    }

    /// <summary>One resource's limit and usage (a page that needs one quota need not count the others).</summary>
    public async Task<QuotaView?> GetQuotaAsync(Actor actor, string projectId, string resource, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        await RequireMemberOrSupportAsync(db, actor, projectId, ct);
        var limit = await db.Quotas.Where(q => q.ProjectId == projectId && q.Resource == resource).Select(q => (int?)q.Limit).FirstOrDefaultAsync(ct);
        if (limit is null) return null;
        var used = await db.QuotaShares.Where(s => s.ProjectId == projectId && s.Resource == resource).SumAsync(s => s.Used, ct);
        return new QuotaView(resource, limit.Value, used);
    }

    /// <summary>
    /// Sets a limit (support). Lowering it below the usage blocks new resources; existing ones stay. The trail records
    /// the limit before and after; setting the limit it has records nothing. A <c>long</c>, so that whatever a form or a
    /// client sends is refused here with the range, not cut short on the way.
    /// </summary>
    public async Task SetQuotaAsync(Actor actor, string projectId, string resource, long limit, CancellationToken ct = default)
    {
        if (!Quotas.Defaults.ContainsKey(resource)) throw NeutronErrors.InvalidInput("Quota.UnknownResource", "resource", resource);
        if (limit is < 0 or > MaxQuotaLimit) throw LimitOutOfRange();
        await using var db = await dbs.CreateDbContextAsync(ct);
        await Access.RequireSupportAsync(db, actor, ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var project = await db.Projects.AsNoTracking().FirstOrDefaultAsync(p => p.Id == projectId, ct)
                      ?? throw NeutronErrors.NotFound("Resource.Project", projectId);
        var quota = await db.Quotas.FirstOrDefaultAsync(q => q.ProjectId == projectId && q.Resource == resource, ct)
                    ?? throw NeutronErrors.NotFound("Resource.Project", projectId);
        if (quota.Limit == limit) return;
        var changed = new ChangeAuditDetails.Builder().Add("quota." + resource, quota.Limit, (int)limit).Build();
        quota.Limit = (int)limit;
        Record(db, actor, projectId, "quota.update", "project", projectId, project.Name, changed.ToJson());
        await db.SaveChangesAsync(ct);
        await ProjectStore.SetQuotaAsync(db, projectId, resource, (int)limit, ct);
        await tx.CommitAsync(ct);
        changes.Changed(projectId, Tables.Projects);
    }

    /// <summary>The projects a user is a member of, by name.</summary>
    public async Task<IReadOnlyList<Project>> ListForUserAsync(string userId, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        return await (from m in db.ProjectMembers
                      join p in db.Projects on m.ProjectId equals p.Id
                      where m.UserId == userId
                      orderby p.Name, p.Id
                      select p).AsNoTracking().ToListAsync(ct);
    }

    /// <summary>Whether the user is a member of the project: the scope of everything they may see and change.</summary>
    public async Task<bool> IsMemberAsync(string userId, string projectId, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        return await db.ProjectMembers.AnyAsync(m => m.UserId == userId && m.ProjectId == projectId, ct);
    }

    /// <summary>Remembers the project the user chose in the header; only one of their own projects.</summary>
    public async Task SetCurrentAsync(string userId, string projectId, CancellationToken ct = default)
    {
        if (!await IsMemberAsync(userId, projectId, ct)) throw NeutronErrors.NotFound("Resource.Project", projectId);
        await using var db = await dbs.CreateDbContextAsync(ct);
        await db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(u => u.SetProperty(x => x.CurrentProjectId, projectId), ct);
    }

    /// <summary>The project pages work in: the user's last choice while they are still a member, else their first.</summary>
    public async Task<Project?> CurrentForUserAsync(string userId, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var chosen = await db.Users.Where(u => u.Id == userId).Select(u => u.CurrentProjectId).FirstOrDefaultAsync(ct);
        var mine = from m in db.ProjectMembers join p in db.Projects on m.ProjectId equals p.Id where m.UserId == userId select p;
        return await mine.OrderBy(p => p.Id != chosen).ThenBy(p => p.Name).ThenBy(p => p.Id).AsNoTracking().FirstOrDefaultAsync(ct);
    }

    /// <summary>Members see their project; support sees any (the support console shows a project's details and trail).</summary>
    internal static async Task RequireMemberOrSupportAsync(PortalDbContext db, Actor actor, string projectId, CancellationToken ct)
    {
        if (!await Access.IsMemberAsync(db, actor, projectId, ct) && !await Access.IsSupportAsync(db, actor, ct))
            throw Access.ProjectNotFound(projectId);
    }

    /// <summary>Makes the user a member of the project (the owner when <paramref name="owner"/>), if not already (support).</summary>
    public async Task AddMemberAsync(Actor actor, string projectId, string userId, bool owner, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        await Access.RequireSupportAsync(db, actor, ct);
        if (await db.ProjectMembers.AnyAsync(m => m.UserId == userId && m.ProjectId == projectId, ct)) return;
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == userId, ct)
                   ?? throw NeutronErrors.NotFound("Resource.User", userId);
        if (!await db.Projects.AnyAsync(p => p.Id == projectId, ct)) throw NeutronErrors.NotFound("Resource.Project", projectId);
        var now = clock.GetUtcNow();
        db.ProjectMembers.Add(new ProjectMember { ProjectId = projectId, UserId = userId, IsOwner = owner, AddedAt = now });
        Record(db, actor, projectId, owner ? "member.add_owner" : "member.add", "user", userId, EmailOf(user), at: now);
        await db.SaveChangesAsync(ct);
        MembersChanged(projectId, userId);
    }

    /// <summary>
    /// Takes a member out of the project (support). The owner stays: a project always has someone who answers for it.
    /// Their open pages and tokens lose the project at once (every call checks membership).
    /// </summary>
    public async Task RemoveMemberAsync(Actor actor, string projectId, string userId, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        await Access.RequireSupportAsync(db, actor, ct);
        var member = await db.ProjectMembers.FirstOrDefaultAsync(m => m.UserId == userId && m.ProjectId == projectId, ct)
                     ?? throw NeutronErrors.NotFound("Resource.Member", userId);
        if (member.IsOwner) throw NeutronErrors.Conflict("Member.OwnerStays", null);
        var user = await db.Users.AsNoTracking().FirstAsync(u => u.Id == userId, ct);
        db.ProjectMembers.Remove(member);
        Record(db, actor, projectId, "member.remove", "user", userId, EmailOf(user));
        await db.SaveChangesAsync(ct);
        MembersChanged(projectId, userId);
    }

    /// <summary>Support's acts go into the project's trail; the portal's own seeding is not a person's act and leaves none.</summary>
    private void Record(PortalDbContext db, Actor actor, string projectId, string action, string objectType, string objectId,
        string objectName, string details = "", DateTimeOffset? at = null)
    {
        if (!actor.IsSystem) audit.Record(db, actor, projectId, action, objectType, objectId, objectName, details, at);
    }

    private static string EmailOf(PortalUser user) => user.Email ?? user.UserName ?? "";

    /// <summary>Who belongs to a project is the project's state; the member's own pages list their projects in the header.</summary>
    private void MembersChanged(string projectId, string userId)
    {
        changes.Changed(projectId, Tables.Projects);
        changes.Changed(ChangeFeed.ChangeFeed.UserScope(userId), Tables.Projects);
    }
}
