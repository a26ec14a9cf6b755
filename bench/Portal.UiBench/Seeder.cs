using Npgsql;
using Portal.Data.Services;

namespace Portal.UiBench;

/// <summary>
/// Fills the demo project the way a big customer looks: 1,000 networks (one /24 each) and one network whose
/// /16 subnet holds 50,000 ports. Written with set-based SQL so seeding takes seconds, not the benchmark's time.
/// </summary>
internal static class Seeder
{
    public const int Networks = 1_000;
    public const int Ports = 50_000;

    public static async Task<(Guid NetworkId, Guid SubnetId)> SeedAsync(NpgsqlDataSource db)
    {
        var project = DemoData.DemoProjectId;
        await using var connection = await db.OpenConnectionAsync();
        await using var tx = await connection.BeginTransactionAsync();
        async Task Run(string sql)
        {
            // Several statements in one command: the simple protocol, so no parameters (the project id is a constant).
            await using var command = new NpgsqlCommand(sql, connection, tx) { CommandTimeout = 600 };
            await command.ExecuteNonQueryAsync();
        }

        await Run($"""
            INSERT INTO networks (project_id, name, description, status, admin_state_up, mtu, internet_access, services_access, external, created_at, updated_at)
            SELECT '{project}', 'bench-net-' || lpad(g::text, 4, '0'), '', 'ACTIVE', true, 1500, false, false, false, now(), now()
              FROM generate_series(1, {Networks}) g;
            INSERT INTO subnets (project_id, network_id, name, cidr, ip_version, gateway_ip, enable_dhcp, dns_nameservers, created_at, updated_at)
            SELECT '{project}', n.id, '', ('10.' || (100 + g / 256) || '.' || (g % 256) || '.0/24')::cidr, 4,
                   ('10.' || (100 + g / 256) || '.' || (g % 256) || '.1')::inet, false, ARRAY[]::inet[], now(), now()
              FROM networks n JOIN LATERAL (SELECT substring(n.name from 11)::int AS g) x ON true
             WHERE n.project_id = '{project}' AND n.name LIKE 'bench-net-%';
            INSERT INTO allocation_pools (subnet_id, first_ip, last_ip)
            SELECT id, host(cidr)::inet + 2, host(cidr)::inet + 254 FROM subnets
             WHERE project_id = '{project}' AND network_id IN (SELECT id FROM networks WHERE name LIKE 'bench-net-%');
            """);
        await Run($"""
            INSERT INTO networks (project_id, name, description, status, admin_state_up, mtu, internet_access, services_access, external, created_at, updated_at)
            VALUES ('{project}', 'bench-big', '', 'ACTIVE', true, 1500, false, false, false, now(), now());
            INSERT INTO subnets (project_id, network_id, name, cidr, ip_version, gateway_ip, enable_dhcp, dns_nameservers, created_at, updated_at)
            SELECT '{project}', id, 'big', '10.200.0.0/16', 4, '10.200.0.1', false, ARRAY[]::inet[], now(), now() FROM networks WHERE name = 'bench-big';
            INSERT INTO allocation_pools (subnet_id, first_ip, last_ip)
            SELECT id, '10.200.0.2', '10.200.255.254' FROM subnets WHERE name = 'big';
            INSERT INTO ports (id, project_id, network_id, name, mac_address, device_owner, device_id, dns_name, status, admin_state_up, created_at, updated_at)
            SELECT gen_random_uuid(), '{project}', n.id, 'vm-' || g,
                   ('fa:16:3e:' || lpad(to_hex((g >> 16) & 255), 2, '0') || ':' || lpad(to_hex((g >> 8) & 255), 2, '0') || ':' || lpad(to_hex(g & 255), 2, '0'))::macaddr,
                   '', '', '', 'DOWN', true, now() - make_interval(secs => g), now()
              FROM networks n, generate_series(1, {Ports}) g WHERE n.name = 'bench-big';
            INSERT INTO ip_allocations (subnet_id, ip_address, port_id, network_id)
            SELECT s.id, '10.200.0.1'::inet + substring(p.name from 4)::int, p.id, p.network_id
              FROM ports p JOIN subnets s ON s.network_id = p.network_id
             WHERE p.network_id = (SELECT id FROM networks WHERE name = 'bench-big');
            ANALYZE;
            """);
        await tx.CommitAsync();

        await using var ids = new NpgsqlCommand("SELECT network_id, id FROM subnets WHERE name = 'big'", connection);
        await using var reader = await ids.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetGuid(0), reader.GetGuid(1));
    }
}
