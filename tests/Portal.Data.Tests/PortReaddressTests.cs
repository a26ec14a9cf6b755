using Portal.Data.Services;

namespace Portal.Data.Tests;

/// <summary>
/// A port's addresses change as Neutron changes them (PUT fixed_ips): what is asked for again stays, the rest is released,
/// new ones follow the rules of creation, and a refused change leaves every address as it was.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class PortReaddressTests(DatabaseFixture db)
{
    [Fact]
    public async Task Addresses_are_kept_released_and_added_as_the_new_list_says()
    {
        var project = await db.NewProjectAsync();
        var network = await db.Networks.CreateAsync(Actor.System, project, new NetworkCreate { Name = "two" });
        var a = await db.Subnets.CreateAsync(Actor.System, project, network.Id, new SubnetCreate { Cidr = "10.50.0.0/24", EnableDhcp = false });
        var b = await db.Subnets.CreateAsync(Actor.System, project, network.Id, new SubnetCreate { Cidr = "10.50.1.0/24", EnableDhcp = false });
        var port = await db.Ports.CreateAsync(DatabaseFixture.Customer, project, new PortCreate
        {
            NetworkId = network.Id, Name = "vm", FixedIps = [new FixedIpRequest(a.Id, null), new FixedIpRequest(b.Id, null)],
        });
        var first = port.FixedIps.Single(f => f.SubnetId == a.Id).IpAddress.ToString();
        Assert.Equal(2, port.FixedIps.Count);

        var one = await db.Ports.UpdateAsync(DatabaseFixture.Customer, project, port.Id, new PortUpdate { FixedIps = [new FixedIpRequest(a.Id, null)] });
        Assert.Equal([first], one.FixedIps.Select(f => f.IpAddress.ToString()));
        Assert.Equal(2, one.RevisionNumber);

        var two = await db.Ports.UpdateAsync(DatabaseFixture.Customer, project, port.Id,
            new PortUpdate { FixedIps = [new FixedIpRequest(a.Id, null), new FixedIpRequest(b.Id, "10.50.1.77")] });
        Assert.Equal([first, "10.50.1.77"], two.FixedIps.Select(f => f.IpAddress.ToString()));
        var shown = await db.Ports.GetAsync(DatabaseFixture.Customer, project, port.Id);
        Assert.Equal([first, "10.50.1.77"], shown.FixedIps.OrderBy(f => f.Id).Select(f => f.IpAddress.ToString()));

        // Another port holds .88: the change is refused and the port keeps both addresses it had.
        await db.Ports.CreateAsync(DatabaseFixture.Customer, project, new PortCreate { NetworkId = network.Id, FixedIps = [new FixedIpRequest(b.Id, "10.50.1.88")] });
        await Errors.ExpectAsync(() => db.Ports.UpdateAsync(DatabaseFixture.Customer, project, port.Id,
            new PortUpdate { FixedIps = [new FixedIpRequest(b.Id, "10.50.1.88")] }), "IpAddressAlreadyAllocated", 409, "10.50.1.88");
        var unchanged = await db.Ports.GetAsync(DatabaseFixture.Customer, project, port.Id);
        Assert.Equal([first, "10.50.1.77"], unchanged.FixedIps.OrderBy(f => f.Id).Select(f => f.IpAddress.ToString()));

        // Outside the network, or the subnet's gateway: the rules of creation.
        await Errors.ExpectAsync(() => db.Ports.UpdateAsync(DatabaseFixture.Customer, project, port.Id,
            new PortUpdate { FixedIps = [new FixedIpRequest(null, "192.168.9.9")] }), "InvalidInput", 400, "192.168.9.9");
        await Errors.ExpectAsync(() => db.Ports.UpdateAsync(DatabaseFixture.Customer, project, port.Id,
            new PortUpdate { FixedIps = [new FixedIpRequest(a.Id, "10.50.0.1")] }), "InvalidInput", 400, "10.50.0.1");

        var none = await db.Ports.UpdateAsync(DatabaseFixture.Customer, project, port.Id, new PortUpdate { FixedIps = [] });
        Assert.Empty(none.FixedIps);
        Assert.Equal(0L, await db.ScalarAsync("SELECT count(*) FROM ip_allocations WHERE port_id = $1", port.Id));
        var trail = (string?)await db.ScalarAsync(
            "SELECT details FROM audit_entries WHERE object_id = $1 AND action = 'port.update' ORDER BY id DESC LIMIT 1", port.Id.ToString());
        Assert.Contains("fixed_ips", trail);
        Assert.Contains("10.50.1.77", trail);
    }
}
