using Microsoft.AspNetCore.Identity;

namespace Portal.Data.Entities;

/// <summary>A person who signs in: a customer (member of projects) or a support engineer (role <see cref="Roles.Support"/>).</summary>
public class PortalUser : IdentityUser
{
    public string DisplayName { get; set; } = "";

    /// <summary>The project the header's selector last chose; pages work in it while the user stays a member.</summary>
    public string? CurrentProjectId { get; set; }
}

public static class Roles
{
    public const string Support = "support";
}
