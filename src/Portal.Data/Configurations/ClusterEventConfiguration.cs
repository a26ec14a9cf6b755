using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Data.Entities;

namespace Portal.Data.Configurations;

public sealed class ClusterEventConfiguration : IEntityTypeConfiguration<ClusterEvent>
{
    public void Configure(EntityTypeBuilder<ClusterEvent> b)
    {
        b.ToTable("cluster_events");
        b.Property(e => e.Phase).HasMaxLength(32);
        b.Property(e => e.MessageKey).HasMaxLength(128);
        b.HasOne<Cluster>().WithMany().HasForeignKey(e => e.ClusterId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(e => new { e.ClusterId, e.Id });
    }
}
