using Microsoft.AspNetCore.Identity;
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
        builder.Services.Configure<ClusterOptions>(builder.Configuration.GetSection(ClusterOptions.Section));
        return builder;
    }

    /// <summary>The portal's data source over <paramref name="connectionString"/>, with the settings every front end uses.</summary>
    internal static NpgsqlDataSource BuildDataSource(string connectionString)
    {
        // No reset on close: a pooled connection would otherwise send DISCARD ALL on reuse and lose its cached
        // plans (including those inside the allocator function). The portal leaves no session state behind:
        // advisory locks are transaction-scoped and the change-feed listener UNLISTENs before release.
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        builder.ConnectionStringBuilder.NoResetOnClose = true;
        // No automatic preparation (Max Auto Prepare stays 0 unless the string sets it): a value PostgreSQL refuses
        // on the very execution that prepares a statement left that pooled connection broken, and the next, valid
        // request on it failed with "Received unexpected backend message" (npgsql issue 6391, Npgsql 10.0.3).
        // Validation cannot promise that PostgreSQL refuses nothing. The price is a parse and plan per statement
        // (bench/run; figures in the commit that turned it off).
        // A failed statement of a batch is named on the exception, so a group of port creations can tell which
        // port failed (PortInsertQueue) instead of retrying every port alone.
        builder.ConnectionStringBuilder.IncludeFailedBatchedCommand = true;
        return builder.Build();
    }

    public static IServiceCollection AddPortalData(this IServiceCollection services, string connectionString)
    {
        var dataSource = BuildDataSource(connectionString);
        services.AddSingleton(dataSource);
        services.AddPooledDbContextFactory<PortalDbContext>(o => PortalDbContext.Configure(o, dataSource));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<ProjectService>();
        services.AddSingleton<NetworkService>();
        services.AddSingleton<SubnetService>();
        services.AddSingleton<PortInsertQueue>();
        services.AddSingleton<PortService>();
        services.AddSingleton<TagService>();
        services.AddSingleton<AuditService>();
        services.AddSingleton<SupportService>();
        services.AddOptions<ClusterOptions>();
        services.AddSingleton<ClusterSignal>();
        services.AddSingleton<ClusterService>();
        services.AddSingleton<DemoData>();
        services.AddSingleton<ChangeFeed.ChangeFeed>();
        services.AddHostedService<ChangeFeed.ChangeFeedListener>();
        AddUserStore(services);
        services.AddSingleton<ChangeFeed.ChangePublisher>();
        services.AddHostedService(sp => sp.GetRequiredService<ChangeFeed.ChangePublisher>());
        return services;
    }

    /// <summary>
    /// ASP.NET Core Identity's users and roles in this database, with the portal's rules: passwords of at least
    /// 10 characters with upper and lower case, a digit and a symbol; 5 wrong passwords lock the account for
    /// 15 minutes. Identity's stores want a DbContext of their own per request scope; nothing else uses it.
    /// </summary>
    private static void AddUserStore(IServiceCollection services)
    {
        services.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext());
        services.AddIdentityCore<Entities.PortalUser>(o =>
            {
                o.Password.RequiredLength = 10;
                o.Password.RequireDigit = true;
                o.Password.RequireLowercase = true;
                o.Password.RequireUppercase = true;
                o.Password.RequireNonAlphanumeric = true;
                o.Lockout.MaxFailedAccessAttempts = MaxFailedSignIns;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                o.Lockout.AllowedForNewUsers = true;
                o.User.RequireUniqueEmail = true;
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<PortalDbContext>();
    }

    public const int MaxFailedSignIns = 5;

    /// <summary>Applies pending migrations; PostgreSQL's advisory lock keeps concurrent starters apart.</summary>
    public static async Task MigratePortalDatabaseAsync(this IServiceProvider services, CancellationToken ct = default)
    {
        var factory = services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        await using var db = await factory.CreateDbContextAsync(ct);
        await db.Database.MigrateAsync(ct);
    }
}
