using System.Net;
using System.Net.NetworkInformation;
using Npgsql;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Portal.Core.Errors;
using Portal.Data.Entities;
using Portal.Data.Services;

namespace Portal.Data.Store;

/// <summary>One fixed IP to take: from <see cref="SubnetId"/>, the given <see cref="Address"/> or the next free one.</summary>
internal sealed record AllocationSpec(Guid SubnetId, string SubnetName, IPAddress? Address);

/// <summary>
/// A port to write; <see cref="Audit"/> is who creates it, or null for a system port, which is not recorded. A user's
/// port is written only while its creator is a member of the project (checked by the statement that writes it).
/// </summary>
internal sealed record PortSpec(
    Guid Id,
    string ProjectId,
    Guid NetworkId,
    string Name,
    PhysicalAddress Mac,
    string DeviceOwner,
    string DeviceId,
    string DnsName,
    bool AdminStateUp,
    IReadOnlyList<AllocationSpec> FixedIps,
    Actor? Audit,
    string Description = "",
    bool? PortSecurityEnabled = null,
    IReadOnlyList<Portal.Core.Ip.AddressPair>? AllowedAddressPairs = null,
    IReadOnlyList<Portal.Core.Ip.DhcpOption>? ExtraDhcpOpts = null);

/// <summary>
/// The SQL of ports and their addresses. A port and its addresses are written in one round trip: a batch of
/// statements that the database runs as one transaction (or inside the caller's). Address choice
/// (portal_port_ip: the next free one, or the EUI-64 address in a SLAAC subnet) and the quota slot (a trigger) happen in the database, so nothing is loaded to find a free
/// address. System ports (DHCP, router interface, shadowport, a cluster's) are written here too, unaudited.
/// </summary>
internal static class PortStore
{
    /// <remarks>
    /// The port row is written only into a network of the port's own project, a user's port never into a
    /// provider network and only by a member of the project; otherwise no row is written and the address rows fail their foreign key, so a caller
    /// that skipped reading the network still cannot put a port where it does not belong.
    /// </remarks>
    public static async Task<Port> InsertAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, PortSpec spec, DateTimeOffset now, CancellationToken ct) =>
        (await InsertManyAsync(connection, transaction, [spec], now, ct))[0];

    /// <summary>
    /// Writes several ports in one round trip and one transaction (the caller's, or the batch's own implicit
    /// one), each with its audit entry: all of them or none. When a statement fails, the index of the port it
    /// belongs to is in the exception's <see cref="Exception.Data"/> under <see cref="FailedPortKey"/>.
    /// </summary>
    public static async Task<IReadOnlyList<Port>> InsertManyAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, IReadOnlyList<PortSpec> specs, DateTimeOffset now, CancellationToken ct)
    {
        await using var batch = new NpgsqlBatch(connection, transaction);
        var owners = new List<int>();
        for (var i = 0; i < specs.Count; i++)
        {
            var spec = specs[i];
            var status = StatusOf(spec);
            var member = MemberOf(spec.Audit);
            var pairs = Configurations.JsonColumn.Text(spec.AllowedAddressPairs ?? []);
            var options = Configurations.JsonColumn.Text(spec.ExtraDhcpOpts ?? []);
            batch.BatchCommands.Add(Sql.BatchCommand($"""
                INSERT INTO ports (id, project_id, network_id, name, mac_address, device_owner, device_id, description, dns_name,
                                   status, admin_state_up, port_security_enabled, allowed_address_pairs, extra_dhcp_opts, created_at, updated_at)
                SELECT {spec.Id}, n.project_id, n.id, {spec.Name}, {spec.Mac}, {spec.DeviceOwner}, {spec.DeviceId}, {spec.Description}, {spec.DnsName},
                       {status}, {spec.AdminStateUp}, coalesce({spec.PortSecurityEnabled}::boolean, n.port_security_enabled),
                       {pairs}::jsonb, {options}::jsonb, {now}, {now}
                  FROM networks n WHERE n.id = {spec.NetworkId} AND n.project_id = {spec.ProjectId}
                   AND NOT (n.external AND {spec.DeviceOwner} = '')
                   AND ({member}::text IS NULL
                        OR EXISTS (SELECT 1 FROM project_members m WHERE m.project_id = n.project_id AND m.user_id = {member}::text))
                RETURNING port_security_enabled
                """));
            owners.Add(i);
            if (spec.FixedIps.Count == 0)
            {
                // A port without addresses has no address row to fail its foreign key when the port row was not
                // written; this row fails it then, and only then, so that such a port is refused the same way.
                batch.BatchCommands.Add(Sql.BatchCommand($"""
                    INSERT INTO ip_allocations (subnet_id, ip_address, port_id, network_id)
                    SELECT {Guid.Empty}, '0.0.0.0'::inet, {spec.Id}, {spec.NetworkId}
                     WHERE NOT EXISTS (SELECT 1 FROM ports WHERE id = {spec.Id})
                    """));
                owners.Add(i);
            }
            foreach (var ip in spec.FixedIps)
            {
                batch.BatchCommands.Add(AllocationCommand(ip, spec.Id, spec.NetworkId, spec.Mac));
                owners.Add(i);
            }
            if (spec.Audit is { } actor)
            {
                // After the allocations, so that the entry names the addresses the database chose; written only
                // with the port row, and at its creation time.
                batch.BatchCommands.Add(AuditStore.UserPortEntry(spec.ProjectId, spec.Id, "port.create", actor, now));
                owners.Add(i);
            }
        }

        // Statements without RETURNING produce no result set, so only the ports' and the allocations' rows are read, in order.
        var addresses = new List<IPAddress>(owners.Count);
        var security = new List<bool>(specs.Count);
        try
        {
            // Prepared explicitly, though automatic preparation is off (DataExtensions): the hot path of the portal
            // skips a parse and plan per statement. A statement is prepared once per physical connection, by a round
            // trip that carries no values, so a value PostgreSQL refuses later meets a prepared statement and does not
            // break the connection the way a refusal on a preparing execution did (npgsql issue 6391).
            await batch.PrepareAsync(ct);
            await using var reader = await batch.ExecuteReaderAsync(ct);
            do
            {
                while (await reader.ReadAsync(ct))
                {
                    if (reader.FieldCount != 1) continue;
                    if (reader.GetName(0) == "ip_address") addresses.Add(reader.GetFieldValue<IPAddress>(0));
                    else if (reader.GetName(0) == "port_security_enabled") security.Add(reader.GetBoolean(0));
                }
            } while (await reader.NextResultAsync(ct));
        }
        catch (PostgresException e) when (e.BatchCommand is { } failed)
        {
            e.Data[FailedPortKey] = owners[batch.BatchCommands.IndexOf(failed)];
            throw;
        }

        var ports = new List<Port>(specs.Count);
        var next = 0;
        foreach (var (spec, index) in specs.Select((s, i) => (s, i)))
        {
            ports.Add(new Port
            {
                Id = spec.Id, ProjectId = spec.ProjectId, NetworkId = spec.NetworkId, Name = spec.Name, MacAddress = spec.Mac,
                DeviceOwner = spec.DeviceOwner, DeviceId = spec.DeviceId, Description = spec.Description, DnsName = spec.DnsName, AdminStateUp = spec.AdminStateUp,
                Status = StatusOf(spec), CreatedAt = now, UpdatedAt = now, RevisionNumber = 1,
                PortSecurityEnabled = security[index],
                AllowedAddressPairs = spec.AllowedAddressPairs?.ToList() ?? [], ExtraDhcpOpts = spec.ExtraDhcpOpts?.ToList() ?? [],
                FixedIps = spec.FixedIps.Select(ip => new IpAllocation
                    { SubnetId = ip.SubnetId, IpAddress = addresses[next++], PortId = spec.Id, NetworkId = spec.NetworkId }).ToList(),
            });
        }
        return ports;
    }

    /// <summary>One address of a port: the given one, or the database's choice for the port's MAC (<c>portal_port_ip</c>).</summary>
    private static NpgsqlBatchCommand AllocationCommand(AllocationSpec ip, Guid portId, Guid networkId, PhysicalAddress mac) =>
        ip.Address is null
            ? Sql.BatchCommand($"""
                INSERT INTO ip_allocations (subnet_id, ip_address, port_id, network_id)
                VALUES ({ip.SubnetId}, portal_port_ip({ip.SubnetId}, {mac}), {portId}, {networkId}) RETURNING ip_address
                """)
            : Sql.BatchCommand($"""
                INSERT INTO ip_allocations (subnet_id, ip_address, port_id, network_id)
                VALUES ({ip.SubnetId}, {ip.Address}, {portId}, {networkId}) RETURNING ip_address
                """);

    /// <summary>Key of <see cref="Exception.Data"/>: the index of the port whose statement failed.</summary>
    public const string FailedPortKey = "Portal.FailedPort";

    /// <summary>
    /// A system port of <paramref name="owner"/> with one address in the subnet (the given one or the next free),
    /// inside the caller's transaction; a full subnet is Neutron's IpAddressGenerationFailure.
    /// </summary>
    public static async Task AddSystemPortAsync(PortalDbContext db, IDbContextTransaction tx, Subnet subnet, string owner,
        string deviceId, IPAddress? address, DateTimeOffset now, CancellationToken ct)
    {
        var spec = new PortSpec(Guid.CreateVersion7(), subnet.ProjectId, subnet.NetworkId, "", NewMac(), owner,
            deviceId, "", true, [new AllocationSpec(subnet.Id, subnet.DisplayName, address)], Audit: null);
        try
        {
            await InsertAsync(Sql.Connection(db), Sql.Transaction(tx), spec, now, ct);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrors.NoFreeAddress)
        {
            throw NeutronErrors.IpAddressGenerationFailure(subnet.DisplayName);
        }
    }

    /// <summary>
    /// Gives a port more addresses, in the caller's transaction: each the given one or the database's choice
    /// (<c>portal_port_ip</c>). Returns them in order; a full subnet or a taken address is the database's error.
    /// </summary>
    public static async Task<IReadOnlyList<IPAddress>> AddAddressesAsync(PortalDbContext db, IDbContextTransaction tx, Port port,
        IReadOnlyList<AllocationSpec> ips, CancellationToken ct)
    {
        if (ips.Count == 0) return [];
        await using var batch = new NpgsqlBatch(Sql.Connection(db), Sql.Transaction(tx));
        foreach (var ip in ips)
        {
            batch.BatchCommands.Add(AllocationCommand(ip, port.Id, port.NetworkId, port.MacAddress));
        }
        var addresses = new List<IPAddress>(ips.Count);
        await using var reader = await batch.ExecuteReaderAsync(ct);
        do
        {
            while (await reader.ReadAsync(ct)) addresses.Add(reader.GetFieldValue<IPAddress>(0));
        } while (await reader.NextResultAsync(ct));
        return addresses;
    }

    /// <summary>Deletes the ports of the given owners that hold an address in a subnet; returns how many.</summary>
    public static async Task<int> DeleteSystemPortsAsync(PortalDbContext db, Guid subnetId, string[] owners, CancellationToken ct)
    {
        var portIds = await db.IpAllocations.Where(a => a.SubnetId == subnetId)
            .Join(db.Ports, a => a.PortId, p => p.Id, (a, p) => p)
            .Where(p => owners.Contains(p.DeviceOwner))
            .Select(p => p.Id).Distinct().ToListAsync(ct);
        if (portIds.Count == 0) return 0;
        return await db.Ports.Where(p => portIds.Contains(p.Id)).ExecuteDeleteAsync(ct);
    }

    /// <summary>A router takes a subnet's gateway address; refuse when a port other than the router holds it.</summary>
    public static async Task ThrowIfGatewayHeldAsync(PortalDbContext db, Guid subnetId, IPAddress gateway, string field, CancellationToken ct)
    {
        var holder = await db.IpAllocations.Where(a => a.SubnetId == subnetId && a.IpAddress == gateway)
            .Join(db.Ports, a => a.PortId, p => p.Id, (a, p) => p)
            .FirstOrDefaultAsync(p => p.DeviceOwner != DeviceOwners.RouterInterface, ct);
        if (holder is not null)
        {
            throw NeutronErrors.Conflict("GatewayInUse", field, gateway.ToString(), holder.Name.Length > 0 ? holder.Name : holder.Id.ToString());
        }
    }

    /// <summary>
    /// Deletes a user's port with its audit entry, in one round trip and transaction; its addresses go with it and
    /// the database frees its quota slot. False when the project has no such user port (it may be a system port).
    /// </summary>
    public static async Task<bool> DeleteUserPortAsync(NpgsqlDataSource dataSource, string projectId, Guid portId, Actor actor,
        DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var batch = new NpgsqlBatch(connection);
        var member = MemberOf(actor);
        // Locked first, so that of two deletions racing only the one that deletes writes an entry; the entry is
        // written before the delete, while the port still holds the addresses it names. Each statement checks the
        // actor's membership (a removal racing with this waits for the batch or makes all three do nothing).
        batch.BatchCommands.Add(Sql.BatchCommand($"""
            SELECT 1 FROM ports p WHERE p.id = {portId} AND p.project_id = {projectId} AND p.device_owner = ''
               AND ({member}::text IS NULL
                    OR EXISTS (SELECT 1 FROM project_members m WHERE m.project_id = p.project_id AND m.user_id = {member}::text))
               FOR UPDATE
            """));
        batch.BatchCommands.Add(AuditStore.UserPortEntry(projectId, portId, "port.delete", actor, now));
        batch.BatchCommands.Add(Sql.BatchCommand($"""
            DELETE FROM ports p WHERE p.id = {portId} AND p.project_id = {projectId} AND p.device_owner = ''
               AND ({member}::text IS NULL
                    OR EXISTS (SELECT 1 FROM project_members m WHERE m.project_id = p.project_id AND m.user_id = {member}::text))
            RETURNING 1
            """));
        await using var reader = await batch.ExecuteReaderAsync(ct);
        await reader.NextResultAsync(ct);
        return await reader.ReadAsync(ct);
    }

    /// <summary>
    /// The network and its subnets, with only what port creation needs: one plain query on the hot path
    /// (port creation is the most frequent write), without a tracking context.
    /// </summary>
    public static async Task<Network?> ReadNetworkForPortAsync(NpgsqlDataSource dataSource, Actor actor, string projectId, Guid networkId,
        CancellationToken ct)
    {
        var member = MemberOf(actor);
        // A non-member of the project sees no network at all, as if the project did not exist.
        await using var command = Sql.Command(dataSource, $"""
            SELECT n.name, n.external, n.port_security_enabled, s.id, s.name, s.cidr, s.gateway_ip, s.ip_version, s.created_at, s.ipv6_address_mode
              FROM networks n LEFT JOIN subnets s ON s.network_id = n.id
             WHERE n.id = {networkId} AND (n.project_id = {projectId} OR n.external)
               AND ({member}::text IS NULL
                    OR EXISTS (SELECT 1 FROM project_members m WHERE m.project_id = {projectId}::bpchar AND m.user_id = {member}::text))
             ORDER BY s.created_at
            """);
        await using var reader = await command.ExecuteReaderAsync(ct);
        Network? network = null;
        while (await reader.ReadAsync(ct))
        {
            network ??= new Network
            {
                Id = networkId, ProjectId = projectId, Name = reader.GetString(0), External = reader.GetBoolean(1), PortSecurityEnabled = reader.GetBoolean(2),
            };
            if (reader.IsDBNull(3)) continue;
            network.Subnets.Add(new Subnet
            {
                Id = reader.GetGuid(3),
                ProjectId = projectId,
                NetworkId = networkId,
                Name = reader.GetString(4),
                Cidr = reader.GetFieldValue<IPNetwork>(5),
                GatewayIp = reader.IsDBNull(6) ? null : reader.GetFieldValue<IPAddress>(6),
                IpVersion = reader.GetInt32(7),
                CreatedAt = reader.GetFieldValue<DateTimeOffset>(8),
                Ipv6AddressMode = reader.IsDBNull(9) ? null : reader.GetString(9),
            });
        }
        return network;
    }

    /// <summary>
    /// The user whose membership a statement checks: null for the portal itself (and for system ports). The statements
    /// compare project_members.project_id (char(32)) with a column or a bpchar, never with a text parameter, so that the
    /// lookup is one probe of the primary key.
    /// </summary>
    internal static string? MemberOf(Actor? actor) => actor is { IsSystem: false } user ? user.UserId : null;

    private static string StatusOf(PortSpec spec) => spec.DeviceOwner.Length == 0 ? PortStatus.Down : PortStatus.Active;

    /// <summary>A locally administered MAC in OpenStack's fa:16:3e prefix, as Neutron generates them.</summary>
    public static PhysicalAddress NewMac()
    {
        Span<byte> bytes = stackalloc byte[6];
        bytes[0] = 0xfa; bytes[1] = 0x16; bytes[2] = 0x3e;
        Random.Shared.NextBytes(bytes[3..]);
        return new PhysicalAddress(bytes.ToArray());
    }

    public static PhysicalAddress ParseMac(string text)
    {
        var cleaned = text.Trim();
        try
        {
            var mac = PhysicalAddress.Parse(cleaned.Replace(':', '-').ToUpperInvariant());
            var bytes = mac.GetAddressBytes();
            // Multicast (lowest bit of the first octet) and all-zero addresses cannot be a port's address.
            if (bytes.Length == 6 && (bytes[0] & 1) == 0 && bytes.Any(b => b != 0)) return mac;
        }
        catch (FormatException)
        {
        }
        throw NeutronErrors.InvalidInput("InvalidMacAddress", "mac_address", text);
    }

    public static string Format(PhysicalAddress mac) =>
        string.Join(':', mac.GetAddressBytes().Select(b => b.ToString("x2")));
}
