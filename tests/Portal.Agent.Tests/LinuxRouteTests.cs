using Portal.Agent.Dataplane;
using Portal.Contracts;

namespace Portal.Agent.Tests;

/// <summary>The bridge and the peer routes of <see cref="LinuxDataplane"/>, in real network namespaces (root only).</summary>
public sealed class LinuxRouteTests(NetnsFixture fixture) : IClassFixture<NetnsFixture>
{
    // A peer that exists only in snapshots: its gateway is on the nodes' link, so the kernel accepts the route.
    private static readonly Peer Ghost = new() { NodeName = "c", NodeIp = "192.168.77.3", PodCidr = "10.244.3.0/24" };

    [SkippableFact]
    public async Task Apply_puts_one_tagged_route_per_peer_via_its_node_ip_and_applying_again_changes_nothing()
    {
        Root.Require();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        await using var lab = await NetnsLab.StartAsync(fixture, ct);
        var snapshot = lab.A.Snapshot(NetnsLab.PeerOf(lab.B), Ghost);

        var first = await lab.A.Dataplane.ApplyAsync(snapshot, ct);
        var second = await lab.A.Dataplane.ApplyAsync(snapshot, ct);

        Assert.Empty(first.Errors);
        Assert.Equal(2, first.RouteCount);
        Assert.True(first.Changes >= 2, $"the first apply made {first.Changes} changes");
        Assert.Equal(new Dictionary<string, string> { ["10.244.2.0/24"] = "192.168.77.2", ["10.244.3.0/24"] = "192.168.77.3" },
            await NetnsLab.TaggedRoutesAsync(lab.A.Netns, ct));
        Assert.Equal(0, second.Changes);
        Assert.Equal(2, second.RouteCount);
        Assert.Empty(second.Errors);
    }

    [SkippableFact]
    public async Task Apply_builds_the_bridge_turns_forwarding_on_and_saves_the_node_and_repair_rebuilds_the_bridge_with_its_pods()
    {
        Root.Require();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        await using var lab = await NetnsLab.StartAsync(fixture, ct);

        await lab.A.Dataplane.ApplyAsync(lab.A.Snapshot(NetnsLab.PeerOf(lab.B)), ct);

        await AssertBridgeAsync(lab.A, ct);
        Assert.Equal("1", (await NetnsLab.IpAsync(null, ct, "netns", "exec", lab.A.Netns, "cat", "/proc/sys/net/ipv4/ip_forward")).Trim());
        Assert.Equal(new NodeRecord("a", "linux", lab.A.Netns, "10.244.1.0/24", "10.244.1.1", NetnsLab.Mtu), lab.Store("a").Node());

        await NetnsLab.IpAsync(lab.A.Netns, ct, "link", "set", LinuxDataplane.Bridge, "down");
        await NetnsLab.IpAsync(lab.A.Netns, ct, "addr", "flush", "dev", LinuxDataplane.Bridge);
        var repair = await lab.A.Dataplane.RepairAsync(ct);

        Assert.Empty(repair.Errors);
        Assert.True(repair.Changes > 0, "repair reported no change although the bridge was down and bare");
        await AssertBridgeAsync(lab.A, ct);

        // Deleting the bridge also unplugs the pods; repair plugs them back in.
        var pod = await lab.A.Dataplane.AddPodAsync("p1", ct);
        await NetnsLab.IpAsync(lab.A.Netns, ct, "link", "del", LinuxDataplane.Bridge);
        var rebuilt = await lab.A.Dataplane.RepairAsync(ct);

        Assert.Empty(rebuilt.Errors);
        await AssertBridgeAsync(lab.A, ct);
        Assert.Contains($"master {LinuxDataplane.Bridge} ", await NetnsLab.IpAsync(lab.A.Netns, ct, "link", "show", "dev", pod.HostVeth!));
        Assert.Equal(System.Net.NetworkInformation.IPStatus.Success, NetnsLab.Ping(pod.Netns!, lab.A.Gateway));
    }

    [SkippableFact]
    public async Task Repair_restores_a_deleted_route_and_a_wrong_gateway_removes_a_stray_tagged_route_and_leaves_untagged_routes_alone()
    {
        Root.Require();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        await using var lab = await NetnsLab.StartAsync(fixture, ct);
        var node = lab.A.Netns;
        await lab.A.Dataplane.ApplyAsync(lab.A.Snapshot(NetnsLab.PeerOf(lab.B), Ghost), ct);

        await NetnsLab.IpAsync(node, ct, "route", "add", "10.250.0.0/24", "via", "192.168.77.2");
        await NetnsLab.IpAsync(node, ct, "route", "del", "10.244.2.0/24");
        await NetnsLab.IpAsync(node, ct, "route", "replace", "10.244.3.0/24", "via", "192.168.77.9", "proto", "77");
        await NetnsLab.IpAsync(node, ct, "route", "add", "10.99.0.0/24", "via", "192.168.77.2", "proto", "77");
        var repair = await lab.A.Dataplane.RepairAsync(ct);
        var again = await lab.A.Dataplane.RepairAsync(ct);

        Assert.Empty(repair.Errors);
        Assert.Equal(3, repair.Changes);
        Assert.Equal(2, repair.RouteCount);
        Assert.Equal(new Dictionary<string, string> { ["10.244.2.0/24"] = "192.168.77.2", ["10.244.3.0/24"] = "192.168.77.3" },
            await NetnsLab.TaggedRoutesAsync(node, ct));
        Assert.Equal("192.168.77.2", (await NetnsLab.RoutesAsync(node, ct))["10.250.0.0/24"]);
        Assert.Equal(0, again.Changes);
    }

    [SkippableFact]
    public async Task A_peer_removed_from_the_snapshot_loses_its_route_also_when_it_went_while_the_agent_was_down()
    {
        Root.Require();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        await using var lab = await NetnsLab.StartAsync(fixture, ct);
        var withGhost = lab.A.Snapshot(NetnsLab.PeerOf(lab.B), Ghost);
        var withoutGhost = lab.A.Snapshot(NetnsLab.PeerOf(lab.B));

        await lab.A.Dataplane.ApplyAsync(withGhost, ct);
        var removed = await lab.A.Dataplane.ApplyAsync(withoutGhost, ct);
        Assert.Equal(1, removed.Changes);
        Assert.Equal(1, removed.RouteCount);
        Assert.Equal(new[] { "10.244.2.0/24" }, (await NetnsLab.TaggedRoutesAsync(lab.A.Netns, ct)).Keys);

        // The ghost's route is back from an earlier life; the restarted agent has applied nothing yet, so repair
        // must not act on a guess, and the first snapshot it gets collects the garbage.
        await lab.A.Dataplane.ApplyAsync(withGhost, ct);
        await lab.A.RestartAsync();
        var early = await lab.A.Dataplane.RepairAsync(ct);
        Assert.Equal(0, early.Changes);
        Assert.Equal(2, (await NetnsLab.TaggedRoutesAsync(lab.A.Netns, ct)).Count);

        var resync = await lab.A.Dataplane.ApplyAsync(withoutGhost, ct);
        Assert.Equal(1, resync.Changes);
        Assert.Equal(new[] { "10.244.2.0/24" }, (await NetnsLab.TaggedRoutesAsync(lab.A.Netns, ct)).Keys);
    }

    [SkippableFact]
    public async Task A_bad_peer_is_reported_while_the_other_peers_still_get_their_routes()
    {
        Root.Require();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        await using var lab = await NetnsLab.StartAsync(fixture, ct);
        var snapshot = lab.A.Snapshot(
            NetnsLab.PeerOf(lab.B),
            new Peer { NodeName = "typo", NodeIp = "192.168.77.4", PodCidr = "10.300.0.0/24" },
            // A node IP on no link of this node: the kernel refuses the gateway.
            new Peer { NodeName = "far", NodeIp = "10.99.9.9", PodCidr = "10.244.4.0/24" });

        var first = await lab.A.Dataplane.ApplyAsync(snapshot, ct);
        var second = await lab.A.Dataplane.ApplyAsync(snapshot, ct);

        Assert.Equal(1, first.RouteCount);
        Assert.Contains(first.Errors, e => e.Contains("typo") && e.Contains("10.300.0.0/24"));
        Assert.Contains(first.Errors, e => e.Contains("10.244.4.0/24") && e.Contains("10.99.9.9") && e.Contains("gateway"));
        Assert.Equal(new[] { "10.244.2.0/24" }, (await NetnsLab.TaggedRoutesAsync(lab.A.Netns, ct)).Keys);
        Assert.Equal(0, second.Changes);
        Assert.Equal(2, second.Errors.Count);
    }

    private static async Task AssertBridgeAsync(LabNode node, CancellationToken ct)
    {
        var link = await NetnsLab.IpAsync(node.Netns, ct, "-o", "-4", "addr", "show", "dev", LinuxDataplane.Bridge);
        Assert.Contains($"inet {node.Gateway}/24 ", link);
        var details = await NetnsLab.IpAsync(node.Netns, ct, "-d", "link", "show", "dev", LinuxDataplane.Bridge);
        Assert.Contains($"mtu {NetnsLab.Mtu} ", details);
        Assert.Matches("[<,]UP[,>]", details);
        Assert.Contains("bridge", details);
    }
}
