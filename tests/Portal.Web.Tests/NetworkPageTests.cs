using Portal.Web.Components.Pages.Networks;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests;

/// <summary>A network's page (NetworkPage.razor): its facts and its subnets.</summary>
public sealed class NetworkPageTests(PortalDatabase db) : PortalTest(db)
{
    [Fact]
    public async Task Shows_the_facts_of_the_network()
    {
        UseCulture("ru-RU");
        var name = PortalDatabase.Unique("facts");
        var network = await Db.CreateNetworkAsync(name, "10.41.0.0/24", internet: true, mtu: 1400);

        var page = RenderWithProviders<NetworkPage>(p => p.Add(x => x.NetworkId, network.Id));

        page.WaitForAssertion(() =>
        {
            Assert.Equal(name, page.TestId("network-title").Text());
            var facts = page.TestId("network-facts").Facts();
            Assert.Equal(network.Id.ToString(), facts["ID"]);
            Assert.Equal("Активна", facts["Статус"]);
            Assert.Equal("1400", facts["MTU"]);
            Assert.Equal("Да", facts["Доступ в интернет"]);
            Assert.Equal("Нет", facts["Доступ к сервисам (shadowport)"]);
        });
    }

    [Fact]
    public async Task A_provider_networks_page_says_its_subnets_are_the_clouds()
    {
        UseCulture("ru-RU");
        var extNet = (await Db.Networks.ListAsync(Portal.Data.Services.Actor.System, PortalDatabase.ProjectId)).Single(n => n.External);

        var page = RenderWithProviders<NetworkPage>(p => p.Add(x => x.NetworkId, extNet.Id));

        page.WaitForAssertion(() =>
        {
            Assert.Equal("ext-net", page.TestId("network-title").Text());
            Assert.Contains("Подсети провайдерской сети принадлежат облаку", page.Markup);
            Assert.DoesNotContain("Добавьте подсеть", page.Markup);
        });
    }

    [Fact]
    public async Task Lists_the_subnets_with_gateway_dhcp_and_usage()
    {
        UseCulture("en-US");
        var name = PortalDatabase.Unique("subnets");
        var network = await Db.CreateNetworkAsync(name, "10.42.0.0/24", internet: true);

        var page = RenderWithProviders<NetworkPage>(p => p.Add(x => x.NetworkId, network.Id));

        page.WaitForAssertion(() =>
        {
            var row = Assert.Single(page.DataRows("subnets-table"));
            var cells = row.QuerySelectorAll("td").Select(c => c.Text()).ToList();
            Assert.Equal(name + "-subnet", cells[0]);
            Assert.Equal("10.42.0.0/24", cells[1]);
            Assert.Equal("10.42.0.1", cells[2]);
            Assert.Equal("on", cells[3]);
            // Pool 10.42.0.2–254 holds the DHCP port; the router's gateway address is outside the pool.
            Assert.Equal("1 of 253 used", cells[4]);
        });
    }

    [Fact]
    public void An_unknown_network_says_not_found()
    {
        UseCulture("ru-RU");

        var page = RenderWithProviders<NetworkPage>(p => p.Add(x => x.NetworkId, Guid.NewGuid()));

        page.WaitForAssertion(() => Assert.NotEmpty(page.TestId("not-found").Text()));
        Assert.Empty(page.TestIds("network-facts"));
    }
}
