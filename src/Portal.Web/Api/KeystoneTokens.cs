using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;

namespace Portal.Web.Api;

/// <summary>What a Keystone token carries: who, in which project, with which role.</summary>
public sealed record KeystoneToken(string UserId, string UserName, string ProjectId, string ProjectName, bool IsSupport, string AuditId);

/// <summary>
/// Stateless tokens: the payload protected with ASP.NET Core Data Protection (purpose "Portal.Keystone"),
/// time-limited to <see cref="Lifetime"/>. Nothing is stored; a token cannot be revoked before it expires,
/// but every request still checks that the user is a member of the token's project.
/// </summary>
public sealed class KeystoneTokens(IDataProtectionProvider provider, TimeProvider clock)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(8);

    private readonly ITimeLimitedDataProtector _protector = provider.CreateProtector("Portal.Keystone").ToTimeLimitedDataProtector();

    public (string Token, DateTimeOffset ExpiresAt) Issue(KeystoneToken token)
    {
        var expires = clock.GetUtcNow() + Lifetime;
        return (_protector.Protect(JsonSerializer.Serialize(token), expires), expires);
    }

    public KeystoneToken? Read(string token)
    {
        try
        {
            var json = _protector.Unprotect(token, out var expires);
            if (expires <= clock.GetUtcNow()) return null;
            return JsonSerializer.Deserialize<KeystoneToken>(json);
        }
        catch (Exception e) when (e is CryptographicException or FormatException or JsonException)
        {
            return null;
        }
    }
}
