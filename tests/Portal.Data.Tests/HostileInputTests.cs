using System.Diagnostics;
using Npgsql;
using Portal.Core.Ip;
using Portal.Data.Entities;
using Portal.Data.Services;
using Portal.Data.Store;

namespace Portal.Data.Tests;

/// <summary>
/// Issue 15's hostile input at the service and the database: creations racing a network's deletion, lists a body
/// can multiply, an audit text longer than its column, and a value PostgreSQL refuses on a pooled connection. Each
/// gives a named Neutron error (or is stored shortened) and leaves nothing broken behind.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class HostileInputTests(DatabaseFixture db)
{
    /// <summary>Bounds the wait for a creation to block on the deletion's lock (a deadline, never a pause).</summary>
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_subnet_created_while_its_network_is_deleted_is_network_not_found()
    {
        var project = await db.NewProjectAsync();
        var network = await db.Networks.CreateAsync(Actor.System, project, new NetworkCreate { Name = "going" });

        // The deletion holds its lock and has removed the row, uncommitted; the creation has read the network
        // already (it still sees it) and waits at its foreign key for the deletion to end.
        await using var deleting = await DeleteUncommittedAsync(network.Id);
        var create = db.Subnets.CreateAsync(Actor.System, project, network.Id, new SubnetCreate { Cidr = "10.20.0.0/24", EnableDhcp = true });
        await WaitUntilBlockedByAsync(deleting.Connection, create);
        await deleting.Transaction.CommitAsync();

        var e = await Errors.ExpectAsync(() => create, "NetworkNotFound", 404, network.Id.ToString());
        Assert.Null(e.Field);
        Assert.Equal(0L, await db.ScalarAsync("SELECT count(*) FROM subnets WHERE network_id = $1", network.Id));
    }

    [Fact]
    public async Task A_port_created_while_its_network_is_deleted_is_network_not_found()
    {
        var project = await db.NewProjectAsync();
        var network = await db.Networks.CreateAsync(Actor.System, project, new NetworkCreate
        {
            Name = "going", FirstSubnet = new SubnetCreate { Name = "main", Cidr = "10.21.0.0/24", EnableDhcp = false },
        });

        await using var deleting = await DeleteUncommittedAsync(network.Id);
        // An explicit address takes the full path (the network is read first, then the port is written).
        var create = db.Ports.CreateAsync(Actor.System, project, new PortCreate
        {
            NetworkId = network.Id, Name = "late", FixedIps = [new FixedIpRequest(network.Subnets[0].Id, "10.21.0.10")],
        });
        await WaitUntilBlockedByAsync(deleting.Connection, create);
        await deleting.Transaction.CommitAsync();

        await Errors.ExpectAsync(() => create, "NetworkNotFound", 404, network.Id.ToString());
        Assert.Equal(0L, await db.ScalarAsync("SELECT count(*) FROM ports WHERE network_id = $1", network.Id));
    }

    [Theory]
    [InlineData("a", 0xD800, "b")]
    [InlineData("", 0xDC00, "")]
    [InlineData("end", 0xD83D, "")]
    public async Task A_lone_surrogate_in_a_stored_text_is_refused_by_the_service(string before, int surrogate, string after)
    {
        // Built here: xunit would turn a lone surrogate in the attribute into U+FFFD.
        var text = before + (char)surrogate + after;
        // The UI's strings come from the browser's, which may hold half of a surrogate pair; no column can store one.
        var project = await db.NewProjectAsync();
        var name = await Errors.ExpectAsync(() => db.Networks.CreateAsync(Actor.System, project, new NetworkCreate { Name = text }), "InvalidInput", 400);
        Assert.Equal("name", name.Field);
        var network = await db.Networks.CreateAsync(Actor.System, project, new NetworkCreate { Name = "ok-😀", Description = "" });
        var description = await Errors.ExpectAsync(() => db.Networks.UpdateAsync(Actor.System, project, network.Id, new NetworkUpdate { Description = text }), "InvalidInput", 400);
        Assert.Equal("description", description.Field);
        Assert.Equal("ok-😀", (await db.Networks.GetAsync(Actor.System, project, network.Id)).Name);
    }

    [Fact]
    public async Task More_than_64_allocation_pools_are_refused_before_any_is_parsed()
    {
        var project = await db.NewProjectAsync();
        var network = await db.Networks.CreateAsync(Actor.System, project, new NetworkCreate { Name = "pools" });
        var pools = Enumerable.Range(0, 22_500).Select(i => $"10.{64 + i / 256 % 64}.{i % 256}.1-not-an-address").ToList();

        var e = await Errors.ExpectAsync(() => db.Subnets.CreateAsync(Actor.System, project, network.Id, new SubnetCreate { Cidr = "10.64.0.0/10", AllocationPools = pools }),
            "InvalidInput", 400, "64", "22500");
        Assert.Equal("allocation_pools", e.Field);

        // 64 is allowed, on create and on update; the 65th is refused on update too.
        var sixtyFour = Enumerable.Range(0, 64).Select(i => $"10.30.{i}.10-10.30.{i}.20").ToList();
        var subnet = await db.Subnets.CreateAsync(Actor.System, project, network.Id, new SubnetCreate { Cidr = "10.30.0.0/16", AllocationPools = sixtyFour });
        Assert.Equal(64, (await db.Subnets.GetAsync(Actor.System, project, subnet.Id)).AllocationPools.Count);
        await Errors.ExpectAsync(() => db.Subnets.UpdateAsync(Actor.System, project, subnet.Id, new SubnetUpdate { AllocationPools = [.. sixtyFour, "10.30.200.1-10.30.200.9"] }),
            "InvalidInput", 400, "64", "65");
        Assert.Equal(64, (await db.Subnets.GetAsync(Actor.System, project, subnet.Id)).AllocationPools.Count);
    }

    [Fact]
    public async Task More_than_5_fixed_ips_on_a_port_are_refused()
    {
        var project = await db.NewProjectAsync();
        var network = await db.Networks.CreateAsync(Actor.System, project, new NetworkCreate
        {
            Name = "ips", FirstSubnet = new SubnetCreate { Name = "main", Cidr = "10.22.0.0/22", EnableDhcp = false },
        });
        var subnetId = network.Subnets[0].Id;

        var e = await Errors.ExpectAsync(() => db.Ports.CreateAsync(Actor.System, project, new PortCreate
        {
            NetworkId = network.Id, FixedIps = Enumerable.Range(0, 1_000).Select(_ => new FixedIpRequest(subnetId, null)).ToList(),
        }), "InvalidInput", 400, "5", "1000");
        Assert.Equal("fixed_ips", e.Field);
        Assert.Equal(0L, await db.ScalarAsync("SELECT count(*) FROM ports WHERE network_id = $1", network.Id));

        var five = await db.Ports.CreateAsync(Actor.System, project, new PortCreate
        {
            NetworkId = network.Id, FixedIps = Enumerable.Range(0, 5).Select(_ => new FixedIpRequest(subnetId, null)).ToList(),
        });
        Assert.Equal(5, five.FixedIps.Count);
    }

    [Fact]
    public async Task Dns_nameservers_and_host_routes_over_their_limits_are_refused_before_parsing()
    {
        var project = await db.NewProjectAsync();
        var network = await db.Networks.CreateAsync(Actor.System, project, new NetworkCreate { Name = "lists" });
        // Not even addresses: the count is what refuses them, before any entry is read.
        var dns = await Errors.ExpectAsync(() => db.Subnets.CreateAsync(Actor.System, project, network.Id, new SubnetCreate
        {
            Cidr = "10.23.0.0/24", DnsNameservers = Enumerable.Repeat("x", 10_000).ToList(),
        }), "InvalidInput", 400, "5", "10000");
        Assert.Equal("dns_nameservers", dns.Field);
        var routes = await Errors.ExpectAsync(() => db.Subnets.CreateAsync(Actor.System, project, network.Id, new SubnetCreate
        {
            Cidr = "10.23.0.0/24", HostRoutes = Enumerable.Repeat(new HostRouteInput("x", "y"), 10_000).ToList(),
        }), "InvalidInput", 400, "20", "10000");
        Assert.Equal("host_routes", routes.Field);
        Assert.Equal(0L, await db.ScalarAsync("SELECT count(*) FROM subnets WHERE network_id = $1", network.Id));
    }

    [Fact]
    public async Task An_audit_address_list_longer_than_its_column_is_stored_shortened_and_the_delete_succeeds()
    {
        var project = await db.NewProjectAsync();
        var network = await db.Networks.CreateAsync(Actor.System, project, new NetworkCreate
        {
            Name = "audit", FirstSubnet = new SubnetCreate { Name = "main", Cidr = "2001:db8:15::/64", EnableDhcp = false },
        });
        var subnet = network.Subnets[0];
        var port = await db.Ports.CreateAsync(Actor.System, project, new PortCreate { NetworkId = network.Id, Name = "many", FixedIps = [new FixedIpRequest(subnet.Id, null)] });
        // More addresses than the service allows (a row written before the limit, or by hand): 60 long IPv6
        // addresses are some 2,400 characters, over the 1,000 of the entry's details.
        await db.ScalarAsync("""
            INSERT INTO ip_allocations (subnet_id, ip_address, port_id, network_id)
            SELECT $1, ('2001:db8:15:0:ffff:ffff:ffff:' || to_hex(1000 + n))::inet, $2, $3 FROM generate_series(1, 60) n
            """, subnet.Id, port.Id, network.Id);

        await db.Ports.DeleteAsync(Actor.System, project, port.Id);

        Assert.Equal(0L, await db.ScalarAsync("SELECT count(*) FROM ports WHERE id = $1", port.Id));
        var details = (string)(await db.ScalarAsync(
            "SELECT details FROM audit_entries WHERE object_id = $1 AND action = 'port.delete'", port.Id.ToString()))!;
        Assert.Equal(AuditStore.MaxDetails, details.Length);
        Assert.EndsWith(AuditStore.Ellipsis, details);
        Assert.StartsWith("2001:db8:15::", details);
    }

    [Theory]
    [InlineData(10, 10, false)]
    [InlineData(1000, 1000, false)]
    [InlineData(1001, 1000, true)]
    [InlineData(50_000, 1000, true)]
    public void An_audit_text_is_fitted_to_its_column(int length, int stored, bool shortened)
    {
        var fitted = AuditStore.Fit(new string('a', length), AuditStore.MaxDetails);
        Assert.Equal(stored, fitted.Length);
        Assert.Equal(shortened, fitted.EndsWith(AuditStore.Ellipsis, StringComparison.Ordinal));
    }

    [Fact]
    public void An_audit_text_is_never_cut_inside_a_surrogate_pair()
    {
        Assert.Equal(new string('a', 998) + "…", AuditStore.Fit(new string('a', 998) + "😀😀", AuditStore.MaxDetails));
    }

    /// <summary>
    /// npgsql issue 6391: with automatic preparation, a value PostgreSQL refused on the very execution that prepared a
    /// statement broke the pooled connection for the next request. The portal's data source (one connection here,
    /// so every command shares it) takes the refused value at each position of a statement's uses, and every valid
    /// command after it still answers correctly; so do commands prepared explicitly, as the port store's are.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_value_the_database_refuses_leaves_the_pooled_connection_usable(bool prepared)
    {
        var oneConnection = new NpgsqlConnectionStringBuilder(db.ConnectionString) { MaxPoolSize = 1 }.ConnectionString;
        for (var refusedAt = 1; refusedAt <= 8; refusedAt++)
        {
            await using var dataSource = DataExtensions.BuildDataSource(oneConnection);
            for (var use = 1; use <= 10; use++)
            {
                var value = use == refusedAt ? "a\0b" : "name-" + use;
                const string query = "SELECT count(*) FROM networks WHERE name = $1 AND $2 > 0";
                await using (var connection = prepared ? await dataSource.OpenConnectionAsync() : null)
                await using (var command = connection is null ? dataSource.CreateCommand(query) : new NpgsqlCommand(query, connection))
                {
                    command.Parameters.Add(new NpgsqlParameter { Value = value });
                    command.Parameters.Add(new NpgsqlParameter { Value = use });
                    if (prepared) await command.PrepareAsync();
                    if (use == refusedAt)
                    {
                        var refused = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteScalarAsync());
                        Assert.Equal(PostgresErrorCodes.CharacterNotInRepertoire, refused.SqlState);
                    }
                    else
                    {
                        Assert.Equal(0L, await command.ExecuteScalarAsync());
                    }
                }
                await using var other = dataSource.CreateCommand("SELECT $1::int + 1");
                other.Parameters.Add(new NpgsqlParameter { Value = use });
                Assert.Equal(use + 1, await other.ExecuteScalarAsync());
            }
        }

        // And through the services on the fixture's pool: a refused value, then a valid request, both answered.
        var project = await db.NewProjectAsync();
        await Errors.ExpectAsync(() => db.Networks.CreateAsync(Actor.System, project, new NetworkCreate { Name = "a\0b" }), "InvalidInput", 400);
        Assert.Equal("fine", (await db.Networks.CreateAsync(Actor.System, project, new NetworkCreate { Name = "fine" })).Name);
    }

    /// <summary>
    /// The port store prepares its batch (the one hot path that does): a name PostgreSQL refuses, written past the
    /// services' validation straight into the store on a one-connection pool, then a valid port on that connection.
    /// </summary>
    [Fact]
    public async Task A_refused_value_in_the_prepared_port_batch_leaves_its_connection_usable()
    {
        var project = await db.NewProjectAsync();
        var network = await db.Networks.CreateAsync(Actor.System, project, new NetworkCreate
        {
            Name = "prepared", FirstSubnet = new SubnetCreate { Name = "main", Cidr = "10.23.0.0/24", EnableDhcp = false },
        });
        var subnet = network.Subnets[0];
        PortSpec Spec(string name) => new(Guid.NewGuid(), project, network.Id, name, PortStore.NewMac(), "", "", "", true,
            [new AllocationSpec(subnet.Id, subnet.Name, null)], Actor.System);
        var oneConnection = new NpgsqlConnectionStringBuilder(db.ConnectionString) { MaxPoolSize = 1 }.ConnectionString;
        await using var dataSource = DataExtensions.BuildDataSource(oneConnection);
        foreach (var name in new[] { "first", "a\0b", "second", "c\0d", "third" })
        {
            await using var connection = await dataSource.OpenConnectionAsync();
            if (name.Contains('\0'))
            {
                var refused = await Assert.ThrowsAsync<PostgresException>(() => PortStore.InsertAsync(connection, null, Spec(name), DateTimeOffset.UtcNow, default));
                Assert.Equal(PostgresErrorCodes.CharacterNotInRepertoire, refused.SqlState);
            }
            else
            {
                Assert.Equal(name, (await PortStore.InsertAsync(connection, null, Spec(name), DateTimeOffset.UtcNow, default)).Name);
            }
        }
        Assert.Equal(3L, await db.ScalarAsync("SELECT count(*) FROM ports WHERE network_id = $1", network.Id));
    }

    [Fact]
    public void Pool_overlap_is_found_by_sorting_and_named_in_the_order_given()
    {
        var cidr = System.Net.IPNetwork.Parse("10.0.0.0/16");
        // 64 disjoint pools given in reverse order, then one that overlaps the first given (the highest).
        var pools = Enumerable.Range(0, 64).Reverse().Select(i => IpRange.Parse($"10.0.{i}.1-10.0.{i}.200")).ToList();
        SubnetRules.ValidatePools(cidr, pools);
        var overlapping = pools.Take(63).Append(IpRange.Parse("10.0.63.100-10.0.63.250")).ToList();
        var e = Assert.Throws<Portal.Core.Errors.NeutronException>(() => SubnetRules.ValidatePools(cidr, overlapping));
        Assert.Equal("OverlappingAllocationPools", e.Type);
        Assert.Equal(["10.0.63.1-10.0.63.200", "10.0.63.100-10.0.63.250", "10.0.0.0/16"], e.Args);
    }

    private sealed record Deletion(NpgsqlConnection Connection, NpgsqlTransaction Transaction) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Transaction.DisposeAsync();
            await Connection.DisposeAsync();
        }
    }

    /// <summary>What NetworkService.DeleteAsync does, left uncommitted: the network locked, its ports, subnets and row gone.</summary>
    private async Task<Deletion> DeleteUncommittedAsync(Guid networkId)
    {
        var connection = new NpgsqlConnection(db.ConnectionString);
        await connection.OpenAsync();
        var transaction = await connection.BeginTransactionAsync();
        await using var delete = new NpgsqlBatch(connection, transaction);
        foreach (var sql in new[]
                 {
                     "SELECT 1 FROM networks WHERE id = $1 FOR UPDATE", "DELETE FROM ports WHERE network_id = $1",
                     "DELETE FROM subnets WHERE network_id = $1", "DELETE FROM networks WHERE id = $1",
                 })
        {
            var command = new NpgsqlBatchCommand(sql);
            command.Parameters.Add(new NpgsqlParameter { Value = networkId });
            delete.BatchCommands.Add(command);
        }
        await delete.ExecuteNonQueryAsync();
        return new Deletion(connection, transaction);
    }

    /// <summary>Waits until some session waits for a lock <paramref name="holder"/> holds (or the creation has ended).</summary>
    private async Task WaitUntilBlockedByAsync(NpgsqlConnection holder, Task creation)
    {
        var deadline = Stopwatch.StartNew();
        while (!creation.IsCompleted)
        {
            var blocked = (long)(await db.ScalarAsync("SELECT count(*) FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))", holder.ProcessID))!;
            if (blocked > 0) return;
            Assert.True(deadline.Elapsed < Deadline, "The creation never waited for the deletion's lock.");
            await Task.Delay(20); // polling interval only; the deadline bounds the wait
        }
    }
}
