using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Data.Entities;

namespace Portal.Data.Configurations;

public sealed class QuotaConfiguration : IEntityTypeConfiguration<Quota>
{
    public void Configure(EntityTypeBuilder<Quota> b)
    {
        b.ToTable("quotas", t => t.HasCheckConstraint("ck_quotas_limit", "\"limit\" >= 0"));
        b.HasKey(q => new { q.ProjectId, q.Resource });
        b.Property(q => q.ProjectId).HasMaxLength(32).IsFixedLength();
        b.Property(q => q.Resource).HasMaxLength(32);
    }
}
