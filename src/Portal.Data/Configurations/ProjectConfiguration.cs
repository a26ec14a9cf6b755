using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Data.Entities;

namespace Portal.Data.Configurations;

public sealed class ProjectConfiguration : IEntityTypeConfiguration<Project>
{
    public void Configure(EntityTypeBuilder<Project> b)
    {
        b.Property(p => p.Id).HasMaxLength(32).IsFixedLength();
        b.ToTable(t => t.HasCheckConstraint("ck_projects_id_hex", "id ~ '^[0-9a-f]{32}$'"));
        b.Property(p => p.Name).HasMaxLength(255);
        b.Property(p => p.ShadowportChangedBy).HasMaxLength(255);
        b.Property(p => p.ShadowportReason).HasMaxLength(1000);
        b.Property(p => p.Version).IsRowVersion();
        b.HasMany(p => p.Quotas).WithOne().HasForeignKey(q => q.ProjectId).OnDelete(DeleteBehavior.Cascade);
    }
}
