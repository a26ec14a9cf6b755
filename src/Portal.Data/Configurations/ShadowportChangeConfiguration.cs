using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Data.Entities;

namespace Portal.Data.Configurations;

public sealed class ShadowportChangeConfiguration : IEntityTypeConfiguration<ShadowportChange>
{
    public void Configure(EntityTypeBuilder<ShadowportChange> b)
    {
        b.ToTable("shadowport_changes", t => t.HasCheckConstraint("ck_shadowport_changes_reason", "length(btrim(reason)) > 0"));
        b.Property(c => c.ProjectId).HasMaxLength(32).IsFixedLength();
        b.Property(c => c.ChangedBy).HasMaxLength(256);
        b.Property(c => c.Reason).HasMaxLength(500);
        b.HasOne<Project>().WithMany().HasForeignKey(c => c.ProjectId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(c => new { c.ProjectId, c.ChangedAt });
    }
}
