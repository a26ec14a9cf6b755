using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Portal.Data;
using Portal.Data.Services;

namespace Portal.Data.Tests;

/// <summary>
/// A fresh, migrated database on the real PostgreSQL that ./test provides (ConnectionStrings__Portal names a
/// server whose user may create databases). Tests share it and isolate themselves by working in projects of
/// their own, as real tenants do.
/// </summary>
public class DatabaseFixture : IAsyncLifetime
{
    private string _adminConnectionString = "";
    private string _database = "";
    private ServiceProvider? _services;

    public string ConnectionString { get; private set; } = "";

    public IServiceProvider Services => _services ?? throw new InvalidOperationException("Fixture not initialised.");

    public NetworkService Networks => Services.GetRequiredService<NetworkService>();
    public SubnetService Subnets => Services.GetRequiredService<SubnetService>();
    public PortService Ports => Services.GetRequiredService<PortService>();
    public ProjectService Projects => Services.GetRequiredService<ProjectService>();
    public SupportService Support => Services.GetRequiredService<SupportService>();
    public AuditService Audit => Services.GetRequiredService<AuditService>();

    /// <summary>A support engineer: a user with the support role in the database (the services check it there).</summary>
    public static readonly Actor SupportEngineer = new("support-user", "support@test", "192.0.2.10", IsSupport: true);

    /// <summary>A customer who is a (non-owner) member of every project <see cref="NewProjectAsync"/> makes.</summary>
    public static readonly Actor Customer = new("customer", "customer@test", "192.0.2.1", IsSupport: false);

    public virtual async Task InitializeAsync()
    {
        _adminConnectionString = Environment.GetEnvironmentVariable("ConnectionStrings__Portal")
            ?? throw new InvalidOperationException(
                "These tests need a real PostgreSQL: run ./test, or set ConnectionStrings__Portal to a server where the user may create databases.");
        _database = "portal_test_" + Guid.NewGuid().ToString("N")[..12];
        await using (var admin = new NpgsqlConnection(_adminConnectionString))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {_database}", admin);
            await create.ExecuteNonQueryAsync();
        }
        ConnectionString = new NpgsqlConnectionStringBuilder(_adminConnectionString) { Database = _database, MaxPoolSize = 100 }.ConnectionString;
        var services = new ServiceCollection().AddPortalData(ConnectionString);
        ConfigureServices(services);
        _services = services.BuildServiceProvider();
        await _services.MigratePortalDatabaseAsync();
        await AddUserAsync(SupportEngineer.UserId, SupportEngineer.Name, Entities.Roles.Support);
        await AddUserAsync(Customer.UserId, Customer.Name, role: null);
    }

    private async Task AddUserAsync(string id, string email, string? role)
    {
        await using var db = await Services.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        db.Users.Add(new Entities.PortalUser
        {
            Id = id, UserName = email, Email = email, DisplayName = email, NormalizedUserName = email.ToUpperInvariant(), SecurityStamp = id,
        });
        if (role is not null)
        {
            var roleId = Guid.NewGuid().ToString("N");
            db.Roles.Add(new Microsoft.AspNetCore.Identity.IdentityRole { Id = roleId, Name = role, NormalizedName = role.ToUpperInvariant() });
            db.UserRoles.Add(new Microsoft.AspNetCore.Identity.IdentityUserRole<string> { UserId = id, RoleId = roleId });
        }
        await db.SaveChangesAsync();
    }

    /// <summary>What a test project adds to the service layer (e.g. the backend's workflow).</summary>
    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    public virtual async Task DisposeAsync()
    {
        if (_services is not null) await _services.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(_adminConnectionString);
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_database} WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }

    /// <summary>A new tenant with default quotas.</summary>
    public async Task<string> NewProjectAsync(bool shadowport = false)
    {
        var id = Guid.NewGuid().ToString("N");
        await Projects.EnsureAsync(Actor.System, id, "test-" + id[..6]);
        // Written directly: ProjectService.AddMemberAsync would announce it on the change feed, which tests of the feed watch.
        await ScalarAsync("INSERT INTO project_members (project_id, user_id, is_owner, added_at) VALUES ($1, $2, false, now())", id, Customer.UserId);
        if (shadowport) await Support.SetShadowportAsync(SupportEngineer, id, true, "TICKET-1");
        return id;
    }

    /// <summary>A user row as Identity would write it (the data tests run without Identity's managers).</summary>
    public async Task<Entities.PortalUser> NewUserAsync(string name)
    {
        var id = Guid.NewGuid().ToString("N");
        var user = new Entities.PortalUser
        {
            Id = id, UserName = $"{name}-{id[..6]}@test", Email = $"{name}-{id[..6]}@test", DisplayName = name,
            NormalizedUserName = $"{name}-{id[..6]}@TEST".ToUpperInvariant(), SecurityStamp = id,
        };
        await using var db = await Services.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        db.Users.Add(user);
        await db.SaveChangesAsync();
        return user;
    }

    public async Task<object?> ScalarAsync(string sql, params object[] args)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var arg in args) command.Parameters.Add(new NpgsqlParameter { Value = arg });
        return await command.ExecuteScalarAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class DatabaseCollection : ICollectionFixture<DatabaseFixture>
{
    public const string Name = "database";
}
