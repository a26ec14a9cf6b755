using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Data.Entities;

namespace Portal.Data.Configurations;

public sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> b)
    {
        b.ToTable("audit_entries");
        b.Property(e => e.ProjectId).HasMaxLength(32).IsFixedLength();
        b.Property(e => e.Actor).HasMaxLength(256);
        b.Property(e => e.Address).HasMaxLength(64);
        b.Property(e => e.Action).HasMaxLength(64);
        b.Property(e => e.ObjectType).HasMaxLength(32);
        b.Property(e => e.ObjectId).HasMaxLength(64);
        b.Property(e => e.ObjectName).HasMaxLength(255);
        b.Property(e => e.Details).HasMaxLength(1000);
        // The trail outlives what it describes: no foreign key to the project or the object.
        b.HasIndex(e => new { e.ProjectId, e.At });
    }
}
