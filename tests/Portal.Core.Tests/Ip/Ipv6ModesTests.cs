using System.Net;
using System.Net.NetworkInformation;
using Portal.Core.Ip;
using static Portal.Core.Tests.NeutronAssert;

namespace Portal.Core.Tests.Ip;

public class Ipv6ModesTests
{
    [Theory]
    [InlineData("2001:db8::/64", null, null)]
    [InlineData("2001:db8::/64", "slaac", "slaac")]
    [InlineData("2001:db8::/64", "dhcpv6-stateless", "dhcpv6-stateless")]
    [InlineData("2001:db8::/64", null, "slaac")]
    [InlineData("2001:db8::/64", "slaac", null)]
    [InlineData("2001:db8::/56", "dhcpv6-stateful", "dhcpv6-stateful")]
    [InlineData("2001:db8::/120", null, "dhcpv6-stateful")]
    [InlineData("10.0.0.0/24", null, null)]
    public void NeutronsValidCombinationsPass(string cidr, string? ra, string? address)
    {
        Ipv6Modes.Validate(IPNetwork.Parse(cidr), ra, address);
    }

    [Theory]
    [InlineData("dhcpv6-stateless", "dhcpv6-stateful")]
    [InlineData("dhcpv6-stateless", "slaac")]
    [InlineData("slaac", "dhcpv6-stateful")]
    [InlineData("dhcpv6-stateful", "dhcpv6-stateless")]
    [InlineData("dhcpv6-stateful", "slaac")]
    [InlineData("slaac", "dhcpv6-stateless")]
    public void TwoDifferentModesAreRefused(string ra, string address)
    {
        Throws(() => Ipv6Modes.Validate(IPNetwork.Parse("2001:db8::/64"), ra, address), "InvalidInput", 400, "ipv6_address_mode",
            [$"ipv6_ra_mode set to '{ra}' with ipv6_address_mode set to '{address}' is not valid"], ["должны совпадать"]);
    }

    [Fact]
    public void ModesAreRefusedOnIpv4AndUnknownModesAnywhere()
    {
        Throws(() => Ipv6Modes.Validate(IPNetwork.Parse("10.0.0.0/24"), null, "slaac"), "InvalidInput", 400, "ipv6_address_mode",
            ["ipv6_address_mode is not valid when ip_version is 4"], ["ip_version 4"]);
        Throws(() => Ipv6Modes.Validate(IPNetwork.Parse("2001:db8::/64"), "auto", null), "InvalidInput", 400, "ipv6_ra_mode",
            ["'auto' is not a valid ipv6_ra_mode", "dhcpv6-stateful, dhcpv6-stateless, slaac"], ["«auto»"]);
    }

    [Theory]
    [InlineData("2001:db8::/56", null, "slaac")]
    [InlineData("2001:db8::/80", "dhcpv6-stateless", "dhcpv6-stateless")]
    [InlineData("2001:db8::/120", "slaac", null)]
    public void AutomaticAddressesNeedASlash64(string cidr, string? ra, string? address)
    {
        Throws(() => Ipv6Modes.Validate(IPNetwork.Parse(cidr), ra, address), "InvalidInput", 400, "cidr",
            [$"Invalid CIDR {cidr} for IPv6 address mode", "/64"], ["/64"]);
    }

    [Theory]
    // The values of tempest's own helper (netutils.get_ipv6_addr_by_EUI64) and of RFC 4291's appendix.
    [InlineData("2001:db8::/64", "00:16:3e:33:44:55", "2001:db8::216:3eff:fe33:4455")]
    [InlineData("2001:db8:30:1::/64", "fa:16:3e:00:00:01", "2001:db8:30:1:f816:3eff:fe00:1")]
    [InlineData("fd00:1:2:3::/64", "02:00:00:00:00:00", "fd00:1:2:3::ff:fe00:0")]
    [InlineData("2001:db8::/64", "ff:ff:ff:ff:ff:ff", "2001:db8::fdff:ffff:feff:ffff")]
    public void Eui64IsThePrefixWithTheMacAroundFffeAndItsLocalBitInverted(string prefix, string mac, string expected)
    {
        var address = Ipv6Modes.Eui64(IPNetwork.Parse(prefix), PhysicalAddress.Parse(mac.Replace(':', '-')).GetAddressBytes());
        Assert.Equal(IPAddress.Parse(expected), address);
    }

    [Theory]
    [InlineData("slaac", true)]
    [InlineData("dhcpv6-stateless", true)]
    [InlineData("dhcpv6-stateful", false)]
    [InlineData(null, false)]
    public void SlaacAndStatelessAreTheAutomaticAddressModes(string? mode, bool automatic)
    {
        Assert.Equal(automatic, Ipv6Modes.IsAutoAddress(mode));
    }
}
