using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Data.Entities;

namespace Portal.Data.Configurations;

public sealed class RevokedTokenConfiguration : IEntityTypeConfiguration<RevokedToken>
{
    public void Configure(EntityTypeBuilder<RevokedToken> b)
    {
        b.ToTable("revoked_tokens");
        b.HasKey(t => t.AuditId);
        b.Property(t => t.AuditId).HasMaxLength(22);
        b.Property(t => t.UserId).HasMaxLength(450);
        // No foreign key to users: a deleted user's tokens are refused anyway, and the row goes when it expires.
        b.HasIndex(t => t.ExpiresAt);
    }
}
