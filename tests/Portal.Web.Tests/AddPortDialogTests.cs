using MudBlazor;
using Portal.Data.Entities;
using Portal.Data.Services;
using Portal.Web.Components.Pages.Networks.Ports;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests;

/// <summary>«Добавить порт» (AddPortDialog.razor).</summary>
public sealed class AddPortDialogTests(PortalDatabase db) : PortalTest(db)
{
    private async Task<(IRenderedComponent<Providers> Host, IDialogReference Dialog, Subnet Subnet)> AddPortAsync(Network network)
    {
        var subnet = await Db.Subnets.GetAsync(Actor.System, ProjectId, network.Subnets.Single().Id);
        var (host, dialog) = await OpenDialogAsync(new DialogParameters<AddPortDialog> { { d => d.Subnet, subnet } });
        return (host, dialog, subnet);
    }

    /// <summary>«Указать адрес», then waits until the dialog has filled in its suggestion.</summary>
    private static void ChooseSpecificAddress(IRenderedComponent<Providers> host)
    {
        host.WaitForElement("[data-testid='ip-mode'] input[type='radio']");
        host.Press(() => host.FindAll("[data-testid='ip-mode'] input[type='radio']")[1]);
        host.WaitForAssertion(() => Assert.NotEqual("", host.Field("port-ip-input").GetAttribute("value")));
    }

    [Theory]
    [InlineData("ru-RU", "Следующий свободный адрес: 10.61.0.4")]
    [InlineData("en-US", "Next free address: 10.61.0.4")]
    public async Task Suggests_the_next_free_address(string culture, string helper)
    {
        UseCulture(culture);
        var network = await Db.CreateNetworkAsync(PortalDatabase.Unique("suggest"), "10.61.0.0/24");
        await Db.Ports.CreateAsync(Actor.System, ProjectId, new PortCreate { NetworkId = network.Id }); // takes .3 after DHCP's .2
        var (host, _, _) = await AddPortAsync(network);

        ChooseSpecificAddress(host);

        Assert.Equal("10.61.0.4", host.Field("port-ip-input").GetAttribute("value"));
        Assert.Equal(helper, host.Field("port-ip-input").FieldHelper());
    }

    [Theory]
    [InlineData("ru-RU", "IP-адрес 10.62.0.50 уже занят в подсети «{0}».")]
    [InlineData("en-US", "IP address 10.62.0.50 is already allocated in subnet “{0}”.")]
    public async Task A_taken_address_is_reported_at_the_ip_field(string culture, string message)
    {
        UseCulture(culture);
        var name = PortalDatabase.Unique("taken");
        var network = await Db.CreateNetworkAsync(name, "10.62.0.0/24");
        await Db.Ports.CreateAsync(Actor.System, ProjectId, new PortCreate
        {
            NetworkId = network.Id,
            FixedIps = [new FixedIpRequest(network.Subnets.Single().Id, "10.62.0.50")],
        });
        var (host, _, _) = await AddPortAsync(network);
        ChooseSpecificAddress(host);

        host.Type("port-ip-input", "10.62.0.50");
        await host.PressAsync("save-port");

        host.WaitForAssertion(() => Assert.Equal(string.Format(message, name + "-subnet"), host.Field("port-ip-input").FieldError()));
    }

    [Fact]
    public async Task Creates_the_port_with_the_given_name_and_address()
    {
        UseCulture("ru-RU");
        var network = await Db.CreateNetworkAsync(PortalDatabase.Unique("create"), "10.63.0.0/24");
        var (host, dialog, subnet) = await AddPortAsync(network);
        host.Type("port-name", "db-primary");
        ChooseSpecificAddress(host);

        host.Type("port-ip-input", "10.63.0.77");
        await host.PressAsync("save-port");

        var result = await dialog.Result;
        var created = Assert.IsType<Port>(result!.Data);
        var port = await Db.Ports.GetAsync(Actor.System, ProjectId, created.Id);
        Assert.Equal("db-primary", port.Name);
        Assert.Equal(DeviceOwners.User, port.DeviceOwner);
        var ip = Assert.Single(port.FixedIps);
        Assert.Equal(subnet.Id, ip.SubnetId);
        Assert.Equal("10.63.0.77", ip.IpAddress.ToString());
    }
}
