using System.Net;
using System.Net.NetworkInformation;
using Portal.Core.Ip;
using Portal.Data.Entities;
using Portal.Data.Services;

namespace Portal.Data.Tests;

/// <summary>
/// Neutron's IPv6 address modes on the real database: SLAAC and DHCPv6-stateless subnets give every port its EUI-64
/// address (made by the database from the port's MAC), stateful ones an address from the pools, and a SLAAC subnet
/// leaves with its addresses while the ports stay.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class Ipv6AddressingTests(DatabaseFixture db)
{
    [Theory]
    [InlineData("slaac", "slaac")]
    [InlineData("dhcpv6-stateless", "dhcpv6-stateless")]
    [InlineData(null, "slaac")]
    public async Task A_port_on_an_automatic_subnet_gets_its_eui64_address(string? ra, string address)
    {
        var project = await db.NewProjectAsync();
        var network = await db.Networks.CreateAsync(Actor.System, project, new NetworkCreate { Name = "v6" });
        var subnet = await db.Subnets.CreateAsync(Actor.System, project, network.Id,
            new SubnetCreate { Cidr = "2001:db8:40::/64", Ipv6RaMode = ra, Ipv6AddressMode = address });
        Assert.Equal((ra, address), (subnet.Ipv6RaMode, subnet.Ipv6AddressMode));

        foreach (var mac in new[] { "fa:16:3e:12:34:56", "00:16:3e:33:44:55", "fe:ff:ff:00:00:01" })
        {
            var port = await db.Ports.CreateAsync(Actor.System, project, new PortCreate { NetworkId = network.Id, MacAddress = mac });
            var expected = Ipv6Modes.Eui64(subnet.Cidr, PhysicalAddress.Parse(mac.Replace(':', '-')).GetAddressBytes());
            Assert.Equal(expected, Assert.Single(port.FixedIps).IpAddress);
        }
        // Named by its subnet, the address is the EUI-64 one too; asked for by address, it is refused.
        var named = await db.Ports.CreateAsync(Actor.System, project,
            new PortCreate { NetworkId = network.Id, MacAddress = "fa:16:3e:00:00:07", FixedIps = [new FixedIpRequest(subnet.Id, null)] });
        Assert.Equal(IPAddress.Parse("2001:db8:40:0:f816:3eff:fe00:7"), Assert.Single(named.FixedIps).IpAddress);
        await Errors.ExpectAsync(() => db.Ports.CreateAsync(Actor.System, project,
            new PortCreate { NetworkId = network.Id, FixedIps = [new FixedIpRequest(subnet.Id, "2001:db8:40::99")] }), "InvalidInput", 400, "2001:db8:40::99");
    }

    [Fact]
    public async Task A_port_on_a_dual_stack_network_gets_an_ipv4_a_stateful_and_every_eui64_address()
    {
        var project = await db.NewProjectAsync();
        var network = await db.Networks.CreateAsync(Actor.System, project, new NetworkCreate { Name = "dual" });
        var slaac = await db.Subnets.CreateAsync(Actor.System, project, network.Id,
            new SubnetCreate { Cidr = "2001:db8:41::/64", Ipv6RaMode = Ipv6Modes.Slaac, Ipv6AddressMode = Ipv6Modes.Slaac });
        var stateful = await db.Subnets.CreateAsync(Actor.System, project, network.Id,
            new SubnetCreate { Cidr = "2001:db8:41:1::/64", Ipv6AddressMode = Ipv6Modes.Stateful });
        var v4 = await db.Subnets.CreateAsync(Actor.System, project, network.Id, new SubnetCreate { Cidr = "10.41.0.0/24" });

        var port = await db.Ports.CreateAsync(Actor.System, project, new PortCreate { NetworkId = network.Id, MacAddress = "fa:16:3e:aa:bb:cc" });
        var bySubnet = port.FixedIps.ToDictionary(f => f.SubnetId, f => f.IpAddress.ToString());
        Assert.Equal(3, bySubnet.Count);
        Assert.Equal("2001:db8:41:0:f816:3eff:feaa:bbcc", bySubnet[slaac.Id]);
        Assert.True(IpMath.Contains(stateful.Cidr, IPAddress.Parse(bySubnet[stateful.Id])));
        Assert.NotEqual("2001:db8:41:1:f816:3eff:feaa:bbcc", bySubnet[stateful.Id]);
        Assert.True(IpMath.Contains(v4.Cidr, IPAddress.Parse(bySubnet[v4.Id])));
    }

    [Fact]
    public async Task A_slaac_subnet_is_deleted_with_its_addresses_and_the_ports_stay()
    {
        var project = await db.NewProjectAsync();
        var network = await db.Networks.CreateAsync(Actor.System, project, new NetworkCreate { Name = "slaac" });
        var subnet = await db.Subnets.CreateAsync(Actor.System, project, network.Id,
            new SubnetCreate { Cidr = "2001:db8:42::/64", Ipv6RaMode = Ipv6Modes.Slaac, Ipv6AddressMode = Ipv6Modes.Slaac });
        var port = await db.Ports.CreateAsync(Actor.System, project, new PortCreate { NetworkId = network.Id, Name = "vm" });
        Assert.Single(port.FixedIps);

        await db.Subnets.DeleteAsync(Actor.System, project, subnet.Id);
        var kept = await db.Ports.GetAsync(Actor.System, project, port.Id);
        Assert.Empty(kept.FixedIps);
        await Errors.ExpectAsync(() => db.Networks.DeleteAsync(Actor.System, project, network.Id), "NetworkInUse", 409, "vm");

        // A stateful subnet with the same port is still refused, as before.
        var stateful = await db.Subnets.CreateAsync(Actor.System, project, network.Id,
            new SubnetCreate { Cidr = "2001:db8:42:1::/64", Ipv6AddressMode = Ipv6Modes.Stateful });
        await db.Ports.CreateAsync(Actor.System, project, new PortCreate { NetworkId = network.Id, Name = "db" });
        await Errors.ExpectAsync(() => db.Subnets.DeleteAsync(Actor.System, project, stateful.Id), "SubnetInUse", 409, "db");
    }

    [Fact]
    public async Task The_database_refuses_modes_on_an_ipv4_subnet()
    {
        var project = await db.NewProjectAsync();
        var network = await db.Networks.CreateAsync(Actor.System, project, new NetworkCreate { Name = "v4", FirstSubnet = new SubnetCreate { Cidr = "10.43.0.0/24" } });
        var e = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => db.ScalarAsync(
            "UPDATE subnets SET ipv6_address_mode = 'slaac' WHERE network_id = $1", network.Id));
        Assert.Equal("ck_subnets_ipv6_modes", e.ConstraintName);
    }
}
