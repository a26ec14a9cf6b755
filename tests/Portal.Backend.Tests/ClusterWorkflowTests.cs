using System.Net;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Errors;
using Portal.Core.Ip;
using Portal.Backend.Workflow;
using Portal.Data.Entities;
using Portal.Data.Services;
using Portal.Core.Clusters;

namespace Portal.Backend.Tests;

/// <summary>The provisioning workflow on the real database, driven step by step by the backend's worker.</summary>
[Collection(BackendCollection.Name)]
public sealed class ClusterWorkflowTests(BackendFixture f)
{
    [Fact]
    public async Task A_cluster_in_a_chosen_network_gets_node_ports_pod_cidrs_and_a_floating_ip_and_runs()
    {
        var project = await f.NewProjectAsync();
        var (network, subnet) = await f.NewNetworkAsync(project, "10.20.0.0/24");
        var created = await f.Clusters.CreateAsync(BackendFixture.Customer, project, new ClusterCreate
        {
            Name = "prod", Masters = 3, Workers = 2, NetworkId = network.Id, SubnetId = subnet.Id,
        });
        Assert.Equal(ClusterPhase.Pending, created.Phase);

        var cluster = await f.RunUntilAsync(created.Id, ClusterPhase.Running);

        var detail = await f.Clusters.GetAsync(Actor.System, project, created.Id);
        Assert.Equal(5, detail.Nodes.Count);
        Assert.Equal(["prod-master-1", "prod-master-2", "prod-master-3", "prod-node-1", "prod-node-2"], detail.Nodes.Select(n => n.Name));
        Assert.All(detail.Nodes, n => Assert.True(n.Ready));
        Assert.All(detail.Nodes, n => Assert.True(IpMath.Contains(subnet.Cidr, n.IpAddress!)));
        AssertDisjointInside(IPNetwork.Parse("10.100.0.0/16"), 24, detail.Nodes.Select(n => n.PodCidr!.Value).ToList());
        Assert.Equal(5, detail.Nodes.Select(n => n.IpAddress).Distinct().Count());

        var ports = await f.Ports.ListAsync(Actor.System, project, network.Id);
        var clusterPorts = ports.Where(p => p.DeviceId == created.Id.ToString()).ToList();
        Assert.Equal(3, clusterPorts.Count(p => p.DeviceOwner == DeviceOwners.K8sMaster));
        Assert.Equal(2, clusterPorts.Count(p => p.DeviceOwner == DeviceOwners.K8sNode));
        var api = Assert.Single(clusterPorts, p => p.DeviceOwner == DeviceOwners.K8sLoadBalancer);
        Assert.Equal(cluster!.ApiAddress, api.FixedIps[0].IpAddress);
        Assert.NotNull(cluster.FloatingIp);
        Assert.True(IpMath.Contains(IPNetwork.Parse("203.0.113.0/24"), cluster.FloatingIp!));
        Assert.Equal(1L, await f.ScalarAsync(
            "SELECT count(*) FROM ports p JOIN ip_allocations a ON a.port_id = p.id WHERE p.device_owner = 'network:floatingip' AND p.device_id = $1 AND a.ip_address = $2",
            created.Id.ToString(), cluster.FloatingIp!));

        var row = Assert.Single(await f.Clusters.ListAsync(Actor.System, project));
        Assert.Equal(5, row.NodesReady);
        Assert.Equal(network.Name, row.NetworkName);
        Assert.Equal(["Event.Created", "Event.Accepted", "Event.NetworkChosen", "Event.PortsCreated", "Event.NodesRequested", "Event.Running"],
            detail.Events.Reverse().Select(e => e.MessageKey));
        // Counted as the wizard's review counts: the ports in the cluster's subnet (5 nodes and the API); the floating IP apart.
        Assert.Equal(["6", subnet.Cidr.ToString(), api.FixedIps[0].IpAddress.ToString(), cluster.FloatingIp!.ToString(), "ext-net"],
            detail.Events.Single(e => e.MessageKey == "Event.PortsCreated").Args);
        var audit = await f.Audit.ListAsync(DatabaseFixtureActors.Support, project, new PageRequest(0, 50));
        Assert.Contains(audit.Items, e => e.Action == "cluster.create" && e.ObjectName == "prod" && e.Actor == "customer@test");
    }

    [Fact]
    public async Task An_automatic_network_takes_the_first_free_24_with_a_router_and_a_second_cluster_the_next()
    {
        var project = await f.NewProjectAsync();
        await f.NewNetworkAsync(project, "10.0.0.0/24");
        var first = await f.Clusters.CreateAsync(Actor.System, project, new ClusterCreate { Name = "alpha", Workers = 1 });
        var second = await f.Clusters.CreateAsync(Actor.System, project, new ClusterCreate { Name = "beta", Workers = 1 });
        await f.RunUntilAsync(first.Id, ClusterPhase.Running);
        await f.RunUntilAsync(second.Id, ClusterPhase.Running);

        var networks = await f.Networks.ListAsync(Actor.System, project);
        var alpha = Assert.Single(networks, n => n.Name == "alpha-net");
        var beta = Assert.Single(networks, n => n.Name == "beta-net");
        Assert.Equal(first.Id, alpha.OwnerClusterId);
        Assert.True(alpha.InternetAccess);
        Assert.False(alpha.ServicesAccess);
        Assert.Equal(["10.0.1.0/24", "10.0.2.0/24"], new[] { alpha, beta }.Select(n => n.Subnets.Single().Cidr.ToString()).Order());
        var alphaPorts = await f.Ports.ListAsync(Actor.System, project, alpha.Id);
        Assert.Single(alphaPorts, p => p.DeviceOwner == DeviceOwners.RouterInterface);
        Assert.Equal(3, alphaPorts.Count(p => p.DeviceId == first.Id.ToString()));
    }

    [Fact]
    public async Task A_shadowport_cluster_gets_a_network_with_services_access_and_its_shadowport_port_and_no_floating_ip()
    {
        var project = await f.NewProjectAsync(shadowport: true);
        var auto = await f.Clusters.CreateAsync(Actor.System, project, new ClusterCreate { Name = "hidden", Workers = 2, ExternalIp = false });
        var running = await f.RunUntilAsync(auto.Id, ClusterPhase.Running);
        Assert.Null(running!.FloatingIp);
        Assert.NotNull(running.ApiAddress);
        var network = Assert.Single(await f.Networks.ListAsync(Actor.System, project), n => n.Name == "hidden-net");
        Assert.True(network.ServicesAccess);
        Assert.False(network.InternetAccess);
        var ports = await f.Ports.ListAsync(Actor.System, project, network.Id);
        Assert.Single(ports, p => p.DeviceOwner == DeviceOwners.Shadowport);
        Assert.DoesNotContain(ports, p => p.DeviceOwner == DeviceOwners.RouterInterface);
        Assert.Equal(0L, await f.ScalarAsync("SELECT count(*) FROM ports WHERE device_owner = 'network:floatingip' AND device_id = $1", auto.Id.ToString()));
        var row = Assert.Single(await f.Clusters.ListAsync(Actor.System, project));
        Assert.False(row.ExternalIp);
        var detail = await f.Clusters.GetAsync(Actor.System, project, auto.Id);
        Assert.Equal(["4", network.Subnets.Single().Cidr.ToString(), running.ApiAddress!.ToString()],
            detail.Events.Single(e => e.MessageKey == "Event.PortsCreatedNoExternalIp").Args);

        // A chosen network with services access gets its shadowport port once, however many clusters use it.
        var (chosen, subnet) = await f.NewNetworkAsync(project, "10.50.0.0/24", internet: false, services: true);
        foreach (var name in new[] { "inner-a", "inner-b" })
        {
            var c = await f.Clusters.CreateAsync(Actor.System, project, new ClusterCreate { Name = name, Workers = 1, ExternalIp = false, NetworkId = chosen.Id, SubnetId = subnet.Id });
            await f.RunUntilAsync(c.Id, ClusterPhase.Running);
        }
        Assert.Single(await f.Ports.ListAsync(Actor.System, project, chosen.Id), p => p.DeviceOwner == DeviceOwners.Shadowport);
    }

    [Fact]
    public async Task Without_shadowport_or_services_access_a_cluster_without_external_ip_is_refused_with_the_reason()
    {
        var plain = await f.NewProjectAsync();
        var e = await Assert.ThrowsAsync<NeutronException>(() =>
            f.Clusters.CreateAsync(Actor.System, plain, new ClusterCreate { Name = "x", ExternalIp = false }));
        Assert.Equal("Cluster.ShadowportNotEnabled", e.MessageKey);
        Assert.Contains(plain, e.Localize(System.Globalization.CultureInfo.GetCultureInfo("ru")));

        var enabled = await f.NewProjectAsync(shadowport: true);
        var (network, subnet) = await f.NewNetworkAsync(enabled, "10.60.0.0/24");
        e = await Assert.ThrowsAsync<NeutronException>(() =>
            f.Clusters.CreateAsync(Actor.System, enabled, new ClusterCreate { Name = "x", ExternalIp = false, NetworkId = network.Id, SubnetId = subnet.Id }));
        Assert.Equal("Cluster.NetworkNeedsServicesAccess", e.MessageKey);
        Assert.Empty(await f.Clusters.ListAsync(Actor.System, enabled));
        Assert.Empty(await f.Clusters.ListAsync(Actor.System, plain));
    }

    [Fact]
    public async Task The_plan_refuses_a_subnet_without_room_overlapping_cidrs_a_taken_name_and_a_bad_name_before_anything_is_written()
    {
        var project = await f.NewProjectAsync();
        // A /29 has 6 usable addresses: the gateway and the DHCP port take 2, leaving 4.
        var (network, subnet) = await f.NewNetworkAsync(project, "10.70.0.0/29");
        var fits = await f.Clusters.PlanAsync(Actor.System, project, new ClusterCreate { Name = "small", Workers = 2, NetworkId = network.Id, SubnetId = subnet.Id });
        Assert.Equal(4, fits.AddressesNeeded);
        Assert.Equal(4, (int)fits.FreeAddresses!.Value);

        var tooSmall = await Assert.ThrowsAsync<NeutronException>(() =>
            f.Clusters.PlanAsync(Actor.System, project, new ClusterCreate { Name = "small", Workers = 3, NetworkId = network.Id, SubnetId = subnet.Id }));
        Assert.Equal(("Cluster.SubnetTooSmall", "subnet_id"), (tooSmall.MessageKey, tooSmall.Field));
        Assert.Equal("В подсети «sub» свободно адресов: 4, а кластеру нужно 5: мастер-узлы — 1, рабочие узлы — 3 и балансировщик.",
            tooSmall.Localize(System.Globalization.CultureInfo.GetCultureInfo("ru")));

        var overlap = await Assert.ThrowsAsync<NeutronException>(() =>
            f.Clusters.PlanAsync(Actor.System, project, new ClusterCreate { Name = "o", PodCidr = "10.0.0.0/8", NetworkId = network.Id, SubnetId = subnet.Id }));
        Assert.Equal(("Cluster.PodOverlapsService", "service_cidr"), (overlap.MessageKey, overlap.Field));
        overlap = await Assert.ThrowsAsync<NeutronException>(() =>
            f.Clusters.PlanAsync(Actor.System, project, new ClusterCreate { Name = "o", PodCidr = "10.70.0.0/16", NetworkId = network.Id, SubnetId = subnet.Id }));
        Assert.Equal(("Cluster.PodOverlapsNodeSubnet", "pod_cidr"), (overlap.MessageKey, overlap.Field));

        var bad = await Assert.ThrowsAsync<NeutronException>(() => f.Clusters.PlanAsync(Actor.System, project, new ClusterCreate { Name = "Prod_1" }));
        Assert.Equal(("Cluster.NameInvalid", "name"), (bad.MessageKey, bad.Field));

        await f.Clusters.CreateAsync(Actor.System, project, new ClusterCreate { Name = "small", Workers = 1, NetworkId = network.Id, SubnetId = subnet.Id });
        var taken = await Assert.ThrowsAsync<NeutronException>(() => f.Clusters.PlanAsync(Actor.System, project, new ClusterCreate { Name = "small" }));
        Assert.Equal(("Cluster.NameTaken", "name"), (taken.MessageKey, taken.Field));
    }

    [Fact]
    public async Task Deleting_releases_ports_floating_ip_and_pod_cidrs_deletes_an_automatic_network_and_keeps_a_chosen_one()
    {
        var project = await f.NewProjectAsync();
        var (network, subnet) = await f.NewNetworkAsync(project, "10.80.0.0/24");
        var portsBefore = (long)(await f.ScalarAsync("SELECT count(*) FROM ports WHERE project_id = $1", project))!;
        var chosen = await f.Clusters.CreateAsync(Actor.System, project, new ClusterCreate { Name = "chosen", Workers = 2, NetworkId = network.Id, SubnetId = subnet.Id });
        var auto = await f.Clusters.CreateAsync(Actor.System, project, new ClusterCreate { Name = "auto", Workers = 2 });
        await f.RunUntilAsync(chosen.Id, ClusterPhase.Running);
        await f.RunUntilAsync(auto.Id, ClusterPhase.Running);
        var usedBefore = await f.Subnets.GetAvailabilityAsync(Actor.System, project, subnet.Id);
        var floatingBefore = (long)(await f.ScalarAsync("SELECT count(*) FROM ports WHERE device_owner = 'network:floatingip'"))!;

        await f.Clusters.DeleteAsync(BackendFixture.Customer, project, chosen.Id);
        await f.Clusters.DeleteAsync(BackendFixture.Customer, project, auto.Id);
        Assert.All(await f.Clusters.ListAsync(Actor.System, project), c => Assert.Equal(ClusterPhase.Deleting, c.DisplayPhase));
        await f.RunUntilAsync(chosen.Id, null);
        await f.RunUntilAsync(auto.Id, null);

        Assert.Empty(await f.Clusters.ListAsync(Actor.System, project));
        foreach (var id in new[] { chosen.Id, auto.Id })
        {
            Assert.Equal(0L, await f.ScalarAsync("SELECT count(*) FROM ports WHERE device_id = $1", id.ToString()));
            Assert.Equal(0L, await f.ScalarAsync("SELECT count(*) FROM cluster_nodes WHERE cluster_id = $1", id));
            Assert.Equal(0L, await f.ScalarAsync("SELECT count(*) FROM cluster_events WHERE cluster_id = $1", id));
            Assert.Equal(0L, await f.ScalarAsync("SELECT count(*) FROM networks WHERE owner_cluster_id = $1", id));
        }
        Assert.Equal(floatingBefore - 2, (long)(await f.ScalarAsync("SELECT count(*) FROM ports WHERE device_owner = 'network:floatingip'"))!);
        var kept = await f.Networks.GetAsync(Actor.System, project, network.Id);
        Assert.Single(kept.Subnets);
        Assert.Equal(usedBefore.Used - 4, (await f.Subnets.GetAvailabilityAsync(Actor.System, project, subnet.Id)).Used);
        Assert.DoesNotContain(await f.Networks.ListAsync(Actor.System, project), n => n.Name == "auto-net");
        var audit = await f.Audit.ListAsync(DatabaseFixtureActors.Support, project, new PageRequest(0, 100));
        Assert.Equal(2, audit.Items.Count(e => e.Action == "cluster.delete"));
        // The trail shows each deletion done, and the ports each cluster took and gave back: 3 nodes, the API, the floating IP.
        Assert.Equal(["auto", "chosen"], audit.Items.Where(e => e.Action == "cluster.deleted").Select(e => e.ObjectName).Order());
        Assert.All(audit.Items.Where(e => e.Action == "cluster.deleted"), e => Assert.Equal("system", e.Actor));
        foreach (var name in new[] { "auto", "chosen" })
        {
            string[] ports = [$"{name}-master-1", $"{name}-node-1", $"{name}-node-2", $"{name}-api", $"{name}-api"];
            foreach (var action in new[] { "port.create", "port.delete" })
            {
                var entries = audit.Items.Where(e => e.Action == action && e.ObjectName.StartsWith(name + "-")).ToList();
                Assert.Equal(ports.Order(), entries.Select(e => e.ObjectName).Order());
                Assert.All(entries, e => Assert.Matches(@"^\d+\.\d+\.\d+\.\d+$", e.Details));
            }
        }
        // Only the chosen network's own system ports remain, as before the clusters.
        Assert.Equal(portsBefore, await f.ScalarAsync("SELECT count(*) FROM ports WHERE project_id = $1", project));
    }

    [Fact]
    public async Task A_chosen_network_in_use_by_a_cluster_cannot_be_deleted_and_names_the_nodes()
    {
        var project = await f.NewProjectAsync();
        var (network, subnet) = await f.NewNetworkAsync(project, "10.90.0.0/24");
        var c = await f.Clusters.CreateAsync(Actor.System, project, new ClusterCreate { Name = "busy", Workers = 1, NetworkId = network.Id, SubnetId = subnet.Id });
        await f.RunUntilAsync(c.Id, ClusterPhase.Running);
        var e = await Assert.ThrowsAsync<NeutronException>(() => f.Networks.DeleteAsync(Actor.System, project, network.Id));
        Assert.Equal("NetworkInUse", e.Type);
        Assert.Contains("busy-master-1", e.Localize(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task When_the_pod_cidr_runs_out_the_cluster_fails_with_CIDRNotAvailable_and_a_clear_reason()
    {
        var project = await f.NewProjectAsync();
        var (network, subnet) = await f.NewNetworkAsync(project, "10.91.0.0/24");
        // A /23 holds two /24s; the plan allows 1 + 1 nodes.
        var c = await f.Clusters.CreateAsync(Actor.System, project, new ClusterCreate
            { Name = "tight", Workers = 1, PodCidr = "10.100.0.0/23", NetworkId = network.Id, SubnetId = subnet.Id });
        // The cluster grows before its nodes get CIDRs (as a later scale-up would): the third node finds none left.
        await f.ScalarAsync("UPDATE clusters SET workers = 2 WHERE id = $1", c.Id);
        var failed = await f.RunUntilAsync(c.Id, ClusterPhase.Failed);

        Assert.Equal("Cluster.NodeCidrsExhausted", failed!.FailureKey);
        var row = Assert.Single(await f.Clusters.ListAsync(Actor.System, project));
        Assert.Equal("No free /24 is left in the pod CIDR 10.100.0.0/23 for node “tight-node-2”.",
            row.Failure!.Localize(System.Globalization.CultureInfo.GetCultureInfo("en-US")));
        var detail = await f.Clusters.GetAsync(Actor.System, project, c.Id);
        Assert.Contains(detail.Events, e => e.MessageKey == "Event.Failed" && e.Warning);
        // The step hands out CIDRs all together or not at all.
        Assert.Equal(3, detail.Nodes.Count);
        Assert.All(detail.Nodes, n => Assert.Null(n.PodCidr));
    }

    [Fact]
    public async Task The_database_refuses_overlapping_or_outside_node_pod_cidrs()
    {
        var project = await f.NewProjectAsync();
        var (network, subnet) = await f.NewNetworkAsync(project, "10.92.0.0/24");
        var c = await f.Clusters.CreateAsync(Actor.System, project, new ClusterCreate { Name = "guarded", Workers = 2, NetworkId = network.Id, SubnetId = subnet.Id });
        await f.RunUntilAsync(c.Id, ClusterPhase.Running);
        var nodes = (await f.Clusters.GetAsync(Actor.System, project, c.Id)).Nodes;

        var overlap = await Assert.ThrowsAsync<Npgsql.PostgresException>(() =>
            f.ScalarAsync("UPDATE cluster_nodes SET pod_cidr = $1 WHERE id = $2", nodes[0].PodCidr!.Value, nodes[1].Id));
        Assert.Equal("ex_cluster_nodes_pod_cidr", overlap.ConstraintName);
        var outside = await Assert.ThrowsAsync<Npgsql.PostgresException>(() =>
            f.ScalarAsync("UPDATE cluster_nodes SET pod_cidr = '10.200.0.0/24' WHERE id = $1", nodes[1].Id));
        Assert.Equal("ck_cluster_nodes_pod_cidr_inside", outside.ConstraintName);
    }

    [Fact]
    public async Task A_claimed_cluster_is_invisible_to_other_workers_until_its_step_is_written()
    {
        var project = await f.NewProjectAsync();
        var c = await f.Clusters.CreateAsync(Actor.System, project, new ClusterCreate { Name = "contended", Workers = 1 });
        // Other tests' clusters may be due too: hold their claims, so that only this cluster's is in question.
        var held = new List<ClusterClaim>();
        try
        {
            ClusterClaim? first;
            while ((first = await f.Workflow.ClaimNextAsync()) is not null && first.Cluster.Id != c.Id) held.Add(first);
            Assert.NotNull(first);
            held.Add(first);

            var other = await f.Workflow.ClaimNextAsync();
            if (other is not null) held.Add(other);
            Assert.NotEqual(c.Id, other?.Cluster.Id);

            await first.AdvanceAsync(ClusterPhase.Network, "Event.Accepted");
            ClusterClaim? second;
            while ((second = await f.Workflow.ClaimNextAsync()) is not null && second.Cluster.Id != c.Id) held.Add(second);
            Assert.NotNull(second);
            held.Add(second);
            Assert.Equal(ClusterPhase.Network, second.Cluster.Phase);
        }
        finally
        {
            foreach (var claim in held) await claim.DisposeAsync();
        }
    }

    [Fact]
    public async Task Racing_workers_run_every_step_exactly_once()
    {
        var project = await f.NewProjectAsync();
        var ids = new List<Guid>();
        for (var i = 0; i < 8; i++)
        {
            ids.Add((await f.Clusters.CreateAsync(Actor.System, project, new ClusterCreate { Name = $"race-{i}", Workers = 2 })).Id);
        }
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var workers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await f.Worker.DrainAsync(stop.Token);
                await using var db = f.NewDb();
                if (await db.Clusters.Where(c => ids.Contains(c.Id)).AllAsync(c => c.Phase == ClusterPhase.Running, stop.Token)) return;
                await Task.Delay(10, stop.Token);
            }
        })).ToList();
        await Task.WhenAll(workers);

        foreach (var id in ids)
        {
            var detail = await f.Clusters.GetAsync(Actor.System, project, id);
            Assert.Equal(ClusterPhase.Running, detail.Cluster.Phase);
            Assert.Equal(["Event.Created", "Event.Accepted", "Event.NetworkCreated", "Event.PortsCreated", "Event.NodesRequested", "Event.Running"],
                detail.Events.Reverse().Select(e => e.MessageKey));
            Assert.Equal(4L, await f.ScalarAsync("SELECT count(*) FROM ports WHERE device_id = $1 AND device_owner LIKE 'k8s:%'", id.ToString()));
        }
        // Eight automatic networks, eight different /24s.
        var cidrs = (await f.Networks.ListAsync(Actor.System, project)).Where(n => !n.External).SelectMany(n => n.Subnets).Select(s => s.Cidr).ToList();
        Assert.Equal(8, cidrs.Count);
        Assert.Equal(8, cidrs.Distinct().Count());
    }

    private static void AssertDisjointInside(IPNetwork pod, int prefix, IReadOnlyList<IPNetwork> cidrs)
    {
        Assert.All(cidrs, c => Assert.Equal(prefix, c.PrefixLength));
        Assert.All(cidrs, c => Assert.True(IpMath.Contains(pod, c)));
        for (var i = 0; i < cidrs.Count; i++)
        for (var j = i + 1; j < cidrs.Count; j++)
            Assert.False(IpMath.Overlaps(cidrs[i], cidrs[j]), $"{cidrs[i]} overlaps {cidrs[j]}");
    }
}

internal static class DatabaseFixtureActors
{
    public static readonly Actor Support = Portal.Data.Tests.DatabaseFixture.SupportEngineer;
}
