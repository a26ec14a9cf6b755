using Portal.Core.Clusters;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Portal.Data.Entities;

namespace Portal.Data;

/// <summary>
/// The portal's database. Created per operation through <see cref="IDbContextFactory{TContext}"/>, never
/// held by a Blazor circuit.
/// </summary>
/// <remarks>
/// To add a migration after changing the model (from the repository root):
/// <code>dotnet tool restore
/// dotnet ef migrations add &lt;Name&gt; --project migrations --startup-project migrations</code>
/// Constraints EF cannot express (exclusion constraints, SQL functions) go into the migration as raw SQL.
/// </remarks>
public sealed class PortalDbContext(DbContextOptions<PortalDbContext> options)
    : IdentityDbContext<PortalUser>(options), IDataProtectionKeyContext
{
    public DbSet<Project> Projects => Set<Project>();
    public DbSet<Quota> Quotas => Set<Quota>();
    public DbSet<QuotaShare> QuotaShares => Set<QuotaShare>();
    public DbSet<Network> Networks => Set<Network>();
    public DbSet<Subnet> Subnets => Set<Subnet>();
    public DbSet<AllocationPool> AllocationPools => Set<AllocationPool>();
    public DbSet<SubnetRoute> SubnetRoutes => Set<SubnetRoute>();
    public DbSet<Port> Ports => Set<Port>();
    public DbSet<IpAllocation> IpAllocations => Set<IpAllocation>();
    public DbSet<ProjectMember> ProjectMembers => Set<ProjectMember>();
    public DbSet<ShadowportChange> ShadowportChanges => Set<ShadowportChange>();
    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();
    public DbSet<Cluster> Clusters => Set<Cluster>();
    public DbSet<ClusterNode> ClusterNodes => Set<ClusterNode>();
    public DbSet<ClusterGeneration> ClusterGenerations => Set<ClusterGeneration>();
    public DbSet<ClusterEvent> ClusterEvents => Set<ClusterEvent>();
    public DbSet<RevokedToken> RevokedTokens => Set<RevokedToken>();

    /// <summary>Data Protection's key ring (cookies and API tokens), shared by the replicas.</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    /// <summary>
    /// Domain types stored as text: a cluster's phase by name ("Running"), a node's role in lower case ("master"),
    /// in entities and in the rows of raw queries alike.
    /// </summary>
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        configurationBuilder.Properties<ClusterPhase>().HaveConversion<string>();
        configurationBuilder.Properties<NodeRole>().HaveConversion<NodeRoleConverter>();
    }

    private sealed class NodeRoleConverter() : Microsoft.EntityFrameworkCore.Storage.ValueConversion.ValueConverter<NodeRole, string>(
        role => role.Name(), name => NodeRoles.Parse(name));

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder); // ASP.NET Core Identity's users, roles, claims and logins
        modelBuilder.Entity<PortalUser>().ToTable("users");
        modelBuilder.Entity<Microsoft.AspNetCore.Identity.IdentityRole>().ToTable("roles");
        modelBuilder.Entity<Microsoft.AspNetCore.Identity.IdentityUserRole<string>>().ToTable("user_roles");
        modelBuilder.Entity<Microsoft.AspNetCore.Identity.IdentityUserClaim<string>>().ToTable("user_claims");
        modelBuilder.Entity<Microsoft.AspNetCore.Identity.IdentityUserLogin<string>>().ToTable("user_logins");
        modelBuilder.Entity<Microsoft.AspNetCore.Identity.IdentityUserToken<string>>().ToTable("user_tokens");
        modelBuilder.Entity<Microsoft.AspNetCore.Identity.IdentityRoleClaim<string>>().ToTable("role_claims");
        modelBuilder.HasPostgresExtension("btree_gist");
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(PortalDbContext).Assembly);
    }

    public const string MigrationsAssembly = "Portal.Migrations";

    public static void Configure(DbContextOptionsBuilder options, string connectionString) =>
        options.UseNpgsql(connectionString, npgsql => npgsql.MigrationsAssembly(MigrationsAssembly))
            .UseSnakeCaseNamingConvention();

    public static void Configure(DbContextOptionsBuilder options, Npgsql.NpgsqlDataSource dataSource) =>
        options.UseNpgsql(dataSource, npgsql => npgsql.MigrationsAssembly(MigrationsAssembly))
            .UseSnakeCaseNamingConvention();
}
