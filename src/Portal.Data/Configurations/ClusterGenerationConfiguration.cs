using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Data.Entities;

namespace Portal.Data.Configurations;

public sealed class ClusterGenerationConfiguration : IEntityTypeConfiguration<ClusterGeneration>
{
    public void Configure(EntityTypeBuilder<ClusterGeneration> b)
    {
        b.ToTable("cluster_generations");
        b.HasKey(g => g.ClusterId);
        b.HasOne<Cluster>().WithOne().HasForeignKey<ClusterGeneration>(g => g.ClusterId).OnDelete(DeleteBehavior.Cascade);
    }
}
