using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Data.Entities;

namespace Portal.Data.Configurations;

/// <summary>Identity's user table (asp_net_users) with the portal's two columns.</summary>
public sealed class PortalUserConfiguration : IEntityTypeConfiguration<PortalUser>
{
    public void Configure(EntityTypeBuilder<PortalUser> b)
    {
        b.Property(u => u.DisplayName).HasMaxLength(256);
        b.Property(u => u.CurrentProjectId).HasMaxLength(32).IsFixedLength();
    }
}
