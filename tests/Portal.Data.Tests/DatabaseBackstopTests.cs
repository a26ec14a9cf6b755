using Npgsql;
using Portal.Data.Services;

namespace Portal.Data.Tests;

/// <summary>The same violations attempted past the service, as raw SQL, are refused by the database itself.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class DatabaseBackstopTests(DatabaseFixture db)
{
    private async Task<(string Project, Guid Network, Guid Subnet, Guid Port)> SetupAsync()
    {
        var project = await db.NewProjectAsync();
        var network = await db.Networks.CreateAsync(Actor.System, project, new NetworkCreate
        {
            Name = "n", FirstSubnet = new SubnetCreate { Name = "s", Cidr = "10.0.0.0/24", EnableDhcp = false },
        });
        var port = await db.Ports.CreateAsync(Actor.System, project, new PortCreate
        {
            NetworkId = network.Id, MacAddress = "fa:16:3e:aa:bb:cc", FixedIps = [new FixedIpRequest(network.Subnets[0].Id, "10.0.0.9")],
        });
        return (project, network.Id, network.Subnets[0].Id, port.Id);
    }

    private async Task<PostgresException> RawAsync(string sql, params object[] args) =>
        await Assert.ThrowsAsync<PostgresException>(() => db.ScalarAsync(sql, args));

    [Fact]
    public async Task Overlapping_subnet_rows_violate_the_exclusion_constraint()
    {
        var (project, network, _, _) = await SetupAsync();
        var e = await RawAsync("""
            INSERT INTO subnets (project_id, network_id, name, cidr, ip_version, enable_dhcp, dns_nameservers, created_at, updated_at)
            VALUES ($1, $2, 'raw', '10.0.0.128/25', 4, false, '{}', now(), now())
            """, project, network);
        Assert.Equal("23P01", e.SqlState);
        Assert.Equal("ex_subnets_no_overlap", e.ConstraintName);
    }

    [Fact]
    public async Task A_second_row_for_one_address_violates_the_unique_index()
    {
        var (project, network, subnet, _) = await SetupAsync();
        var other = await db.Ports.CreateAsync(Actor.System, project, new PortCreate { NetworkId = network });
        var e = await RawAsync("INSERT INTO ip_allocations (subnet_id, ip_address, port_id, network_id) VALUES ($1, '10.0.0.9', $2, $3)",
            subnet, other.Id, network);
        Assert.Equal("23505", e.SqlState);
        Assert.Equal("ux_ip_allocations_subnet_ip", e.ConstraintName);
    }

    [Fact]
    public async Task A_duplicate_mac_in_a_network_violates_the_unique_index()
    {
        var (project, network, _, _) = await SetupAsync();
        var e = await RawAsync("""
            INSERT INTO ports (project_id, network_id, name, mac_address, device_owner, device_id, dns_name, status, admin_state_up, created_at, updated_at)
            VALUES ($1, $2, 'raw', 'fa:16:3e:aa:bb:cc', '', '', '', 'DOWN', true, now(), now())
            """, project, network);
        Assert.Equal("23505", e.SqlState);
        Assert.Equal("ux_ports_network_mac", e.ConstraintName);
    }

    [Fact]
    public async Task Deleting_a_network_or_subnet_that_is_referenced_is_restricted()
    {
        var (_, network, subnet, _) = await SetupAsync();
        Assert.Equal("23503", (await RawAsync("DELETE FROM networks WHERE id = $1", network)).SqlState);
        Assert.Equal("23503", (await RawAsync("DELETE FROM subnets WHERE id = $1", subnet)).SqlState);
    }

    [Fact]
    public async Task Check_constraints_guard_mtu_services_access_and_project_ids()
    {
        var (project, network, _, _) = await SetupAsync();
        Assert.Equal("23514", (await RawAsync("UPDATE networks SET mtu = 10 WHERE id = $1", network)).SqlState);
        Assert.Equal("23514", (await RawAsync("UPDATE networks SET services_access = true, internet_access = true WHERE id = $1", network)).SqlState);
        Assert.Equal("23514", (await RawAsync("INSERT INTO projects (id, name, shadowport_enabled, created_at) VALUES ('NOT-HEX-NOT-HEX-NOT-HEX-NOT-HEX!', 'x', false, now())")).SqlState);
        Assert.Equal("23514", (await RawAsync("UPDATE quotas SET \"limit\" = -1 WHERE project_id = $1", project)).SqlState);
    }

    [Fact]
    public async Task A_raw_insert_past_the_quota_is_refused_by_the_database()
    {
        var (project, network, _, _) = await SetupAsync();
        await db.Projects.SetQuotaAsync(Actor.System, project, Quotas.Ports, 1); // the port of SetupAsync holds the only slot
        var e = await RawAsync("""
            INSERT INTO ports (project_id, network_id, name, mac_address, device_owner, device_id, dns_name, status, admin_state_up, created_at, updated_at)
            VALUES ($1, $2, 'raw', 'fa:16:3e:aa:bb:cd', '', '', '', 'DOWN', true, now(), now())
            """, project, network);
        Assert.Equal("PT001", e.SqlState);
        Assert.Equal(1L, await db.ScalarAsync("SELECT count(*) FROM ports WHERE project_id = $1", project));
    }

    [Fact]
    public async Task An_address_from_a_subnet_of_another_network_violates_the_foreign_key()
    {
        var (project, network, _, port) = await SetupAsync();
        var other = await db.Networks.CreateAsync(Actor.System, project, new NetworkCreate
        {
            Name = "other", FirstSubnet = new SubnetCreate { Cidr = "10.1.0.0/24", EnableDhcp = false },
        });
        var e = await RawAsync("INSERT INTO ip_allocations (subnet_id, ip_address, port_id, network_id) VALUES ($1, '10.1.0.9', $2, $3)",
            other.Subnets[0].Id, port, network);
        Assert.Equal("23503", e.SqlState);
    }
}
