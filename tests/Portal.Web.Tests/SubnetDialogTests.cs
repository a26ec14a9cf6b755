using MudBlazor;
using Portal.Data.Entities;
using Portal.Data.Services;
using Portal.Web.Components.Pages.Networks.Subnets;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests;

/// <summary>«Добавить подсеть» and «Изменить» (SubnetDialog.razor, SubnetFields.razor, RowList.razor).</summary>
public sealed class SubnetDialogTests(PortalDatabase db) : PortalTest(db)
{
    private Task<(IRenderedComponent<Providers> Host, IDialogReference Dialog)> AddSubnetAsync(Guid networkId) =>
        OpenDialogAsync(new DialogParameters<SubnetDialog> { { d => d.NetworkId, networkId } });

    [Fact]
    public async Task Cidr_helper_describes_the_typed_block()
    {
        UseCulture("ru-RU");
        var network = await Db.CreateNetworkAsync(PortalDatabase.Unique("helper"));
        var (host, _) = await AddSubnetAsync(network.Id);

        host.Type("subnet-cidr", "10.31.0.0/24");

        host.WaitForAssertion(() =>
        {
            var facts = host.Find("[data-testid='cidr-helper'] dl").Facts();
            Assert.Equal("10.31.0.0 – 10.31.0.255", facts["Диапазон"]);
            Assert.Equal("255.255.255.0", facts["Маска"]);
            Assert.Equal("256", facts["Всего адресов"]);
            Assert.Equal("254", facts["Доступно для узлов"]);
            Assert.Equal("10.31.0.1", facts["Шлюз по умолчанию"]);
            Assert.Equal("10.31.0.2–10.31.0.254", facts["Пул по умолчанию"]);
        });
    }

    [Fact]
    public async Task Cidr_helper_speaks_english_with_english_numbers()
    {
        UseCulture("en-US");
        var network = await Db.CreateNetworkAsync(PortalDatabase.Unique("helper"));
        var (host, _) = await AddSubnetAsync(network.Id);

        host.Type("subnet-cidr", "10.32.0.0/22");

        host.WaitForAssertion(() =>
        {
            var facts = host.Find("[data-testid='cidr-helper'] dl").Facts();
            Assert.Equal("10.32.0.0 – 10.32.3.255", facts["Range"]);
            Assert.Equal("255.255.252.0", facts["Netmask"]);
            Assert.Equal("1,024", facts["Addresses in total"]);
            Assert.Equal("1,022", facts["Usable addresses"]);
            Assert.Equal("10.32.0.1", facts["Default gateway"]);
            Assert.Equal("10.32.0.2–10.32.3.254", facts["Default pool"]);
        });
    }

    [Fact]
    public async Task Overlap_with_a_subnet_of_the_same_network_is_an_error_that_blocks_save()
    {
        UseCulture("ru-RU");
        var name = PortalDatabase.Unique("same");
        var network = await Db.CreateNetworkAsync(name, "10.33.0.0/24");
        var (host, _) = await AddSubnetAsync(network.Id);

        host.Type("subnet-cidr", "10.33.0.128/25");

        host.WaitForAssertion(() =>
        {
            Assert.Equal($"10.33.0.128/25 пересекается с подсетью «{name}-subnet» (10.33.0.0/24) в этой сети.", host.Field("subnet-cidr").FieldError());
            Assert.True(host.TestId("save-subnet").IsDisabled());
        });
    }

    [Fact]
    public async Task Every_invalid_cidr_shows_its_message_not_only_the_first_one_typed()
    {
        UseCulture("en-US");
        var network = await Db.CreateNetworkAsync(PortalDatabase.Unique("again"), "10.38.0.0/24");
        var (host, _) = await AddSubnetAsync(network.Id);

        host.Type("subnet-cidr", "10.38.7.5/24");
        host.WaitForAssertion(() => Assert.Equal("10.38.7.5/24 is not a network address. Did you mean 10.38.7.0/24?", host.Field("subnet-cidr").FieldError()));
        host.Type("subnet-cidr", "10.38.7.0/24");
        host.WaitForAssertion(() => Assert.Null(host.Field("subnet-cidr").FieldError()));
        host.Type("subnet-cidr", "10.38.0.128/25");
        host.WaitForAssertion(() =>
        {
            Assert.StartsWith("10.38.0.128/25 overlaps with another subnet", host.Field("subnet-cidr").FieldError());
            Assert.True(host.TestId("save-subnet").IsDisabled());
        });
    }

    [Fact]
    public async Task Overlap_with_another_network_of_the_project_warns_but_saves()
    {
        UseCulture("en-US");
        var otherName = PortalDatabase.Unique("other");
        await Db.CreateNetworkAsync(otherName, "10.34.0.0/24");
        var network = await Db.CreateNetworkAsync(PortalDatabase.Unique("here"));
        var (host, dialog) = await AddSubnetAsync(network.Id);

        host.Type("subnet-cidr", "10.34.0.0/24");

        host.WaitForAssertion(() =>
        {
            Assert.Contains(host.TestIds("overlap-warning"), w => w.Text().Contains($"subnet “{otherName}-subnet” of network “{otherName}”"));
            Assert.Null(host.Field("subnet-cidr").FieldError());
            Assert.False(host.TestId("save-subnet").IsDisabled());
        });
        await host.PressAsync("save-subnet");

        var result = await dialog.Result;
        Assert.False(result!.Canceled);
        var subnet = Assert.Single(await Db.Subnets.ListAsync(Actor.System, ProjectId, network.Id));
        Assert.Equal("10.34.0.0/24", subnet.Cidr.ToString());
    }

    [Theory]
    [InlineData("pools")]
    [InlineData("dns")]
    [InlineData("routes")]
    public async Task Row_lists_add_and_remove_rows(string list)
    {
        UseCulture("ru-RU");
        var network = await Db.CreateNetworkAsync(PortalDatabase.Unique("rows"));
        var (host, _) = await AddSubnetAsync(network.Id);
        host.WaitForElement($"[data-testid='{list}-add']");

        host.Press($"{list}-add");
        host.Press($"{list}-add");
        host.WaitForAssertion(() => Assert.Equal(2, host.TestIds($"{list}-row").Count));
        host.Type(() => host.TestIds($"{list}-row")[0].QuerySelector("input")!, "10.35.0.9");
        host.Type(() => host.TestIds($"{list}-row")[1].QuerySelector("input")!, "10.35.0.99");

        host.Press(() => host.TestIds($"{list}-row")[0].QuerySelector("button[aria-label='Убрать']")!);

        host.WaitForAssertion(() =>
        {
            var row = Assert.Single(host.TestIds($"{list}-row"));
            Assert.Equal("10.35.0.99", row.QuerySelector("input")!.GetAttribute("value"));
        });
    }

    [Theory]
    [InlineData("ru-RU", "Шлюз 10.36.0.10 попадает в пул адресов 10.36.0.2-10.36.0.100; выберите шлюз вне пула или сократите пул.")]
    [InlineData("en-US", "Gateway 10.36.0.10 is inside allocation pool 10.36.0.2-10.36.0.100; choose a gateway outside the pool or shrink the pool.")]
    public async Task A_server_error_about_the_gateway_is_shown_at_the_gateway_field(string culture, string message)
    {
        UseCulture(culture);
        var network = await Db.CreateNetworkAsync(PortalDatabase.Unique("gw"));
        var (host, dialog) = await AddSubnetAsync(network.Id);
        host.Type("subnet-cidr", "10.36.0.0/24");
        host.Press(() => host.FindAll("[data-testid='gateway-mode'] input[type='radio']")[1]); // «Указать адрес»
        host.WaitForElement("input[data-testid='gateway-ip']");
        host.Type("gateway-ip", "10.36.0.10");
        host.Press("pools-add");
        host.WaitForAssertion(() => Assert.Single(host.TestIds("pools-row")));
        host.Type(() => host.TestIds("pools-row")[0].QuerySelectorAll("input")[0], "10.36.0.2");
        host.Type(() => host.TestIds("pools-row")[0].QuerySelectorAll("input")[1], "10.36.0.100");

        await host.PressAsync("save-subnet");

        host.WaitForAssertion(() => Assert.Equal(message, host.TestId("gateway-server-error").Text()));
        Assert.Empty(await Db.Subnets.ListAsync(Actor.System, ProjectId, network.Id));
    }

    [Fact]
    public async Task Edit_mode_shows_the_cidr_read_only_and_saves_the_changes()
    {
        UseCulture("ru-RU");
        var name = PortalDatabase.Unique("edit");
        var network = await Db.CreateNetworkAsync(name, "10.37.0.0/24");
        var existing = await Db.Subnets.GetAsync(Actor.System, ProjectId, network.Subnets.Single().Id);
        var (host, dialog) = await OpenDialogAsync(new DialogParameters<SubnetDialog>
        {
            { d => d.NetworkId, network.Id },
            { d => d.Existing, existing },
        });
        host.WaitForAssertion(() => Assert.Equal($"{name}-subnet", host.Field("subnet-name").GetAttribute("value")));
        Assert.True(host.Field("subnet-cidr").HasAttribute("readonly"));

        host.Type("subnet-name", name + "-renamed");
        host.Set("dhcp", false);
        host.Press("dns-add");
        host.WaitForAssertion(() => Assert.Single(host.TestIds("dns-row")));
        host.Type(() => host.TestIds("dns-row")[0].QuerySelector("input")!, "1.1.1.1");
        await host.PressAsync("save-subnet");

        var result = await dialog.Result;
        Assert.False(result!.Canceled);
        var saved = await Db.Subnets.GetAsync(Actor.System, ProjectId, existing.Id);
        Assert.Equal(name + "-renamed", saved.Name);
        Assert.False(saved.EnableDhcp);
        Assert.Equal(["1.1.1.1"], saved.DnsNameservers.Select(d => d.ToString()));
        Assert.Equal("10.37.0.0/24", saved.Cidr.ToString());
        Assert.Equal("10.37.0.1", saved.GatewayIp?.ToString());
    }
}
