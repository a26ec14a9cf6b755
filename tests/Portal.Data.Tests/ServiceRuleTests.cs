using Microsoft.Extensions.DependencyInjection;
using Portal.Data.Entities;
using Portal.Data.Services;

namespace Portal.Data.Tests;

/// <summary>Every invariant of DESIGN.md §2, broken through the service, gives its named error and writes nothing.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class ServiceRuleTests(DatabaseFixture db)
{
    private async Task<(string Project, Network Network, Subnet Subnet)> NetworkAsync(string cidr = "10.0.0.0/24", bool dhcp = false)
    {
        var project = await db.NewProjectAsync();
        var network = await db.Networks.CreateAsync(Actor.System, project, new NetworkCreate
        {
            Name = "net", FirstSubnet = new SubnetCreate { Name = "main", Cidr = cidr, EnableDhcp = dhcp },
        });
        return (project, network, network.Subnets[0]);
    }

    [Fact]
    public async Task A_cidr_with_host_bits_is_rejected_with_the_normalised_suggestion()
    {
        var (project, network, _) = await NetworkAsync();
        var e = await Errors.ExpectAsync(() => db.Subnets.CreateAsync(Actor.System, project, network.Id, new SubnetCreate { Cidr = "10.1.0.5/24" }),
            "InvalidInput", 400, "10.1.0.5/24", "10.1.0.0/24");
        Assert.Equal("cidr", e.Field);
    }

    [Fact]
    public async Task Overlapping_subnets_in_one_network_are_rejected_naming_the_other_subnet()
    {
        var (project, network, _) = await NetworkAsync("10.0.0.0/23");
        var e = await Errors.ExpectAsync(() => db.Subnets.CreateAsync(Actor.System, project, network.Id, new SubnetCreate { Cidr = "10.0.1.0/24" }),
            "InvalidInput", 400, "10.0.1.0/24", "«main»", "10.0.0.0/23");
        Assert.Equal("cidr", e.Field);
        Assert.Single(await db.Subnets.ListAsync(Actor.System, project, network.Id));

        // The same range in another network is fine: networks are separate L2 domains.
        var other = await db.Networks.CreateAsync(Actor.System, project, new NetworkCreate { Name = "other" });
        await db.Subnets.CreateAsync(Actor.System, project, other.Id, new SubnetCreate { Cidr = "10.0.1.0/24" });
    }

    [Fact]
    public async Task Gateway_outside_the_cidr_or_inside_a_pool_is_rejected()
    {
        var (project, network, _) = await NetworkAsync();
        await Errors.ExpectAsync(() => db.Subnets.CreateAsync(Actor.System, project, network.Id, new SubnetCreate
        {
            Cidr = "10.9.0.0/24", GatewayMode = GatewayMode.Explicit, GatewayIp = "10.9.1.1",
        }), "InvalidInput", 400, "10.9.1.1");
        await Errors.ExpectAsync(() => db.Subnets.CreateAsync(Actor.System, project, network.Id, new SubnetCreate
        {
            Cidr = "10.9.0.0/24", GatewayMode = GatewayMode.Explicit, GatewayIp = "10.9.0.10", AllocationPools = ["10.9.0.2-10.9.0.100"],
        }), "GatewayConflictWithAllocationPools", 409, "10.9.0.10");
        Assert.Single(await db.Subnets.ListAsync(Actor.System, project, network.Id));
    }

    [Fact]
    public async Task Pools_outside_the_cidr_or_overlapping_are_rejected()
    {
        var (project, network, _) = await NetworkAsync();
        await Errors.ExpectAsync(() => db.Subnets.CreateAsync(Actor.System, project, network.Id, new SubnetCreate
        {
            Cidr = "10.9.0.0/24", AllocationPools = ["10.9.0.10-10.9.1.20"],
        }), "InvalidAllocationPool", 400, "10.9.0.10");
        await Errors.ExpectAsync(() => db.Subnets.CreateAsync(Actor.System, project, network.Id, new SubnetCreate
        {
            Cidr = "10.9.0.0/24", AllocationPools = ["10.9.0.10-10.9.0.50", "10.9.0.40-10.9.0.60"],
        }), "OverlappingAllocationPools", 409, "10.9.0.10");
    }

    [Fact]
    public async Task Dns_servers_and_host_routes_have_limits()
    {
        var (project, network, _) = await NetworkAsync();
        await Errors.ExpectAsync(() => db.Subnets.CreateAsync(Actor.System, project, network.Id, new SubnetCreate
        {
            Cidr = "10.9.0.0/24", DnsNameservers = ["1.1.1.1", "1.0.0.1", "8.8.8.8", "8.8.4.4", "9.9.9.9", "149.112.112.112"],
        }), "InvalidInput", 400, "5");
        await Errors.ExpectAsync(() => db.Subnets.CreateAsync(Actor.System, project, network.Id, new SubnetCreate
        {
            Cidr = "10.9.0.0/24",
            HostRoutes = Enumerable.Range(0, 21).Select(i => new HostRouteInput($"192.168.{i}.0/24", "10.9.0.1")).ToList(),
        }), "InvalidInput", 400, "20");
    }

    [Fact]
    public async Task An_address_held_by_one_port_cannot_go_to_another()
    {
        var (project, network, subnet) = await NetworkAsync();
        await db.Ports.CreateAsync(Actor.System, project, new PortCreate { NetworkId = network.Id, FixedIps = [new FixedIpRequest(subnet.Id, "10.0.0.7")] });
        var e = await Errors.ExpectAsync(() => db.Ports.CreateAsync(Actor.System, project, new PortCreate
        {
            NetworkId = network.Id, Name = "second", FixedIps = [new FixedIpRequest(null, "10.0.0.7")],
        }), "IpAddressAlreadyAllocated", 409, "10.0.0.7", "«main»");
        Assert.Equal("ip_address", e.Field);
        Assert.Single(await db.Ports.ListAsync(Actor.System, project, network.Id));
    }

    [Fact]
    public async Task A_full_pool_gives_IpAddressGenerationFailure()
    {
        var (project, network, subnet) = await NetworkAsync("10.0.0.0/29"); // gateway .1, pool .2-.6
        for (var i = 0; i < 5; i++) await db.Ports.CreateAsync(Actor.System, project, new PortCreate { NetworkId = network.Id });
        await Errors.ExpectAsync(() => db.Ports.CreateAsync(Actor.System, project, new PortCreate { NetworkId = network.Id }),
            "IpAddressGenerationFailure", 409, "net");
        await Errors.ExpectAsync(() => db.Ports.CreateAsync(Actor.System, project, new PortCreate
        {
            NetworkId = network.Id, FixedIps = [new FixedIpRequest(subnet.Id, null)],
        }), "IpAddressGenerationFailure", 409, "main");
        Assert.Equal(5, (await db.Ports.ListAsync(Actor.System, project, network.Id)).Count);
    }

    [Fact]
    public async Task Addresses_that_are_not_assignable_are_rejected()
    {
        var (project, network, subnet) = await NetworkAsync();
        await Errors.ExpectAsync(() => db.Ports.CreateAsync(Actor.System, project, new PortCreate
        {
            NetworkId = network.Id, FixedIps = [new FixedIpRequest(subnet.Id, "10.0.0.255")],
        }), "InvalidInput", 400, "10.0.0.255");
        await Errors.ExpectAsync(() => db.Ports.CreateAsync(Actor.System, project, new PortCreate
        {
            NetworkId = network.Id, FixedIps = [new FixedIpRequest(subnet.Id, "10.0.0.1")],
        }), "InvalidInput", 400, "10.0.0.1");
        await Errors.ExpectAsync(() => db.Ports.CreateAsync(Actor.System, project, new PortCreate
        {
            NetworkId = network.Id, FixedIps = [new FixedIpRequest(null, "192.168.1.1")],
        }), "InvalidInput", 400, "192.168.1.1", "10.0.0.0/24");
    }

    [Fact]
    public async Task A_subnet_of_another_network_is_not_found_for_a_port()
    {
        var (project, network, _) = await NetworkAsync();
        var other = await db.Networks.CreateAsync(Actor.System, project, new NetworkCreate
        {
            Name = "other", FirstSubnet = new SubnetCreate { Cidr = "10.1.0.0/24", EnableDhcp = false },
        });
        await Errors.ExpectAsync(() => db.Ports.CreateAsync(Actor.System, project, new PortCreate
        {
            NetworkId = network.Id, FixedIps = [new FixedIpRequest(other.Subnets[0].Id, null)],
        }), "SubnetNotFound", 404, other.Subnets[0].Id.ToString());
        Assert.Empty(await db.Ports.ListAsync(Actor.System, project, network.Id));
        Assert.Empty(await db.Ports.ListAsync(Actor.System, project, other.Id));
    }

    [Fact]
    public async Task A_mac_is_unique_within_a_network_only()
    {
        var (project, network, _) = await NetworkAsync();
        await db.Ports.CreateAsync(Actor.System, project, new PortCreate { NetworkId = network.Id, MacAddress = "fa:16:3e:00:00:01" });
        await Errors.ExpectAsync(() => db.Ports.CreateAsync(Actor.System, project, new PortCreate { NetworkId = network.Id, MacAddress = "FA:16:3E:00:00:01" }),
            "MacAddressInUse", 409, "fa:16:3e:00:00:01", "«net»");
        var other = await db.Networks.CreateAsync(Actor.System, project, new NetworkCreate
        {
            Name = "other", FirstSubnet = new SubnetCreate { Cidr = "10.1.0.0/24", EnableDhcp = false },
        });
        var port = await db.Ports.CreateAsync(Actor.System, project, new PortCreate { NetworkId = other.Id, MacAddress = "fa:16:3e:00:00:01" });
        Assert.Equal("fa:16:3e:00:00:01", string.Join(":", port.MacAddress.GetAddressBytes().Select(b => b.ToString("x2"))));
        await Errors.ExpectAsync(() => db.Ports.CreateAsync(Actor.System, project, new PortCreate { NetworkId = network.Id, MacAddress = "not-a-mac" }),
            "InvalidInput", 400, "not-a-mac");
    }

    [Fact]
    public async Task A_network_in_use_names_what_holds_it_and_a_subnet_in_use_too()
    {
        var (project, network, subnet) = await NetworkAsync(dhcp: true);
        await db.Ports.CreateAsync(Actor.System, project, new PortCreate { NetworkId = network.Id, Name = "web-1", FixedIps = [new FixedIpRequest(subnet.Id, "10.0.0.50")] });
        var network1 = await Errors.ExpectAsync(() => db.Networks.DeleteAsync(Actor.System, project, network.Id), "NetworkInUse", 409);
        Assert.Equal("Сеть «net» используется: порт «web-1» (10.0.0.50). Сначала удалите его.", network1.Localize(Errors.Russian));
        Assert.Equal("Network “net” cannot be deleted. There are one or more ports still in use on the network: port “web-1” (10.0.0.50). Delete it first.", network1.Localize(Errors.English));
        var subnet1 = await Errors.ExpectAsync(() => db.Subnets.DeleteAsync(Actor.System, project, subnet.Id), "SubnetInUse", 409);
        Assert.Equal("В подсети «main» занят адрес: порт «web-1» (10.0.0.50). Сначала удалите этот порт.", subnet1.Localize(Errors.Russian));
        Assert.Equal("Subnet “main” has an allocated address: port “web-1” (10.0.0.50). Delete this port first.", subnet1.Localize(Errors.English));

        await db.Ports.CreateAsync(Actor.System, project, new PortCreate { NetworkId = network.Id, FixedIps = [new FixedIpRequest(subnet.Id, "10.0.0.60")] });
        var network2 = await Errors.ExpectAsync(() => db.Networks.DeleteAsync(Actor.System, project, network.Id), "NetworkInUse", 409);
        Assert.Equal("Сеть «net» используется: порт 10.0.0.60, порт «web-1» (10.0.0.50). Сначала удалите их.", network2.Localize(Errors.Russian));
        Assert.Equal("Network “net” cannot be deleted. There are one or more ports still in use on the network: port 10.0.0.60, port “web-1” (10.0.0.50). Delete these first.", network2.Localize(Errors.English));
        var subnet2 = await Errors.ExpectAsync(() => db.Subnets.DeleteAsync(Actor.System, project, subnet.Id), "SubnetInUse", 409);
        Assert.Equal("В подсети «main» заняты адреса: порт 10.0.0.60, порт «web-1» (10.0.0.50). Сначала удалите эти порты.", subnet2.Localize(Errors.Russian));
        Assert.Equal("Subnet “main” has allocated addresses: port 10.0.0.60, port “web-1” (10.0.0.50). Delete these ports first.", subnet2.Localize(Errors.English));
        Assert.Single(await db.Subnets.ListAsync(Actor.System, project, network.Id));
    }

    [Fact]
    public async Task Deleting_a_network_takes_its_system_ports_and_subnets_and_returns_the_quota()
    {
        var project = await db.NewProjectAsync();
        var network = await db.Networks.CreateAsync(Actor.System, project, new NetworkCreate
        {
            Name = "net", InternetAccess = true, FirstSubnet = new SubnetCreate { Cidr = "10.0.0.0/24" },
        });
        var ports = await db.Ports.ListAsync(Actor.System, project, network.Id);
        Assert.Equal([DeviceOwners.Dhcp, DeviceOwners.RouterInterface], ports.Select(p => p.DeviceOwner).Order());
        Assert.Contains(ports, p => p.DeviceOwner == DeviceOwners.RouterInterface && p.FixedIps.Single().IpAddress.ToString() == "10.0.0.1");

        await db.Networks.DeleteAsync(Actor.System, project, network.Id);
        Assert.All(await db.Projects.GetQuotasAsync(Actor.System, project), q => Assert.Equal(0, q.Used));
        await Errors.ExpectAsync(() => db.Networks.GetAsync(Actor.System, project, network.Id), "NetworkNotFound", 404, network.Id.ToString());
    }

    [Fact]
    public async Task System_ports_cannot_be_deleted_by_hand()
    {
        var (project, network, _) = await NetworkAsync(dhcp: true);
        var dhcp = (await db.Ports.ListAsync(Actor.System, project, network.Id)).Single();
        var e = await Errors.ExpectAsync(() => db.Ports.DeleteAsync(Actor.System, project, dhcp.Id), "PortSystemOwned", 409);
        var ip = dhcp.FixedIps.Single().IpAddress;
        Assert.Equal($"Порт {ip} принадлежит устройству «DHCP» и управляется системой; удалить его вручную нельзя.", e.Localize(Errors.Russian));
        // The Neutron API's error body carries this English text.
        Assert.Equal($"Port {ip} belongs to the device “DHCP” and is managed by the system; it cannot be deleted by hand.", e.Localize(Errors.English));
        Assert.Single(await db.Ports.ListAsync(Actor.System, project, network.Id));
    }

    [Fact]
    public async Task A_named_system_port_is_refused_with_its_name_address_and_device()
    {
        var (project, network, _) = await NetworkAsync(dhcp: true);
        var dhcp = (await db.Ports.ListAsync(Actor.System, project, network.Id)).Single();
        await db.Ports.UpdateAsync(Actor.System, project, dhcp.Id, new PortUpdate { Name = "dhcp-a" });
        var e = await Errors.ExpectAsync(() => db.Ports.DeleteAsync(Actor.System, project, dhcp.Id), "PortSystemOwned", 409);
        var ip = dhcp.FixedIps.Single().IpAddress;
        Assert.Equal($"Порт «dhcp-a» ({ip}) принадлежит устройству «DHCP» и управляется системой; удалить его вручную нельзя.", e.Localize(Errors.Russian));
        Assert.Equal($"Port “dhcp-a” ({ip}) belongs to the device “DHCP” and is managed by the system; it cannot be deleted by hand.", e.Localize(Errors.English));
    }

    [Fact]
    public async Task Quotas_stop_creation_and_a_failed_create_leaves_nothing_behind()
    {
        var project = await db.NewProjectAsync();
        await db.Projects.SetQuotaAsync(Actor.System, project, Quotas.Networks, 1);
        await db.Networks.CreateAsync(Actor.System, project, new NetworkCreate { Name = "one" });
        await Errors.ExpectAsync(() => db.Networks.CreateAsync(Actor.System, project, new NetworkCreate { Name = "two" }), "OverQuota", 409, "1");

        await db.Projects.SetQuotaAsync(Actor.System, project, Quotas.Networks, 5);
        await db.Projects.SetQuotaAsync(Actor.System, project, Quotas.Subnets, 0);
        await Errors.ExpectAsync(() => db.Networks.CreateAsync(Actor.System, project, new NetworkCreate
        {
            Name = "three", FirstSubnet = new SubnetCreate { Cidr = "10.3.0.0/24" },
        }), "OverQuota", 409, "0");
        Assert.Equal(["one"], (await db.Networks.ListAsync(Actor.System, project)).Where(n => !n.External).Select(n => n.Name));
        Assert.Equal(0L, await db.ScalarAsync("SELECT count(*) FROM ports WHERE project_id = $1", project));
        Assert.Equal(1, (await db.Projects.GetQuotasAsync(Actor.System, project)).Single(q => q.Resource == Quotas.Networks).Used);
    }

    [Fact]
    public async Task A_limit_lowered_below_the_usage_blocks_creation_until_enough_is_deleted()
    {
        var (project, network, _) = await NetworkAsync();
        var ports = new List<Port>();
        for (var i = 0; i < 4; i++) ports.Add(await db.Ports.CreateAsync(Actor.System, project, new PortCreate { NetworkId = network.Id }));
        await db.Projects.SetQuotaAsync(Actor.System, project, Quotas.Ports, 3);
        await Errors.ExpectAsync(() => db.Ports.CreateAsync(Actor.System, project, new PortCreate { NetworkId = network.Id }), "OverQuota", 409, "3");

        await db.Ports.DeleteAsync(Actor.System, project, ports[0].Id);
        await db.Ports.DeleteAsync(Actor.System, project, ports[1].Id);
        await db.Ports.CreateAsync(Actor.System, project, new PortCreate { NetworkId = network.Id });
        await Errors.ExpectAsync(() => db.Ports.CreateAsync(Actor.System, project, new PortCreate { NetworkId = network.Id }), "OverQuota", 409, "3");
        Assert.Equal(3, (await db.Projects.GetQuotasAsync(Actor.System, project)).Single(q => q.Resource == Quotas.Ports).Used);
    }

    [Fact]
    public async Task Raising_a_limit_gives_exactly_the_new_room()
    {
        var (project, network, _) = await NetworkAsync();
        await db.Projects.SetQuotaAsync(Actor.System, project, Quotas.Ports, 2);
        await db.Ports.CreateAsync(Actor.System, project, new PortCreate { NetworkId = network.Id });
        await db.Ports.CreateAsync(Actor.System, project, new PortCreate { NetworkId = network.Id });
        await Errors.ExpectAsync(() => db.Ports.CreateAsync(Actor.System, project, new PortCreate { NetworkId = network.Id }), "OverQuota", 409, "2");

        await db.Projects.SetQuotaAsync(Actor.System, project, Quotas.Ports, 70);
        for (var i = 0; i < 68; i++) await db.Ports.CreateAsync(Actor.System, project, new PortCreate { NetworkId = network.Id });
        await Errors.ExpectAsync(() => db.Ports.CreateAsync(Actor.System, project, new PortCreate { NetworkId = network.Id }), "OverQuota", 409, "70");
        Assert.Equal(new QuotaView(Quotas.Ports, 70, 70), (await db.Projects.GetQuotasAsync(Actor.System, project)).Single(q => q.Resource == Quotas.Ports));
    }

    [Fact]
    public async Task Services_access_needs_shadowport_no_internet_and_cannot_be_turned_off()
    {
        var plain = await db.NewProjectAsync();
        await Errors.ExpectAsync(() => db.Networks.CreateAsync(Actor.System, plain, new NetworkCreate { Name = "s", ServicesAccess = true }),
            "Conflict", 409, plain);

        var shadow = await db.NewProjectAsync(shadowport: true);
        await Errors.ExpectAsync(() => db.Networks.CreateAsync(Actor.System, shadow, new NetworkCreate { Name = "s", ServicesAccess = true, InternetAccess = true }),
            "Conflict", 409);
        var network = await db.Networks.CreateAsync(Actor.System, shadow, new NetworkCreate { Name = "s", ServicesAccess = true });
        await Errors.ExpectAsync(() => db.Networks.UpdateAsync(Actor.System, shadow, network.Id, new NetworkUpdate { ServicesAccess = false }), "Conflict", 409);
        Assert.True((await db.Networks.GetAsync(Actor.System, shadow, network.Id)).ServicesAccess);
    }

    [Fact]
    public async Task Texts_with_nul_or_over_their_column_are_refused_before_the_database()
    {
        var (project, network, subnet) = await NetworkAsync();
        var port = await db.Ports.CreateAsync(Actor.System, project, new PortCreate { NetworkId = network.Id, Name = "p" });
        const string nul = "a\0b";
        var longText = new string('x', 1025);
        await Errors.ExpectAsync(() => db.Networks.CreateAsync(Actor.System, project, new NetworkCreate { Name = nul }), "InvalidInput", 400);
        await Errors.ExpectAsync(() => db.Networks.CreateAsync(Actor.System, project, new NetworkCreate { Name = "d", Description = nul }), "InvalidInput", 400);
        await Errors.ExpectAsync(() => db.Networks.CreateAsync(Actor.System, project, new NetworkCreate { Name = "d", Description = longText }), "InvalidInput", 400, "1024");
        await Errors.ExpectAsync(() => db.Networks.UpdateAsync(Actor.System, project, network.Id, new NetworkUpdate { Description = nul }), "InvalidInput", 400);
        await Errors.ExpectAsync(() => db.Subnets.CreateAsync(Actor.System, project, network.Id, new SubnetCreate { Name = nul, Cidr = "10.9.0.0/24" }), "InvalidInput", 400);
        await Errors.ExpectAsync(() => db.Ports.CreateAsync(Actor.System, project, new PortCreate { NetworkId = network.Id, Name = nul }), "InvalidInput", 400);
        await Errors.ExpectAsync(() => db.Ports.CreateAsync(Actor.System, project, new PortCreate { NetworkId = network.Id, DnsName = new string('x', 256) }), "InvalidInput", 400, "255");
        await Errors.ExpectAsync(() => db.Ports.UpdateAsync(Actor.System, project, port.Id, new PortUpdate { DnsName = nul }), "InvalidInput", 400);

        Assert.Equal(["net"], (await db.Networks.ListAsync(Actor.System, project)).Where(n => !n.External).Select(n => n.Name));
        Assert.Equal([subnet.Id], (await db.Subnets.ListAsync(Actor.System, project, network.Id)).Select(s => s.Id));
        Assert.Equal(["p"], (await db.Ports.ListAsync(Actor.System, project, network.Id)).Where(p => p.DeviceOwner == DeviceOwners.User).Select(p => p.Name));
        Assert.Equal("", (await db.Networks.GetAsync(Actor.System, project, network.Id)).Description);
        Assert.Equal("", (await db.Ports.GetAsync(Actor.System, project, port.Id)).DnsName);
    }

    [Fact]
    public async Task Mtu_and_name_are_checked()
    {
        var project = await db.NewProjectAsync();
        await Errors.ExpectAsync(() => db.Networks.CreateAsync(Actor.System, project, new NetworkCreate { Name = "m", Mtu = 67 }), "InvalidInput", 400, "67");
        await Errors.ExpectAsync(() => db.Networks.CreateAsync(Actor.System, project, new NetworkCreate { Name = "m", Mtu = 9001 }), "InvalidInput", 400, "9001");
        await Errors.ExpectAsync(() => db.Networks.CreateAsync(Actor.System, project, new NetworkCreate { Name = "  " }), "InvalidInput", 400);
        Assert.DoesNotContain(await db.Networks.ListAsync(Actor.System, project), n => !n.External);
    }

    [Fact]
    public async Task Provider_networks_are_visible_but_read_only()
    {
        await db.Services.GetRequiredService<DemoData>().SeedAsync();
        var project = await db.NewProjectAsync();
        var ext = (await db.Networks.ListAsync(Actor.System, project)).Single(n => n.External && n.Name == "ext-net");
        Assert.Equal("203.0.113.0/24", ext.Subnets.Single().Cidr.ToString());
        await Errors.ExpectAsync(() => db.Networks.DeleteAsync(Actor.System, project, ext.Id), "Forbidden", 403, "ext-net");
        await Errors.ExpectAsync(() => db.Networks.UpdateAsync(Actor.System, project, ext.Id, new NetworkUpdate { Name = "mine" }), "Forbidden", 403, "ext-net");
        await Errors.ExpectAsync(() => db.Ports.CreateAsync(Actor.System, project, new PortCreate { NetworkId = ext.Id }), "Conflict", 409, "ext-net");
    }
}
