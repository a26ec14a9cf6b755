using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Data.Entities;

namespace Portal.Data.Configurations;

/// <summary>The unique (network_id, mac_address) backstop is raw SQL in the initial migration (see <see cref="IpAllocationConfiguration"/>).</summary>
public sealed class PortConfiguration : IEntityTypeConfiguration<Port>
{
    public void Configure(EntityTypeBuilder<Port> b)
    {
        b.Property(p => p.Id).HasDefaultValueSql("gen_random_uuid()");
        b.Property(p => p.ProjectId).HasMaxLength(32).IsFixedLength();
        b.Property(p => p.Name).HasMaxLength(255);
        b.Property(p => p.Description).HasMaxLength(1024).HasDefaultValue("");
        b.Property(p => p.MacAddress).HasColumnType("macaddr");
        b.Property(p => p.DeviceOwner).HasMaxLength(64);
        b.Property(p => p.DeviceId).HasMaxLength(255);
        b.Property(p => p.DnsName).HasMaxLength(255);
        b.Property(p => p.Status).HasMaxLength(16);
        // true is the default and the "not set" value alike, so that false is always written.
        b.Property(p => p.PortSecurityEnabled).HasDefaultValue(true).HasSentinel(true);
        b.Property(p => p.AllowedAddressPairs).HasColumnType("jsonb")
            .HasConversion(JsonColumn.Converter<Portal.Core.Ip.AddressPair>(), JsonColumn.Comparer<Portal.Core.Ip.AddressPair>()).HasDefaultValueSql("'[]'::jsonb");
        b.Property(p => p.ExtraDhcpOpts).HasColumnType("jsonb")
            .HasConversion(JsonColumn.Converter<Portal.Core.Ip.DhcpOption>(), JsonColumn.Comparer<Portal.Core.Ip.DhcpOption>()).HasDefaultValueSql("'[]'::jsonb");
        b.Property(p => p.Version).IsRowVersion();
        b.Property(x => x.RevisionNumber).HasDefaultValue(1L).ValueGeneratedOnAddOrUpdate();
        b.Property(x => x.Tags).HasColumnType("text[]").HasDefaultValueSql("'{}'::text[]");
        b.HasOne<Project>().WithMany().HasForeignKey(p => p.ProjectId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne(p => p.Network).WithMany().HasForeignKey(p => p.NetworkId).OnDelete(DeleteBehavior.Restrict);
        b.HasMany(p => p.FixedIps).WithOne().HasForeignKey(a => a.PortId).OnDelete(DeleteBehavior.Cascade);
    }
}
