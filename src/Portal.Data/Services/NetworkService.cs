using Microsoft.EntityFrameworkCore;
using Portal.Core.Errors;
using Portal.Data.Entities;
using Portal.Data.Store;

namespace Portal.Data.Services;

/// <summary>
/// A project's networks. Provider networks (ext-net) are visible to every project and changed by none.
/// Every call is made by an <see cref="Actor"/> who must be a member of the project (a non-member is told the
/// project or network does not exist); creations, updates and deletions are recorded in the audit trail, in their
/// own transaction.
/// </summary>
public sealed class NetworkService(
    IDbContextFactory<PortalDbContext> dbs, SubnetService subnets, AuditService audit, ChangeFeed.ChangePublisher changes, TimeProvider clock)
{
    public const int MinMtu = 68;
    public const int MaxMtu = 9000;

    /// <summary>Owners whose ports go away with their network; any other port keeps the network in use.</summary>
    private static readonly string[] NetworkOwnedPorts = [DeviceOwners.Dhcp, DeviceOwners.RouterInterface, DeviceOwners.Shadowport];

    public async Task<IReadOnlyList<Network>> ListAsync(Actor actor, string projectId, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        await Access.RequireMemberAsync(db, actor, projectId, ct);
        return await Visible(db, projectId)
            .Include(n => n.Subnets.OrderBy(s => s.CreatedAt))
            .OrderBy(n => n.External).ThenBy(n => n.Name)
            .AsNoTracking().AsSplitQuery().ToListAsync(ct);
    }

    /// <summary>One page of the network list; filtering, sorting and paging happen in SQL.</summary>
    public async Task<Page<NetworkRow>> QueryAsync(Actor actor, string projectId, PageRequest page, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        await Access.RequireMemberAsync(db, actor, projectId, ct);
        var query = Visible(db, projectId);
        if (!string.IsNullOrWhiteSpace(page.NameFilter))
        {
            var pattern = "%" + Sql.EscapeLike(page.NameFilter.Trim()) + "%";
            query = query.Where(n => EF.Functions.ILike(n.Name, pattern, "\\"));
        }
        var total = await query.CountAsync(ct);
        query = (page.SortBy, page.Descending) switch
        {
            ("status", false) => query.OrderBy(n => n.Status).ThenBy(n => n.Name),
            ("status", true) => query.OrderByDescending(n => n.Status).ThenBy(n => n.Name),
            ("created", false) => query.OrderBy(n => n.CreatedAt),
            ("created", true) => query.OrderByDescending(n => n.CreatedAt),
            ("ports", false) => query.OrderBy(n => db.Ports.Count(p => p.NetworkId == n.Id)).ThenBy(n => n.Name),
            ("ports", true) => query.OrderByDescending(n => db.Ports.Count(p => p.NetworkId == n.Id)).ThenBy(n => n.Name),
            (_, true) => query.OrderByDescending(n => n.Name).ThenBy(n => n.Id),
            _ => query.OrderBy(n => n.Name).ThenBy(n => n.Id),
        };
        var items = await query.Skip(page.SafeSkip).Take(page.SafeTake)
            .Select(n => new NetworkRow(n.Id, n.Name, n.Status, n.External, n.InternetAccess, n.ServicesAccess, n.Mtu, n.CreatedAt,
                n.Subnets.OrderBy(s => s.CreatedAt).Select(s => new SubnetBrief(s.Id, s.Name, s.Cidr)).ToList(),
                db.Ports.Count(p => p.NetworkId == n.Id)))
            .AsNoTracking().ToListAsync(ct);
        return new Page<NetworkRow>(items, total);
    }

    public async Task<Network> GetAsync(Actor actor, string projectId, Guid networkId, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        await Access.RequireMemberAsync(db, actor, projectId, () => ServiceErrors.NetworkNotFound(networkId), ct);
        return await Visible(db, projectId).Include(n => n.Subnets.OrderBy(s => s.CreatedAt)).AsNoTracking()
                   .FirstOrDefaultAsync(n => n.Id == networkId, ct)
               ?? throw ServiceErrors.NetworkNotFound(networkId);
    }

    public Task<Network> CreateAsync(Actor actor, string projectId, NetworkCreate request, CancellationToken ct = default) =>
        CreateAsync(projectId, request, actor, ownerClusterId: null, ct);

    /// <summary>Creates the network a cluster's workflow makes for it; it is deleted with the cluster.</summary>
    internal Task<Network> CreateForClusterAsync(string projectId, NetworkCreate request, Guid clusterId, CancellationToken ct) =>
        CreateAsync(projectId, request, Actor.System, clusterId, ct);

    private async Task<Network> CreateAsync(string projectId, NetworkCreate request, Actor actor, Guid? ownerClusterId, CancellationToken ct)
    {
        var name = SubnetPlan.CheckName(request.Name, required: true);
        CheckMtu(request.Mtu);
        var firstSubnet = request.FirstSubnet is null ? null : SubnetPlan.From(request.FirstSubnet);
        await using var db = await dbs.CreateDbContextAsync(ct);
        await Access.RequireMemberAsync(db, actor, projectId, ct);
        var project = await db.Projects.AsNoTracking().FirstOrDefaultAsync(p => p.Id == projectId, ct)
                      ?? throw Access.ProjectNotFound(projectId);
        CheckServicesAccess(project, request.ServicesAccess, request.InternetAccess);

        var now = clock.GetUtcNow();
        var network = new Network
        {
            Id = Guid.CreateVersion7(),
            ProjectId = projectId,
            Name = name,
            Description = SubnetPlan.CheckText(request.Description, "description", SubnetPlan.MaxDescriptionLength, "DescriptionTooLong"),
            Mtu = request.Mtu,
            AdminStateUp = request.AdminStateUp,
            InternetAccess = request.InternetAccess,
            ServicesAccess = request.ServicesAccess,
            PortSecurityEnabled = request.PortSecurityEnabled,
            OwnerClusterId = ownerClusterId,
            CreatedAt = now,
            UpdatedAt = now,
        };
        try
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            db.Networks.Add(network);
            audit.Record(db, actor, projectId, "network.create", "network", network.Id.ToString(), network.Name, at: now);
            await db.SaveChangesAsync(ct);
            // The tracked network picks the subnet up in Subnets by itself (EF fixes up the navigation).
            if (firstSubnet is not null) await subnets.InsertAsync(db, tx, network, firstSubnet, now, actor, ct);
            await tx.CommitAsync(ct);
            changes.Changed(projectId, firstSubnet is null ? [Tables.Networks] : [Tables.Networks, Tables.Subnets, Tables.Ports]);
            return network;
        }
        catch (Exception e) when (PostgresErrors.Unwrap(e) is { SqlState: PostgresErrors.OverQuota } pg)
        {
            throw await ServiceErrors.OverQuotaAsync(dbs, projectId, pg, ct);
        }
    }

    /// <summary>Changes a network; the trail records each attribute that changed (<see cref="ChangeAuditDetails"/>).</summary>
    public async Task<Network> UpdateAsync(Actor actor, string projectId, Guid networkId, NetworkUpdate update, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        await Access.RequireMemberAsync(db, actor, projectId, () => ServiceErrors.NetworkNotFound(networkId), ct);
        var network = await Visible(db, projectId).Include(n => n.Subnets).FirstOrDefaultAsync(n => n.Id == networkId, ct)
                      ?? throw ServiceErrors.NetworkNotFound(networkId);
        if (network.External) throw ServiceErrors.ExternalReadOnly(network.Name);
        ServiceErrors.CheckRevision(update.IfRevision, network.RevisionNumber);
        var project = await db.Projects.AsNoTracking().FirstAsync(p => p.Id == projectId, ct);

        if (update.Mtu is { } mtu) CheckMtu(mtu);
        var internet = update.InternetAccess ?? network.InternetAccess;
        var services = update.ServicesAccess ?? network.ServicesAccess;
        if (network.ServicesAccess && !services) throw NeutronErrors.Conflict("ServicesAccessCannotBeDisabled", "services_access");
        if (services && !network.ServicesAccess) CheckServicesAccess(project, services, internet);
        if (services && internet) throw NeutronErrors.Conflict("ServicesAccessWithInternet", "services_access");

        var now = clock.GetUtcNow();
        try
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var internetChanged = internet != network.InternetAccess;
            if (internetChanged)
            {
                foreach (var subnet in network.Subnets)
                {
                    if (internet && subnet.GatewayIp is not null)
                    {
                        await PortStore.ThrowIfGatewayHeldAsync(db, subnet.Id, subnet.GatewayIp, "internet_access", ct);
                        await PortStore.AddSystemPortAsync(db, tx, subnet, DeviceOwners.RouterInterface,
                            DeviceIds.Router(network.Id), subnet.GatewayIp, now, ct);
                    }
                    else if (!internet)
                    {
                        await PortStore.DeleteSystemPortsAsync(db, subnet.Id, [DeviceOwners.RouterInterface], ct);
                    }
                }
            }
            var changed = new ChangeAuditDetails.Builder();
            if (update.Name is not null)
            {
                var name = SubnetPlan.CheckName(update.Name, required: true);
                changed.Add("name", network.Name, name);
                network.Name = name;
            }
            if (update.Description is not null)
            {
                var description = SubnetPlan.CheckText(update.Description, "description", SubnetPlan.MaxDescriptionLength, "DescriptionTooLong");
                changed.Add("description", network.Description, description);
                network.Description = description;
            }
            changed.Add("mtu", network.Mtu, update.Mtu ?? network.Mtu)
                .Add("admin_state_up", network.AdminStateUp, update.AdminStateUp ?? network.AdminStateUp)
                .Add("internet_access", network.InternetAccess, internet)
                .Add("services_access", network.ServicesAccess, services)
                .Add("port_security_enabled", network.PortSecurityEnabled, update.PortSecurityEnabled ?? network.PortSecurityEnabled);
            network.PortSecurityEnabled = update.PortSecurityEnabled ?? network.PortSecurityEnabled;
            network.Mtu = update.Mtu ?? network.Mtu;
            network.AdminStateUp = update.AdminStateUp ?? network.AdminStateUp;
            network.InternetAccess = internet;
            network.ServicesAccess = services;
            network.UpdatedAt = now;
            // An update that changes nothing leaves no entry: the trail says what changed.
            if (changed.Any)
            {
                audit.Record(db, actor, projectId, "network.update", "network", network.Id.ToString(), network.Name, changed.Build().ToJson(), now);
            }
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            // Internet access adds or removes router ports.
            changes.Changed(projectId, internetChanged ? [Tables.Networks, Tables.Ports] : [Tables.Networks]);
            return network;
        }
        catch (DbUpdateConcurrencyException)
        {
            throw NeutronErrors.Conflict("ConcurrentUpdate", null, network.Name);
        }
        catch (Exception e) when (PostgresErrors.Unwrap(e) is { SqlState: PostgresErrors.OverQuota } pg)
        {
            throw await ServiceErrors.OverQuotaAsync(dbs, projectId, pg, ct);
        }
    }

    /// <summary>Deletes a network with its subnets and their system ports; a user's port keeps it in use.</summary>
    public async Task DeleteAsync(Actor actor, string projectId, Guid networkId, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        await Access.RequireMemberAsync(db, actor, projectId, () => ServiceErrors.NetworkNotFound(networkId), ct);
        var network = await Visible(db, projectId).FirstOrDefaultAsync(n => n.Id == networkId, ct)
                      ?? throw ServiceErrors.NetworkNotFound(networkId);
        if (network.External) throw ServiceErrors.ExternalReadOnly(network.Name);

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // Lock the network so a port being created in it either commits before this check or fails after.
        await ProjectStore.LockNetworkAsync(db, networkId, ct);
        var holders = db.Ports.Where(p => p.NetworkId == networkId && !NetworkOwnedPorts.Contains(p.DeviceOwner));
        var total = await holders.CountAsync(ct);
        if (total > 0)
        {
            var first = await holders.OrderBy(p => p.Name)
                .Select(p => new { p.Name, Ip = p.FixedIps.Select(f => f.IpAddress).FirstOrDefault() })
                .Take(5).ToListAsync(ct);
            throw NeutronErrors.NetworkInUse(network.Name, ServiceErrors.Holders(
                first.Select(h => (h.Name, h.Ip?.ToString() ?? "—")).ToList(), total), total);
        }
        // The lock also keeps new subnets out (their foreign key check waits for it), so this is every subnet deleted.
        var removed = await db.Subnets.Where(s => s.NetworkId == networkId).OrderBy(s => s.CreatedAt).AsNoTracking().ToListAsync(ct);
        // Only system ports go with the network (a user's port refuses the deletion above): they are not recorded.
        await db.Ports.Where(p => p.NetworkId == networkId).ExecuteDeleteAsync(ct);
        await db.Subnets.Where(s => s.NetworkId == networkId).ExecuteDeleteAsync(ct);
        foreach (var subnet in removed)
        {
            audit.Record(db, actor, projectId, "subnet.delete", "subnet", subnet.Id.ToString(), subnet.DisplayName, subnet.Cidr.ToString());
        }
        // Saved apart so that the network's entry follows its subnets' in the trail (EF keeps no insertion order).
        if (removed.Count > 0) await db.SaveChangesAsync(ct);
        await db.Networks.Where(n => n.Id == networkId).ExecuteDeleteAsync(ct);
        audit.Record(db, actor, projectId, "network.delete", "network", networkId.ToString(), network.Name);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        changes.Changed(projectId, Tables.Networks, Tables.Subnets, Tables.Ports);
    }

    /// <summary>Creates a provider network owned by the cloud's own project; not reachable by customers.</summary>
    internal async Task<Network> CreateProviderNetworkAsync(string ownerProjectId, string name, SubnetCreate subnet, CancellationToken ct)
    {
        var created = await CreateAsync(Actor.System, ownerProjectId, new NetworkCreate { Name = name, FirstSubnet = subnet }, ct);
        await using var db = await dbs.CreateDbContextAsync(ct);
        await db.Networks.Where(n => n.Id == created.Id).ExecuteUpdateAsync(u => u.SetProperty(n => n.External, true), ct);
        created.External = true;
        return created;
    }

    private static IQueryable<Network> Visible(PortalDbContext db, string projectId) =>
        db.Networks.Where(n => n.ProjectId == projectId || n.External);

    /// <summary>A network's name as stored: required, trimmed, no NUL, not over-long (also the form's live rule).</summary>
    public static string CheckName(string? name) => SubnetPlan.CheckName(name, required: true);

    /// <summary>Refuses an MTU outside 68–9000 (also the form's live rule).</summary>
    public static void CheckMtu(int mtu)
    {
        if (mtu is < MinMtu or > MaxMtu) throw NeutronErrors.InvalidInput("MtuOutOfRange", "mtu", mtu);
    }

    private static void CheckServicesAccess(Project project, bool services, bool internet)
    {
        if (!services) return;
        if (!project.ShadowportEnabled) throw NeutronErrors.Conflict("ServicesAccessNotEnabled", "services_access", project.Id);
        if (internet) throw NeutronErrors.Conflict("ServicesAccessWithInternet", "services_access");
    }
}
