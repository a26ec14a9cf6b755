using System.Net;
using System.Net.Sockets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Clusters;
using Portal.Core.Errors;
using Portal.Core.Ip;
using Portal.Data.Entities;
using Portal.Data.Store;

namespace Portal.Data.Services;

/// <summary>
/// A project's Kubernetes clusters: the wizard's checks, creation and deletion requests (recorded in the audit
/// trail), and what the cluster pages show. Every call is made by an <see cref="Actor"/> who must be a member of
/// the project (a non-member is told the project or cluster does not exist). The provisioning itself is the backend's (Portal.Backend's ClusterWorkflow):
/// creating a cluster only writes it as Pending and wakes the workers.
/// </summary>
public sealed class ClusterService(
    IDbContextFactory<PortalDbContext> dbs, NetworkService networks, SubnetService subnets, AuditService audit,
    ChangeFeed.ChangePublisher changes, ClusterSignal signal, IOptions<ClusterOptions> options, TimeProvider clock)
{
    public ClusterOptions Options => options.Value;

    /// <summary>
    /// Checks a request the way creation will and resolves it: the wizard calls it before «Создать» so that every
    /// problem (a taken name, a subnet too small, overlapping CIDRs, shadowport) shows before submitting.
    /// </summary>
    public async Task<ClusterPlan> PlanAsync(Actor actor, string projectId, ClusterCreate request, CancellationToken ct = default)
    {
        var name = ClusterRules.CheckName(request.Name);
        var version = request.KubernetesVersion ?? Options.OfferedVersions[0];
        if (!Options.OfferedVersions.Contains(version)) throw NeutronErrors.InvalidInput("Cluster.VersionUnknown", "kubernetes_version", version);
        var flavor = request.Flavor ?? Options.OfferedFlavors[0];
        if (!Options.OfferedFlavors.Contains(flavor)) throw NeutronErrors.InvalidInput("Cluster.FlavorUnknown", "flavor", flavor);
        ClusterRules.CheckMasters(request.Masters);
        ClusterRules.CheckWorkers(request.Workers);
        var pod = ClusterRules.ParseClusterCidr(request.PodCidr, "pod_cidr");
        var service = ClusterRules.ParseClusterCidr(request.ServiceCidr, "service_cidr");
        if (request.NodePrefix is < 16 or > 28) throw NeutronErrors.InvalidInput("Cluster.NodePrefixOutOfRange", "node_prefix", 16, 28);

        await using (var db = await dbs.CreateDbContextAsync(ct))
        {
            await Access.RequireMemberAsync(db, actor, projectId, ct);
            var project = await db.Projects.AsNoTracking().FirstOrDefaultAsync(p => p.Id == projectId, ct)
                          ?? throw NeutronErrors.NotFound("Resource.Project", projectId);
            if (!request.ExternalIp && !project.ShadowportEnabled)
                throw NeutronErrors.Conflict("Cluster.ShadowportNotEnabled", "external_ip", projectId);
            if (await db.Clusters.AnyAsync(c => c.ProjectId == projectId && c.Name == name, ct))
                throw NeutronErrors.Conflict("Cluster.NameTaken", "name", name);
        }

        var needed = ClusterRules.AddressesNeeded(request.Masters, request.Workers);
        ClusterPlan plan;
        if (request.NetworkId is not { } networkId)
        {
            var cidr = await AutoSubnetAsync(actor, projectId, pod, service, ct)
                       ?? throw NeutronErrors.CidrNotAvailable("Cluster.NoFreeAutoSubnet", "network_id");
            plan = new ClusterPlan(name, version, flavor, request.Masters, request.Workers, null, ClusterRules.AutoNetworkName(name), null,
                ClusterRules.AutoSubnetName(name), cidr, true, pod, service, request.NodePrefix, ClusterRules.NodeCapacity(pod, request.NodePrefix),
                request.ExternalIp, needed, IpMath.UsableCount(cidr) - 1);
        }
        else
        {
            var network = await networks.GetAsync(actor, projectId, networkId, ct);
            if (network.External) throw NeutronErrors.InvalidInput("Cluster.NetworkExternal", "network_id", network.Name);
            if (!request.ExternalIp && !network.ServicesAccess)
                throw NeutronErrors.Conflict("Cluster.NetworkNeedsServicesAccess", "network_id", network.Name);
            if (request.ExternalIp && !network.InternetAccess)
                throw NeutronErrors.Conflict("Cluster.NetworkNeedsInternet", "network_id", network.Name);
            var subnet = request.SubnetId is { } subnetId
                ? network.Subnets.FirstOrDefault(s => s.Id == subnetId) ?? throw NeutronErrors.InvalidInput("Cluster.SubnetNotInNetwork", "subnet_id", network.Name)
                : network.Subnets.FirstOrDefault(s => s.IpVersion == 4) ?? throw NeutronErrors.InvalidInput("NetworkHasNoSubnet", "subnet_id", network.Name);
            if (subnet.IpVersion != 4) throw NeutronErrors.InvalidInput("Cluster.SubnetNotIpv4", "subnet_id", subnet.Cidr.ToString());
            var free = (await subnets.GetAvailabilityAsync(actor, projectId, subnet.Id, 1, ct)).Free;
            var subnetName = subnet.DisplayName;
            if (free < needed)
                throw NeutronErrors.Conflict("Cluster.SubnetTooSmall", "subnet_id", subnetName, free, needed, request.Masters, request.Workers);
            plan = new ClusterPlan(name, version, flavor, request.Masters, request.Workers, network.Id, network.Name, subnet.Id,
                subnetName, subnet.Cidr, false, pod, service, request.NodePrefix, ClusterRules.NodeCapacity(pod, request.NodePrefix),
                request.ExternalIp, needed, free);
        }
        ClusterRules.CheckAddressPlan(pod, service, plan.SubnetCidr, plan.NodePrefix, plan.Nodes);
        return plan;
    }

    /// <summary>Checks the request and writes the cluster as Pending; the backend's workers take it from there.</summary>
    public async Task<Cluster> CreateAsync(Actor actor, string projectId, ClusterCreate request, CancellationToken ct = default)
    {
        var plan = await PlanAsync(actor, projectId, request, ct);
        var now = clock.GetUtcNow();
        var cluster = new Cluster
        {
            Id = Guid.CreateVersion7(),
            ProjectId = projectId,
            Name = plan.Name,
            KubernetesVersion = plan.KubernetesVersion,
            Flavor = plan.Flavor,
            Masters = plan.Masters,
            Workers = plan.Workers,
            NetworkId = plan.NetworkId,
            SubnetId = plan.SubnetId,
            AutoNetwork = plan.AutoNetwork,
            PodCidr = plan.PodCidr,
            ServiceCidr = plan.ServiceCidr,
            NodePrefix = plan.NodePrefix,
            ExternalIp = plan.ExternalIp,
            NextAttemptAt = now,
            PhaseSince = now,
            JoinToken = NewJoinToken(),
            CreatedBy = actor.Name,
            CreatedAt = now,
            UpdatedAt = now,
        };
        await using var db = await dbs.CreateDbContextAsync(ct);
        db.Clusters.Add(cluster);
        db.ClusterGenerations.Add(new ClusterGeneration { ClusterId = cluster.Id });
        ClusterStore.AddEvent(db, cluster.Id, ClusterPhase.Pending, "Event.Created", [actor.Name, plan.Nodes], warning: false, now);
        audit.Record(db, actor, projectId, "cluster.create", "cluster", cluster.Id.ToString(), cluster.Name,
            new ClusterAuditDetails(plan.KubernetesVersion, plan.Masters, plan.Workers, plan.NetworkName, plan.SubnetCidr.ToString(), plan.AutoNetwork,
                plan.ExternalIp).ToJson(),
            at: now);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e.Is(PostgresErrors.UniqueViolation))
        {
            throw NeutronErrors.Conflict("Cluster.NameTaken", "name", cluster.Name);
        }
        changes.Changed(projectId, Tables.Clusters);
        signal.Raise();
        return cluster;
    }

    /// <summary>
    /// Asks for the cluster's deletion: the workflow releases its ports, floating IP and pod CIDRs, deletes a
    /// network it created, and then the cluster. Asking twice is harmless.
    /// </summary>
    public async Task DeleteAsync(Actor actor, string projectId, Guid clusterId, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        await Access.RequireMemberAsync(db, actor, projectId, () => NotFound(clusterId), ct);
        var cluster = await db.Clusters.FirstOrDefaultAsync(c => c.Id == clusterId && c.ProjectId == projectId, ct)
                      ?? throw NotFound(clusterId);
        if (cluster.DeleteRequested) return;
        var now = clock.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // One statement, so a worker holding the cluster finishes its step first and then sees the request.
        await db.Clusters.Where(c => c.Id == clusterId)
            .ExecuteUpdateAsync(u => u.SetProperty(c => c.DeleteRequested, true).SetProperty(c => c.NextAttemptAt, now)
                .SetProperty(c => c.Attempts, 0).SetProperty(c => c.UpdatedAt, now), ct);
        ClusterStore.AddEvent(db, clusterId, ClusterPhase.Deleting, "Event.DeleteRequested", [actor.Name], warning: false, now);
        audit.Record(db, actor, projectId, "cluster.delete", "cluster", clusterId.ToString(), cluster.Name, at: now);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        changes.Changed(projectId, Tables.Clusters);
        signal.Raise();
    }

    /// <summary>
    /// Changes the number of workers of a running cluster: the workflow adds the new nodes (ports, pod CIDRs,
    /// agents) or removes the last ones with their ports, and every agent gets the new peers.
    /// </summary>
    public async Task ScaleAsync(Actor actor, string projectId, Guid clusterId, int workers, CancellationToken ct = default)
    {
        ClusterRules.CheckWorkers(workers);
        await using var db = await dbs.CreateDbContextAsync(ct);
        await Access.RequireMemberAsync(db, actor, projectId, () => NotFound(clusterId), ct);
        var cluster = await db.Clusters.AsNoTracking().FirstOrDefaultAsync(c => c.Id == clusterId && c.ProjectId == projectId, ct)
                      ?? throw NotFound(clusterId);
        if (cluster.DeleteRequested) throw NeutronErrors.Conflict("Cluster.BeingDeleted", null, cluster.Name);
        if (cluster.Phase != ClusterPhase.Running) throw NeutronErrors.Conflict("Cluster.NotRunning", null, cluster.Name);
        if (workers == cluster.Workers) return;
        if (workers > cluster.Workers && cluster.SubnetId is { } subnetId)
        {
            var free = (await subnets.GetAvailabilityAsync(actor, projectId, subnetId, 1, ct)).Free;
            if (free < workers - cluster.Workers)
            {
                var subnet = await db.Subnets.AsNoTracking().FirstAsync(s => s.Id == subnetId, ct);
                throw NeutronErrors.Conflict("Cluster.ScaleNoRoom", "workers", subnet.DisplayName, free, workers - cluster.Workers);
            }
        }
        var now = clock.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // One statement that only a running cluster passes, so a deletion or another change in between wins cleanly.
        var changed = await db.Clusters.Where(c => c.Id == clusterId && c.Phase == ClusterPhase.Running && !c.DeleteRequested)
            .ExecuteUpdateAsync(u => u.SetProperty(c => c.Workers, workers).SetProperty(c => c.Phase, ClusterPhase.Ports)
                .SetProperty(c => c.PhaseSince, now).SetProperty(c => c.NextAttemptAt, now).SetProperty(c => c.Attempts, 0)
                .SetProperty(c => c.UpdatedAt, now), ct);
        if (changed == 0) throw NeutronErrors.Conflict("Cluster.NotRunning", null, cluster.Name);
        ClusterStore.AddEvent(db, clusterId, ClusterPhase.Ports, "Event.ScaleRequested", [actor.Name, cluster.Workers, workers], warning: false, now);
        audit.Record(db, actor, projectId, "cluster.scale", "cluster", clusterId.ToString(), cluster.Name, $"{cluster.Workers} → {workers}", at: now);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        changes.Changed(projectId, Tables.Clusters);
        signal.Raise();
    }

    /// <summary>
    /// Asks the cluster's agents to probe every pod from every pod (DESIGN.md §1 "network check"): a new check id in
    /// the snapshots; each agent reports its results, which <see cref="GetAsync"/> gathers.
    /// </summary>
    public async Task<long> RequestNetworkCheckAsync(Actor actor, string projectId, Guid clusterId, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        await Access.RequireMemberAsync(db, actor, projectId, () => NotFound(clusterId), ct);
        var cluster = await db.Clusters.AsNoTracking().FirstOrDefaultAsync(c => c.Id == clusterId && c.ProjectId == projectId, ct)
                      ?? throw NotFound(clusterId);
        if (cluster.DeleteRequested) throw NeutronErrors.Conflict("Cluster.BeingDeleted", null, cluster.Name);
        if (cluster.Phase != ClusterPhase.Running) throw NeutronErrors.Conflict("Cluster.NotRunning", null, cluster.Name);
        var pods = (await db.ClusterNodes.Where(n => n.ClusterId == clusterId).Select(n => n.Pods).ToListAsync(ct)).Sum(p => p.Count);
        if (pods < 2) throw NeutronErrors.Conflict("Cluster.CheckNeedsPods", null, pods);
        var now = clock.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var id = await ClusterStore.RequestCheckAsync(db, clusterId, now, ct);
        ClusterStore.AddEvent(db, clusterId, cluster.Phase, "Event.CheckRequested", [actor.Name, pods], warning: false, now);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        changes.Changed(projectId, Tables.Clusters, Tables.ClusterNetwork);
        return id;
    }

    public async Task<IReadOnlyList<ClusterRow>> ListAsync(Actor actor, string projectId, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        await Access.RequireMemberAsync(db, actor, projectId, ct);
        return await Rows(db, db.Clusters.Where(c => c.ProjectId == projectId).OrderBy(c => c.Name)).ToListAsync(ct);
    }

    /// <summary>How many clusters the project has: for its members and for support (the support console shows it).</summary>
    public async Task<int> CountAsync(Actor actor, string projectId, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        await ProjectService.RequireMemberOrSupportAsync(db, actor, projectId, ct);
        return await db.Clusters.CountAsync(c => c.ProjectId == projectId, ct);
    }

    /// <summary>A cluster with its nodes and its latest events (newest first).</summary>
    public async Task<ClusterDetail> GetAsync(Actor actor, string projectId, Guid clusterId, int maxEvents = 200, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        await Access.RequireMemberAsync(db, actor, projectId, () => NotFound(clusterId), ct);
        var row = await Rows(db, db.Clusters.Where(c => c.Id == clusterId && c.ProjectId == projectId)).FirstOrDefaultAsync(ct)
                  ?? throw NotFound(clusterId);
        var nodes = await db.ClusterNodes.Where(n => n.ClusterId == clusterId)
            .OrderByDescending(n => n.Role == NodeRole.Master).ThenBy(n => n.Ordinal).AsNoTracking().ToListAsync(ct);
        var events = await db.ClusterEvents.Where(e => e.ClusterId == clusterId).OrderByDescending(e => e.Id).Take(maxEvents)
            .Select(e => new ClusterEventRow(e.Id, e.At, e.Phase, e.MessageKey, e.Args, e.Warning))
            .AsNoTracking().ToListAsync(ct);
        var agents = await db.Clusters.Where(c => c.Id == clusterId)
            .Select(c => new { c.JoinToken, Generation = db.ClusterGenerations.FirstOrDefault(g => g.ClusterId == c.Id) })
            .AsNoTracking().FirstAsync(ct);
        var (joinToken, generation) = (agents.JoinToken, agents.Generation);
        NetworkCheckView? check = null;
        if (generation is { CheckId: > 0 } g)
        {
            var answered = nodes.Where(n => n.CheckId == g.CheckId).ToList();
            check = new NetworkCheckView(g.CheckId, g.CheckRequestedAt,
                answered.SelectMany(n => n.CheckResults.Select(p => new NodeProbe(n.Name, p))).ToList(),
                nodes.Sum(n => n.Pods.Count), answered.Count, nodes.Count(n => n.CheckId == g.CheckId || (n.Ready && n.Pods.Count > 0)));
        }
        var rows = nodes.Select(n => new ClusterNodeRow(n.Id, n.Name, n.Role, n.IpAddress, n.PodCidr, n.Ready, n.LastHeartbeat,
            generation?.Generation ?? 1, n.ObservedGeneration, n.JoinedAt, n.AgentVersion, n.RouteCount, n.AgentErrors, n.Pods)).ToList();
        return new ClusterDetail(row, rows, events, joinToken, generation?.Generation ?? 1, check);
    }

    /// <summary>
    /// The /24 a new network would get now: the first of 10.0.0.0/8 that overlaps none of the project's subnets
    /// nor the cluster's pod and service CIDRs.
    /// </summary>
    public async Task<IPNetwork?> AutoSubnetAsync(Actor actor, string projectId, IPNetwork podCidr, IPNetwork serviceCidr,
        CancellationToken ct = default)
    {
        var taken = (await subnets.ProjectSubnetsAsync(actor, projectId, ct)).Select(s => s.Cidr)
            .Where(c => c.BaseAddress.AddressFamily == AddressFamily.InterNetwork).Append(podCidr).Append(serviceCidr);
        return CidrSuggestions.FirstFree(ClusterRules.AutoNetworkSpace, ClusterRules.AutoSubnetPrefix, taken);
    }

    /// <summary>192 random bits, hex: what an agent must present to join the cluster.</summary>
    public static string NewJoinToken() => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));


    internal static NeutronException NotFound(Guid clusterId) => NeutronErrors.NotFound("Resource.Cluster", clusterId);

    private static IQueryable<ClusterRow> Rows(PortalDbContext db, IQueryable<Cluster> clusters) =>
        from c in clusters
        join n in db.Networks on c.NetworkId equals n.Id into ns
        from n in ns.DefaultIfEmpty()
        join s in db.Subnets on c.SubnetId equals s.Id into ss
        from s in ss.DefaultIfEmpty()
        select new ClusterRow(c.Id, c.Name, c.Phase, c.DeleteRequested, c.KubernetesVersion, c.Flavor, c.Masters, c.Workers,
            c.Nodes.Count(x => x.Ready), c.NetworkId, n == null ? null : n.Name, s == null ? null : s.Cidr, c.AutoNetwork, c.ExternalIp,
            c.FloatingIp, c.ApiAddress, c.PodCidr, c.ServiceCidr, c.NodePrefix,
            c.FailureKey == null ? null : new ClusterFailure(c.FailureKey, c.FailureArgs), c.CreatedAt, c.PhaseSince);
}
