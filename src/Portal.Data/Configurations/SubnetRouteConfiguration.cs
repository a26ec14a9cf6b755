using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Data.Entities;

namespace Portal.Data.Configurations;

public sealed class SubnetRouteConfiguration : IEntityTypeConfiguration<SubnetRoute>
{
    public void Configure(EntityTypeBuilder<SubnetRoute> b)
    {
        b.ToTable("subnet_routes");
        b.HasIndex(r => r.SubnetId);
        b.Property(r => r.Destination).HasColumnType("cidr");
        b.Property(r => r.NextHop).HasColumnType("inet");
    }
}
