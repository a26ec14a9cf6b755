namespace Portal.Data.Services;

/// <summary>
/// Who performs an action and from where: the signed-in user as the front end knows them. Services use it to
/// authorise role-bound actions and to write the audit trail.
/// </summary>
/// <remarks>
/// Where a service takes <c>Actor? actor = null</c>, null means <see cref="System"/>: that default is for the
/// portal's own callers (seeding, the backend, tests). Front ends always pass the signed-in user's actor.
/// </remarks>
public sealed record Actor(string UserId, string Name, string? Address, bool IsSupport)
{
    /// <summary>The portal itself (seeding, the provisioning backend).</summary>
    public static readonly Actor System = new("", "system", null, false);
}
