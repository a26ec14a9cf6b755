using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Data.Entities;

namespace Portal.Data.Configurations;

public sealed class NetworkConfiguration : IEntityTypeConfiguration<Network>
{
    public void Configure(EntityTypeBuilder<Network> b)
    {
        b.ToTable(t =>
        {
            t.HasCheckConstraint("ck_networks_mtu", "mtu BETWEEN 68 AND 9000");
            t.HasCheckConstraint("ck_networks_services_access", "NOT (services_access AND internet_access)");
        });
        b.Property(n => n.Id).HasDefaultValueSql("gen_random_uuid()");
        b.Property(n => n.ProjectId).HasMaxLength(32).IsFixedLength();
        b.Property(n => n.Name).HasMaxLength(255);
        b.Property(n => n.Description).HasMaxLength(1024);
        // true is the default and the "not set" value alike, so that false is always written.
        b.Property(n => n.PortSecurityEnabled).HasDefaultValue(true).HasSentinel(true);
        b.Property(n => n.Status).HasMaxLength(16);
        b.Property(n => n.Version).IsRowVersion();
        b.Property(x => x.RevisionNumber).HasDefaultValue(1L).ValueGeneratedOnAddOrUpdate();
        b.Property(x => x.Tags).HasColumnType("text[]").HasDefaultValueSql("'{}'::text[]");
        b.HasOne<Project>().WithMany().HasForeignKey(n => n.ProjectId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(n => new { n.ProjectId, n.Name });
        // No foreign key to the cluster: the workflow deletes the cluster row after the network it created.
        b.HasIndex(n => n.OwnerClusterId).HasFilter("owner_cluster_id IS NOT NULL");
        b.HasMany(n => n.Subnets).WithOne(s => s.Network).HasForeignKey(s => s.NetworkId).OnDelete(DeleteBehavior.Restrict);
    }
}
