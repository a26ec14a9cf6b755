using System.Net;
using System.Net.Sockets;
using Portal.Core.Ip;
using static Portal.Core.Tests.NeutronAssert;

namespace Portal.Core.Tests.Ip;

public class ParsingTests
{
    [Theory]
    [InlineData("10.0.0.1", "10.0.0.1")]
    [InlineData("  192.168.1.254 ", "192.168.1.254")]
    [InlineData("0.0.0.0", "0.0.0.0")]
    [InlineData("255.255.255.255", "255.255.255.255")]
    [InlineData("2001:db8::1", "2001:db8::1")]
    [InlineData("2001:DB8:0:0:0:0:0:1", "2001:db8::1")]
    [InlineData("::", "::")]
    [InlineData("::ffff:10.0.0.1", "::ffff:10.0.0.1")]
    public void ParseAddress_AcceptsCanonicalForms(string text, string expected)
    {
        Assert.Equal(IPAddress.Parse(expected), IpMath.ParseAddress(text));
    }

    [Theory]
    [InlineData("", "IpAddressRequired", "Enter an IP address", "Укажите IP-адрес")]
    [InlineData("   ", "IpAddressRequired", "Enter an IP address", "Укажите IP-адрес")]
    [InlineData("10.1", "IpAddressIncomplete", "“10.1” is not a complete IPv4 address|four numbers", "«10.1» — неполный IPv4-адрес|четыре числа")]
    [InlineData("10", "IpAddressIncomplete", "“10”", "«10»")]
    [InlineData("10.0.0.256", "IpAddressInvalid", "“10.0.0.256” is not a valid IP address", "«10.0.0.256» — некорректный IP-адрес")]
    [InlineData("10.0.0.1.5", "IpAddressInvalid", "“10.0.0.1.5”", "«10.0.0.1.5»")]
    [InlineData("10..0.1", "IpAddressInvalid", "“10..0.1”", "«10..0.1»")]
    [InlineData("0x0a.0.0.1", "IpAddressInvalid", "“0x0a.0.0.1”", "«0x0a.0.0.1»")]
    [InlineData("10.0.0.-1", "IpAddressInvalid", "“10.0.0.-1”", "«10.0.0.-1»")]
    [InlineData("router", "IpAddressInvalid", "“router”", "«router»")]
    [InlineData("10.0. 0.1", "IpAddressInvalid", "“10.0. 0.1”", "«10.0. 0.1»")]
    [InlineData("010.0.0.1", "IpAddressLeadingZeros", "“010.0.0.1” has leading zeros|Did you mean 10.0.0.1?", "ведущие нули|имели в виду 10.0.0.1?")]
    [InlineData("2001:db8::g", "IpAddressInvalid", "“2001:db8::g”", "«2001:db8::g»")]
    [InlineData("1::2::3", "IpAddressInvalid", "“1::2::3”", "«1::2::3»")]
    [InlineData("[::1]", "IpAddressInvalid", "“[::1]”", "«[::1]»")]
    [InlineData("[::1]:80", "IpAddressInvalid", "“[::1]:80”", "«[::1]:80»")]
    [InlineData("fe80::1%eth0", "IpAddressScopeId", "“fe80::1%eth0” has a zone index", "В «fe80::1%eth0» указан индекс зоны")]
    public void ParseAddress_RejectsWithMessageNamingTheText(string text, string key, string english, string russian)
    {
        var ex = Throws(() => IpMath.ParseAddress(text, "gateway_ip"), "InvalidInput", 400, "gateway_ip", Fragments(english), Fragments(russian));
        Assert.Equal(key, ex.MessageKey);
    }

    [Fact]
    public void ParseAddress_DefaultsToTheIpAddressField()
    {
        var ex = Assert.Throws<Portal.Core.Errors.NeutronException>(() => IpMath.ParseAddress("x"));
        Assert.Equal("ip_address", ex.Field);
    }

    [Theory]
    [InlineData("10.0.0.0/24", "10.0.0.0", 24)]
    [InlineData(" 10.0.0.0/8 ", "10.0.0.0", 8)]
    [InlineData("0.0.0.0/0", "0.0.0.0", 0)]
    [InlineData("10.0.0.7/32", "10.0.0.7", 32)]
    [InlineData("2001:db8::/64", "2001:db8::", 64)]
    [InlineData("::/0", "::", 0)]
    [InlineData("2001:db8::1/128", "2001:db8::1", 128)]
    [InlineData("::ffff:10.0.0.0/120", "::ffff:10.0.0.0", 120)]
    public void ParseCidr_AcceptsNetworkAddresses(string text, string address, int prefix)
    {
        Assert.Equal(new IPNetwork(IPAddress.Parse(address), prefix), IpMath.ParseCidr(text));
    }

    [Theory]
    [InlineData("10.0.0.5/24", "CidrNotNetworkAddress", "10.0.0.5/24 is not a network address. Did you mean 10.0.0.0/24?", "10.0.0.5/24 — не адрес сети. Возможно, вы имели в виду 10.0.0.0/24?")]
    [InlineData("192.168.1.1/16", "CidrNotNetworkAddress", "Did you mean 192.168.0.0/16?", "имели в виду 192.168.0.0/16?")]
    [InlineData("2001:db8::1/64", "CidrNotNetworkAddress", "2001:db8::1/64 is not a network address. Did you mean 2001:db8::/64?", "имели в виду 2001:db8::/64?")]
    [InlineData("10.0.0.0", "CidrPrefixMissing", "“10.0.0.0” has no prefix length|e.g. 10.0.0.0/24", "не указана длина префикса|например 10.0.0.0/24")]
    [InlineData("2001:db8::5", "CidrPrefixMissing", "e.g. 2001:db8::/64", "например 2001:db8::/64")]
    [InlineData("10.0.0.0/33", "CidrPrefixInvalid", "“10.0.0.0/33” has an invalid prefix length “33”; IPv4 allows /0 to /32", "недопустимая длина префикса «33»: для IPv4 допустимо от /0 до /32")]
    [InlineData("2001:db8::/129", "CidrPrefixInvalid", "IPv6 allows /0 to /128", "для IPv6 допустимо от /0 до /128")]
    [InlineData("10.0.0.0/", "CidrPrefixInvalid", "“10.0.0.0/”", "«10.0.0.0/»")]
    [InlineData("10.0.0.0/-1", "CidrPrefixInvalid", "“-1”", "«-1»")]
    [InlineData("10.0.0.0/24/8", "CidrPrefixInvalid", "“24/8”", "«24/8»")]
    [InlineData("10.0.0.0/ 24", "CidrPrefixInvalid", "“10.0.0.0/ 24”", "«10.0.0.0/ 24»")]
    [InlineData("10.0.0.0/255.255.0.255", "CidrPrefixInvalid", "“255.255.0.255”", "«255.255.0.255»")]
    [InlineData("2001:db8::/ffff::", "CidrPrefixInvalid", "“ffff::”", "«ffff::»")]
    [InlineData("10.0.0.0/255.255.255.0", "CidrNetmask", "uses a netmask|Did you mean 10.0.0.0/24?", "маска сети|имели в виду 10.0.0.0/24?")]
    [InlineData("10.0.0.9/255.255.255.0", "CidrNetmask", "Did you mean 10.0.0.0/24?", "имели в виду 10.0.0.0/24?")]
    [InlineData("", "CidrRequired", "Enter a CIDR", "Укажите CIDR")]
    [InlineData("10.1/16", "IpAddressIncomplete", "“10.1”", "«10.1»")]
    [InlineData("net/24", "IpAddressInvalid", "“net”", "«net»")]
    [InlineData("10.0.0.0 /24", "IpAddressInvalid", "“10.0.0.0 ”", "«10.0.0.0 »")]
    [InlineData("fe80::%eth0/64", "IpAddressScopeId", "“fe80::%eth0”", "«fe80::%eth0»")]
    public void ParseCidr_RejectsWithActionableMessage(string text, string key, string english, string russian)
    {
        var ex = Throws(() => IpMath.ParseCidr(text), "InvalidInput", 400, "cidr", Fragments(english), Fragments(russian));
        Assert.Equal(key, ex.MessageKey);
    }

    [Fact]
    public void ParseCidr_ReportsTheFieldItWasGiven()
    {
        var ex = Assert.Throws<Portal.Core.Errors.NeutronException>(() => IpMath.ParseCidr("10.0.0.1/8", "host_routes"));
        Assert.Equal("host_routes", ex.Field);
    }

    [Theory]
    [InlineData("10.0.0.5/24", "10.0.0.0/24")]
    [InlineData(" 10.0.0.0/24 ", "10.0.0.0/24")]
    [InlineData("172.16.9.1/12", "172.16.0.0/12")]
    [InlineData("10.0.0.9/255.255.255.0", "10.0.0.0/24")]
    [InlineData("2001:db8::abcd/48", "2001:db8::/48")]
    [InlineData("10.0.0.5/32", "10.0.0.5/32")]
    public void TryNormalize_MasksHostBits(string text, string expected)
    {
        Assert.True(IpMath.TryNormalize(text, out var normalized));
        Assert.Equal(IPNetwork.Parse(expected), normalized);
    }

    [Theory]
    [InlineData("")]
    [InlineData("10.0.0.5")]
    [InlineData("10.0.0.0/33")]
    [InlineData("garbage/24")]
    [InlineData("10.1/8")]
    public void TryNormalize_FailsWithoutThrowing(string text)
    {
        Assert.False(IpMath.TryNormalize(text, out _));
    }

    [Theory]
    [InlineData("10.0.0.2-10.0.0.50", "10.0.0.2", "10.0.0.50")]
    [InlineData("10.0.0.2 – 10.0.0.50", "10.0.0.2", "10.0.0.50")]
    [InlineData(" 10.0.0.7-10.0.0.7 ", "10.0.0.7", "10.0.0.7")]
    [InlineData("2001:db8::10-2001:db8::ff", "2001:db8::10", "2001:db8::ff")]
    public void IpRangeParse_AcceptsHyphenAndEnDash(string text, string first, string last)
    {
        Assert.Equal(new IpRange(IPAddress.Parse(first), IPAddress.Parse(last)), IpRange.Parse(text));
    }

    [Theory]
    [InlineData("10.0.0.2", "IpRangeInvalid", "“10.0.0.2” is not an address range|first-last", "«10.0.0.2» — не диапазон адресов|первый-последний")]
    [InlineData("10.0.0.2-", "IpRangeInvalid", "“10.0.0.2-”", "«10.0.0.2-»")]
    [InlineData("10.0.0.2-10.0.0.3-10.0.0.4", "IpRangeInvalid", "“10.0.0.2-10.0.0.3-10.0.0.4”", "«10.0.0.2-10.0.0.3-10.0.0.4»")]
    [InlineData("10.0.0.2-10.0.1", "IpAddressIncomplete", "“10.0.1”", "«10.0.1»")]
    public void IpRangeParse_RejectsMalformedText(string text, string key, string english, string russian)
    {
        var ex = Throws(() => IpRange.Parse(text), "InvalidInput", 400, "allocation_pools", Fragments(english), Fragments(russian));
        Assert.Equal(key, ex.MessageKey);
    }

    [Theory]
    [InlineData("10.0.0.50-10.0.0.2", "AllocationPoolReversed", "10.0.0.50-10.0.0.2 starts after it ends. Did you mean 10.0.0.2-10.0.0.50?", "Пул адресов 10.0.0.50-10.0.0.2 начинается после своего конца|10.0.0.2-10.0.0.50")]
    [InlineData("10.0.0.2-2001:db8::1", "AllocationPoolMixedFamilies", "10.0.0.2-2001:db8::1 mixes IPv4 and IPv6", "10.0.0.2-2001:db8::1 смешивает IPv4 и IPv6")]
    public void IpRangeParse_RejectsReversedOrMixedPools(string text, string key, string english, string russian)
    {
        var ex = Throws(() => IpRange.Parse(text), "InvalidAllocationPool", 400, "allocation_pools", Fragments(english), Fragments(russian));
        Assert.Equal(key, ex.MessageKey);
    }

    [Fact]
    public void HostRouteParse_SuggestsTheNetworkAddressForADestination()
    {
        Throws(
            () => HostRoute.Parse("192.168.5.1/24", "10.0.0.1"), "InvalidInput", 400, "host_routes",
            ["192.168.5.1/24 is not a network address. Did you mean 192.168.5.0/24?"], ["имели в виду 192.168.5.0/24?"]);
    }

    [Fact]
    public void HostRouteParse_ReadsDestinationAndNextHop()
    {
        var route = HostRoute.Parse("192.168.5.0/24", " 10.0.0.1 ");

        Assert.Equal(new HostRoute(IPNetwork.Parse("192.168.5.0/24"), IPAddress.Parse("10.0.0.1")), route);
        Assert.Equal(AddressFamily.InterNetwork, route.NextHop.AddressFamily);
    }
}
