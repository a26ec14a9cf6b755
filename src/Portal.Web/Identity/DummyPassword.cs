using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Portal.Data.Entities;

namespace Portal.Web.Identity;

/// <summary>
/// The hash a password is checked against when there is no user to check it against (an unknown name, a locked
/// account): every refusal of the token endpoint and the login form costs one password hash, as a wrong password
/// does, so how long the answer takes does not tell who has an account.
/// </summary>
public static class DummyPassword
{
    private static readonly PortalUser Nobody = new();
    private static string? s_hash;

    public static void Verify(IPasswordHasher<PortalUser> hasher, string password)
    {
        var hash = s_hash ??= hasher.HashPassword(Nobody, Convert.ToHexString(RandomNumberGenerator.GetBytes(16)));
        hasher.VerifyHashedPassword(Nobody, hash, password);
    }
}
