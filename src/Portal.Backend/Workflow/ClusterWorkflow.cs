using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;
using Npgsql;
using Portal.Core.Clusters;
using Portal.Core.Errors;
using Portal.Data;
using Portal.Data.ChangeFeed;
using Portal.Data.Entities;
using Portal.Data.Services;
using Portal.Data.Store;

namespace Portal.Backend.Workflow;

/// <summary>
/// The durable steps of cluster provisioning and deletion (DESIGN.md §3 "Backend workflow"), for the backend's
/// workers. A worker claims a cluster whose step is due (<see cref="ClaimNextAsync"/>): the claim holds the
/// cluster's row lock until the step's outcome is written, so no two workers run a step of one cluster at once,
/// and a worker that dies releases it with its connection. Each step writes its effects in its own transaction
/// and first looks for what an earlier, interrupted run of it already wrote, so running it again after a crash at
/// any point creates nothing twice.
/// </summary>
public sealed class ClusterWorkflow(
    IDbContextFactory<PortalDbContext> dbs, NetworkService networks,
    ClusterService clusters, ChangePublisher changes, ClusterSignal signal, IOptions<ClusterOptions> options, TimeProvider clock)
{
    private static readonly string[] ClusterPortOwners =
        [DeviceOwners.K8sMaster, DeviceOwners.K8sNode, DeviceOwners.K8sLoadBalancer, DeviceOwners.FloatingIp];

    public ClusterSignal Signal => signal;

    /// <summary>
    /// Takes the cluster whose step is due soonest and that no other worker holds (<see cref="ClusterStore.ClaimDueAsync"/>),
    /// or null when there is none.
    /// </summary>
    public async Task<ClusterClaim?> ClaimNextAsync(CancellationToken ct = default)
    {
        var db = await dbs.CreateDbContextAsync(ct);
        try
        {
            var tx = await db.Database.BeginTransactionAsync(ct);
            var now = clock.GetUtcNow();
            if (await ClusterStore.ClaimDueAsync(db, now, ct) is not { } found)
            {
                await tx.DisposeAsync();
                await db.DisposeAsync();
                return null;
            }
            return new ClusterClaim(db, tx, found, changes, signal, clock);
        }
        catch
        {
            await db.DisposeAsync();
            throw;
        }
    }

    /// <summary>How long until the next cluster step is due (zero when one is due now), or null when none is waiting.</summary>
    public async Task<TimeSpan?> NextDueAsync(CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var next = await db.Clusters.Where(c => !(c.Phase == ClusterPhase.Running || c.Phase == ClusterPhase.Failed) || c.DeleteRequested)
            .MinAsync(c => (DateTimeOffset?)c.NextAttemptAt, ct);
        if (next is not { } at) return null;
        var wait = at - clock.GetUtcNow();
        return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
    }

    /// <summary>
    /// Step Network: for an automatic network, creates «&lt;name&gt;-net» with the first free /24 and, with an
    /// external IP, internet access (its router); without one, services access. Checks that a chosen network and
    /// subnet still exist. For a shadowport cluster, makes sure the network has its shadowport port.
    /// </summary>
    public async Task EnsureNetworkAsync(ClusterClaim claim, CancellationToken ct = default)
    {
        var cluster = claim.Cluster;
        if (cluster.AutoNetwork)
        {
            var network = await OwnedNetworkAsync(cluster, ct);
            if (network is null)
            {
                // Two clusters of a project creating networks at once would otherwise pick the same /24.
                await claim.LockProjectAsync("auto-network", ct);
                var cidr = await clusters.AutoSubnetAsync(Actor.System, cluster.ProjectId, cluster.PodCidr, cluster.ServiceCidr, ct)
                           ?? throw NeutronErrors.CidrNotAvailable("Cluster.NoFreeAutoSubnet", "network_id");
                await networks.CreateForClusterAsync(cluster.ProjectId, new NetworkCreate
                {
                    Name = ClusterRules.AutoNetworkName(cluster.Name),
                    Description = cluster.Name,
                    InternetAccess = cluster.ExternalIp,
                    ServicesAccess = !cluster.ExternalIp,
                    FirstSubnet = new SubnetCreate { Name = ClusterRules.AutoSubnetName(cluster.Name), Cidr = cidr.ToString() },
                }, cluster.Id, ct);
                network = await OwnedNetworkAsync(cluster, ct) ?? throw new InvalidOperationException("The cluster's network vanished.");
            }
            cluster.NetworkId = network.Value.NetworkId;
            cluster.SubnetId = network.Value.SubnetId;
        }

        await using var db = await dbs.CreateDbContextAsync(ct);
        var subnet = await db.Subnets.AsNoTracking()
            .FirstOrDefaultAsync(s => s.Id == cluster.SubnetId && s.NetworkId == cluster.NetworkId && s.ProjectId == cluster.ProjectId, ct)
            ?? throw NeutronErrors.Conflict("Cluster.NetworkGone", "network_id");
        if (!cluster.ExternalIp && !await db.Ports.AnyAsync(p => p.NetworkId == subnet.NetworkId && p.DeviceOwner == DeviceOwners.Shadowport, ct))
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            await PortStore.AddSystemPortAsync(db, tx, subnet, DeviceOwners.Shadowport, DeviceIds.Shadowport(subnet.NetworkId), null,
                clock.GetUtcNow(), ct);
            await tx.CommitAsync(ct);
            changes.Changed(cluster.ProjectId, Tables.Ports);
        }
    }

    /// <summary>
    /// Step Ports: the node rows, a <c>k8s:master</c> or <c>k8s:node</c> port per node and the
    /// <c>k8s:loadbalancer</c> port of the API, with addresses from IPAM, and the floating-IP port on ext-net; all in
    /// one transaction, and only those an earlier run did not write. Workers beyond the cluster's count (a scale-down)
    /// are removed with their ports in the same transaction, which bumps the agents' generation so every peer drops
    /// their routes. Returns how many ports it created in the cluster's subnet (what the wizard's review counts: the
    /// floating IP's port is on ext-net), that subnet's CIDR, and which nodes it removed.
    /// </summary>
    public async Task<(int Created, string SubnetCidr, IReadOnlyList<string> Removed)> EnsurePortsAsync(ClusterClaim claim, CancellationToken ct = default)
    {
        var cluster = claim.Cluster;
        if (cluster.NetworkId is not { } networkId || cluster.SubnetId is not { } subnetId)
            throw NeutronErrors.Conflict("Cluster.NetworkGone", "network_id");
        var now = clock.GetUtcNow();
        await using var db = await dbs.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);

        var nodes = await db.ClusterNodes.Where(n => n.ClusterId == cluster.Id).ToListAsync(ct);
        var removed = await RemoveSurplusNodesAsync(db, cluster, nodes, ct);
        AddMissingNodes(db, cluster, nodes, now);
        var existing = await db.Ports.Where(p => p.DeviceId == DeviceIds.Cluster(cluster.Id)).Include(p => p.FixedIps).ToListAsync(ct);
        var floatingNetwork = cluster.ExternalIp && existing.All(p => p.DeviceOwner != DeviceOwners.FloatingIp)
            ? await FloatingNetworkAsync(db, ct) : (FloatingNetwork?)null;
        var plan = PlanPorts(cluster, networkId, subnetId, nodes, existing, floatingNetwork);
        if (plan.Specs.Count > 0)
        {
            var created = await WritePortsAsync(db, tx, cluster, subnetId, plan.Specs, now, ct);
            foreach (var port in created) TakeAddress(cluster, nodes, plan.NodeOfPort, port);
            RecordPorts(db, cluster, "port.create", created.Select(p => (p.Id, p.Name, p.FixedIps.Select(f => f.IpAddress))), now);
        }
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        if (plan.Specs.Count > 0 || removed.Count > 0) changes.Changed(cluster.ProjectId, Tables.Ports, Tables.Clusters);
        if (removed.Count > 0) changes.Changed(cluster.ProjectId, Tables.ClusterNetwork);
        var cidr = await db.Subnets.Where(s => s.Id == subnetId).Select(s => s.Cidr).FirstAsync(ct);
        return (plan.Specs.Count(p => p.NetworkId == networkId), cidr.ToString(), removed);
    }

    /// <summary>
    /// Removes the nodes beyond the cluster's counts (a scale-down) with their ports, and bumps the agents'
    /// generation so every peer drops their routes; returns their names.
    /// </summary>
    private async Task<IReadOnlyList<string>> RemoveSurplusNodesAsync(PortalDbContext db, Cluster cluster, List<ClusterNode> nodes,
        CancellationToken ct)
    {
        var surplus = nodes.Where(n => n.Ordinal > (n.Role == NodeRole.Master ? cluster.Masters : cluster.Workers)).ToList();
        if (surplus.Count == 0) return [];
        var ports = surplus.Where(n => n.PortId != null).Select(n => n.PortId!.Value).ToList();
        await RecordPortDeletionsAsync(db, cluster, db.Ports.Where(p => ports.Contains(p.Id)), ct);
        db.ClusterNodes.RemoveRange(surplus);
        nodes.RemoveAll(surplus.Contains);
        await db.SaveChangesAsync(ct);
        await db.Ports.Where(p => ports.Contains(p.Id)).ExecuteDeleteAsync(ct);
        await ClusterStore.BumpGenerationAsync(db, cluster.Id, ct);
        return surplus.Select(n => n.Name).ToList();
    }

    /// <summary>Adds a row for every master and worker position the cluster has no node for yet.</summary>
    private static void AddMissingNodes(PortalDbContext db, Cluster cluster, List<ClusterNode> nodes, DateTimeOffset now)
    {
        foreach (var (role, count) in new[] { (NodeRole.Master, cluster.Masters), (NodeRole.Worker, cluster.Workers) })
        {
            for (var ordinal = 1; ordinal <= count; ordinal++)
            {
                if (nodes.Any(n => n.Role == role && n.Ordinal == ordinal)) continue;
                var node = new ClusterNode
                {
                    Id = Guid.CreateVersion7(), ClusterId = cluster.Id, Role = role, Ordinal = ordinal,
                    Name = ClusterRules.NodeName(cluster.Name, role, ordinal), CreatedAt = now,
                };
                db.ClusterNodes.Add(node);
                nodes.Add(node);
            }
        }
    }

    /// <summary>The ports of the cluster, and which node each node port is for.</summary>
    private sealed record PortPlan(List<PortSpec> Specs, Dictionary<Guid, Guid> NodeOfPort);

    private sealed record FloatingNetwork(string ProjectId, Guid NetworkId, Guid SubnetId, string Name);

    /// <summary>
    /// The ports an earlier run did not write: one per node, the API's load balancer and, with an external IP, the
    /// floating IP on the provider network. What an earlier run did write is taken over (nodes and the cluster get
    /// their addresses from it).
    /// </summary>
    private static PortPlan PlanPorts(Cluster cluster, Guid networkId, Guid subnetId, List<ClusterNode> nodes, List<Port> existing,
        FloatingNetwork? floatingNetwork)
    {
        var plan = new PortPlan([], []);
        foreach (var node in nodes.OrderBy(n => n.Role == NodeRole.Master ? 0 : 1).ThenBy(n => n.Ordinal))
        {
            var port = existing.FirstOrDefault(p => p.Name == node.Name && p.DeviceOwner != DeviceOwners.FloatingIp);
            if (port is not null)
            {
                node.PortId = port.Id;
                node.IpAddress = port.FixedIps.FirstOrDefault()?.IpAddress;
                continue;
            }
            var spec = ClusterPort(cluster, networkId, subnetId, node.Name,
                node.Role == NodeRole.Master ? DeviceOwners.K8sMaster : DeviceOwners.K8sNode);
            plan.Specs.Add(spec);
            plan.NodeOfPort[spec.Id] = node.Id;
        }
        var apiName = cluster.Name + "-api";
        var api = existing.FirstOrDefault(p => p.DeviceOwner == DeviceOwners.K8sLoadBalancer);
        if (api is null) plan.Specs.Add(ClusterPort(cluster, networkId, subnetId, apiName, DeviceOwners.K8sLoadBalancer));
        else cluster.ApiAddress = api.FixedIps.FirstOrDefault()?.IpAddress;
        var floating = existing.FirstOrDefault(p => p.DeviceOwner == DeviceOwners.FloatingIp);
        if (floating is not null) cluster.FloatingIp = floating.FixedIps.FirstOrDefault()?.IpAddress;
        else if (floatingNetwork is { } fip)
        {
            plan.Specs.Add(new PortSpec(Guid.CreateVersion7(), fip.ProjectId, fip.NetworkId, apiName, PortStore.NewMac(), DeviceOwners.FloatingIp,
                DeviceIds.Cluster(cluster.Id), "", true, [new AllocationSpec(fip.SubnetId, fip.Name, null)], Audit: null));
        }
        return plan;
    }

    /// <summary>Writes the planned ports in the step's transaction; a full subnet or quota is the cluster's failure reason.</summary>
    private async Task<IReadOnlyList<Port>> WritePortsAsync(PortalDbContext db, IDbContextTransaction tx, Cluster cluster, Guid subnetId,
        List<PortSpec> specs, DateTimeOffset now, CancellationToken ct)
    {
        try
        {
            return await PortStore.InsertManyAsync(Sql.Connection(db), Sql.Transaction(tx), specs, now, ct);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrors.NoFreeAddress)
        {
            var floatingFailed = e.Data[PortStore.FailedPortKey] is int i && specs[i].DeviceOwner == DeviceOwners.FloatingIp;
            throw floatingFailed
                ? NeutronErrors.IpAddressGenerationFailure(options.Value.FloatingIpNetwork)
                : NeutronErrors.IpAddressGenerationFailure(await SubnetNameAsync(subnetId, ct));
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrors.OverQuota)
        {
            throw await ServiceErrors.OverQuotaAsync(dbs, cluster.ProjectId, e, ct);
        }
    }

    /// <summary>Gives a created port's address to its node, or to the cluster (the API's or the floating IP).</summary>
    private static void TakeAddress(Cluster cluster, List<ClusterNode> nodes, Dictionary<Guid, Guid> nodeOfPort, Port port)
    {
        var address = port.FixedIps[0].IpAddress;
        if (nodeOfPort.TryGetValue(port.Id, out var nodeId))
        {
            var node = nodes.First(n => n.Id == nodeId);
            node.PortId = port.Id;
            node.IpAddress = address;
        }
        else if (port.DeviceOwner == DeviceOwners.K8sLoadBalancer) cluster.ApiAddress = address;
        else if (port.DeviceOwner == DeviceOwners.FloatingIp) cluster.FloatingIp = address;
    }

    /// <summary>
    /// Step Nodes, first half: gives every node without one a pod CIDR of the cluster's node size, next-fit from
    /// the last one handed out, disjoint (the database's exclusion constraint backs this up). A node that joined
    /// before it had one becomes a full peer now, so the generation is bumped with it.
    /// </summary>
    public async Task<IReadOnlyList<ClusterNode>> AssignPodCidrsAsync(ClusterClaim claim, CancellationToken ct = default)
    {
        var cluster = claim.Cluster;
        await using var db = await dbs.CreateDbContextAsync(ct);
        var nodes = await db.ClusterNodes.Where(n => n.ClusterId == cluster.Id)
            .OrderBy(n => n.CreatedAt).ThenByDescending(n => n.Role == NodeRole.Master).ThenBy(n => n.Ordinal).ToListAsync(ct);
        var taken = nodes.Where(n => n.PodCidr is not null).Select(n => n.PodCidr!.Value).ToList();
        var last = taken.Count > 0 ? taken[^1] : (IPNetwork?)null;
        foreach (var node in nodes.Where(n => n.PodCidr is null))
        {
            var next = ClusterRules.NextNodeCidr(cluster.PodCidr, cluster.NodePrefix, taken, last)
                       ?? throw NeutronErrors.CidrNotAvailable("Cluster.NodeCidrsExhausted", "pod_cidr", cluster.PodCidr.ToString(), cluster.NodePrefix, node.Name);
            node.PodCidr = next;
            taken.Add(next);
            last = next;
        }
        if (!db.ChangeTracker.HasChanges()) return nodes;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.SaveChangesAsync(ct);
        await ClusterStore.BumpGenerationAsync(db, cluster.Id, ct);
        await tx.CommitAsync(ct);
        changes.Changed(cluster.ProjectId, Tables.ClusterNetwork);
        return nodes;
    }

    /// <summary>Running clusters with their nodes (whose agents must run), and the ids of every cluster that exists.</summary>
    public async Task<(IReadOnlyList<Cluster> Running, IReadOnlySet<Guid> Existing)> ClustersToSuperviseAsync(CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var running = await db.Clusters.Where(c => c.Phase == ClusterPhase.Running && !c.DeleteRequested)
            .Include(c => c.Nodes.OrderBy(n => n.CreatedAt)).AsNoTracking().ToListAsync(ct);
        var existing = await db.Clusters.Select(c => c.Id).ToListAsync(ct);
        return (running, existing.ToHashSet());
    }

    /// <summary>The cluster's nodes as their agents last reported them.</summary>
    public async Task<IReadOnlyList<ClusterNode>> NodesAsync(Guid clusterId, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        return await db.ClusterNodes.Where(n => n.ClusterId == clusterId).OrderBy(n => n.CreatedAt).AsNoTracking().ToListAsync(ct);
    }

    /// <summary>
    /// Deletion: releases the cluster's ports (nodes, load balancer, floating IP) and with them their addresses
    /// and the nodes' pod CIDRs, then deletes the network the workflow created for it; a chosen network stays.
    /// </summary>
    public async Task ReleaseAsync(ClusterClaim claim, CancellationToken ct = default)
    {
        var cluster = claim.Cluster;
        var deviceId = DeviceIds.Cluster(cluster.Id);
        await using (var db = await dbs.CreateDbContextAsync(ct))
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var ports = db.Ports.Where(p => p.DeviceId == deviceId && ClusterPortOwners.Contains(p.DeviceOwner));
            await RecordPortDeletionsAsync(db, cluster, ports, ct);
            await db.SaveChangesAsync(ct);
            await db.ClusterNodes.Where(n => n.ClusterId == cluster.Id).ExecuteDeleteAsync(ct);
            await ports.ExecuteDeleteAsync(ct);
            await tx.CommitAsync(ct);
        }
        // The nodes are gone: their agents' watches end.
        changes.Changed(cluster.ProjectId, Tables.Ports, Tables.Clusters, Tables.ClusterNetwork);
        if (cluster.AutoNetwork && await OwnedNetworkAsync(cluster, ct) is { } owned)
        {
            try
            {
                await networks.DeleteAsync(Actor.System, cluster.ProjectId, owned.NetworkId, ct);
            }
            catch (NeutronException e) when (e.StatusCode == 404)
            {
                // Deleted meanwhile: what this step wants.
            }
        }
    }

    /// <summary>
    /// A cluster's ports are system ports, which the port service does not record; yet they take addresses and quota
    /// in the customer's project, so its trail shows them coming and going, saved with the change (under the
    /// cluster's project, the floating IP's too, though ext-net's port belongs to the provider).
    /// </summary>
    private static void RecordPorts(PortalDbContext db, Cluster cluster, string action,
        IEnumerable<(Guid Id, string Name, IEnumerable<IPAddress> Addresses)> ports, DateTimeOffset now)
    {
        foreach (var (id, name, addresses) in ports)
        {
            AuditStore.Add(db, Actor.System, cluster.ProjectId, action, "port", id.ToString(), name, string.Join(", ", addresses), now);
        }
    }

    private async Task RecordPortDeletionsAsync(PortalDbContext db, Cluster cluster, IQueryable<Port> ports, CancellationToken ct)
    {
        var gone = await ports.Select(p => new { p.Id, p.Name, Addresses = p.FixedIps.OrderBy(f => f.IpAddress).Select(f => f.IpAddress).ToList() })
            .ToListAsync(ct);
        RecordPorts(db, cluster, "port.delete", gone.Select(p => (p.Id, p.Name, p.Addresses.AsEnumerable())), clock.GetUtcNow());
    }

    private async Task<(Guid NetworkId, Guid SubnetId)?> OwnedNetworkAsync(Cluster cluster, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var found = await db.Networks.Where(n => n.OwnerClusterId == cluster.Id && n.ProjectId == cluster.ProjectId)
            .Select(n => new { n.Id, Subnet = n.Subnets.OrderBy(s => s.CreatedAt).Select(s => (Guid?)s.Id).FirstOrDefault() })
            .FirstOrDefaultAsync(ct);
        return found is { Subnet: { } subnetId } ? (found.Id, subnetId) : null;
    }

    private async Task<FloatingNetwork> FloatingNetworkAsync(PortalDbContext db, CancellationToken ct)
    {
        var name = options.Value.FloatingIpNetwork;
        var found = await db.Networks.Where(n => n.External && n.Name == name)
            .Select(n => new { n.ProjectId, n.Id, Subnet = n.Subnets.Where(s => s.IpVersion == 4).OrderBy(s => s.CreatedAt).Select(s => (Guid?)s.Id).FirstOrDefault() })
            .FirstOrDefaultAsync(ct);
        return found is { Subnet: { } subnetId }
            ? new FloatingNetwork(found.ProjectId, found.Id, subnetId, name)
            : throw NeutronErrors.Conflict("Cluster.ExternalNetworkMissing", null, name);
    }

    private async Task<string> SubnetNameAsync(Guid subnetId, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var subnet = await db.Subnets.AsNoTracking().FirstAsync(s => s.Id == subnetId, ct);
        return subnet.DisplayName;
    }

    private static PortSpec ClusterPort(Cluster cluster, Guid networkId, Guid subnetId, string name, string owner) =>
        new(Guid.CreateVersion7(), cluster.ProjectId, networkId, name, PortStore.NewMac(), owner, DeviceIds.Cluster(cluster.Id), name, true,
            [new AllocationSpec(subnetId, "", null)], Audit: null);
}
