using System.Net.NetworkInformation;
using Portal.Data.Entities;
using Portal.Data.Services;
using Portal.Web.Components.Pages.Networks.Subnets;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests;

/// <summary>A subnet's page (SubnetPage.razor): the «Информация» tab and the «Порты» tab (PortsTab.razor).</summary>
public sealed class SubnetPageTests(PortalDatabase db) : PortalTest(db)
{
    private IRenderedComponent<Providers> RenderSubnetPage(Network network) =>
        RenderWithProviders<SubnetPage>(p => p.Add(x => x.NetworkId, network.Id).Add(x => x.SubnetId, network.Subnets.Single().Id));

    private static void OpenTab(IRenderedComponent<Providers> page, string title) =>
        page.Press(() => page.FindAll("[data-testid='subnet-tabs'] .mud-tab").Single(t => t.Text() == title));

    private async Task<Port> AddPortAsync(Network network, string name, string ip) =>
        await Db.Ports.CreateAsync(Actor.System, ProjectId, new PortCreate
        {
            NetworkId = network.Id,
            Name = name,
            FixedIps = [new FixedIpRequest(network.Subnets.Single().Id, ip)],
        });

    private static string Mac(PhysicalAddress mac) => string.Join(':', mac.GetAddressBytes().Select(b => b.ToString("x2")));

    [Fact]
    public async Task Information_tab_shows_the_subnets_facts()
    {
        UseCulture("ru-RU");
        var name = PortalDatabase.Unique("info");
        var network = await Db.CreateNetworkAsync(name, "10.51.0.0/24");

        var page = RenderSubnetPage(network);

        page.WaitForAssertion(() =>
        {
            Assert.Equal($"{name}-subnet (10.51.0.0/24)", page.TestId("subnet-title").Text());
            var facts = page.TestId("subnet-info").Facts();
            Assert.Equal(name, facts["Сеть"]);
            Assert.Equal("10.51.0.0/24", facts["CIDR"]);
            Assert.Equal("10.51.0.1", facts["Шлюз"]);
            Assert.Equal("включён", facts["DHCP"]);
            Assert.Equal("10.51.0.2–10.51.0.254", facts["Пулы адресов"]);
            Assert.Equal("—", facts["DNS-серверы"]);
        });
    }

    [Theory]
    [InlineData("ru-RU", "Свободно: 10.52.0.3–10.52.0.9, 10.52.0.11–10.52.0.19, 10.52.0.21–10.52.0.254 — 250 адресов")]
    [InlineData("en-US", "Free: 10.52.0.3–10.52.0.9, 10.52.0.11–10.52.0.19, 10.52.0.21–10.52.0.254 — 250 addresses")]
    public async Task Information_tab_lists_the_free_ranges(string culture, string text)
    {
        UseCulture(culture);
        var network = await Db.CreateNetworkAsync(PortalDatabase.Unique("free"), "10.52.0.0/24");
        await AddPortAsync(network, "a", "10.52.0.10"); // the DHCP port holds 10.52.0.2
        await AddPortAsync(network, "b", "10.52.0.20");

        var page = RenderSubnetPage(network);

        page.WaitForAssertion(() => Assert.Equal(text, page.TestId("free-ranges").Text()));
    }

    [Fact]
    public async Task Free_address_count_agrees_with_its_number_in_russian()
    {
        UseCulture("ru-RU");
        var network = await Db.CreateNetworkAsync(PortalDatabase.Unique("plural"), "10.55.0.0/24");

        var page = RenderSubnetPage(network);

        // 253 addresses in the pool, one of them the DHCP port's: «252 адреса», as in «2 адреса», not «252 адресов».
        page.WaitForAssertion(() => Assert.Equal("Свободно: 10.55.0.3–10.55.0.254 — 252 адреса", page.TestId("free-ranges").Text()));
    }

    [Fact]
    public async Task Ports_tab_lists_the_ports_with_ip_and_mac()
    {
        UseCulture("ru-RU");
        var network = await Db.CreateNetworkAsync(PortalDatabase.Unique("ports"), "10.53.0.0/24");
        var port = await AddPortAsync(network, "web-1", "10.53.0.50");
        var dhcp = (await Db.Ports.ListAsync(Actor.System, ProjectId, network.Id)).Single(p => p.DeviceOwner == DeviceOwners.Dhcp);

        var page = RenderSubnetPage(network);
        page.WaitForElement("[data-testid='subnet-tabs']");
        OpenTab(page, "Порты");

        page.WaitForAssertion(() =>
        {
            var rows = page.DataRows("ports-grid")
                .Select(r => (Ip: r.QuerySelector("[data-testid='port-ip']")!.Text(), Mac: r.QuerySelector("[data-testid='port-mac']")!.Text(),
                    Device: r.QuerySelector("[data-testid='device']")!.Text()))
                .ToList();
            Assert.Equal([("10.53.0.2", Mac(dhcp.MacAddress), "DHCP"), ("10.53.0.50", Mac(port.MacAddress), "—")], rows);
        });
        Assert.Contains("web-1", page.DataRows("ports-grid")[1].Text());
    }

    [Fact]
    public async Task The_dhcp_port_cannot_be_deleted_by_hand()
    {
        UseCulture("ru-RU");
        var network = await Db.CreateNetworkAsync(PortalDatabase.Unique("system"), "10.54.0.0/24");
        await AddPortAsync(network, "mine", "10.54.0.50");

        var page = RenderSubnetPage(network);
        page.WaitForElement("[data-testid='subnet-tabs']");
        OpenTab(page, "Порты");

        page.WaitForAssertion(() =>
        {
            var rows = page.DataRows("ports-grid");
            Assert.Equal(2, rows.Count);
            var dhcp = rows.Single(r => r.QuerySelector("[data-testid='device']")!.Text() == "DHCP");
            var mine = rows.Single(r => r.Text().Contains("mine"));
            Assert.True(dhcp.QuerySelector("[data-testid='delete-port']")!.IsDisabled());
            Assert.False(mine.QuerySelector("[data-testid='delete-port']")!.IsDisabled());
        });
    }
}
