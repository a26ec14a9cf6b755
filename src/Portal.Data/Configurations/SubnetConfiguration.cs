using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Data.Entities;

namespace Portal.Data.Configurations;

/// <summary>
/// The overlap backstop (a GiST exclusion constraint on network_id and cidr) cannot be expressed in the
/// model; it is raw SQL in the initial migration.
/// </summary>
public sealed class SubnetConfiguration : IEntityTypeConfiguration<Subnet>
{
    public void Configure(EntityTypeBuilder<Subnet> b)
    {
        b.ToTable(t =>
        {
            t.HasCheckConstraint("ck_subnets_ip_version", "ip_version = family(cidr)");
            t.HasCheckConstraint("ck_subnets_ipv6_modes",
                "(ipv6_ra_mode IS NULL OR ipv6_ra_mode IN ('slaac', 'dhcpv6-stateful', 'dhcpv6-stateless'))"
                + " AND (ipv6_address_mode IS NULL OR ipv6_address_mode IN ('slaac', 'dhcpv6-stateful', 'dhcpv6-stateless'))"
                + " AND (ip_version = 6 OR (ipv6_ra_mode IS NULL AND ipv6_address_mode IS NULL))");
        });
        b.Property(s => s.Ipv6RaMode).HasColumnName("ipv6_ra_mode").HasMaxLength(16);
        b.Property(s => s.Ipv6AddressMode).HasColumnName("ipv6_address_mode").HasMaxLength(16);
        b.Property(s => s.Id).HasDefaultValueSql("gen_random_uuid()");
        b.Property(s => s.ProjectId).HasMaxLength(32).IsFixedLength();
        b.Property(s => s.Name).HasMaxLength(255);
        b.Property(s => s.Description).HasMaxLength(1024).HasDefaultValue("");
        b.Property(s => s.Cidr).HasColumnType("cidr");
        b.Property(s => s.GatewayIp).HasColumnType("inet");
        b.Property(s => s.DnsNameservers).HasColumnType("inet[]");
        b.Property(s => s.Version).IsRowVersion();
        b.Property(x => x.RevisionNumber).HasDefaultValue(1L).ValueGeneratedOnAddOrUpdate();
        b.Property(x => x.Tags).HasColumnType("text[]").HasDefaultValueSql("'{}'::text[]");
        b.HasOne<Project>().WithMany().HasForeignKey(s => s.ProjectId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(s => s.ProjectId);
        b.HasMany(s => s.AllocationPools).WithOne().HasForeignKey(p => p.SubnetId).OnDelete(DeleteBehavior.Cascade);
        b.HasMany(s => s.HostRoutes).WithOne().HasForeignKey(r => r.SubnetId).OnDelete(DeleteBehavior.Cascade);
    }
}
