using Portal.Data.Entities;
using Portal.Data.Services;
using Portal.Web.Components.Pages.Networks.Subnets;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests;

/// <summary>
/// «Порты»: enabling or disabling the chosen ports changes the user's ports and skips the system ones (here the DHCP
/// port), saying for each why it was left as it was.
/// </summary>
public sealed class PortsBulkStateTests(PortalDatabase db) : PortalTest(db)
{
    [Fact]
    public async Task Disabling_all_chosen_ports_skips_the_dhcp_port_and_says_why()
    {
        UseCulture("ru-RU");
        var network = await Db.CreateNetworkAsync(PortalDatabase.Unique("bulk"), "10.57.0.0/24");
        var subnet = network.Subnets.Single();
        var mine = await Db.Ports.CreateAsync(Actor.System, ProjectId, new PortCreate
        {
            NetworkId = network.Id, Name = "mine", FixedIps = [new FixedIpRequest(subnet.Id, "10.57.0.10")],
        });
        var page = RenderWithProviders<SubnetPage>(p => p.Add(x => x.NetworkId, network.Id).Add(x => x.SubnetId, subnet.Id));
        page.WaitForElement("[data-testid='subnet-tabs']");
        page.Press(() => page.FindAll("[data-testid='subnet-tabs'] .mud-tab").Single(t => t.Text() == "Порты"));
        page.WaitForAssertion(() => Assert.Equal(2, page.DataRows("ports-grid").Count));

        // The header's box chooses every row: the DHCP port and the user's port.
        page.Do(() => page.Find("[data-testid='ports-grid'] thead input[type='checkbox']"), e => e.Change(true));
        page.WaitForAssertion(() => Assert.Equal("Выбрано: 2", page.TestId("selected-count").Text()));
        await page.PressAsync("bulk-disable");

        page.WaitForAssertion(() =>
        {
            var messages = page.FindAll(".mud-snackbar").Select(s => s.Text()).ToList();
            Assert.Contains(messages, m => m.Contains("Выключено портов: 1."));
            Assert.Contains(messages, m => m.Contains("принадлежит устройству «DHCP» и управляется системой; изменить его вручную нельзя."));
        });
        var ports = await Db.Ports.ListAsync(Actor.System, ProjectId, network.Id);
        Assert.False(ports.Single(p => p.Id == mine.Id).AdminStateUp);
        Assert.True(ports.Single(p => p.DeviceOwner == DeviceOwners.Dhcp).AdminStateUp);
    }
}
