using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Data.Entities;

namespace Portal.Data.Configurations;

public sealed class AllocationPoolConfiguration : IEntityTypeConfiguration<AllocationPool>
{
    public void Configure(EntityTypeBuilder<AllocationPool> b)
    {
        b.ToTable("allocation_pools", t => t.HasCheckConstraint("ck_allocation_pools_order", "first_ip <= last_ip AND family(first_ip) = family(last_ip)"));
        b.Property(p => p.Id).HasDefaultValueSql("gen_random_uuid()");
        b.Property(p => p.FirstIp).HasColumnType("inet");
        b.Property(p => p.LastIp).HasColumnType("inet");
        b.HasIndex(p => new { p.SubnetId, p.FirstIp });
    }
}
