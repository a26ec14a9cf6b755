using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Data.Entities;

namespace Portal.Data.Configurations;

/// <summary>
/// The unique index on (subnet_id, ip_address) is the "one address, one port" backstop and the index the
/// free-address search walks. It is raw SQL in the initial migration: EF cannot order updates by an
/// <see cref="System.Net.IPAddress"/> key, and needs not, as allocations are only inserted and deleted.
/// </summary>
public sealed class IpAllocationConfiguration : IEntityTypeConfiguration<IpAllocation>
{
    public void Configure(EntityTypeBuilder<IpAllocation> b)
    {
        b.ToTable("ip_allocations");
        b.Property(a => a.IpAddress).HasColumnType("inet");
        b.HasIndex(a => a.PortId);
        // (subnet, network) together: an address is in a subnet of the port's own network, checked by the database.
        // It also proves the network exists, so network_id needs no foreign key of its own (one check less per port).
        b.HasOne<Subnet>().WithMany().HasForeignKey(a => new { a.SubnetId, a.NetworkId })
            .HasPrincipalKey(s => new { s.Id, s.NetworkId }).OnDelete(DeleteBehavior.Restrict);
    }
}
