using Microsoft.EntityFrameworkCore;
using Portal.Core.Errors;
using Portal.Data.Entities;

namespace Portal.Data.Services;

/// <summary>
/// The services' authorisation, read from the database on every call (DESIGN.md §3: the services authorise), so a
/// user removed from a project or from the support role loses access at their next click or request, whatever front
/// end they use. Each check is one lookup by primary key (project_members) or by the user's index (user_roles).
/// </summary>
internal static class Access
{
    /// <summary>Whether the actor may see and change the project's objects.</summary>
    public static async Task<bool> IsMemberAsync(PortalDbContext db, Actor actor, string projectId, CancellationToken ct) =>
        actor.IsSystem || await db.ProjectMembers.AnyAsync(m => m.ProjectId == projectId && m.UserId == actor.UserId, ct);

    /// <summary>
    /// Refuses a non-member as if the project did not exist: <paramref name="refusal"/> is the not-found error the
    /// call gives for an object of another project, so nothing tells a former member what is still there.
    /// </summary>
    public static async Task RequireMemberAsync(PortalDbContext db, Actor actor, string projectId, Func<NeutronException> refusal,
        CancellationToken ct)
    {
        if (!await IsMemberAsync(db, actor, projectId, ct)) throw refusal();
    }

    /// <summary>Refuses a non-member with the project's not-found error (lists and creations).</summary>
    public static Task RequireMemberAsync(PortalDbContext db, Actor actor, string projectId, CancellationToken ct) =>
        RequireMemberAsync(db, actor, projectId, () => ProjectNotFound(projectId), ct);

    public static NeutronException ProjectNotFound(string projectId) => NeutronErrors.NotFound("Resource.Project", projectId);

    /// <summary>Whether the actor holds the support role now.</summary>
    public static async Task<bool> IsSupportAsync(PortalDbContext db, Actor actor, CancellationToken ct) =>
        actor.IsSystem || await db.UserRoles.AnyAsync(
            ur => ur.UserId == actor.UserId && db.Roles.Any(r => r.Id == ur.RoleId && r.Name == Roles.Support), ct);

    public static async Task RequireSupportAsync(PortalDbContext db, Actor actor, CancellationToken ct)
    {
        if (!await IsSupportAsync(db, actor, ct)) throw NeutronErrors.Forbidden("Forbidden.SupportOnly");
    }
}
