namespace Portal.Data.Entities;

/// <summary>
/// A Keystone token revoked before it expired (<c>DELETE /v3/auth/tokens</c>), named by its audit id. Tokens are
/// stateless; this row is what tells every replica to refuse it. Rows past <see cref="ExpiresAt"/> are useless
/// (the token is refused anyway) and are purged.
/// </summary>
public class RevokedToken
{
    public string AuditId { get; set; } = "";

    public string UserId { get; set; } = "";

    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset RevokedAt { get; set; }
}
