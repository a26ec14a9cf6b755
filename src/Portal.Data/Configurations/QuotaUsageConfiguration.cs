using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Data.Entities;

namespace Portal.Data.Configurations;

public sealed class QuotaUsageConfiguration : IEntityTypeConfiguration<QuotaUsage>
{
    public void Configure(EntityTypeBuilder<QuotaUsage> b)
    {
        b.ToTable("quota_usages", t => t.HasCheckConstraint("ck_quota_usages_used", "used >= 0"));
        b.HasKey(q => new { q.ProjectId, q.Resource });
        b.Property(q => q.ProjectId).HasMaxLength(32).IsFixedLength();
        b.Property(q => q.Resource).HasMaxLength(32);
    }
}
