using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Portal.Data;

namespace Portal.Migrations;

/// <summary>Lets `dotnet ef` build the model without starting the web host; it needs no live database.</summary>
public sealed class DesignTimeFactory : IDesignTimeDbContextFactory<PortalDbContext>
{
    public PortalDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<PortalDbContext>();
        PortalDbContext.Configure(options,
            Environment.GetEnvironmentVariable("ConnectionStrings__Portal") ?? "Host=127.0.0.1;Database=portal");
        return new PortalDbContext(options.Options);
    }
}
