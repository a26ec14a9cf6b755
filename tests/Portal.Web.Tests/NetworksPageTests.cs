using Microsoft.AspNetCore.Components.Web;
using Portal.Data.Services;
using Portal.Web.Components.Pages.Networks;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests;

/// <summary>«Сети»: the grid of the project's networks (NetworksPage.razor).</summary>
public sealed class NetworksPageTests(PortalDatabase db) : PortalTest(db)
{
    [Fact]
    public async Task Shows_a_row_for_a_network_of_the_project()
    {
        UseCulture("ru-RU");
        var name = PortalDatabase.Unique("rows");
        await Db.CreateNetworkAsync(name, "10.11.0.0/24", internet: true);

        var page = RenderWithProviders<NetworksPage>();
        page.Type("network-filter", name);

        page.WaitForAssertion(() =>
        {
            var row = Assert.Single(page.DataRows("networks-grid"));
            Assert.Equal(name, row.QuerySelector("[data-testid='network-link']")!.Text());
            var cells = row.QuerySelectorAll("td").Select(c => c.Text()).ToList();
            Assert.Equal("Активна", cells[1]);
            var subnets = row.QuerySelectorAll("td")[2];
            Assert.Equal("10.11.0.0/24", subnets.QuerySelector(".mono")!.Text());
            Assert.Equal($"({name}-subnet)", subnets.QuerySelector(".mud-typography-caption")!.Text());
            Assert.Equal("2", cells[3]); // the DHCP port and the router interface
            Assert.Equal("Да", cells[4]);
            Assert.Equal("Нет", cells[5]);
        });
    }

    [Fact]
    public async Task Subnets_column_separates_the_cidr_from_the_subnet_name()
    {
        UseCulture("en-US");
        var name = PortalDatabase.Unique("spacing");
        await Db.CreateNetworkAsync(name, "10.12.0.0/24");

        var page = RenderWithProviders<NetworksPage>();
        page.Type("network-filter", name);

        page.WaitForAssertion(() =>
        {
            var row = Assert.Single(page.DataRows("networks-grid"));
            Assert.Equal($"10.12.0.0/24 ({name}-subnet)", row.QuerySelectorAll("td")[2].Text());
        });
    }

    [Theory]
    [InlineData("ru-RU", new[] { "Имя", "Статус", "Подсети", "Порты", "Доступ в интернет", "Доступ к сервисам", "Создана" })]
    [InlineData("en-US", new[] { "Name", "Status", "Subnets", "Ports", "Internet access", "Services access", "Created" })]
    public void Column_headers_are_in_the_users_language(string culture, string[] expected)
    {
        UseCulture(culture);

        var page = RenderWithProviders<NetworksPage>();

        var headers = page.FindAll("[data-testid='networks-grid'] thead th").Select(h => h.Text()).Where(h => h.Length > 0);
        Assert.Equal(expected, headers);
    }

    [Theory]
    [InlineData("ru-RU", "1–20 из 25")]
    [InlineData("en-US", "1-20 of 25")]
    public async Task Asks_for_one_page_of_twenty_and_tells_how_many_there_are(string culture, string pagerText)
    {
        UseCulture(culture);
        var prefix = PortalDatabase.Unique("paged");
        for (var i = 0; i < 25; i++) await Db.CreateNetworkAsync($"{prefix}-{i:D2}");

        var page = RenderWithProviders<NetworksPage>();
        page.Type("network-filter", prefix);

        page.WaitForAssertion(() =>
        {
            Assert.Contains(pagerText, page.FindAll(".mud-table-pagination-caption").Select(c => c.Text()));
            var names = page.DataRows("networks-grid").Select(r => r.QuerySelector("[data-testid='network-link']")!.Text());
            Assert.Equal(Enumerable.Range(0, 20).Select(i => $"{prefix}-{i:D2}"), names);
        });
    }

    [Theory]
    [InlineData("ru-RU", "Квота на сети исчерпана ({0}). Удалите лишнее или попросите поддержку её увеличить.")]
    [InlineData("en-US", "The quota for networks is used up ({0}). Delete something or ask support to raise it.")]
    public async Task Create_button_is_disabled_with_the_reason_when_the_networks_quota_is_used_up(string culture, string reason)
    {
        UseCulture(culture);
        await Db.CreateNetworkAsync(PortalDatabase.Unique("quota"));
        var quota = (await Db.Projects.GetQuotasAsync(Actor.System, ProjectId)).Single(q => q.Resource == Quotas.Networks);
        await Db.Projects.SetQuotaAsync(Actor.System, ProjectId, Quotas.Networks, quota.Used);
        try
        {
            var page = RenderWithProviders<NetworksPage>();

            page.WaitForAssertion(() => Assert.True(page.TestId("create-network").IsDisabled()));
            // The reason is the button's tooltip: shown when the pointer is over it.
            page.Do(() => page.TestId("create-network").Closest(".mud-tooltip-root")!, e => e.PointerEnter(new PointerEventArgs()));
            page.WaitForAssertion(() =>
                Assert.Contains(string.Format(reason, quota.Used), page.FindAll(".mud-popover-provider .mud-tooltip").Select(t => t.Text())));
        }
        finally
        {
            await Db.Projects.SetQuotaAsync(Actor.System, ProjectId, Quotas.Networks, quota.Limit);
        }
    }
}
