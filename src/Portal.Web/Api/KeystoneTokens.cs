using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Npgsql;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Web.Identity;

namespace Portal.Web.Api;

/// <summary>
/// What a Keystone token carries: who (with the security stamp they had when it was issued), in which project,
/// its audit id (what revocation names) and when it was issued and expires.
/// </summary>
public sealed record KeystoneToken(
    string UserId, string UserName, string SecurityStamp, string ProjectId, string ProjectName, string AuditId,
    DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt);

/// <summary>What a token may still do, as the database said at most <see cref="AccessOptions.RecheckInterval"/> ago.</summary>
public sealed record TokenRights(bool Valid, bool IsSupport)
{
    public static readonly TokenRights None = new(false, false);
}

/// <summary>
/// Stateless tokens: the payload protected with ASP.NET Core Data Protection (purpose "Portal.Keystone", keys in
/// PostgreSQL), time-limited to <see cref="Lifetime"/>. A token works only while its user still exists, is not
/// locked out, has the security stamp the token was issued with (a password change makes a new one), is a member of
/// the token's project and has not revoked it. That is one query over primary keys, remembered per token for
/// <see cref="AccessOptions.RecheckInterval"/> (a small, capped cache), so a change reaches a token that late at most.
/// </summary>
public sealed class KeystoneTokens(
    IDataProtectionProvider provider, IDbContextFactory<PortalDbContext> dbs, IOptions<AccessOptions> access, TimeProvider clock)
    : IDisposable
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(8);

    /// <summary>Tokens whose check is remembered at once; beyond it a token is checked on each request until room is made.</summary>
    private const int CacheSize = 10_000;

    private readonly ITimeLimitedDataProtector _protector = provider.CreateProtector("Portal.Keystone").ToTimeLimitedDataProtector();
    private readonly MemoryCache _checked = new(new MemoryCacheOptions { SizeLimit = CacheSize });

    public string Issue(KeystoneToken token) => _protector.Protect(JsonSerializer.Serialize(token), token.ExpiresAt);

    public KeystoneToken NewToken(PortalUser user, Project project)
    {
        var issued = clock.GetUtcNow();
        return new KeystoneToken(user.Id, user.UserName ?? user.Email ?? user.Id, user.SecurityStamp ?? "", project.Id, project.Name,
            NewAuditId(), issued, issued + Lifetime);
    }

    /// <summary>Keystone's audit ids: 16 random bytes, URL-safe base64 without padding.</summary>
    private static string NewAuditId() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The token's payload when it is ours and has not expired; says nothing about its user's rights.</summary>
    public KeystoneToken? Read(string token)
    {
        if (token.Length == 0) return null;
        try
        {
            var json = _protector.Unprotect(token, out var expires);
            if (expires <= clock.GetUtcNow()) return null;
            return JsonSerializer.Deserialize<KeystoneToken>(json) is { AuditId.Length: > 0, SecurityStamp.Length: > 0 } read ? read : null;
        }
        catch (Exception e) when (e is CryptographicException or FormatException or JsonException)
        {
            return null;
        }
    }

    /// <summary>The token's rights now (or at most <see cref="AccessOptions.RecheckInterval"/> ago).</summary>
    public async Task<TokenRights> CheckAsync(KeystoneToken token, CancellationToken ct)
    {
        if (_checked.TryGetValue(token.AuditId, out TokenRights? known) && known is not null) return known;
        var rights = await QueryAsync(token, ct);
        _checked.Set(token.AuditId, rights, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = access.Value.RecheckInterval });
        return rights;
    }

    private async Task<TokenRights> QueryAsync(KeystoneToken token, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow();
        var user = await db.Users.Where(u => u.Id == token.UserId).Select(u => new
        {
            u.SecurityStamp,
            // Identity's own rule (UserManager.IsLockedOutAsync): locked while lockout_end has not passed.
            Locked = u.LockoutEnabled && u.LockoutEnd != null && u.LockoutEnd >= now,
            Member = db.ProjectMembers.Any(m => m.ProjectId == token.ProjectId && m.UserId == u.Id),
            Support = db.UserRoles.Any(r => r.UserId == u.Id && db.Roles.Any(role => role.Id == r.RoleId && role.Name == Roles.Support)),
            Revoked = db.RevokedTokens.Any(t => t.AuditId == token.AuditId),
        }).AsNoTracking().FirstOrDefaultAsync(ct);
        if (user is null || user.Locked || !user.Member || user.Revoked || user.SecurityStamp != token.SecurityStamp) return TokenRights.None;
        return new TokenRights(true, user.Support);
    }

    /// <summary>
    /// Revokes the token on every replica: this one refuses it at once, the others when they next check it (within
    /// <see cref="AccessOptions.RecheckInterval"/>). Revocations of expired tokens are purged on the way.
    /// </summary>
    public async Task RevokeAsync(KeystoneToken token, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow();
        await db.RevokedTokens.Where(t => t.ExpiresAt < now).ExecuteDeleteAsync(ct);
        db.RevokedTokens.Add(new RevokedToken { AuditId = token.AuditId, UserId = token.UserId, ExpiresAt = token.ExpiresAt, RevokedAt = now });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            // Revoked by a request racing this one: the same outcome.
        }
        _checked.Remove(token.AuditId);
    }

    public void Dispose() => _checked.Dispose();
}
