using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Localization;
using Portal.Core.Clusters;
using Portal.Data.Entities;
using Portal.Data.Services;
using Portal.Web.Components.Pages.Kubernetes;
using Portal.Web.Components.Pages.Support;
using Portal.Web.Components.Shared;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests;

/// <summary>The cluster list (ClustersPage), the cluster page (ClusterPage), cluster ports' device label and the support count.</summary>
public sealed class ClusterPagesTests(PortalDatabase db) : PortalTest(db)
{
    /// <summary>The signed-in user (a member of the project the test works in), under the name the assertions read.</summary>
    private Actor Anna => Services.GetRequiredService<CurrentProject>().Actor with { Name = "Анна Петрова" };

    [Theory]
    [InlineData("ru-RU", "В проекте пока нет кластеров.", "Ожидание", "готово: 0 из 3")]
    [InlineData("en-US", "There are no clusters in this project yet.", "Pending", "ready: 0 of 3")]
    public async Task The_list_says_when_there_are_none_and_shows_a_new_cluster_as_pending(string culture, string empty, string pending, string ready)
    {
        UseCulture(culture);
        var projectId = await UseNewProjectAsync();
        var before = RenderWithProviders<ClustersPage>();
        before.WaitForAssertion(() => Assert.Equal(empty, before.TestId("no-clusters").Text()));
        await DisposeComponentsAsync(); // the change feed's listener does not run here: the list is opened again instead

        var name = PortalDatabase.Unique("list");
        var cluster = await Db.Clusters.CreateAsync(Anna, projectId, new ClusterCreate { Name = name });
        var page = RenderWithProviders<ClustersPage>();

        page.WaitForAssertion(() =>
        {
            Assert.Equal(pending, page.TestId($"cluster-status-{name}").Text());
            Assert.Equal($"/kubernetes/{cluster.Id}", page.TestId($"cluster-link-{name}").GetAttribute("href"));
            Assert.Equal($"1 + 2 {ready}", page.TestId($"cluster-nodes-{name}").Text());
            Assert.Equal("—", page.TestId($"cluster-endpoint-{name}").Text());
        });
        Assert.Equal("/kubernetes/new", page.TestId("create-cluster").GetAttribute("href"));
    }

    [Fact]
    public async Task The_cluster_page_shows_the_phase_the_facts_and_the_creation_event()
    {
        UseCulture("ru-RU");
        var projectId = await UseNewProjectAsync();
        var name = PortalDatabase.Unique("page");
        var cluster = await Db.Clusters.CreateAsync(Anna, projectId, new ClusterCreate { Name = name, Workers = 3 });

        var page = RenderWithProviders<ClusterPage>(p => p.Add(x => x.ClusterId, cluster.Id));

        page.WaitForAssertion(() =>
        {
            Assert.Equal("Ожидание", page.TestId("cluster-phase").Text());
            Assert.Equal("current", page.TestId("phase-Pending").GetAttribute("data-state"));
            Assert.Equal("todo", page.TestId("phase-Running").GetAttribute("data-state"));
            var facts = page.TestId("cluster-info").Facts();
            Assert.Equal("10.100.0.0/16", facts["CIDR подов"]);
            Assert.Equal("10.254.0.0/16", facts["CIDR сервисов"]);
            Assert.Equal("/24", facts["Размер CIDR подов узла"]);
            var created = Assert.Single(page.TestIds("cluster-event"));
            Assert.Contains("Кластер создан пользователем Анна Петрова: узлов — 4.", created.Text());
            Assert.Equal("false", created.GetAttribute("data-warning"));
        });
    }

    [Fact]
    public async Task Deleting_asks_first_then_returns_to_the_list_saying_so()
    {
        UseCulture("ru-RU");
        var projectId = await UseNewProjectAsync();
        var name = PortalDatabase.Unique("del");
        var cluster = await Db.Clusters.CreateAsync(Anna, projectId, new ClusterCreate { Name = name });
        var nav = Services.GetRequiredService<NavigationManager>();
        nav.NavigateTo($"/kubernetes/{cluster.Id}");
        var page = RenderWithProviders<ClusterPage>(p => p.Add(x => x.ClusterId, cluster.Id));
        page.WaitForAssertion(() => Assert.Equal("Ожидание", page.TestId("cluster-phase").Text()));

        page.Press("cluster-delete"); // not awaited: its handler waits for the confirmation
        page.WaitForAssertion(() => Assert.Contains($"Удалить кластер «{name}»?", page.Find(".mud-dialog").Text()));
        Assert.False((await Db.Clusters.GetAsync(Actor.System, projectId, cluster.Id)).Cluster.DeleteRequested);
        page.Press(() => page.FindAll(".mud-dialog .mud-dialog-actions button").Single(b => b.Text() == "Удалить"));

        page.WaitForAssertion(() =>
        {
            Assert.EndsWith("/kubernetes", nav.Uri);
            Assert.Contains($"Удаление кластера «{name}» запрошено.", page.Find(".mud-snackbar").Text());
        });
        Assert.True((await Db.Clusters.GetAsync(Actor.System, projectId, cluster.Id)).Cluster.DeleteRequested);
    }

    [Fact]
    public async Task The_cluster_page_follows_the_change_feed_without_a_reload()
    {
        UseCulture("ru-RU");
        var projectId = await UseNewProjectAsync();
        var cluster = await Db.Clusters.CreateAsync(Anna, projectId, new ClusterCreate { Name = PortalDatabase.Unique("live") });
        var page = RenderWithProviders<ClusterPage>(p => p.Add(x => x.ClusterId, cluster.Id));
        page.WaitForAssertion(() => Assert.Equal("Ожидание", page.TestId("cluster-phase").Text()));

        await using (await RunChangeFeedAsync())
        {
            await Db.Clusters.DeleteAsync(Anna, projectId, cluster.Id);
            page.WaitForAssertion(() => Assert.Equal("Удаление", page.TestId("cluster-phase").Text()));
        }
    }

    [Theory]
    [InlineData("ru-RU", "Кластер удалён или не существует.")]
    [InlineData("en-US", "The cluster has been deleted or does not exist.")]
    public async Task A_cluster_that_is_gone_shows_so_instead_of_failing(string culture, string message)
    {
        UseCulture(culture);
        await UseNewProjectAsync();

        var page = RenderWithProviders<ClusterPage>(p => p.Add(x => x.ClusterId, Guid.NewGuid()));

        page.WaitForAssertion(() => Assert.StartsWith(message, page.TestId("cluster-gone").Text()));
    }

    [Theory]
    [InlineData(DeviceOwners.K8sMaster, "Kubernetes: мастер")]
    [InlineData(DeviceOwners.K8sNode, "Kubernetes: узел")]
    [InlineData(DeviceOwners.K8sLoadBalancer, "Kubernetes: балансировщик API")]
    public void A_cluster_port_names_its_role_and_leads_to_the_cluster(string owner, string label)
    {
        UseCulture("ru-RU");
        var clusterId = Guid.NewGuid();

        var device = Render<DeviceLabel>(p => p.Add(x => x.Owner, owner).Add(x => x.DeviceId, clusterId.ToString()));

        var link = device.Find("[data-testid='device']");
        Assert.Equal(label, link.Text());
        Assert.Equal($"/kubernetes/{clusterId}", link.GetAttribute("href"));
    }

    [Theory]
    [InlineData("ru-RU", "Event.PortsCreated", "Созданы порты в 10.0.0.0/24: 4; адрес API: 10.0.0.5; внешний IP из ext-net: 203.0.113.7.")]
    [InlineData("en-US", "Event.PortsCreated", "Ports created in 10.0.0.0/24: 4; API address: 10.0.0.5; external IP from ext-net: 203.0.113.7.")]
    [InlineData("ru-RU", "Event.PortsCreatedNoExternalIp", "Созданы порты в 10.0.0.0/24: 4; адрес API: 10.0.0.5; без внешнего IP.")]
    [InlineData("en-US", "Event.PortsCreatedNoExternalIp", "Ports created in 10.0.0.0/24: 4; API address: 10.0.0.5; no external IP.")]
    public void The_ports_event_counts_what_the_review_counts_and_names_the_external_ip_only_when_there_is_one(
        string culture, string key, string text)
    {
        UseCulture(culture);
        var args = key == "Event.PortsCreated" ? new[] { "4", "10.0.0.0/24", "10.0.0.5", "203.0.113.7", "ext-net" } : ["4", "10.0.0.0/24", "10.0.0.5"];

        var shown = ClusterText.Event(Services.GetRequiredService<IStringLocalizer<Ui>>(),
            new ClusterEventRow(1, DateTimeOffset.UtcNow, ClusterPhase.Ports, key, args, Warning: false));

        Assert.Equal(text, shown);
    }

    [Theory]
    [InlineData(DeviceOwners.Shadowport, "ru-RU", "Доступ к сервисам")]
    [InlineData(DeviceOwners.Shadowport, "en-US", "Services access")]
    [InlineData(DeviceOwners.RouterInterface, "ru-RU", "Маршрутизатор")]
    [InlineData(DeviceOwners.RouterInterface, "en-US", "Router")]
    [InlineData(DeviceOwners.FloatingIp, "ru-RU", "Плавающий IP")]
    [InlineData(DeviceOwners.Dhcp, "en-US", "DHCP")]
    public void A_network_port_names_its_device_in_the_readers_language(string owner, string culture, string label)
    {
        UseCulture(culture);

        var device = Render<DeviceLabel>(p => p.Add(x => x.Owner, owner).Add(x => x.DeviceId, DeviceIds.Shadowport(Guid.NewGuid())));

        Assert.Equal(label, device.Find("[data-testid='device']").Text());
    }

    [Fact]
    public async Task Support_sees_how_many_clusters_a_project_has()
    {
        UseCulture("ru-RU");
        var projectId = await UseNewProjectAsync();
        await Db.Clusters.CreateAsync(Anna, projectId, new ClusterCreate { Name = PortalDatabase.Unique("s") });
        await SignInAsSupportAsync();

        var page = RenderWithProviders<SupportProjectPage>(p => p.Add(x => x.ProjectId, projectId));

        page.WaitForAssertion(() => Assert.Equal("1", page.TestId("support-cluster-count").Text()));
    }
}
