using System.Net.NetworkInformation;
using Portal.Agent.Dataplane;
using Portal.Contracts;

namespace Portal.Agent.Tests;

/// <summary>Pods of <see cref="LinuxDataplane"/>: namespaces, addresses, reachability across nodes, probes (root only).</summary>
public sealed class LinuxPodTests(NetnsFixture fixture) : IClassFixture<NetnsFixture>
{
    [SkippableFact]
    public async Task Pods_take_the_lowest_free_addresses_and_a_restarted_agent_finds_them_again()
    {
        Root.Require();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        await using var lab = await NetnsLab.StartAsync(fixture, ct);
        await lab.A.Dataplane.ApplyAsync(lab.A.Snapshot(NetnsLab.PeerOf(lab.B)), ct);

        var first = await lab.A.Dataplane.AddPodAsync("p1", ct);
        var second = await lab.A.Dataplane.AddPodAsync("p2", ct);
        var again = await lab.A.Dataplane.AddPodAsync("p1", ct);

        Assert.Equal(new PodRecord("p1", "10.244.1.2", lab.A.Netns + "-p1", first.HostVeth), first);
        Assert.Equal("10.244.1.3", second.Ip);
        Assert.Equal(first, again);
        Assert.True(first.HostVeth is { Length: <= 15 } && first.HostVeth.StartsWith("vp"), $"host veth «{first.HostVeth}»");
        Assert.NotEqual(first.HostVeth, second.HostVeth);
        Assert.True(File.Exists(NetnsSocket.PathOf(first.Netns!)));
        Assert.Contains($"master {LinuxDataplane.Bridge} ", await NetnsLab.IpAsync(lab.A.Netns, ct, "link", "show", "dev", first.HostVeth));
        var inPod = await NetnsLab.IpAsync(first.Netns, ct, "-o", "-4", "addr", "show", "dev", "eth0");
        Assert.Contains("inet 10.244.1.2/24 ", inPod);
        Assert.Contains($"mtu {NetnsLab.Mtu} ", await NetnsLab.IpAsync(first.Netns, ct, "link", "show", "dev", "eth0"));
        Assert.Equal("10.244.1.1", (await NetnsLab.RoutesAsync(first.Netns!, ct))["default"]);

        await using var restarted = lab.A.New();
        Assert.Equal([first, second], restarted.Pods());
    }

    [SkippableFact]
    public async Task Pods_on_two_nodes_reach_each_other_and_see_each_others_own_addresses()
    {
        Root.Require();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var ct = timeout.Token;
        await using var lab = await NetnsLab.StartAsync(fixture, ct);
        await lab.A.Dataplane.ApplyAsync(lab.A.Snapshot(NetnsLab.PeerOf(lab.B)), ct);
        await lab.B.Dataplane.ApplyAsync(lab.B.Snapshot(NetnsLab.PeerOf(lab.A)), ct);
        var a1 = await lab.A.Dataplane.AddPodAsync("p1", ct);
        var a2 = await lab.A.Dataplane.AddPodAsync("p2", ct);
        var b1 = await lab.B.Dataplane.AddPodAsync("p1", ct);

        Assert.Equal(IPStatus.Success, NetnsLab.Ping(a1.Netns!, b1.Ip));
        Assert.Equal(IPStatus.Success, NetnsLab.Ping(b1.Netns!, a1.Ip));

        var check = new NetworkCheck { Id = 7 };
        check.Targets.Add(new PodAddress { NodeName = "a", PodName = "p1", Ip = a1.Ip });
        check.Targets.Add(new PodAddress { NodeName = "a", PodName = "p2", Ip = a2.Ip });
        check.Targets.Add(new PodAddress { NodeName = "b", PodName = "p1", Ip = b1.Ip });
        var fromA = await lab.A.Dataplane.ProbeAsync(check, ct);
        var fromB = await lab.B.Dataplane.ProbeAsync(check, ct);

        // Every pod probes every other pod, on its own node too; nothing may translate the source address.
        Assert.Equal(4, fromA.Count);
        Assert.Equal(2, fromB.Count);
        Assert.All(fromA.Concat(fromB), r =>
        {
            Assert.True(r.Reachable, $"{r.SourcePod} ({r.SourceIp}) → {r.TargetNode}/{r.TargetPod} ({r.TargetIp}): {r.Error}");
            Assert.Equal(r.SourceIp, r.SeenSourceIp);
            Assert.Equal("", r.Error);
        });
        var crossing = Assert.Single(fromA, r => r.SourcePod == "p1" && r.TargetNode == "b");
        Assert.Equal(new ProbeResult
        {
            SourcePod = "p1", SourceIp = "10.244.1.2", TargetNode = "b", TargetPod = "p1", TargetIp = "10.244.2.2", Reachable = true,
            SeenSourceIp = "10.244.1.2", Error = "",
        }, crossing);
    }

    [SkippableFact]
    public async Task A_probe_to_an_unrouted_address_fails_with_a_reason()
    {
        Root.Require();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        await using var lab = await NetnsLab.StartAsync(fixture, ct);
        await lab.A.Dataplane.ApplyAsync(lab.A.Snapshot(), ct);
        await lab.A.Dataplane.AddPodAsync("p1", ct);

        var check = new NetworkCheck { Id = 1 };
        check.Targets.Add(new PodAddress { NodeName = "gone", PodName = "x", Ip = "10.250.0.5" });
        var result = Assert.Single(await lab.A.Dataplane.ProbeAsync(check, ct));

        Assert.False(result.Reachable);
        Assert.Equal("", result.SeenSourceIp);
        Assert.NotEqual("", result.Error);
        Assert.Equal(("p1", "10.244.1.2", "gone", "x", "10.250.0.5"), (result.SourcePod, result.SourceIp, result.TargetNode, result.TargetPod, result.TargetIp));
    }

    [SkippableFact]
    public async Task Deleting_a_pod_removes_its_namespace_and_frees_its_address_even_from_another_process()
    {
        Root.Require();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        await using var lab = await NetnsLab.StartAsync(fixture, ct);
        var agent = lab.A.Dataplane;
        await agent.ApplyAsync(lab.A.Snapshot(), ct);
        var p1 = await agent.AddPodAsync("p1", ct);
        var p2 = await agent.AddPodAsync("p2", ct);

        Assert.True(await agent.DeletePodAsync("p1", ct));
        Assert.False(await agent.DeletePodAsync("p1", ct));
        Assert.False(File.Exists(NetnsSocket.PathOf(p1.Netns!)));
        var veth = await Ip.RunAsync(lab.A.Netns, ["link", "show", "dev", p1.HostVeth!], null, ct);
        Assert.False(veth.Succeeded, "the host end of the deleted pod's veth is still there");
        Assert.Equal([p2], agent.Pods());
        var p3 = await agent.AddPodAsync("p3", ct);
        Assert.Equal(p1.Ip, p3.Ip);

        // `pod del` and `pod add` run as their own processes while the agent keeps a listener in the pod: the
        // pod comes back under the same name and the agent's next probe must serve the new one.
        await using (var command = lab.A.New())
        {
            Assert.True(await command.DeletePodAsync("p2", ct));
            Assert.Equal(p2.Ip, (await command.AddPodAsync("p2", ct)).Ip);
        }
        var check = new NetworkCheck { Id = 1 };
        check.Targets.Add(new PodAddress { NodeName = "a", PodName = "p2", Ip = p2.Ip });
        var probe = Assert.Single(await agent.ProbeAsync(check, ct));
        Assert.True(probe.Reachable, probe.Error);
        Assert.Equal(p3.Ip, probe.SeenSourceIp);
    }
}

/// <summary>What is refused before anything touches the kernel (no root needed).</summary>
public sealed class LinuxPodValidationTests : IDisposable
{
    private readonly string _state = Directory.CreateTempSubdirectory("portal-agent-tests-").FullName;

    [Theory]
    [InlineData("")]
    [InlineData("Web")]
    [InlineData("-web")]
    [InlineData("web-")]
    [InlineData("web_1")]
    [InlineData("web.1")]
    [InlineData("a1234567890123456789012345678901234567890")]
    public async Task A_pod_name_must_be_a_short_dns_label(string name)
    {
        await using var dataplane = new LinuxDataplane(new PodStore(_state, "a"), "unused");

        var error = await Assert.ThrowsAsync<ArgumentException>(() => dataplane.AddPodAsync(name, CancellationToken.None));

        Assert.Contains("not a valid pod name", error.Message);
        Assert.Empty(dataplane.Pods());
    }

    [Fact]
    public async Task A_pod_before_the_first_snapshot_is_refused_with_the_reason()
    {
        await using var dataplane = new LinuxDataplane(new PodStore(_state, "a"), "unused");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => dataplane.AddPodAsync("web-1", CancellationToken.None));

        Assert.Contains("has not applied a snapshot", error.Message);
        Assert.Empty(dataplane.Pods());
    }

    public void Dispose() => Directory.Delete(_state, recursive: true);
}
