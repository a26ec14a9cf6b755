using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Data.Entities;

namespace Portal.Data.Configurations;

public sealed class ClusterNodeConfiguration : IEntityTypeConfiguration<ClusterNode>
{
    public void Configure(EntityTypeBuilder<ClusterNode> b)
    {
        b.ToTable("cluster_nodes");
        b.Property(n => n.Id).HasDefaultValueSql("gen_random_uuid()");
        b.Property(n => n.Name).HasMaxLength(63);
        b.Property(n => n.Role).HasMaxLength(16);
        b.HasIndex(n => new { n.ClusterId, n.Name }).IsUnique();
        b.HasIndex(n => new { n.ClusterId, n.Role, n.Ordinal }).IsUnique();
        // Every agent call finds its node by credential.
        b.HasIndex(n => n.CredentialHash).IsUnique();
        b.Property(n => n.AgentVersion).HasMaxLength(64);
        b.Property(n => n.Pods).HasColumnType("jsonb").HasConversion(JsonColumn.Converter<NodePod>(), JsonColumn.Comparer<NodePod>()).HasDefaultValueSql("'[]'::jsonb");
        b.Property(n => n.CheckResults).HasColumnType("jsonb").HasConversion(JsonColumn.Converter<PodProbe>(), JsonColumn.Comparer<PodProbe>()).HasDefaultValueSql("'[]'::jsonb");
        // A node's port is the cluster's; deleting the port by hand is refused (system-owned), so no cascade here.
        b.HasOne<Port>().WithMany().HasForeignKey(n => n.PortId).OnDelete(DeleteBehavior.SetNull);
        // The migration adds the exclusion constraint that keeps node pod CIDRs of a cluster disjoint.
    }
}
