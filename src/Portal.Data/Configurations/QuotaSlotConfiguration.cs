using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Data.Entities;

namespace Portal.Data.Configurations;

public sealed class QuotaSlotConfiguration : IEntityTypeConfiguration<QuotaSlot>
{
    public void Configure(EntityTypeBuilder<QuotaSlot> b)
    {
        b.ToTable("quota_slots", t => t.HasCheckConstraint("ck_quota_slots_slot", "slot >= 1"));
        b.HasKey(s => new { s.ProjectId, s.Resource, s.Slot });
        b.Property(s => s.ProjectId).HasMaxLength(32).IsFixedLength();
        b.Property(s => s.Resource).HasMaxLength(32);
        b.HasOne<Quota>().WithMany().HasForeignKey(s => new { s.ProjectId, s.Resource }).OnDelete(DeleteBehavior.Cascade);
        // Free slots are found through this partial index; a held slot is found by its holder.
        b.HasIndex(s => new { s.ProjectId, s.Resource, s.Slot }).HasFilter("holder_id IS NULL").HasDatabaseName("ix_quota_slots_free");
        b.HasIndex(s => s.HolderId).IsUnique().HasFilter("holder_id IS NOT NULL");
    }
}
