using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Portal.Data.Configurations;

/// <summary>
/// ASP.NET Core Data Protection's key ring (the keys that protect sign-in cookies and API tokens), shared by every
/// replica and kept across restarts. The XML holds the keys unencrypted: the database is the secret.
/// </summary>
public sealed class DataProtectionKeyConfiguration : IEntityTypeConfiguration<DataProtectionKey>
{
    public void Configure(EntityTypeBuilder<DataProtectionKey> b)
    {
        b.ToTable("data_protection_keys");
    }
}
