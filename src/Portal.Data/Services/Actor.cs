namespace Portal.Data.Services;

/// <summary>
/// Who performs an action and from where: the signed-in user as the front end knows them (the cookie's or the
/// token's user, the request's address). Every service call takes one, and checks against the database that this
/// user is still a member of the project (and holds the support role for support actions) before doing anything;
/// it is also who the audit trail names.
/// </summary>
/// <remarks>
/// <see cref="IsSupport"/> is what the sign-in said when it was made: enough to choose which menus to show, never
/// trusted by a service. Only <see cref="System"/> (seeding, the provisioning backend) skips the checks; no value a
/// front end builds from a user's claims can be it.
/// </remarks>
public sealed record Actor(string UserId, string Name, string? Address, bool IsSupport)
{
    /// <summary>True only for <see cref="System"/> (and copies made of it with <c>with</c>).</summary>
    public bool IsSystem { get; private init; }

    /// <summary>The portal itself (seeding, the provisioning backend): not bound to any project.</summary>
    public static readonly Actor System = new("", "system", null, false) { IsSystem = true };
}
