using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Portal.Data;
using Portal.Data.Services;

namespace Portal.Bench;

/// <summary>A subnet the benchmark allocates from, with the network it belongs to.</summary>
internal sealed record BenchSubnet(Guid NetworkId, Guid SubnetId, IPAddress PoolFirst, long PoolSize);

/// <summary>
/// A freshly created and migrated database with one project whose quotas are out of the way, and the
/// service layer wired exactly as the product wires it (DataExtensions), so the figures are the product's. Ports are
/// created by a member of the project (<see cref="Customer"/>), as a customer's are, so the figures include the
/// membership check every customer's call makes.
/// </summary>
internal sealed class BenchDatabase : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private int _networks;

    private BenchDatabase(ServiceProvider services, NpgsqlConnectionStringBuilder settings, string projectId, Actor customer)
    {
        _services = services;
        Settings = settings;
        ProjectId = projectId;
        Customer = customer;
    }

    /// <summary>The project's member the benchmark acts as.</summary>
    public Actor Customer { get; }

    public NpgsqlConnectionStringBuilder Settings { get; }
    public string ProjectId { get; }
    public PortService Ports => _services.GetRequiredService<PortService>();
    public NpgsqlDataSource DataSource => _services.GetRequiredService<NpgsqlDataSource>();

    /// <summary>The same server's maintenance database, for things that must not run inside the benchmark database.</summary>
    public string AdminConnectionString => new NpgsqlConnectionStringBuilder(Settings.ConnectionString)
    {
        Database = "postgres",
        Pooling = false,
    }.ConnectionString;

    public static async Task<BenchDatabase> CreateAsync(string connectionString, string databaseName, CancellationToken ct)
    {
        var settings = new NpgsqlConnectionStringBuilder(connectionString) { Database = databaseName };
        var admin = new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres", Pooling = false };
        await using (var connection = new NpgsqlConnection(admin.ConnectionString))
        {
            await connection.OpenAsync(ct);
            // FORCE: a previous run killed mid-way may have left sessions behind.
            await ExecuteAsync(connection, $"DROP DATABASE IF EXISTS \"{databaseName}\" WITH (FORCE)", ct);
            await ExecuteAsync(connection, $"CREATE DATABASE \"{databaseName}\"", ct);
        }

        var services = new ServiceCollection().AddPortalData(settings.ConnectionString).BuildServiceProvider();
        await services.MigratePortalDatabaseAsync(ct);

        var projectId = Guid.NewGuid().ToString("N");
        var projects = services.GetRequiredService<ProjectService>();
        await projects.EnsureAsync(Actor.System, projectId, "bench", ct);
        // Default quotas (500 ports, 100 networks) would end every scenario long before the pool is full.
        await projects.SetQuotaAsync(Actor.System, projectId, Quotas.Ports, 300_000, ct);
        await projects.SetQuotaAsync(Actor.System, projectId, Quotas.Networks, 10_000, ct);
        await projects.SetQuotaAsync(Actor.System, projectId, Quotas.Subnets, 10_000, ct);
        var userId = "bench-" + projectId[..12];
        await using (var db = await services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(ct))
        {
            db.Users.Add(new Portal.Data.Entities.PortalUser
            {
                Id = userId, UserName = userId + "@bench", Email = userId + "@bench", DisplayName = "bench", SecurityStamp = userId,
            });
            await db.SaveChangesAsync(ct);
        }
        await projects.AddMemberAsync(Actor.System, projectId, userId, owner: true, ct);
        return new BenchDatabase(services, settings, projectId, new Actor(userId, userId + "@bench", "127.0.0.1", false));
    }

    /// <summary>
    /// A new network with one subnet. Each scenario gets its own network, so "n addresses allocated" is exactly
    /// what the allocator sees; DHCP off, so no system port takes an address.
    /// </summary>
    public async Task<BenchSubnet> CreateNetworkAsync(string cidr, CancellationToken ct)
    {
        var network = await _services.GetRequiredService<NetworkService>().CreateAsync(Customer, ProjectId, new NetworkCreate
        {
            Name = $"bench-{Interlocked.Increment(ref _networks)}",
            FirstSubnet = new SubnetCreate { Name = "bench", Cidr = cidr, EnableDhcp = false },
        }, ct);
        // Not Single(): the returned network lists its first subnet twice (EF's fix-up of the tracked network adds
        // it, and NetworkService adds it again), a product quirk the benchmark does not depend on.
        var subnetId = network.Subnets.Select(s => s.Id).Distinct().Single();

        await using var command = DataSource.CreateCommand(
            "SELECT min(first_ip), sum(last_ip - first_ip + 1)::bigint FROM allocation_pools WHERE subnet_id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = subnetId });
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return new BenchSubnet(network.Id, subnetId, reader.GetFieldValue<IPAddress>(0), reader.GetInt64(1));
    }

    /// <summary>
    /// Takes the pool addresses at the given offsets (from the pool's first address) with plain SQL: going
    /// through the service would take minutes for 60,000 ports. Rows look like user ports; MACs use a prefix
    /// (02:…) the service never generates (fa:16:3e:…), so later creations do not collide with them.
    /// </summary>
    public async Task FillAsync(BenchSubnet subnet, long[] offsets, CancellationToken ct)
    {
        await using (var connection = await DataSource.OpenConnectionAsync(ct))
        await using (var transaction = await connection.BeginTransactionAsync(ct))
        {
            await using var batch = new NpgsqlBatch(connection, transaction);
            batch.BatchCommands.Add(Command("""
                INSERT INTO ports (id, project_id, network_id, name, mac_address, device_owner, device_id, dns_name,
                                   status, admin_state_up, created_at, updated_at)
                SELECT md5($2::text || '/' || i)::uuid, $1, $2, '', ('02' || lpad(to_hex(i), 10, '0'))::macaddr,
                       '', '', '', 'DOWN', true, now(), now()
                  FROM unnest($3::bigint[]) AS i
                """, ProjectId, subnet.NetworkId, offsets));
            batch.BatchCommands.Add(Command("""
                INSERT INTO ip_allocations (subnet_id, ip_address, port_id, network_id)
                SELECT $1, $4 + i, md5($2::text || '/' || i)::uuid, $2
                  FROM unnest($3::bigint[]) AS i
                """, subnet.SubnetId, subnet.NetworkId, offsets, subnet.PoolFirst));
            await batch.ExecuteNonQueryAsync(ct);
            await transaction.CommitAsync(ct);
        }
        // Autovacuum would analyse such a bulk load soon anyway; doing it now keeps the plans of the first
        // measured creations from depending on when it happens to run.
        await using var analyze = DataSource.CreateCommand("ANALYZE ports, ip_allocations");
        await analyze.ExecuteNonQueryAsync(ct);
    }

    public async Task<T> ScalarAsync<T>(string sql, CancellationToken ct, params object[] args)
    {
        await using var command = DataSource.CreateCommand(sql);
        foreach (var arg in args) command.Parameters.Add(new NpgsqlParameter { Value = arg });
        return (T)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>
    /// Closes the pooled sessions and waits until their backends are gone: a backend publishes its pending
    /// statistics (pg_stat_database) when it exits, otherwise only up to 10 s later.
    /// </summary>
    public async Task ClosePooledSessionsAsync(CancellationToken ct)
    {
        DataSource.Clear();
        await using var admin = new NpgsqlConnection(AdminConnectionString);
        await admin.OpenAsync(ct);
        for (var i = 0; i < 200; i++)
        {
            await using var command = new NpgsqlCommand(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND backend_type = 'client backend'", admin);
            command.Parameters.Add(new NpgsqlParameter { Value = Settings.Database! });
            if ((long)(await command.ExecuteScalarAsync(ct))! == 0) return;
            await Task.Delay(25, ct);
        }
    }

    /// <summary>Transactions committed and rolled back in the benchmark database so far.</summary>
    public async Task<(long Commits, long Rollbacks)> TransactionCountersAsync(CancellationToken ct)
    {
        await using var admin = new NpgsqlConnection(AdminConnectionString);
        await admin.OpenAsync(ct);
        await using var command = new NpgsqlCommand(
            "SELECT xact_commit, xact_rollback FROM pg_stat_database WHERE datname = $1", admin);
        command.Parameters.Add(new NpgsqlParameter { Value = Settings.Database! });
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    /// <summary>The server's WAL counters so far (cluster-wide): bytes written and full-page images.</summary>
    public async Task<(long Bytes, long FullPages)> WalCountersAsync(CancellationToken ct)
    {
        await using var command = DataSource.CreateCommand("SELECT wal_bytes::bigint, wal_fpi FROM pg_stat_wal");
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    /// <summary>
    /// Starts both throughput runs from the same WAL state: right after a checkpoint every first touch of a
    /// page writes a full page image, which would penalise whichever run comes first.
    /// </summary>
    public async Task CheckpointAsync(CancellationToken ct)
    {
        await using var command = DataSource.CreateCommand("CHECKPOINT");
        try
        {
            await command.ExecuteNonQueryAsync(ct);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege)
        {
            // An existing database given by ConnectionStrings__Portal may not allow it; the runs are still comparable.
        }
    }

    public async Task ExecuteAsync(string sql, CancellationToken ct)
    {
        await using var command = DataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync(ct);
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }

    private static NpgsqlBatchCommand Command(string sql, params object[] args)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var arg in args) command.Parameters.Add(new NpgsqlParameter { Value = arg });
        return command;
    }
}
