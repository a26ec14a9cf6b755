using Portal.Data.Entities;
using Portal.Data.Services;
using Portal.Web.Components.Pages.Networks;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests;

/// <summary>«Создать сеть» (CreateNetworkDialog.razor with SubnetFields for the first subnet).</summary>
public sealed class CreateNetworkDialogTests(PortalDatabase db) : PortalTest(db)
{
    [Theory]
    [InlineData("ru-RU", "10.0.0.5/24 — не адрес сети. Возможно, вы имели в виду 10.0.0.0/24?")]
    [InlineData("en-US", "10.0.0.5/24 is not a network address. Did you mean 10.0.0.0/24?")]
    public async Task A_cidr_with_host_bits_is_explained_and_blocks_create(string culture, string message)
    {
        UseCulture(culture);
        var (host, _) = await OpenDialogAsync<CreateNetworkDialog>();
        host.Type("network-name", PortalDatabase.Unique("cidr"));

        host.Type("subnet-cidr", "10.0.0.5/24");

        host.WaitForAssertion(() =>
        {
            Assert.Equal(message, host.Field("subnet-cidr").FieldError());
            Assert.True(host.TestId("save-network").IsDisabled());
        });
    }

    [Theory]
    [InlineData("ru-RU", "MTU должен быть от 68 до 9000, указано 67.")]
    [InlineData("en-US", "MTU must be between 68 and 9000; got 67.")]
    public async Task An_mtu_out_of_range_is_refused_with_the_mtu_error(string culture, string message)
    {
        UseCulture(culture);
        var name = PortalDatabase.Unique("mtu");
        var (host, _) = await OpenDialogAsync<CreateNetworkDialog>();
        host.Type("network-name", name);
        host.Type("subnet-cidr", "10.21.0.0/24");
        host.Set("network-mtu", "67");

        await host.PressAsync("save-network");

        var created = (await Db.Networks.QueryAsync(Actor.System, ProjectId, new PageRequest(0, 10, NameFilter: name))).Items;
        Assert.True(created.Count == 0, $"MTU 67 was not refused: the dialog created «{name}» with MTU {created.FirstOrDefault()?.Mtu}.");
        host.WaitForAssertion(() => Assert.Equal(message, host.Field("network-mtu").FieldError()));
    }

    [Fact]
    public async Task Create_sends_the_entered_values_to_the_service()
    {
        UseCulture("ru-RU");
        var name = PortalDatabase.Unique("created");
        var (host, dialog) = await OpenDialogAsync<CreateNetworkDialog>();
        host.Type("network-name", name);
        host.Set("network-mtu", "1450");
        host.Set("internet-access", true);
        host.Type("subnet-name", name + "-first");
        host.Type("subnet-cidr", "10.22.0.0/24");
        host.WaitForAssertion(() => Assert.False(host.TestId("save-network").IsDisabled()));

        await host.PressAsync("save-network");

        var result = await dialog.Result;
        var created = Assert.IsType<Network>(result!.Data);
        var network = await Db.Networks.GetAsync(Actor.System, ProjectId, created.Id);
        Assert.Equal(name, network.Name);
        Assert.Equal(1450, network.Mtu);
        Assert.True(network.InternetAccess);
        var subnet = Assert.Single(network.Subnets);
        Assert.Equal("10.22.0.0/24", subnet.Cidr.ToString());
        Assert.Equal(name + "-first", subnet.Name);
    }
}
