namespace Portal.Data.Services;

/// <summary>
/// Who performs an action and from where: the signed-in user as the front end knows them. Services use it to
/// authorise role-bound actions and to write the audit trail.
/// </summary>
public sealed record Actor(string UserId, string Name, string? Address, bool IsSupport)
{
    /// <summary>The portal itself (seeding, the provisioning backend).</summary>
    public static readonly Actor System = new("", "system", null, false);
}
