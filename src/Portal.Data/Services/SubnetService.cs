using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using Portal.Data.Store;
using Portal.Core.Errors;
using Portal.Core.Ip;
using Portal.Data.Entities;

namespace Portal.Data.Services;

/// <summary>
/// Subnets of a project's networks, with Neutron's rules, their DHCP and router ports, and address usage.
/// Every call is made by an <see cref="Actor"/> who must be a member of the project (a non-member is told the
/// project or subnet does not exist). Creations, updates and deletions are recorded in the audit trail, in their own
/// transaction; the system ports that come and go with a subnet are not recorded apart.
/// </summary>
public sealed class SubnetService(
    IDbContextFactory<PortalDbContext> dbs, AuditService audit, ChangeFeed.ChangePublisher changes, TimeProvider clock)
{
    public async Task<Subnet> GetAsync(Actor actor, string projectId, Guid subnetId, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        await Access.RequireMemberAsync(db, actor, projectId, () => ServiceErrors.SubnetNotFound(subnetId), ct);
        return await SubnetStore.Visible(db, projectId)
                   .Include(s => s.AllocationPools.OrderBy(p => p.FirstIp))
                   .Include(s => s.HostRoutes)
                   .Include(s => s.Network)
                   .Where(s => s.Id == subnetId).OrderBy(s => s.Id)
                   .AsNoTracking().AsSplitQuery()
                   .FirstOrDefaultAsync(ct)
               ?? throw ServiceErrors.SubnetNotFound(subnetId);
    }

    /// <summary>The subnets of one network, or of every network the project sees when <paramref name="networkId"/> is null.</summary>
    public async Task<IReadOnlyList<Subnet>> ListAsync(Actor actor, string projectId, Guid? networkId, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        await Access.RequireMemberAsync(db, actor, projectId, ct);
        var subnets = SubnetStore.Visible(db, projectId);
        if (networkId is { } n) subnets = subnets.Where(s => s.NetworkId == n);
        return await subnets
            .Include(s => s.AllocationPools.OrderBy(p => p.FirstIp))
            .Include(s => s.HostRoutes)
            .OrderBy(s => s.CreatedAt).AsNoTracking().AsSplitQuery()
            .ToListAsync(ct);
    }

    /// <summary>A network's subnets with their address usage (allocations inside the pools / pool size).</summary>
    public async Task<IReadOnlyList<SubnetRow>> ListRowsAsync(Actor actor, string projectId, Guid networkId, CancellationToken ct = default)
    {
        var subnets = await ListAsync(actor, projectId, networkId, ct);
        if (subnets.Count == 0) return [];
        await using var db = await dbs.CreateDbContextAsync(ct);
        var used = await SubnetStore.UsedInPoolsAsync(db, subnets.Select(s => s.Id).ToArray(), ct);
        return subnets.Select(s => new SubnetRow(s.Id, s.Name, s.Cidr, s.GatewayIp, s.EnableDhcp, used.GetValueOrDefault(s.Id),
            IpRanges.Count(s.AllocationPools.Select(p => new IpRange(p.FirstIp, p.LastIp))))).ToList();
    }

    /// <summary>Every subnet of the project's own networks, for overlap warnings and CIDR suggestions.</summary>
    public async Task<IReadOnlyList<ProjectSubnet>> ProjectSubnetsAsync(Actor actor, string projectId, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        await Access.RequireMemberAsync(db, actor, projectId, ct);
        return await db.Subnets.Where(s => s.ProjectId == projectId)
            .OrderBy(s => s.CreatedAt)
            .Select(s => new ProjectSubnet(s.NetworkId, s.Network!.Name, s.Id, s.Name, s.Cidr))
            .AsNoTracking().ToListAsync(ct);
    }

    public async Task<Subnet> CreateAsync(Actor actor, string projectId, Guid networkId, SubnetCreate request,
        CancellationToken ct = default)
    {
        var plan = SubnetPlan.From(request);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await CreateOnceAsync(projectId, networkId, plan, actor, ct);
            }
            catch (Exception e) when (attempt < 3 && PostgresErrors.Unwrap(e) is { SqlState: PostgresErrorCodes.DeadlockDetected })
            {
                // Two creations racing for overlapping ranges can each wait for the other's new subnet; PostgreSQL
                // ends one. Tried again, it finds the other's subnet and reports the overlap as a clear error.
            }
        }
    }

    private async Task<Subnet> CreateOnceAsync(string projectId, Guid networkId, SubnetPlan plan, Actor actor, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        await Access.RequireMemberAsync(db, actor, projectId, () => ServiceErrors.NetworkNotFound(networkId), ct);
        var network = await db.Networks.AsNoTracking().FirstOrDefaultAsync(n => n.Id == networkId && n.ProjectId == projectId, ct)
                      ?? throw ServiceErrors.NetworkNotFound(networkId);
        if (network.External) throw ServiceErrors.ExternalReadOnly(network.Name);

        try
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var subnet = await InsertAsync(db, tx, network, plan, clock.GetUtcNow(), actor, ct);
            await tx.CommitAsync(ct);
            changes.Changed(projectId, Tables.Subnets, Tables.Ports);
            return subnet;
        }
        catch (Exception e) when (PostgresErrors.Unwrap(e) is { SqlState: PostgresErrors.OverQuota } pg)
        {
            throw await ServiceErrors.OverQuotaAsync(dbs, projectId, pg, ct);
        }
        catch (Exception e) when (e.Is(PostgresErrors.ForeignKeyViolation))
        {
            // The network was deleted between our read and the write (its lock made the insert wait, then fail).
            throw ServiceErrors.NetworkNotFound(networkId);
        }
    }

    /// <summary>
    /// Writes a subnet with its pools, routes, DHCP port and (with internet access) router interface, in the
    /// caller's transaction, with the audit entry of the subnet (not of its system ports). The database takes
    /// their quota slots as the rows are inserted.
    /// </summary>
    internal async Task<Subnet> InsertAsync(PortalDbContext db, IDbContextTransaction tx, Network network, SubnetPlan plan,
        DateTimeOffset now, Actor actor, CancellationToken ct)
    {
        await ThrowIfOverlapsAsync(db, network.Id, plan.Cidr, ct);
        var subnet = new Subnet
        {
            Id = Guid.CreateVersion7(),
            ProjectId = network.ProjectId,
            NetworkId = network.Id,
            Name = plan.Name,
            Description = plan.Description,
            Cidr = plan.Cidr,
            IpVersion = plan.Cidr.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 4 : 6,
            GatewayIp = plan.Gateway,
            EnableDhcp = plan.EnableDhcp,
            DnsNameservers = plan.Dns.ToList(),
            AllocationPools = plan.Pools.Select(p => new AllocationPool { FirstIp = p.First, LastIp = p.Last }).ToList(),
            HostRoutes = plan.Routes.Select(r => new SubnetRoute { Destination = r.Destination, NextHop = r.NextHop }).ToList(),
            Ipv6RaMode = plan.Ipv6RaMode,
            Ipv6AddressMode = plan.Ipv6AddressMode,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Subnets.Add(subnet);
        audit.Record(db, actor, network.ProjectId, "subnet.create", "subnet", subnet.Id.ToString(), subnet.DisplayName,
            subnet.Cidr.ToString(), now);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e.Is(PostgresErrors.ExclusionViolation, PostgresErrors.SubnetOverlap))
        {
            // Another request created an overlapping subnet after our check; report it as the check would have.
            throw await OverlapErrorAfterRaceAsync(network.Id, plan.Cidr, ct);
        }
        if (plan.EnableDhcp)
        {
            await PortStore.AddSystemPortAsync(db, tx, subnet, DeviceOwners.Dhcp, DeviceIds.Dhcp(network.Id), null, now, ct);
        }
        if (network.InternetAccess && plan.Gateway is not null)
        {
            await PortStore.AddSystemPortAsync(db, tx, subnet, DeviceOwners.RouterInterface, DeviceIds.Router(network.Id), plan.Gateway, now, ct);
        }
        return subnet;
    }

    /// <summary>
    /// Changes a subnet (its CIDR never changes): the gateway moves its router port, DHCP off deletes the DHCP port and
    /// on adds one. The trail records each attribute that changed (<see cref="ChangeAuditDetails"/>).
    /// </summary>
    public async Task<Subnet> UpdateAsync(Actor actor, string projectId, Guid subnetId, SubnetUpdate update, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        await Access.RequireMemberAsync(db, actor, projectId, () => ServiceErrors.SubnetNotFound(subnetId), ct);
        var subnet = await db.Subnets.Include(s => s.AllocationPools).Include(s => s.HostRoutes).Include(s => s.Network)
                         .Where(s => s.Id == subnetId && s.ProjectId == projectId).OrderBy(s => s.Id)
                         .AsSplitQuery()
                         .FirstOrDefaultAsync(ct)
                     ?? throw ServiceErrors.SubnetNotFound(subnetId);
        var network = subnet.Network!;
        if (network.External) throw ServiceErrors.ExternalReadOnly(network.Name);
        ServiceErrors.CheckRevision(update.IfRevision, subnet.RevisionNumber);
        var before = PlanOf(subnet);
        var after = SubnetPlan.From(before, update);
        var now = clock.GetUtcNow();

        try
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            if (!Equals(before.Gateway, after.Gateway))
            {
                await MoveGatewayAsync(db, tx, subnet, network, after.Gateway, now, ct);
            }
            if (before.EnableDhcp != after.EnableDhcp)
            {
                if (after.EnableDhcp)
                {
                    await PortStore.AddSystemPortAsync(db, tx, subnet, DeviceOwners.Dhcp, DeviceIds.Dhcp(network.Id), null, now, ct);
                }
                else
                {
                    await PortStore.DeleteSystemPortsAsync(db, subnet.Id, [DeviceOwners.Dhcp], ct);
                }
            }

            subnet.Name = after.Name;
            subnet.Description = after.Description;
            subnet.GatewayIp = after.Gateway;
            subnet.EnableDhcp = after.EnableDhcp;
            subnet.DnsNameservers = after.Dns.ToList();
            if (update.AllocationPools is not null)
            {
                db.AllocationPools.RemoveRange(subnet.AllocationPools);
                subnet.AllocationPools = after.Pools.Select(p => new AllocationPool { FirstIp = p.First, LastIp = p.Last }).ToList();
            }
            if (update.HostRoutes is not null)
            {
                db.SubnetRoutes.RemoveRange(subnet.HostRoutes);
                subnet.HostRoutes = after.Routes.Select(r => new SubnetRoute { Destination = r.Destination, NextHop = r.NextHop }).ToList();
            }
            subnet.UpdatedAt = now;
            var changed = new ChangeAuditDetails.Builder()
                .Add("name", before.Name, after.Name)
                .Add("description", before.Description, after.Description)
                .Add("gateway_ip", before.Gateway?.ToString(), after.Gateway?.ToString())
                .Add("enable_dhcp", before.EnableDhcp, after.EnableDhcp)
                .Add("dns_nameservers", before.Dns, after.Dns)
                .Add("allocation_pools", before.Pools.Select(p => $"{p.First}-{p.Last}"), after.Pools.Select(p => $"{p.First}-{p.Last}"))
                .Add("host_routes", before.Routes.Select(r => $"{r.Destination} via {r.NextHop}"), after.Routes.Select(r => $"{r.Destination} via {r.NextHop}"));
            // An update that changes nothing leaves no entry: the trail says what changed.
            if (changed.Any)
            {
                audit.Record(db, actor, projectId, "subnet.update", "subnet", subnet.Id.ToString(), subnet.DisplayName, changed.Build().ToJson(), now);
            }
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            changes.Changed(projectId, Tables.Subnets, Tables.Ports);
            return subnet;
        }
        catch (DbUpdateConcurrencyException)
        {
            throw NeutronErrors.Conflict("ConcurrentUpdate", null, subnet.Name);
        }
        catch (Exception e) when (PostgresErrors.Unwrap(e) is { SqlState: PostgresErrors.OverQuota } pg)
        {
            throw await ServiceErrors.OverQuotaAsync(dbs, projectId, pg, ct);
        }
    }

    public async Task DeleteAsync(Actor actor, string projectId, Guid subnetId, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        await Access.RequireMemberAsync(db, actor, projectId, () => ServiceErrors.SubnetNotFound(subnetId), ct);
        var subnet = await db.Subnets.Include(s => s.Network)
                         .FirstOrDefaultAsync(s => s.Id == subnetId && s.ProjectId == projectId, ct)
                     ?? throw ServiceErrors.SubnetNotFound(subnetId);
        if (subnet.Network!.External) throw ServiceErrors.ExternalReadOnly(subnet.Network.Name);

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // Lock the subnet first so a port being created in it now either finishes before us or fails.
        await SubnetStore.LockAsync(db, subnetId, ct);
        if (Ipv6Modes.IsAutoAddress(subnet.Ipv6AddressMode))
        {
            // Every address of a SLAAC or DHCPv6-stateless subnet is automatic (none can be asked for), so, as Neutron
            // does, the subnet takes its addresses with it and the ports stay.
            await db.IpAllocations.Where(a => a.SubnetId == subnetId && db.Ports.Any(p => p.Id == a.PortId
                    && p.DeviceOwner != DeviceOwners.Dhcp && p.DeviceOwner != DeviceOwners.RouterInterface))
                .ExecuteDeleteAsync(ct);
        }
        var holders = db.IpAllocations.Where(a => a.SubnetId == subnetId)
            .Join(db.Ports, a => a.PortId, p => p.Id, (a, p) => new { p.Name, p.DeviceOwner, a.IpAddress })
            .Where(h => h.DeviceOwner != DeviceOwners.Dhcp && h.DeviceOwner != DeviceOwners.RouterInterface);
        var total = await holders.CountAsync(ct);
        if (total > 0)
        {
            var first = await holders.OrderBy(h => h.Name).Take(5).ToListAsync(ct);
            throw NeutronErrors.SubnetInUse(subnet.DisplayName,
                ServiceErrors.Holders(first.Select(h => (h.Name, h.IpAddress.ToString())).ToList(), total), total);
        }
        await PortStore.DeleteSystemPortsAsync(db, subnetId, [DeviceOwners.Dhcp, DeviceOwners.RouterInterface], ct);
        await db.Subnets.Where(s => s.Id == subnetId).ExecuteDeleteAsync(ct);
        audit.Record(db, actor, projectId, "subnet.delete", "subnet", subnetId.ToString(), subnet.DisplayName,
            subnet.Cidr.ToString());
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        changes.Changed(projectId, Tables.Subnets, Tables.Ports);
    }

    /// <summary>Address usage of a subnet's pools, computed in the database: counts and free ranges.</summary>
    public async Task<SubnetAvailability> GetAvailabilityAsync(Actor actor, string projectId, Guid subnetId, int maxRanges = 100,
        CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        await Access.RequireMemberAsync(db, actor, projectId, () => ServiceErrors.SubnetNotFound(subnetId), ct);
        // Only the pools are needed here (their sizes make the total), not the whole subnet with its routes.
        var poolRows = await SubnetStore.Visible(db, projectId).Where(s => s.Id == subnetId)
                           .Select(s => s.AllocationPools.Select(p => new { p.FirstIp, p.LastIp }).ToList())
                           .FirstOrDefaultAsync(ct)
                       ?? throw ServiceErrors.SubnetNotFound(subnetId);
        var pools = poolRows.Select(p => new IpRange(p.FirstIp, p.LastIp)).ToList();
        var (used, ranges) = await SubnetStore.UsageAsync(db, subnetId, maxRanges, ct);
        var truncated = ranges.Count > maxRanges;
        var merged = IpRanges.Merge(truncated ? ranges.Take(maxRanges) : ranges);
        return new SubnetAvailability(subnetId, IpRanges.Count(pools), used, merged, truncated);
    }

    private static SubnetPlan PlanOf(Subnet s) => new(
        s.Name, s.Description, s.Cidr, s.GatewayIp, s.EnableDhcp,
        s.AllocationPools.OrderBy(p => p.FirstIp, Comparer<IPAddress>.Create(IpMath.Compare)).Select(p => new IpRange(p.FirstIp, p.LastIp)).ToList(),
        s.DnsNameservers, s.HostRoutes.Select(r => new HostRoute(r.Destination, r.NextHop)).ToList(), s.Ipv6RaMode, s.Ipv6AddressMode);

    private async Task MoveGatewayAsync(PortalDbContext db, IDbContextTransaction tx, Subnet subnet, Network network,
        IPAddress? gateway, DateTimeOffset now, CancellationToken ct)
    {
        if (gateway is not null) await PortStore.ThrowIfGatewayHeldAsync(db, subnet.Id, gateway, "gateway_ip", ct);
        if (!network.InternetAccess) return;
        await PortStore.DeleteSystemPortsAsync(db, subnet.Id, [DeviceOwners.RouterInterface], ct);
        if (gateway is not null)
        {
            await PortStore.AddSystemPortAsync(db, tx, subnet, DeviceOwners.RouterInterface, DeviceIds.Router(network.Id), gateway, now, ct);
        }
    }

    /// <summary>
    /// Core's overlap rule over the network's subnets (at most the subnet quota of them); the database's exclusion
    /// constraint backs it against a racing creation.
    /// </summary>
    private static async Task<SubnetCidr?> FirstOverlapAsync(PortalDbContext db, Guid networkId, IPNetwork cidr, CancellationToken ct) =>
        SubnetRules.FirstOverlap(cidr, await db.Subnets.Where(s => s.NetworkId == networkId).OrderBy(s => s.CreatedAt)
            .Select(s => new SubnetCidr(s.Name, s.Cidr)).AsNoTracking().ToListAsync(ct));

    private static async Task ThrowIfOverlapsAsync(PortalDbContext db, Guid networkId, IPNetwork cidr, CancellationToken ct)
    {
        if (await FirstOverlapAsync(db, networkId, cidr, ct) is { } other) throw SubnetRules.OverlapError(cidr, other);
    }

    /// <summary>The error for a creation the exclusion constraint refused: the racing subnet is committed by now.</summary>
    private async Task<NeutronException> OverlapErrorAfterRaceAsync(Guid networkId, IPNetwork cidr, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        return await FirstOverlapAsync(db, networkId, cidr, ct) is { } other
            ? SubnetRules.OverlapError(cidr, other)
            : NeutronErrors.InvalidInput("SubnetOverlap", "cidr", cidr.ToString(), "?", "?");
    }
}
