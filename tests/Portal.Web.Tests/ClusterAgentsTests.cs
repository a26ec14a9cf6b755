using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Portal.Backend.Agents;
using Portal.Data.Entities;
using Portal.Data.Services;
using Portal.Web.Components.Pages.Kubernetes;
using Portal.Web.Tests.Infrastructure;
using Portal.Core.Clusters;

namespace Portal.Web.Tests;

/// <summary>
/// The cluster page's node agents: the nodes table's agent columns, «Проверка сети», «Подключение узлов» and scaling.
/// Clusters are provisioned by the backend's real workflow; the agents' part is played through NodeAgentService with
/// the cluster's join token, as the gRPC service does for real agents.
/// </summary>
public sealed class ClusterAgentsTests(PortalDatabase db) : PortalTest(db)
{
    /// <summary>The signed-in user (a member of the project the test works in), under the name the assertions read.</summary>
    private Actor Anna => Services.GetRequiredService<CurrentProject>().Actor with { Name = "Анна Петрова" };

    [Theory]
    [InlineData("ru-RU", "Готов", "Не отвечает", "Ожидает агента", @"^(только что|\d+ с назад)$", "Узел {0} подключился.",
        "Узел {0} не отвечает 0 с — NotReady.")]
    [InlineData("en-US", "Ready", "Not responding", "Waiting for the agent", @"^(just now|\d+ s ago)$", "Node {0} joined.",
        "Node {0} has not answered for 0 s — NotReady.")]
    public async Task The_nodes_table_shows_each_agent_with_its_heartbeat_generation_routes_pods_and_errors(
        string culture, string ready, string notResponding, string waitingForAgent, string justNow, string joined, string silent)
    {
        UseCulture(culture);
        var projectId = await UseNewProjectAsync();
        var d = await ProvisionedAsync(projectId, workers: 2);
        var (master, broken, waiting) = (d.Nodes[0], d.Nodes[1], d.Nodes[2]);
        var masterCredential = await JoinAsync(d, master);
        var brokenCredential = await JoinAsync(d, broken);
        const string routeError = "route 10.100.0.0/24 via 10.0.0.4: network is unreachable";
        await ReportAsync(brokenCredential, generation: 1, routes: 1, errors: [routeError]);
        await Db.Agents.MarkSilentNodesAsync(TimeSpan.Zero); // the broken node's heartbeat is now overdue
        var masterPods = Pods(master, 2);
        await ReportAsync(masterCredential, generation: 0, pods: masterPods); // new pods: the cluster's generation moves on
        var generation = (await Db.Clusters.GetAsync(Actor.System, projectId, d.Cluster.Id)).Generation;
        await ReportAsync(masterCredential, generation, pods: masterPods, routes: 2);

        var page = RenderWithProviders<ClusterPage>(p => p.Add(x => x.ClusterId, d.Cluster.Id));

        page.WaitForAssertion(() =>
        {
            Assert.Equal(ready, page.TestId($"node-agent-{master.Name}").Text());
            Assert.Equal(notResponding, page.TestId($"node-agent-{broken.Name}").Text());
            Assert.Equal(waitingForAgent, page.TestId($"node-agent-{waiting.Name}").Text());
            Assert.Matches(justNow, page.TestId($"node-heartbeat-{master.Name}").Text());
            Assert.Equal("—", page.TestId($"node-heartbeat-{waiting.Name}").Text());

            Assert.Equal($"{generation} / {generation}", page.TestId($"node-generation-{master.Name}").Text());
            Assert.Equal("false", page.TestId($"node-generation-{master.Name}").GetAttribute("data-behind"));
            Assert.Equal($"1 / {generation}", page.TestId($"node-generation-{broken.Name}").Text());
            Assert.Equal("true", page.TestId($"node-generation-{broken.Name}").GetAttribute("data-behind"));
            Assert.Contains("mud-warning-text", page.TestId($"node-generation-{broken.Name}").ClassList);
            Assert.Equal($"— / {generation}", page.TestId($"node-generation-{waiting.Name}").Text());

            Assert.Equal("2", page.TestId($"node-routes-{master.Name}").Text());
            Assert.Equal("1", page.TestId($"node-routes-{broken.Name}").Text());
            Assert.Equal("—", page.TestId($"node-routes-{waiting.Name}").Text());
            Assert.Equal([$"pod-1 {masterPods[0].Ip}", $"pod-2 {masterPods[1].Ip}"],
                page.FindAll($"[data-testid='node-pods-{master.Name}'] div").Select(pod => pod.Text()));

            Assert.Contains(routeError, page.TestId($"node-errors-{broken.Name}").GetAttribute("aria-label"));
            Assert.Empty(page.TestIds($"node-errors-{master.Name}"));

            var events = page.TestIds("cluster-event");
            Assert.Contains(events, e => e.Text().EndsWith(string.Format(joined, broken.Name)));
            Assert.Contains(events, e => e.Text().EndsWith(string.Format(silent, broken.Name)) && e.GetAttribute("data-warning") == "true");
        });
    }

    [Fact]
    public async Task A_network_check_shows_the_nodes_answering_then_each_pair_reachable_through_NAT_or_not_without_a_reload()
    {
        UseCulture("ru-RU");
        var projectId = await UseNewProjectAsync();
        var (d, credentials) = await RunningAsync(projectId, workers: 2, podsPerNode: 1);
        var (m, n1, n2) = (d.Nodes[0], d.Nodes[1], d.Nodes[2]);
        var page = RenderWithProviders<ClusterPage>(p => p.Add(x => x.ClusterId, d.Cluster.Id));
        page.WaitForAssertion(() => Assert.Equal("Проверок сети ещё не было.", page.TestId("network-check-none").Text()));

        await using var feed = await RunChangeFeedAsync();
        await page.PressAsync("network-check-run");

        page.WaitForAssertion(() =>
        {
            Assert.Equal("Ждём ответа узлов: 0 из 3", page.TestId("network-check-summary").Text());
            Assert.Contains(page.TestIds("cluster-event"), e => e.Text().Contains("Проверка сети запрошена пользователем") && e.Text().EndsWith("подов — 3."));
        });
        var check = (await Db.Clusters.GetAsync(Actor.System, projectId, d.Cluster.Id)).Check!.Id;
        const string timeout = "dial tcp: i/o timeout";
        await ReportAsync(credentials[m.Name], d.Generation, m.Pods, check: check, probes: [Probe(m, n1), Probe(m, n2, seen: "10.0.0.5")]);
        page.WaitForAssertion(() => Assert.Equal("Ждём ответа узлов: 1 из 3", page.TestId("network-check-summary").Text()));
        await ReportAsync(credentials[n1.Name], d.Generation, n1.Pods, check: check, probes: [Probe(n1, m), Probe(n1, n2, error: timeout)]);
        await ReportAsync(credentials[n2.Name], d.Generation, n2.Pods, check: check, probes: [Probe(n2, m), Probe(n2, n1)]);

        page.WaitForAssertion(() => Assert.Equal(
            $"5/6 пар подов доступны, 1 недоступна; NAT обнаружен: {m.Name}/pod-1 → {n2.Name}/pod-1: соединение пришло с адреса 10.0.0.5",
            page.TestId("network-check-summary").Text()));
        var rows = page.FindAll("[data-testid='network-check-matrix'] tbody tr");
        Assert.Equal([$"{m.Name}/pod-1 ({m.Pods[0].Ip})", $"{n1.Name}/pod-1 ({n1.Pods[0].Ip})", $"{n2.Name}/pod-1 ({n2.Pods[0].Ip})"],
            rows.Select(r => r.QuerySelector("th")!.Text()));
        var nat = Cell(page, m, n2);
        Assert.Equal(("nat", "✓", $"NAT: источник виден как 10.0.0.5, а не {m.Pods[0].Ip}"), (nat.GetAttribute("data-state"), nat.Text(), nat.GetAttribute("title")));
        var failed = Cell(page, n1, n2);
        Assert.Equal(("failed", "✗", $"Недоступен: {timeout}"), (failed.GetAttribute("data-state"), failed.Text(), failed.GetAttribute("title")));
        var ok = Cell(page, n2, m);
        Assert.Equal(("ok", "✓", $"Доступен; источник виден как {n2.Pods[0].Ip}"), (ok.GetAttribute("data-state"), ok.Text(), ok.GetAttribute("title")));
        var self = Cell(page, n1, n1);
        Assert.Equal(("self", "—"), (self.GetAttribute("data-state"), self.Text()));
    }

    [Fact]
    public async Task A_check_where_every_pod_reaches_every_pod_from_its_own_address_says_no_NAT()
    {
        UseCulture("en-US");
        var projectId = await UseNewProjectAsync();
        var (d, credentials) = await RunningAsync(projectId, workers: 1, podsPerNode: 1);
        var check = await Db.Clusters.RequestNetworkCheckAsync(Anna, projectId, d.Cluster.Id);
        var (m, n1) = (d.Nodes[0], d.Nodes[1]);
        await ReportAsync(credentials[m.Name], d.Generation, m.Pods, check: check, probes: [Probe(m, n1)]);
        await ReportAsync(credentials[n1.Name], d.Generation, n1.Pods, check: check, probes: [Probe(n1, m)]);

        var page = RenderWithProviders<ClusterPage>(p => p.Add(x => x.ClusterId, d.Cluster.Id));

        page.WaitForAssertion(() =>
        {
            Assert.Equal("2/2 pod pairs reachable, no NAT", page.TestId("network-check-summary").Text());
            var cells = page.FindAll("[data-testid='network-check-matrix'] td").Select(c => c.GetAttribute("data-state")).ToList();
            Assert.Equal(["self", "ok", "ok", "self"], cells);
            Assert.Contains(page.TestIds("cluster-event"), e => e.Text().EndsWith("Network check requested by Анна Петрова: 2 pods."));
        });
    }

    [Theory]
    [InlineData("ru-RU", "Для проверки сети в кластере нужно хотя бы два пода; агенты сообщают о 0.")]
    [InlineData("en-US", "The network check needs at least two pods in the cluster; its agents report 0.")]
    public async Task Checking_a_cluster_whose_agents_report_no_pods_is_refused_with_the_reason(string culture, string message)
    {
        UseCulture(culture);
        var projectId = await UseNewProjectAsync();
        var (d, _) = await RunningAsync(projectId, workers: 1, podsPerNode: 0);
        var page = RenderWithProviders<ClusterPage>(p => p.Add(x => x.ClusterId, d.Cluster.Id));
        page.WaitForAssertion(() => Assert.False(page.TestId("network-check-run").IsDisabled()));

        await page.PressAsync("network-check-run");

        page.WaitForAssertion(() => Assert.Equal(message, page.TestId("network-check-error").Text()));
        Assert.Null((await Db.Clusters.GetAsync(Actor.System, projectId, d.Cluster.Id)).Check);
    }

    [Fact]
    public async Task Before_the_cluster_runs_it_can_be_neither_checked_nor_scaled()
    {
        UseCulture("ru-RU");
        var projectId = await UseNewProjectAsync();
        var cluster = await Db.Clusters.CreateAsync(Anna, projectId, new ClusterCreate { Name = PortalDatabase.Unique("wait") });

        var page = RenderWithProviders<ClusterPage>(p => p.Add(x => x.ClusterId, cluster.Id));

        page.WaitForAssertion(() =>
        {
            Assert.True(page.TestId("network-check-run").IsDisabled());
            Assert.Equal("Доступно, когда кластер работает.", page.TestId("network-check-disabled-reason").Text());
            Assert.Equal("Проверок сети ещё не было.", page.TestId("network-check-none").Text());
        });
        Assert.Empty(page.FindAll("input[data-testid='scale-workers']"));
    }

    [Theory]
    [InlineData("ru-RU", "Число рабочих узлов — от 1 до 100.", "Порты", "Число рабочих узлов изменено пользователем {0}: 1 → 2.")]
    [InlineData("en-US", "The number of worker nodes must be between 1 and 100.", "Ports", "Worker nodes changed by {0}: 1 → 2.")]
    public async Task Scaling_refuses_a_count_out_of_range_and_starts_adding_a_worker(string culture, string outOfRange, string ports, string scaled)
    {
        UseCulture(culture);
        var projectId = await UseNewProjectAsync();
        var (d, _) = await RunningAsync(projectId, workers: 1, podsPerNode: 0);
        var page = RenderWithProviders<ClusterPage>(p => p.Add(x => x.ClusterId, d.Cluster.Id));
        page.WaitForAssertion(() => Assert.Equal("1", page.Field("scale-workers").GetAttribute("value")));
        Assert.True(page.TestId("scale-apply").IsDisabled()); // nothing to change yet

        foreach (var workers in new[] { "0", "101" })
        {
            page.Set("scale-workers", workers);
            await page.PressAsync("scale-apply");
            page.WaitForAssertion(() => Assert.Equal(outOfRange, page.Field("scale-workers").FieldError()));
        }
        Assert.Equal(1, (await Db.Clusters.GetAsync(Actor.System, projectId, d.Cluster.Id)).Cluster.Workers);

        page.Set("scale-workers", "2");
        await page.PressAsync("scale-apply");

        page.WaitForAssertion(() =>
        {
            Assert.Equal(ports, page.TestId("cluster-phase").Text());
            Assert.Contains(page.TestIds("cluster-event"), e => e.Text().EndsWith(string.Format(scaled, Services.GetRequiredService<CurrentProject>().Actor.Name)));
            Assert.Empty(page.FindAll("input[data-testid='scale-workers']"));
        });
        Assert.Equal(2, (await Db.Clusters.GetAsync(Actor.System, projectId, d.Cluster.Id)).Cluster.Workers);
    }

    [Theory]
    [InlineData("ru-RU", "Подключение узлов")]
    [InlineData("en-US", "Connecting nodes")]
    public async Task The_join_command_names_the_agent_url_the_next_node_to_join_and_the_token_only_when_shown(string culture, string title)
    {
        UseCulture(culture);
        var projectId = await UseNewProjectAsync();
        var d = await ProvisionedAsync(projectId, workers: 1);
        await JoinAsync(d, d.Nodes[0]); // the master's agent is in: the command is for the worker's
        var page = RenderWithProviders<ClusterPage>(p => p.Add(x => x.ClusterId, d.Cluster.Id));
        page.WaitForAssertion(() => Assert.Contains(title, page.TestId("join-nodes").Text()));
        page.Press(() => page.Find("[data-testid='join-nodes'] .mud-expand-panel-header"));

        var masked = new string('•', 16);
        page.WaitForAssertion(() => Assert.Equal(
            $"PORTAL_JOIN_TOKEN={masked} Portal.Agent --server http://127.0.0.1:5081 --node {d.Nodes[1].Name} --dataplane linux",
            page.TestId("join-command").Text()));
        Assert.Equal(masked, page.TestId("join-token").Text());
        Assert.DoesNotContain(d.JoinToken, page.Markup);

        page.Press("join-token-show");

        page.WaitForAssertion(() => Assert.Equal(
            $"PORTAL_JOIN_TOKEN={d.JoinToken} Portal.Agent --server http://127.0.0.1:5081 --node {d.Nodes[1].Name} --dataplane linux",
            page.TestId("join-command").Text()));
        Assert.Equal(d.JoinToken, page.TestId("join-token").Text());
    }

    [Theory]
    [InlineData("https://portal.example.com:5081", "0.0.0.0", 5081, "https://portal.example.com:5081")]
    [InlineData("", "10.0.0.1", 6000, "http://10.0.0.1:6000")]
    [InlineData("", "::1", 5081, "http://[::1]:5081")]
    public void The_agent_url_is_the_public_one_when_configured_else_where_the_service_listens(string publicUrl, string listen, int port, string url)
    {
        Assert.Equal(url, AgentServer.UrlFor(new AgentOptions { PublicUrl = publicUrl, ListenAddress = listen, Port = port }));
    }

    /// <summary>A cluster of one master and <paramref name="workers"/> workers whose nodes exist and wait for their agents.</summary>
    private async Task<ClusterDetail> ProvisionedAsync(string projectId, int workers)
    {
        var cluster = await Db.Clusters.CreateAsync(Anna, projectId, new ClusterCreate { Name = PortalDatabase.Unique("ag"), Workers = workers });
        await Db.RunClusterUntilAsync(cluster.Id, ClusterPhase.WaitingForAgents);
        return await Db.Clusters.GetAsync(Actor.System, projectId, cluster.Id);
    }

    /// <summary>A running cluster: every node's agent joined and reported <paramref name="podsPerNode"/> pods.</summary>
    private async Task<(ClusterDetail Detail, Dictionary<string, string> Credentials)> RunningAsync(string projectId, int workers, int podsPerNode)
    {
        var d = await ProvisionedAsync(projectId, workers);
        var credentials = new Dictionary<string, string>();
        foreach (var node in d.Nodes) credentials[node.Name] = await JoinAsync(d, node);
        foreach (var node in d.Nodes) await ReportAsync(credentials[node.Name], generation: 0, pods: Pods(node, podsPerNode));
        await Db.RunClusterUntilAsync(d.Cluster.Id, ClusterPhase.Running);
        return (await Db.Clusters.GetAsync(Actor.System, projectId, d.Cluster.Id), credentials);
    }

    private async Task<string> JoinAsync(ClusterDetail d, ClusterNodeRow node) =>
        (await Db.Agents.RegisterAsync(d.JoinToken, node.Name, "test-agent")).Credential;

    /// <summary>A report as an agent sends it; its pods replace the node's, so every report of a node names the same ones.</summary>
    private Task ReportAsync(string credential, long generation, IReadOnlyList<NodePod>? pods = null, int routes = 0,
        IReadOnlyList<string>? errors = null, long check = 0, IReadOnlyList<PodProbe>? probes = null) =>
        Db.Agents.ReportAsync(credential, new AgentReport(generation, routes, errors ?? [], pods ?? [], check, probes ?? [], "test-agent"));

    /// <summary>Pods pod-1, pod-2… with addresses from the node's pod CIDR, from its third address on.</summary>
    private static NodePod[] Pods(ClusterNodeRow node, int count) =>
        Enumerable.Range(1, count).Select(i => new NodePod($"pod-{i}", Host(node.PodCidr!.Value, i + 1))).ToArray();

    private static string Host(IPNetwork cidr, int host)
    {
        var bytes = cidr.BaseAddress.GetAddressBytes();
        bytes[3] += (byte)host;
        return new IPAddress(bytes).ToString();
    }

    /// <summary>The first pod of <paramref name="from"/> probing the first of <paramref name="to"/>: reached (from its own address unless <paramref name="seen"/>) or failed with <paramref name="error"/>.</summary>
    private static PodProbe Probe(ClusterNodeRow from, ClusterNodeRow to, string? seen = null, string? error = null)
    {
        var (source, target) = (from.Pods[0], to.Pods[0]);
        return new PodProbe(source.Name, source.Ip, to.Name, target.Name, target.Ip, error is null, error is null ? seen ?? source.Ip : "", error ?? "");
    }

    private static AngleSharp.Dom.IElement Cell(IRenderedComponent<Providers> page, ClusterNodeRow from, ClusterNodeRow to) =>
        page.Find($"[data-testid='network-check-matrix'] td[data-source='{from.Name}/pod-1'][data-target='{to.Name}/pod-1']");
}
