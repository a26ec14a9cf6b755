namespace Portal.Web.Identity;

/// <summary>
/// How soon a change to a user's rights reaches the sessions they have open (<c>Portal:Auth</c>). A lockout, a new
/// password or security stamp, a deleted account, a removed role or membership: API tokens are refused, sign-in
/// cookies rejected and open Blazor tabs signed out (or lose the role) at most this long after the change.
/// </summary>
public sealed class AccessOptions
{
    public const string Section = "Portal:Auth";

    /// <summary>At most a minute (DESIGN: access ends within 60 s); tests make it short.</summary>
    public static readonly TimeSpan MaxRecheckInterval = TimeSpan.FromMinutes(1);

    public TimeSpan RecheckInterval { get; set; } = TimeSpan.FromSeconds(30);
}
