using System.Net;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Portal.Core.Errors;
using Portal.Core.Ip;
using Portal.Data.Entities;
using Portal.Data.Store;

namespace Portal.Data.Services;

/// <summary>
/// Ports and their addresses (IPAM). Creation is one round trip after one read of the network, shared with the
/// creations that arrive at the same time (<see cref="PortInsertQueue"/>). Every call is made by an
/// <see cref="Actor"/> who must be a member of the project (a non-member is told the port or network does not
/// exist); on the hot paths (creation, deletion) that check is part of the statement that writes. Creations,
/// updates and deletions of users' ports are recorded in the audit trail, in their own transaction. System ports
/// (DHCP, router, floating IP, shadowport, Kubernetes) are read-only to customers.
/// </summary>
public sealed class PortService(
    IDbContextFactory<PortalDbContext> dbs, NpgsqlDataSource dataSource, PortInsertQueue writes, SubnetService subnets,
    AuditService audit, ChangeFeed.ChangePublisher changes, TimeProvider clock)
{
    private const int MaxAttempts = 5;

    public async Task<Port> GetAsync(Actor actor, string projectId, Guid portId, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        await Access.RequireMemberAsync(db, actor, projectId, () => ServiceErrors.PortNotFound(portId), ct);
        return await db.Ports.Include(p => p.FixedIps).AsNoTracking()
                   .FirstOrDefaultAsync(p => p.Id == portId && p.ProjectId == projectId, ct)
               ?? throw ServiceErrors.PortNotFound(portId);
    }

    /// <summary>
    /// The project's ports: of one network when <paramref name="networkId"/> is given (else of every network), and
    /// only those with an address in <paramref name="subnetId"/> when that is given.
    /// </summary>
    public async Task<IReadOnlyList<Port>> ListAsync(Actor actor, string projectId, Guid? networkId, Guid? subnetId = null,
        CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        await Access.RequireMemberAsync(db, actor, projectId, ct);
        var ports = db.Ports.Where(p => p.ProjectId == projectId);
        if (networkId is { } n) ports = ports.Where(p => p.NetworkId == n);
        if (subnetId is { } s) ports = ports.Where(p => p.FixedIps.Any(f => f.SubnetId == s));
        return await ports.Include(p => p.FixedIps).OrderBy(p => p.CreatedAt).AsNoTracking().ToListAsync(ct);
    }

    /// <summary>A page of the project's ports for the API's list, filtered, sorted (id by default) and cut in the database.</summary>
    public async Task<IReadOnlyList<Port>> PageAsync(Actor actor, string projectId, PortQuery query, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        await Access.RequireMemberAsync(db, actor, projectId, ct);
        var ports = db.Ports.Where(p => p.ProjectId == projectId);
        if (query.Ids is { } ids) ports = ports.Where(p => ids.Contains(p.Id));
        if (query.NetworkIds is { } networks) ports = ports.Where(p => networks.Contains(p.NetworkId));
        if (query.Names is { } names) ports = ports.Where(p => names.Contains(p.Name));
        if (query.DeviceOwners is { } owners) ports = ports.Where(p => owners.Contains(p.DeviceOwner));
        if (query.DeviceIds is { } devices) ports = ports.Where(p => devices.Contains(p.DeviceId));
        if (query.Statuses is { } statuses) ports = ports.Where(p => statuses.Contains(p.Status));
        if (query.AdminStateUp is { } up) ports = ports.Where(p => p.AdminStateUp == up);
        foreach (var subnet in query.SubnetIds) ports = ports.Where(p => p.FixedIps.Any(f => f.SubnetId == subnet));
        foreach (var address in query.IpAddresses) ports = ports.Where(p => p.FixedIps.Any(f => f.IpAddress == address));
        // The marker's own values place the page after it in the sort order (keyset paging); a marker that is gone
        // pages on in id order, as the general list does.
        var marker = query.After is { } after
            ? await db.Ports.AsNoTracking().Where(p => p.Id == after && p.ProjectId == projectId)
                .Select(p => new { p.Id, p.Name, p.Status, p.DeviceOwner, p.CreatedAt }).FirstOrDefaultAsync(ct)
            : null;
        if (query.After is { } gone && (marker is null || query.SortKey is null)) ports = ports.Where(p => p.Id.CompareTo(gone) > 0);
        else if (marker is not null)
        {
            var (id, desc) = (marker.Id, query.Descending);
            ports = query.SortKey switch
            {
                "name" => ports.Where(p => (desc ? p.Name.CompareTo(marker.Name) < 0 : p.Name.CompareTo(marker.Name) > 0) || (p.Name == marker.Name && p.Id.CompareTo(id) > 0)),
                "status" => ports.Where(p => (desc ? p.Status.CompareTo(marker.Status) < 0 : p.Status.CompareTo(marker.Status) > 0) || (p.Status == marker.Status && p.Id.CompareTo(id) > 0)),
                "device_owner" => ports.Where(p => (desc ? p.DeviceOwner.CompareTo(marker.DeviceOwner) < 0 : p.DeviceOwner.CompareTo(marker.DeviceOwner) > 0)
                                                   || (p.DeviceOwner == marker.DeviceOwner && p.Id.CompareTo(id) > 0)),
                _ => ports.Where(p => (desc ? p.CreatedAt < marker.CreatedAt : p.CreatedAt > marker.CreatedAt) || (p.CreatedAt == marker.CreatedAt && p.Id.CompareTo(id) > 0)),
            };
        }
        var ordered = (query.SortKey, query.Descending) switch
        {
            ("name", false) => ports.OrderBy(p => p.Name).ThenBy(p => p.Id),
            ("name", true) => ports.OrderByDescending(p => p.Name).ThenBy(p => p.Id),
            ("status", false) => ports.OrderBy(p => p.Status).ThenBy(p => p.Id),
            ("status", true) => ports.OrderByDescending(p => p.Status).ThenBy(p => p.Id),
            ("device_owner", false) => ports.OrderBy(p => p.DeviceOwner).ThenBy(p => p.Id),
            ("device_owner", true) => ports.OrderByDescending(p => p.DeviceOwner).ThenBy(p => p.Id),
            ("created_at", false) => ports.OrderBy(p => p.CreatedAt).ThenBy(p => p.Id),
            ("created_at", true) => ports.OrderByDescending(p => p.CreatedAt).ThenBy(p => p.Id),
            _ => ports.OrderBy(p => p.Id),
        };
        return await ordered.Take(query.Take).Include(p => p.FixedIps).AsNoTracking().AsSplitQuery().ToListAsync(ct);
    }

    /// <summary>One page of the ports holding addresses in a subnet; one row per address, sorted by address by default.</summary>
    public async Task<Page<PortRow>> QueryAsync(Actor actor, string projectId, Guid subnetId, PageRequest page, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        await Access.RequireMemberAsync(db, actor, projectId, () => ServiceErrors.SubnetNotFound(subnetId), ct);
        if (!await db.Subnets.AnyAsync(s => s.Id == subnetId && s.ProjectId == projectId, ct)) throw ServiceErrors.SubnetNotFound(subnetId);
        var query = from a in db.IpAllocations
                    where a.SubnetId == subnetId
                    join p in db.Ports on a.PortId equals p.Id
                    where p.ProjectId == projectId
                    select new { a.IpAddress, Port = p };
        if (!string.IsNullOrWhiteSpace(page.NameFilter))
        {
            var pattern = "%" + Sql.EscapeLike(page.NameFilter.Trim()) + "%";
            query = query.Where(x => EF.Functions.ILike(x.Port.Name, pattern, "\\"));
        }
        // Without a filter every address of the (already checked) subnet counts: an index-only count, no join.
        var total = string.IsNullOrWhiteSpace(page.NameFilter)
            ? await db.IpAllocations.CountAsync(a => a.SubnetId == subnetId, ct)
            : await query.CountAsync(ct);
        query = (page.SortBy, page.Descending) switch
        {
            ("name", false) => query.OrderBy(x => x.Port.Name).ThenBy(x => x.IpAddress),
            ("name", true) => query.OrderByDescending(x => x.Port.Name).ThenBy(x => x.IpAddress),
            ("created", false) => query.OrderBy(x => x.Port.CreatedAt),
            ("created", true) => query.OrderByDescending(x => x.Port.CreatedAt),
            ("status", false) => query.OrderBy(x => x.Port.Status).ThenBy(x => x.IpAddress),
            ("status", true) => query.OrderByDescending(x => x.Port.Status).ThenBy(x => x.IpAddress),
            (_, true) => query.OrderByDescending(x => x.IpAddress),
            _ => query.OrderBy(x => x.IpAddress),
        };
        var rows = await query.Skip(page.SafeSkip).Take(page.SafeTake).AsNoTracking().ToListAsync(ct);
        return new Page<PortRow>(rows.Select(x => new PortRow(x.Port.Id, x.Port.Name, x.IpAddress, PortStore.Format(x.Port.MacAddress),
            x.Port.Status, x.Port.AdminStateUp, x.Port.DeviceOwner, x.Port.DeviceId, x.Port.DnsName, x.Port.CreatedAt)).ToList(), total);
    }

    /// <summary>The address an automatic allocation would most likely pick now, to pre-fill the add-port form.</summary>
    public async Task<IPAddress?> SuggestAddressAsync(Actor actor, string projectId, Guid subnetId, CancellationToken ct = default)
    {
        var availability = await subnets.GetAvailabilityAsync(actor, projectId, subnetId, 1, ct);
        return availability.FreeRanges.Count > 0 ? availability.FreeRanges[0].First : null;
    }

    /// <summary>
    /// Enables or disables several of the project's ports at once, each with its entry in the trail. A system port
    /// is skipped and reported (as <see cref="UpdateAsync"/> refuses it), as is a port that is gone; the rest change.
    /// Done counts the ports that are now in the asked state.
    /// </summary>
    public async Task<BulkResult> SetAdminStateAsync(Actor actor, string projectId, IReadOnlyCollection<Guid> portIds, bool up,
        CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        await Access.RequireMemberAsync(db, actor, projectId, ct);
        var now = clock.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var ports = await db.Ports.Include(p => p.FixedIps).Where(p => p.ProjectId == projectId && portIds.Contains(p.Id))
            .OrderBy(p => p.Id).ToListAsync(ct);
        var refused = portIds.Distinct().Where(id => ports.All(p => p.Id != id)).Select(ServiceErrors.PortNotFound).ToList();
        var done = 0;
        foreach (var port in ports)
        {
            if (SystemPortRefusal(actor, port) is { } refusal)
            {
                refused.Add(refusal);
                continue;
            }
            done++;
            if (port.AdminStateUp == up) continue;
            var changed = new ChangeAuditDetails.Builder().Add("admin_state_up", port.AdminStateUp, up).Build();
            port.AdminStateUp = up;
            port.UpdatedAt = now;
            audit.Record(db, actor, projectId, "port.update", "port", port.Id.ToString(), PortLabel(port), changed.ToJson(), now);
        }
        try
        {
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw NeutronErrors.Conflict("ConcurrentUpdate", null, string.Join(", ", ports.Select(PortLabel)));
        }
        changes.Changed(projectId, Tables.Ports);
        return new BulkResult(done, refused);
    }

    /// <summary>Deletes several ports; each that cannot go (system-owned, already gone) is reported, the rest are deleted.</summary>
    public async Task<BulkResult> DeleteManyAsync(Actor actor, string projectId, IReadOnlyCollection<Guid> portIds,
        CancellationToken ct = default)
    {
        var refused = new List<NeutronException>();
        var done = 0;
        foreach (var id in portIds)
        {
            try
            {
                await DeleteAsync(actor, projectId, id, ct);
                done++;
            }
            catch (NeutronException e)
            {
                refused.Add(e);
            }
        }
        return new BulkResult(done, refused);
    }

    public async Task<Port> CreateAsync(Actor actor, string projectId, PortCreate request, CancellationToken ct = default)
    {
        SubnetRules.CheckFixedIpCount(request.FixedIps?.Count ?? 0);
        var name = SubnetPlan.CheckName(request.Name, required: false);
        var mac = request.MacAddress is { Length: > 0 } text ? PortStore.ParseMac(text) : null;
        var now = clock.GetUtcNow();
        if (await TryCreateDirectAsync(projectId, request, name, mac, now, actor, ct) is { } created) return created;

        var (network, choices) = await ResolveAsync(actor, projectId, request, ct);
        var security = request.PortSecurityEnabled ?? network.PortSecurityEnabled;

        for (var attempt = 1; ; attempt++)
        {
            var spec = UserPort(projectId, request, name, mac, choices.Select(c => c[0]).ToList(), actor);
            spec = spec with
            {
                PortSecurityEnabled = security,
                AllowedAddressPairs = PortRules.CheckAddressPairs(request.AllowedAddressPairs.Select(p => (p.IpAddress, p.MacAddress)).ToList(),
                    PortStore.Format(spec.Mac), security),
            };
            try
            {
                var port = await writes.InsertAsync(spec, now, ct);
                changes.Changed(projectId, Tables.Ports);
                return port;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrors.NoFreeAddress)
            {
                // An automatic choice moves on to the network's next subnet of that IP version; a named subnet is simply full.
                var full = choices.FindIndex(c => c[0].Address is null && c[0].SubnetId.ToString() == e.Hint);
                if (full >= 0 && choices[full].Count > 1) { choices[full] = choices[full].Skip(1).ToList(); attempt = 0; continue; }
                throw NeutronErrors.IpAddressGenerationFailure(request.FixedIps is null || full < 0 ? network.Name : choices[full][0].SubnetName);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrors.UniqueViolation && e.ConstraintName == PostgresErrors.IpAllocationUnique)
            {
                var taken = await FirstTakenAsync(spec.FixedIps, ct);
                // An automatic choice lost a race with an explicitly requested address; choose again.
                if (taken is null && attempt < MaxAttempts) continue;
                throw NeutronErrors.IpAddressAlreadyAllocated(taken?.Address?.ToString() ?? "?", taken?.SubnetName ?? network.Name);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrors.UniqueViolation && e.ConstraintName == PostgresErrors.PortMacUnique)
            {
                if (mac is null && attempt < MaxAttempts) continue;
                throw NeutronErrors.MacAddressInUse(PortStore.Format(spec.Mac), network.Name);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrors.OverQuota)
            {
                throw await ServiceErrors.OverQuotaAsync(dbs, projectId, e, ct);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrors.ForeignKeyViolation)
            {
                // The network or subnet was deleted between our read and the write.
                throw ServiceErrors.NetworkNotFound(request.NetworkId);
            }
        }
    }

    /// <summary>
    /// Changes a user's port; the trail records each attribute that changed. A system port is read-only to customers
    /// (Neutron's PolicyNotAuthorized, 403): the system keeps its name and state.
    /// </summary>
    public async Task<Port> UpdateAsync(Actor actor, string projectId, Guid portId, PortUpdate update, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        await Access.RequireMemberAsync(db, actor, projectId, () => ServiceErrors.PortNotFound(portId), ct);
        var port = await db.Ports.Include(p => p.FixedIps).FirstOrDefaultAsync(p => p.Id == portId && p.ProjectId == projectId, ct)
                   ?? throw ServiceErrors.PortNotFound(portId);
        if (SystemPortRefusal(actor, port) is { } refusal) throw refusal;
        ServiceErrors.CheckRevision(update.IfRevision, port.RevisionNumber);
        var changed = new ChangeAuditDetails.Builder();
        if (update.Name is not null)
        {
            var name = SubnetPlan.CheckName(update.Name, required: false);
            changed.Add("name", port.Name, name);
            port.Name = name;
        }
        if (update.Description is not null)
        {
            var description = SubnetPlan.CheckDescription(update.Description);
            changed.Add("description", port.Description, description);
            port.Description = description;
        }
        var security = update.PortSecurityEnabled ?? port.PortSecurityEnabled;
        var pairs = update.AllowedAddressPairs is { } asked
            ? PortRules.CheckAddressPairs(asked.Select(p => (p.IpAddress, p.MacAddress)).ToList(), PortStore.Format(port.MacAddress), security)
            : PortRules.CheckAddressPairs(port.AllowedAddressPairs.Select(p => ((string?)p.IpAddress, (string?)p.MacAddress)).ToList(), PortStore.Format(port.MacAddress), security);
        changed.Add("port_security_enabled", port.PortSecurityEnabled, security)
            .Add("allowed_address_pairs", port.AllowedAddressPairs.Select(p => $"{p.IpAddress} {p.MacAddress}"), pairs.Select(p => $"{p.IpAddress} {p.MacAddress}"));
        port.PortSecurityEnabled = security;
        port.AllowedAddressPairs = pairs.ToList();
        if (update.ExtraDhcpOpts is { } options)
        {
            var merged = PortRules.MergeDhcpOptions(port.ExtraDhcpOpts, options.Select(o => (o.OptName, o.OptValue, o.IpVersion)).ToList());
            changed.Add("extra_dhcp_opts", port.ExtraDhcpOpts.Select(Text), merged.Select(Text));
            port.ExtraDhcpOpts = merged.ToList();
        }
        if (update.DnsName is not null)
        {
            var dnsName = SubnetPlan.CheckText(update.DnsName, "dns_name", SubnetPlan.MaxNameLength, "DnsNameTooLong");
            changed.Add("dns_name", port.DnsName, dnsName);
            port.DnsName = dnsName;
        }
        changed.Add("admin_state_up", port.AdminStateUp, update.AdminStateUp ?? port.AdminStateUp);
        port.AdminStateUp = update.AdminStateUp ?? port.AdminStateUp;
        var now = clock.GetUtcNow();
        port.UpdatedAt = now;
        // A transaction only when addresses change: their statements and the port's row are then one change.
        await using var tx = update.FixedIps is null ? null : await db.Database.BeginTransactionAsync(ct);
        List<IpAllocation>? readdressed = null;
        if (update.FixedIps is { } wanted)
        {
            readdressed = await ReaddressAsync(db, tx!, port, wanted, ct);
            changed.Add("fixed_ips", string.Join(", ", port.FixedIps.OrderBy(f => f.Id).Select(f => f.IpAddress.ToString())),
                string.Join(", ", readdressed.Select(f => f.IpAddress.ToString())));
        }
        // An update that changes nothing leaves no entry: the trail says what changed.
        if (changed.Any) audit.Record(db, actor, projectId, "port.update", "port", port.Id.ToString(), PortLabel(port), changed.Build().ToJson(), now);
        try
        {
            await db.SaveChangesAsync(ct);
            if (tx is not null) await tx.CommitAsync(ct);
            changes.Changed(projectId, Tables.Ports);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw NeutronErrors.Conflict("ConcurrentUpdate", null, port.Name.Length > 0 ? port.Name : port.Id.ToString());
        }
        if (readdressed is not null) port.FixedIps = readdressed;
        return port;
    }

    /// <summary>
    /// Gives a port exactly the requested addresses, with the same rules as at creation: what it holds and is asked for
    /// again stays, the rest of what it holds is released, and the new ones are taken. Returns its addresses, kept ones first.
    /// </summary>
    private async Task<List<IpAllocation>> ReaddressAsync(PortalDbContext db, Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction tx,
        Port port, IReadOnlyList<FixedIpRequest> wanted, CancellationToken ct)
    {
        SubnetRules.CheckFixedIpCount(wanted.Count);
        var network = await db.Networks.Include(n => n.Subnets).AsNoTracking().FirstAsync(n => n.Id == port.NetworkId, ct);
        var held = port.FixedIps.OrderBy(f => f.Id).ToList();
        // The address rows are written here, by statements; the context must not write them again when it saves the port.
        foreach (var f in held) db.Entry(f).State = EntityState.Detached;
        var kept = new List<IpAllocation>();
        var added = new List<AllocationSpec>();
        foreach (var want in wanted)
        {
            var (subnet, address) = Requested(network, want);
            var same = held.FirstOrDefault(f => !kept.Contains(f) && f.SubnetId == subnet.Id && (address is null || f.IpAddress.Equals(address)));
            if (same is not null)
            {
                kept.Add(same);
                continue;
            }
            if (address is not null) CheckAssignable(subnet, address);
            added.Add(new AllocationSpec(subnet.Id, subnet.DisplayName, address));
        }
        var released = held.Where(f => !kept.Contains(f)).Select(f => f.Id).ToList();
        if (released.Count > 0) await db.IpAllocations.Where(a => released.Contains(a.Id)).ExecuteDeleteAsync(ct);
        IReadOnlyList<IPAddress> addresses;
        try
        {
            addresses = await PortStore.AddAddressesAsync(db, tx, port, added, ct);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrors.NoFreeAddress)
        {
            throw NeutronErrors.IpAddressGenerationFailure(added.FirstOrDefault(a => a.SubnetId.ToString() == e.Hint)?.SubnetName ?? network.Name);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrors.UniqueViolation && e.ConstraintName == PostgresErrors.IpAllocationUnique)
        {
            var taken = await FirstTakenAsync(added, ct);
            throw NeutronErrors.IpAddressAlreadyAllocated(taken?.Address?.ToString() ?? "?", taken?.SubnetName ?? network.Name);
        }
        return kept.Concat(added.Select((a, i) => new IpAllocation { SubnetId = a.SubnetId, IpAddress = addresses[i], PortId = port.Id, NetworkId = port.NetworkId }))
            .ToList();
    }

    /// <summary>Deletes a user's port with its audit entry; its addresses go with it and the database frees its quota slot.</summary>
    public async Task DeleteAsync(Actor actor, string projectId, Guid portId, CancellationToken ct = default)
    {
        // The statement checks the membership itself; a non-member then meets GetAsync's refusal below.
        if (await PortStore.DeleteUserPortAsync(dataSource, projectId, portId, actor, clock.GetUtcNow(), ct))
        {
            changes.Changed(projectId, Tables.Ports);
            return;
        }

        // Named by its addresses, as the ports tab shows it: its id means nothing to a reader.
        var port = await GetAsync(actor, projectId, portId, ct);
        var addresses = string.Join(", ", port.FixedIps.Select(f => f.IpAddress.ToString()));
        throw new NeutronException("PortSystemOwned", 409, port.Name.Length > 0 ? "PortSystemOwned" : "PortSystemOwnedUnnamed", null,
            port.Name, addresses, DeviceOwners.Label(port.DeviceOwner));
    }

    /// <summary>
    /// Reads the network and its subnets once, checks every requested address against them, and returns the addresses
    /// to take: one list per address, whose first entry is tried (an automatic address has the other subnets of its
    /// IP version after it, to move on to when the first is full).
    /// </summary>
    private async Task<(Network Network, List<List<AllocationSpec>> Choices)> ResolveAsync(
        Actor actor, string projectId, PortCreate request, CancellationToken ct)
    {
        var network = await PortStore.ReadNetworkForPortAsync(dataSource, actor, projectId, request.NetworkId, ct)
                      ?? throw ServiceErrors.NetworkNotFound(request.NetworkId);
        if (network.External) throw NeutronErrors.Conflict("ExternalNetworkNoPorts", "network_id", network.Name);

        if (request.FixedIps is null)
        {
            // Neutron's automatic addressing: an address of each IP version, from the oldest subnet of it that has one
            // free, and the EUI-64 address of every SLAAC or DHCPv6-stateless subnet (the database makes it from the MAC).
            var ordered = network.Subnets.OrderBy(s => s.CreatedAt).ToList();
            var pooled = ordered.Where(s => !Ipv6Modes.IsAutoAddress(s.Ipv6AddressMode)).GroupBy(s => s.IpVersion).OrderBy(g => g.Key)
                .Select(g => g.Select(s => new AllocationSpec(s.Id, s.DisplayName, null)).ToList());
            var automatic = ordered.Where(s => Ipv6Modes.IsAutoAddress(s.Ipv6AddressMode))
                .Select(s => new List<AllocationSpec> { new(s.Id, s.DisplayName, null) });
            return (network, pooled.Concat(automatic).ToList());
        }

        var specs = new List<List<AllocationSpec>>();
        foreach (var want in request.FixedIps)
        {
            var (subnet, address) = Requested(network, want);
            if (address is not null) CheckAssignable(subnet, address);
            specs.Add([new AllocationSpec(subnet.Id, subnet.DisplayName, address)]);
        }
        return (network, specs);
    }

    /// <summary>The subnet (and the address, if one is named) of a requested fixed IP, checked against the network's subnets.</summary>
    private static (Subnet Subnet, IPAddress? Address) Requested(Network network, FixedIpRequest want)
    {
        var address = want.IpAddress is { Length: > 0 } text ? IpMath.ParseAddress(text, "ip_address") : null;
        Subnet subnet;
        if (want.SubnetId is { } subnetId)
        {
            subnet = network.Subnets.FirstOrDefault(s => s.Id == subnetId) ?? throw ServiceErrors.SubnetNotFound(subnetId);
        }
        else if (address is not null)
        {
            var holding = network.Subnets.Where(s => IpMath.Contains(s.Cidr, address)).ToList();
            subnet = holding.Count == 1
                ? holding[0]
                : throw NeutronErrors.InvalidInput(holding.Count == 0 ? "IpNotInNetwork" : "FixedIpSubnetRequired", "ip_address",
                    holding.Count == 0 ? [address.ToString(), network.Name, string.Join(", ", network.Subnets.Select(s => s.Cidr))] : [address.ToString(), network.Name]);
        }
        else
        {
            throw NeutronErrors.InvalidInput("FixedIpSubnetRequired", "fixed_ips", "—", network.Name);
        }
        if (address is not null && Ipv6Modes.IsAutoAddress(subnet.Ipv6AddressMode))
            throw NeutronErrors.InvalidInput("Ipv6AutoAddressFixedIp", "ip_address", address.ToString(), subnet.DisplayName);
        return (subnet, address);
    }

    /// <summary>
    /// The common case — automatic addresses from named subnets — in one round trip, with no read before:
    /// <see cref="PortWriter"/> writes the port only into the project's own network, and the database's
    /// (subnet, network) foreign key refuses a subnet of another network. Any failure falls back to the full
    /// path, which reads the network first and gives the precise error.
    /// </summary>
    private async Task<Port?> TryCreateDirectAsync(string projectId, PortCreate request, string name,
        System.Net.NetworkInformation.PhysicalAddress? mac, DateTimeOffset now, Actor actor, CancellationToken ct)
    {
        if (request.FixedIps is not { Count: > 0 } || request.FixedIps.Any(f => f.SubnetId is null || !string.IsNullOrWhiteSpace(f.IpAddress))) return null;
        // Pairs are checked against the port's security, which defaults to the network's: the full path reads it.
        if (request.AllowedAddressPairs.Count > 0) return null;
        var spec = UserPort(projectId, request, name, mac,
            request.FixedIps.Select(f => new AllocationSpec(f.SubnetId!.Value, "", null)).ToList(), actor);
        try
        {
            var port = await writes.InsertAsync(spec, now, ct);
            changes.Changed(projectId, Tables.Ports);
            return port;
        }
        catch (PostgresException)
        {
            return null;
        }
    }

    private static PortSpec UserPort(string projectId, PortCreate request, string name,
        System.Net.NetworkInformation.PhysicalAddress? mac, IReadOnlyList<AllocationSpec> fixedIps, Actor actor) =>
        new(Guid.CreateVersion7(), projectId, request.NetworkId, name, mac ?? PortStore.NewMac(), DeviceOwners.User, "",
            SubnetPlan.CheckText(request.DnsName, "dns_name", SubnetPlan.MaxNameLength, "DnsNameTooLong"), request.AdminStateUp, fixedIps, actor,
            SubnetPlan.CheckDescription(request.Description), request.PortSecurityEnabled, [],
            PortRules.MergeDhcpOptions([], request.ExtraDhcpOpts.Select(o => (o.OptName, o.OptValue, o.IpVersion)).ToList()));

    /// <summary>Which explicitly requested address is already held (the server does not reveal it in the error).</summary>
    private async Task<AllocationSpec?> FirstTakenAsync(IReadOnlyList<AllocationSpec> wanted, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        foreach (var want in wanted.Where(w => w.Address is not null))
        {
            if (await db.IpAllocations.AnyAsync(a => a.SubnetId == want.SubnetId && a.IpAddress == want.Address, ct)) return want;
        }
        return null;
    }

    /// <summary>Customers change only their own ports; the portal itself (<see cref="Actor.System"/>) may change any.</summary>
    private static NeutronException? SystemPortRefusal(Actor actor, Port port)
    {
        if (actor.IsSystem || port.DeviceOwner == DeviceOwners.User) return null;
        var addresses = string.Join(", ", port.FixedIps.Select(f => f.IpAddress.ToString()));
        return new NeutronException("PolicyNotAuthorized", 403, port.Name.Length > 0 ? "PortSystemReadOnly" : "PortSystemReadOnlyUnnamed", null,
            port.Name, addresses, DeviceOwners.Label(port.DeviceOwner));
    }

    private static string Text(DhcpOption o) => $"{o.OptName}={o.OptValue} (IPv{o.IpVersion})";

    /// <summary>A port as the trail names it: its name, else its addresses (as the ports tab shows it).</summary>
    private static string PortLabel(Port port) =>
        port.Name.Length > 0 ? port.Name : string.Join(", ", port.FixedIps.Select(f => f.IpAddress.ToString()));

    private static void CheckAssignable(Subnet subnet, IPAddress address)
    {
        var name = subnet.DisplayName;
        if (!IpMath.Contains(subnet.Cidr, address))
            throw NeutronErrors.InvalidInput("IpNotInSubnet", "ip_address", address.ToString(), name, subnet.Cidr.ToString());
        if (IpMath.IsNetworkOrBroadcast(subnet.Cidr, address))
            throw NeutronErrors.InvalidInput("IpReserved", "ip_address", address.ToString(), subnet.Cidr.ToString());
        if (address.Equals(subnet.GatewayIp))
            throw NeutronErrors.InvalidInput("IpIsGateway", "ip_address", address.ToString(), name);
    }
}
