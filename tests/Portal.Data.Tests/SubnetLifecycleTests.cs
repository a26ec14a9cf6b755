using Portal.Data.Entities;
using Portal.Data.Services;

namespace Portal.Data.Tests;

/// <summary>Subnet defaults, updates that keep every allocation intact, and address usage.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class SubnetLifecycleTests(DatabaseFixture db)
{
    [Fact]
    public async Task Defaults_follow_neutron_and_dhcp_takes_the_first_pool_address()
    {
        var project = await db.NewProjectAsync();
        var network = await db.Networks.CreateAsync(Actor.System, project, new NetworkCreate { Name = "n", FirstSubnet = new SubnetCreate { Cidr = "10.0.0.0/24" } });
        var subnet = await db.Subnets.GetAsync(Actor.System, project, network.Subnets[0].Id);
        Assert.Equal("10.0.0.1", subnet.GatewayIp?.ToString());
        var pool = Assert.Single(subnet.AllocationPools);
        Assert.Equal(("10.0.0.2", "10.0.0.254"), (pool.FirstIp.ToString(), pool.LastIp.ToString()));
        var dhcp = Assert.Single(await db.Ports.ListAsync(Actor.System, project, network.Id));
        Assert.Equal(DeviceOwners.Dhcp, dhcp.DeviceOwner);
        Assert.Equal("10.0.0.2", dhcp.FixedIps.Single().IpAddress.ToString());

        var port = await db.Ports.CreateAsync(Actor.System, project, new PortCreate { NetworkId = network.Id });
        Assert.Equal("10.0.0.3", port.FixedIps.Single().IpAddress.ToString());
        Assert.StartsWith("fa:16:3e", string.Join(":", port.MacAddress.GetAddressBytes().Select(b => b.ToString("x2"))));
    }

    [Fact]
    public async Task Availability_counts_and_compacts_the_free_ranges_in_the_database()
    {
        var project = await db.NewProjectAsync();
        var network = await db.Networks.CreateAsync(Actor.System, project, new NetworkCreate { Name = "n", FirstSubnet = new SubnetCreate { Cidr = "10.0.0.0/24" } });
        var subnet = network.Subnets[0];
        for (var i = 0; i < 18; i++) await db.Ports.CreateAsync(Actor.System, project, new PortCreate { NetworkId = network.Id });
        await db.Ports.CreateAsync(Actor.System, project, new PortCreate { NetworkId = network.Id, FixedIps = [new FixedIpRequest(subnet.Id, "10.0.0.100")] });

        var a = await db.Subnets.GetAvailabilityAsync(Actor.System, project, subnet.Id);
        Assert.Equal(253, (int)a.Total);
        Assert.Equal(20, a.Used); // DHCP .2, ports .3-.20, and .100
        Assert.Equal(["10.0.0.21-10.0.0.99", "10.0.0.101-10.0.0.254"], a.FreeRanges.Select(r => r.ToString()));
        Assert.Equal(233, (int)a.Free);
    }

    [Fact]
    public async Task Updating_the_gateway_moves_the_router_port_and_refuses_an_address_in_use()
    {
        var project = await db.NewProjectAsync();
        var network = await db.Networks.CreateAsync(Actor.System, project, new NetworkCreate
        {
            Name = "n", InternetAccess = true,
            FirstSubnet = new SubnetCreate { Name = "s", Cidr = "10.0.0.0/24", AllocationPools = ["10.0.0.10-10.0.0.200"] },
        });
        var subnet = network.Subnets[0];
        await db.Ports.CreateAsync(Actor.System, project, new PortCreate { NetworkId = network.Id, Name = "vm", FixedIps = [new FixedIpRequest(subnet.Id, "10.0.0.5")] });

        await Errors.ExpectAsync(() => db.Subnets.UpdateAsync(Actor.System, project, subnet.Id, new SubnetUpdate { GatewayMode = GatewayMode.Explicit, GatewayIp = "10.0.0.5" }),
            "Conflict", 409, "10.0.0.5", "vm");
        await Errors.ExpectAsync(() => db.Subnets.UpdateAsync(Actor.System, project, subnet.Id, new SubnetUpdate { GatewayMode = GatewayMode.Explicit, GatewayIp = "10.0.0.50" }),
            "GatewayConflictWithAllocationPools", 409, "10.0.0.50");

        await db.Subnets.UpdateAsync(Actor.System, project, subnet.Id, new SubnetUpdate { GatewayMode = GatewayMode.Explicit, GatewayIp = "10.0.0.254", Name = "renamed" });
        var router = (await db.Ports.ListAsync(Actor.System, project, network.Id)).Single(p => p.DeviceOwner == DeviceOwners.RouterInterface);
        Assert.Equal("10.0.0.254", router.FixedIps.Single().IpAddress.ToString());
        Assert.Equal("renamed", (await db.Subnets.GetAsync(Actor.System, project, subnet.Id)).Name);

        await db.Subnets.UpdateAsync(Actor.System, project, subnet.Id, new SubnetUpdate { GatewayMode = GatewayMode.None });
        Assert.DoesNotContain(await db.Ports.ListAsync(Actor.System, project, network.Id), p => p.DeviceOwner == DeviceOwners.RouterInterface);
        Assert.Contains(await db.Ports.ListAsync(Actor.System, project, network.Id), p => p.Name == "vm");
    }

    [Fact]
    public async Task Turning_dhcp_off_and_on_removes_and_adds_its_port_and_pools_dns_routes_can_change()
    {
        var project = await db.NewProjectAsync();
        var network = await db.Networks.CreateAsync(Actor.System, project, new NetworkCreate { Name = "n", FirstSubnet = new SubnetCreate { Cidr = "10.0.0.0/24" } });
        var subnet = network.Subnets[0];
        await db.Subnets.UpdateAsync(Actor.System, project, subnet.Id, new SubnetUpdate
        {
            EnableDhcp = false,
            AllocationPools = ["10.0.0.100-10.0.0.150"],
            DnsNameservers = ["1.1.1.1", "8.8.8.8"],
            HostRoutes = [new HostRouteInput("192.168.0.0/16", "10.0.0.254")],
        });
        Assert.Empty(await db.Ports.ListAsync(Actor.System, project, network.Id));
        var updated = await db.Subnets.GetAsync(Actor.System, project, subnet.Id);
        Assert.Equal(["1.1.1.1", "8.8.8.8"], updated.DnsNameservers.Select(d => d.ToString()));
        Assert.Equal("192.168.0.0/16", updated.HostRoutes.Single().Destination.ToString());
        Assert.Equal("10.0.0.100", Assert.Single(updated.AllocationPools).FirstIp.ToString());

        await db.Subnets.UpdateAsync(Actor.System, project, subnet.Id, new SubnetUpdate { EnableDhcp = true });
        var dhcp = Assert.Single(await db.Ports.ListAsync(Actor.System, project, network.Id));
        Assert.Equal("10.0.0.100", dhcp.FixedIps.Single().IpAddress.ToString());
        Assert.Equal(1, (await db.Projects.GetQuotasAsync(Actor.System, project)).Single(q => q.Resource == Quotas.Ports).Used);
    }

    [Fact]
    public async Task Ipv6_subnets_allocate_and_count_beyond_64_bits()
    {
        var project = await db.NewProjectAsync();
        var network = await db.Networks.CreateAsync(Actor.System, project, new NetworkCreate { Name = "v6", FirstSubnet = new SubnetCreate { Cidr = "2001:db8:1::/64" } });
        var subnet = network.Subnets[0];
        Assert.Equal("2001:db8:1::1", subnet.GatewayIp?.ToString());
        var port = await db.Ports.CreateAsync(Actor.System, project, new PortCreate { NetworkId = network.Id });
        Assert.Equal("2001:db8:1::3", port.FixedIps.Single().IpAddress.ToString()); // ::2 is DHCP's
        var a = await db.Subnets.GetAvailabilityAsync(Actor.System, project, subnet.Id);
        Assert.Equal(System.Numerics.BigInteger.Pow(2, 64) - 2, a.Total);
        Assert.Equal(2, a.Used);
        Assert.Equal("2001:db8:1::4", a.FreeRanges[0].First.ToString());
    }

    [Fact]
    public async Task A_released_address_is_reused_once_the_pool_top_is_reached()
    {
        var project = await db.NewProjectAsync();
        var network = await db.Networks.CreateAsync(Actor.System, project, new NetworkCreate
        {
            Name = "n", FirstSubnet = new SubnetCreate { Cidr = "10.0.0.0/29", EnableDhcp = false },
        });
        var ports = new List<Port>();
        for (var i = 0; i < 5; i++) ports.Add(await db.Ports.CreateAsync(Actor.System, project, new PortCreate { NetworkId = network.Id }));
        await db.Ports.DeleteAsync(Actor.System, project, ports[1].Id); // frees .3
        var again = await db.Ports.CreateAsync(Actor.System, project, new PortCreate { NetworkId = network.Id });
        Assert.Equal("10.0.0.3", again.FixedIps.Single().IpAddress.ToString());
    }

    [Fact]
    public async Task Internet_access_adds_and_removes_a_router_port_on_each_gateway()
    {
        var project = await db.NewProjectAsync();
        var network = await db.Networks.CreateAsync(Actor.System, project, new NetworkCreate { Name = "n", FirstSubnet = new SubnetCreate { Cidr = "10.0.0.0/24", EnableDhcp = false } });
        await db.Subnets.CreateAsync(Actor.System, project, network.Id, new SubnetCreate { Cidr = "10.0.1.0/24", EnableDhcp = false });
        await db.Subnets.CreateAsync(Actor.System, project, network.Id, new SubnetCreate { Cidr = "10.0.2.0/24", EnableDhcp = false, GatewayMode = GatewayMode.None });

        await db.Networks.UpdateAsync(Actor.System, project, network.Id, new NetworkUpdate { InternetAccess = true });
        var routers = (await db.Ports.ListAsync(Actor.System, project, network.Id)).Where(p => p.DeviceOwner == DeviceOwners.RouterInterface);
        Assert.Equal(["10.0.0.1", "10.0.1.1"], routers.Select(p => p.FixedIps.Single().IpAddress.ToString()).Order());

        await db.Networks.UpdateAsync(Actor.System, project, network.Id, new NetworkUpdate { InternetAccess = false });
        Assert.Empty(await db.Ports.ListAsync(Actor.System, project, network.Id));
        Assert.Equal(0, (await db.Projects.GetQuotasAsync(Actor.System, project)).Single(q => q.Resource == Quotas.Ports).Used);
    }
}
