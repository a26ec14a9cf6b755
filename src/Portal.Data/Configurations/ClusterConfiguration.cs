using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Data.Entities;

namespace Portal.Data.Configurations;

public sealed class ClusterConfiguration : IEntityTypeConfiguration<Cluster>
{
    public void Configure(EntityTypeBuilder<Cluster> b)
    {
        b.ToTable(t =>
        {
            t.HasCheckConstraint("ck_clusters_masters", "masters IN (1, 3)");
            t.HasCheckConstraint("ck_clusters_workers", "workers BETWEEN 1 AND 100");
            t.HasCheckConstraint("ck_clusters_cidrs_disjoint", "NOT (pod_cidr && service_cidr)");
        });
        b.Property(c => c.Id).HasDefaultValueSql("gen_random_uuid()");
        b.Property(c => c.ProjectId).HasMaxLength(32).IsFixedLength();
        b.Property(c => c.Name).HasMaxLength(63);
        b.Property(c => c.KubernetesVersion).HasMaxLength(32);
        b.Property(c => c.Flavor).HasMaxLength(64);
        b.Property(c => c.Phase).HasMaxLength(32);
        b.Property(c => c.FailureKey).HasMaxLength(128);
        b.Property(c => c.CreatedBy).HasMaxLength(256);
        b.Property(c => c.JoinToken).HasMaxLength(64);
        b.HasIndex(c => c.JoinToken).IsUnique();
        b.HasOne<Project>().WithMany().HasForeignKey(c => c.ProjectId).OnDelete(DeleteBehavior.Restrict);
        // No foreign key to the network or subnet: the cluster's ports hold them (NetworkInUse names them), and the
        // workflow deletes an automatic network while a worker holds the cluster's row, which a key check would wait for.
        b.HasIndex(c => new { c.ProjectId, c.Name }).IsUnique();
        // The workers' queue: clusters with a step to take, by when it is due.
        b.HasIndex(c => c.NextAttemptAt).HasFilter("phase NOT IN ('Running', 'Failed') OR delete_requested");
        b.HasMany(c => c.Nodes).WithOne().HasForeignKey(n => n.ClusterId).OnDelete(DeleteBehavior.Cascade);
    }
}
