using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Portal.Data.Services;

namespace Portal.Data;

public static class DataExtensions
{
    /// <summary>Registers the database (ConnectionStrings:Portal) and the service layer every front end uses.</summary>
    public static IHostApplicationBuilder AddPortalData(this IHostApplicationBuilder builder)
    {
        var connectionString = builder.Configuration.GetConnectionString("Portal")
            ?? throw new InvalidOperationException("ConnectionStrings:Portal is not set (environment: ConnectionStrings__Portal).");
        builder.Services.AddPortalData(connectionString);
        return builder;
    }

    public static IServiceCollection AddPortalData(this IServiceCollection services, string connectionString)
    {
        // No reset on close: a pooled connection would otherwise send DISCARD ALL on reuse and lose its cached
        // plans (including those inside the allocator function). The portal leaves no session state behind:
        // advisory locks are transaction-scoped and the change-feed listener UNLISTENs before release.
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        builder.ConnectionStringBuilder.NoResetOnClose = true;
        // Statements that run again and again (the port writer's, EF's queries) are prepared on the server after
        // a few uses instead of being parsed and planned each time; an explicit setting in the string wins.
        if (builder.ConnectionStringBuilder.MaxAutoPrepare == 0) builder.ConnectionStringBuilder.MaxAutoPrepare = 64;
        var dataSource = builder.Build();
        services.AddSingleton(dataSource);
        services.AddPooledDbContextFactory<PortalDbContext>(o => PortalDbContext.Configure(o, dataSource));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<ProjectService>();
        services.AddSingleton<NetworkService>();
        services.AddSingleton<SubnetService>();
        services.AddSingleton<PortInsertQueue>();
        services.AddSingleton<PortService>();
        services.AddSingleton<AuditService>();
        services.AddSingleton<SupportService>();
        services.AddSingleton<DemoData>();
        services.AddSingleton<ChangeFeed.ChangeFeed>();
        services.AddHostedService<ChangeFeed.ChangeFeedListener>();
        services.AddSingleton<ChangeFeed.ChangePublisher>();
        services.AddHostedService(sp => sp.GetRequiredService<ChangeFeed.ChangePublisher>());
        return services;
    }

    /// <summary>Applies pending migrations; PostgreSQL's advisory lock keeps concurrent starters apart.</summary>
    public static async Task MigratePortalDatabaseAsync(this IServiceProvider services, CancellationToken ct = default)
    {
        var factory = services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        await using var db = await factory.CreateDbContextAsync(ct);
        await db.Database.MigrateAsync(ct);
    }
}
