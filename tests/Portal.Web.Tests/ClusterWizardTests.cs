using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data.Entities;
using Portal.Data.Services;
using Portal.Web.Components.Pages.Kubernetes;
using Portal.Web.Tests.Infrastructure;
using Portal.Core.Clusters;

namespace Portal.Web.Tests;

/// <summary>«Создать кластер» (ClusterWizard.razor): the steps' checks, the network step's rules, and creation.</summary>
public sealed class ClusterWizardTests(PortalDatabase db) : PortalTest(db)
{
    [Theory]
    [InlineData("ru-RU", "«Prod_1» не подходит для имени кластера: используйте строчные латинские буквы, цифры и дефис; имя начинается с буквы и не заканчивается дефисом.")]
    [InlineData("en-US", "“Prod_1” is not a valid cluster name: use lower-case Latin letters, digits and hyphens, start with a letter and do not end with a hyphen.")]
    public void An_invalid_name_shows_the_error_and_blocks_the_next_step(string culture, string message)
    {
        UseCulture(culture);
        var page = RenderWithProviders<ClusterWizard>();
        page.WaitForAssertion(() => Assert.Single(page.TestIds("cluster-wizard")));

        page.Type("cluster-name", "Prod_1");
        page.Press("wizard-next");

        page.WaitForAssertion(() => Assert.Equal(message, page.Field("cluster-name").FieldError()));
        Assert.Empty(page.FindAll("input[data-testid='cluster-workers']"));

        page.Type("cluster-name", "prod-1");
        page.Press("wizard-next");
        page.WaitForAssertion(() => Assert.Single(page.FindAll("input[data-testid='cluster-workers']")));
    }

    [Fact]
    public async Task A_project_without_a_network_of_its_own_defaults_to_a_new_network()
    {
        UseCulture("ru-RU");
        await UseNewProjectAsync();
        var page = OpenNetworkStep("web");

        page.WaitForAssertion(() =>
        {
            Assert.Equal("Создать новую сеть", SelectText(page, "cluster-network"));
            Assert.Equal("Будет создана: web-net, 10.0.0.0/24", page.TestId("new-network").Text());
            Assert.Empty(page.TestIds("cluster-subnet"));
        });
    }

    [Fact]
    public async Task Without_shadowport_the_external_ip_cannot_be_turned_off_and_the_hint_gives_the_project_id()
    {
        UseCulture("ru-RU");
        var projectId = await UseNewProjectAsync();
        var page = OpenNetworkStep(PortalDatabase.Unique("c"));

        page.WaitForAssertion(() =>
        {
            var external = page.Field("external-ip");
            Assert.True(external.IsDisabled());
            Assert.True(external.HasAttribute("checked") || external.GetAttribute("aria-checked") == "true", external.OuterHtml);
            Assert.Equal(projectId, page.TestId("shadowport-hint-id").Text());
        });
    }

    [Theory]
    [InlineData("ru-RU", "Чтобы создать кластер без внешнего IP, выберите сеть с доступом к сервисам (shadowport) или новую сеть: у сети «{0}» его нет.")]
    [InlineData("en-US", "To create the cluster without an external IP, choose a network with services access (shadowport) or a new network: “{0}” has no services access.")]
    public async Task With_shadowport_a_network_without_services_access_keeps_the_external_ip_and_says_why(string culture, string reason)
    {
        UseCulture(culture);
        var projectId = await UseNewProjectAsync(shadowport: true);
        var network = PortalDatabase.Unique("inet");
        await Db.Networks.CreateAsync(Actor.System, projectId, new NetworkCreate
        {
            Name = network, InternetAccess = true, FirstSubnet = new SubnetCreate { Name = network + "-subnet", Cidr = "192.168.10.0/24" },
        });
        var page = OpenNetworkStep(PortalDatabase.Unique("c"));

        page.WaitForAssertion(() =>
        {
            Assert.Equal(network, SelectText(page, "cluster-network"));
            Assert.True(page.Field("external-ip").IsDisabled());
            Assert.Equal(string.Format(reason, network), page.TestId("external-ip-reason").Text());
            Assert.Empty(page.TestIds("shadowport-hint"));
        });
    }

    [Fact]
    public async Task With_shadowport_and_a_new_network_the_external_ip_may_be_turned_off()
    {
        UseCulture("ru-RU");
        await UseNewProjectAsync(shadowport: true);
        var page = OpenNetworkStep(PortalDatabase.Unique("c"));

        page.WaitForAssertion(() =>
        {
            Assert.False(page.Field("external-ip").IsDisabled());
            Assert.Empty(page.TestIds("shadowport-hint"));
        });
    }

    [Fact]
    public async Task Overlapping_pod_and_service_cidrs_are_shown_at_the_service_cidr_and_block_the_review()
    {
        UseCulture("ru-RU");
        await UseNewProjectAsync();
        var page = OpenNetworkStep(PortalDatabase.Unique("c"));

        page.Type("service-cidr", "10.100.128.0/17");
        page.Press("wizard-next");

        page.WaitForAssertion(() => Assert.Equal("CIDR подов 10.100.0.0/16 пересекается с CIDR сервисов 10.100.128.0/17.",
            page.Field("service-cidr").FieldError()));
        Assert.Empty(page.TestIds("cluster-review"));
    }

    [Theory]
    [InlineData("ru-RU", "/16 при /24 на узел: до 256 узлов", "/20 при /24 на узел: до 16 узлов")]
    [InlineData("en-US", "/16 with /24 per node: up to 256 nodes", "/20 with /24 per node: up to 16 nodes")]
    public async Task The_pod_cidr_says_how_many_nodes_it_holds(string culture, string byDefault, string afterChange)
    {
        UseCulture(culture);
        await UseNewProjectAsync();
        var page = OpenNetworkStep(PortalDatabase.Unique("c"));
        page.WaitForAssertion(() => Assert.Equal(byDefault, page.Field("pod-cidr").FieldHelper()));

        page.Type("pod-cidr", "10.100.0.0/20");

        page.WaitForAssertion(() => Assert.Equal(afterChange, page.Field("pod-cidr").FieldHelper()));
    }

    [Fact]
    public async Task A_subnet_too_small_for_the_nodes_shows_free_against_needed_before_submitting()
    {
        UseCulture("ru-RU");
        var projectId = await UseNewProjectAsync();
        var name = PortalDatabase.Unique("small");
        var network = await Db.Networks.CreateAsync(Actor.System, projectId, new NetworkCreate
        {
            Name = name, InternetAccess = true, FirstSubnet = new SubnetCreate { Name = name + "-subnet", Cidr = "192.168.20.0/29" },
        });
        var free = (await Db.Subnets.GetAvailabilityAsync(Actor.System, projectId, network.Subnets.Single().Id, 1)).Free;
        Assert.True(free < 12, $"a /29 should have fewer than 12 free addresses, has {free}");

        var page = RenderWithProviders<ClusterWizard>();
        page.WaitForAssertion(() => Assert.Single(page.TestIds("cluster-wizard")));
        page.Type("cluster-name", PortalDatabase.Unique("c"));
        page.Press("wizard-next");
        page.WaitForAssertion(() => Assert.Single(page.FindAll("input[data-testid='cluster-workers']")));
        page.Set("cluster-workers", "10");
        page.Press("wizard-next");

        page.WaitForAssertion(() =>
            Assert.Equal($"Свободно адресов: {free}; кластеру нужно 12 (узлы — 11 и балансировщик API).", page.TestId("subnet-free").Text()));

        page.Press("wizard-next");
        page.WaitForAssertion(() => Assert.Equal(
            $"В подсети «{name}-subnet» свободно адресов: {free}, а кластеру нужно 12: мастер-узлы — 1, рабочие узлы — 10 и балансировщик.",
            SelectError(page, "cluster-subnet")));
        Assert.Empty(page.TestIds("cluster-review"));
        Assert.Empty(await Db.Clusters.ListAsync(Actor.System, projectId));
    }

    [Fact]
    public async Task A_name_taken_meanwhile_takes_the_user_back_to_the_name()
    {
        UseCulture("en-US");
        var projectId = await UseNewProjectAsync();
        var name = PortalDatabase.Unique("taken");
        var page = OpenNetworkStep(name);
        await Db.Clusters.CreateAsync(Actor.System, projectId, new ClusterCreate { Name = name });

        page.Press("wizard-next");

        page.WaitForAssertion(() => Assert.Equal($"The project already has a cluster named “{name}”.", page.Field("cluster-name").FieldError()));
        Assert.Empty(page.TestIds("cluster-review"));
    }

    [Fact]
    public async Task Create_writes_the_cluster_as_pending_and_opens_its_page()
    {
        UseCulture("ru-RU");
        var projectId = await UseNewProjectAsync();
        var name = PortalDatabase.Unique("c");
        var page = OpenNetworkStep(name);
        page.Press("wizard-next");

        page.WaitForAssertion(() =>
        {
            var objects = page.TestId("cluster-review-objects").Text();
            Assert.Contains($"Новая сеть {name}-net с подсетью 10.0.0.0/24", objects);
            Assert.Contains("Маршрутизатор с доступом в интернет", objects);
            Assert.Contains("Порты в 10.0.0.0/24: 4", objects);
            Assert.Contains("Плавающий IP из ext-net", objects);
        });
        await page.PressAsync("wizard-create");

        var cluster = Assert.Single(await Db.Clusters.ListAsync(Actor.System, projectId));
        Assert.Equal((name, ClusterPhase.Pending, 1, 2, true), (cluster.Name, cluster.Phase, cluster.Masters, cluster.Workers, cluster.ExternalIp));
        var nav = Services.GetRequiredService<NavigationManager>();
        page.WaitForAssertion(() => Assert.EndsWith($"/kubernetes/{cluster.Id}", nav.Uri));
    }

    /// <summary>What a MudSelect shows as chosen (its data-testid lands on the combobox that shows it).</summary>
    private static string SelectText(IRenderedComponent<Providers> page, string testId) => page.TestId(testId).Text();

    private static string? SelectError(IRenderedComponent<Providers> page, string testId) => page.TestId(testId).FieldError();

    /// <summary>Types a valid name and goes to the «Сеть» step with the other defaults.</summary>
    private IRenderedComponent<Providers> OpenNetworkStep(string name)
    {
        var page = RenderWithProviders<ClusterWizard>();
        page.WaitForAssertion(() => Assert.Single(page.TestIds("cluster-wizard")));
        page.Type("cluster-name", name);
        page.Press("wizard-next");
        page.WaitForAssertion(() => Assert.Single(page.FindAll("input[data-testid='cluster-workers']")));
        page.Press("wizard-next");
        page.WaitForAssertion(() => Assert.Single(page.FindAll("input[data-testid='pod-cidr']")));
        return page;
    }
}
