using System.Net;
using System.Net.NetworkInformation;
using Npgsql;
using NpgsqlTypes;
using Portal.Core.Errors;
using Portal.Data.Entities;

namespace Portal.Data.Services;

/// <summary>One fixed IP to take: from <see cref="SubnetId"/>, the given <see cref="Address"/> or the next free one.</summary>
internal sealed record AllocationSpec(Guid SubnetId, string SubnetName, IPAddress? Address);

/// <summary>A port to write; <see cref="Audit"/> is who creates it, or null for a system port, which is not recorded.</summary>
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
    Actor? Audit);

/// <summary>
/// Writes a port and its addresses in one round trip: a batch of statements that the database runs as one
/// transaction (or inside the caller's). Address choice (portal_allocate_ip) and the quota slot (a trigger)
/// happen in the database, so nothing is loaded to find a free address.
/// </summary>
internal static class PortWriter
{
    /// <remarks>
    /// The port row is written only into a network of the port's own project, and a user's port never into a
    /// provider network; otherwise no row is written and the address rows fail their foreign key, so a caller
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
            batch.BatchCommands.Add(Command("""
                INSERT INTO ports (id, project_id, network_id, name, mac_address, device_owner, device_id, dns_name,
                                   status, admin_state_up, created_at, updated_at)
                SELECT $1, $2, n.id, $4, $5, $6, $7, $8, $9, $10, $11, $11
                  FROM networks n WHERE n.id = $3 AND n.project_id = $2 AND NOT (n.external AND $6 = '')
                """,
                spec.Id, spec.ProjectId, spec.NetworkId, spec.Name, spec.Mac, spec.DeviceOwner, spec.DeviceId,
                spec.DnsName, StatusOf(spec), spec.AdminStateUp, now));
            owners.Add(i);
            foreach (var ip in spec.FixedIps)
            {
                batch.BatchCommands.Add(ip.Address is null
                    ? Command("""
                        INSERT INTO ip_allocations (subnet_id, ip_address, port_id, network_id)
                        VALUES ($1, portal_allocate_ip($1), $2, $3) RETURNING ip_address
                        """, ip.SubnetId, spec.Id, spec.NetworkId)
                    : Command("""
                        INSERT INTO ip_allocations (subnet_id, ip_address, port_id, network_id)
                        VALUES ($1, $4, $2, $3) RETURNING ip_address
                        """, ip.SubnetId, spec.Id, spec.NetworkId, ip.Address));
                owners.Add(i);
            }
            if (spec.Audit is { } actor)
            {
                // After the allocations, so that the entry names the addresses the database chose; written only
                // with the port row, and at its creation time.
                batch.BatchCommands.Add(Command("""
                    INSERT INTO audit_entries (project_id, at, actor, address, action, object_type, object_id, object_name, details)
                    SELECT p.project_id, p.created_at, $2, $3, 'port.create', 'port', p.id::text, p.name,
                           coalesce((SELECT string_agg(host(a.ip_address), ', ' ORDER BY a.ip_address)
                                       FROM ip_allocations a WHERE a.port_id = p.id), '')
                      FROM ports p WHERE p.id = $1
                    """, spec.Id, actor.Name, (object?)actor.Address ?? DBNull.Value));
                owners.Add(i);
            }
        }

        // Statements without RETURNING produce no result set, so only the allocations' rows are read, in order.
        var addresses = new List<IPAddress>(owners.Count);
        try
        {
            await using var reader = await batch.ExecuteReaderAsync(ct);
            do
            {
                while (await reader.ReadAsync(ct))
                {
                    if (reader.FieldCount == 1 && reader.GetName(0) == "ip_address") addresses.Add(reader.GetFieldValue<IPAddress>(0));
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
        foreach (var spec in specs)
        {
            ports.Add(new Port
            {
                Id = spec.Id, ProjectId = spec.ProjectId, NetworkId = spec.NetworkId, Name = spec.Name, MacAddress = spec.Mac,
                DeviceOwner = spec.DeviceOwner, DeviceId = spec.DeviceId, DnsName = spec.DnsName, AdminStateUp = spec.AdminStateUp,
                Status = StatusOf(spec), CreatedAt = now, UpdatedAt = now,
                FixedIps = spec.FixedIps.Select(ip => new IpAllocation
                    { SubnetId = ip.SubnetId, IpAddress = addresses[next++], PortId = spec.Id, NetworkId = spec.NetworkId }).ToList(),
            });
        }
        return ports;
    }

    /// <summary>Key of <see cref="Exception.Data"/>: the index of the port whose statement failed.</summary>
    public const string FailedPortKey = "Portal.FailedPort";

    private static string StatusOf(PortSpec spec) => spec.DeviceOwner.Length == 0 ? PortStatus.Down : PortStatus.Active;

    public static NpgsqlBatchCommand Command(string sql, params object[] args)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var arg in args)
        {
            command.Parameters.Add(arg is PhysicalAddress mac
                ? new NpgsqlParameter { Value = mac, NpgsqlDbType = NpgsqlDbType.MacAddr }
                : new NpgsqlParameter { Value = arg });
        }
        return command;
    }

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
