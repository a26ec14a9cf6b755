using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Data.Entities;

namespace Portal.Data.Configurations;

public sealed class QuotaShareConfiguration : IEntityTypeConfiguration<QuotaShare>
{
    public void Configure(EntityTypeBuilder<QuotaShare> b)
    {
        b.ToTable("quota_shares", t =>
        {
            t.HasCheckConstraint("ck_quota_shares_share", $"share >= 0 AND share < {QuotaShare.Count}");
            t.HasCheckConstraint("ck_quota_shares_counts", "cap >= 0 AND used >= 0");
        });
        b.HasKey(s => new { s.ProjectId, s.Resource, s.Share });
        b.Property(s => s.ProjectId).HasMaxLength(32).IsFixedLength();
        b.Property(s => s.Resource).HasMaxLength(32);
        b.HasOne<Quota>().WithMany().HasForeignKey(s => new { s.ProjectId, s.Resource }).OnDelete(DeleteBehavior.Cascade);
        // Room on every page for the new versions of the counters: their updates stay HOT (no index is touched).
        b.HasStorageParameter("fillfactor", 50);
    }
}
