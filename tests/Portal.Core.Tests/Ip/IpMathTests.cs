using System.Net;
using System.Net.Sockets;
using System.Numerics;
using Portal.Core.Ip;

namespace Portal.Core.Tests.Ip;

public class IpMathTests
{
    private static IPNetwork Net(string cidr) => IPNetwork.Parse(cidr);

    private static IPAddress Ip(string address) => IPAddress.Parse(address);

    [Theory]
    [InlineData("10.0.0.0/24", "10.0.0.0", "10.0.0.255", "256")]
    [InlineData("10.0.0.4/30", "10.0.0.4", "10.0.0.7", "4")]
    [InlineData("10.0.0.4/31", "10.0.0.4", "10.0.0.5", "2")]
    [InlineData("10.0.0.4/32", "10.0.0.4", "10.0.0.4", "1")]
    [InlineData("0.0.0.0/0", "0.0.0.0", "255.255.255.255", "4294967296")]
    [InlineData("2001:db8::/64", "2001:db8::", "2001:db8::ffff:ffff:ffff:ffff", "18446744073709551616")]
    [InlineData("2001:db8::/127", "2001:db8::", "2001:db8::1", "2")]
    [InlineData("2001:db8::5/128", "2001:db8::5", "2001:db8::5", "1")]
    [InlineData("::/0", "::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "340282366920938463463374607431768211456")]
    public void FirstLastCount(string cidr, string first, string last, string count)
    {
        var n = Net(cidr);

        Assert.Equal(Ip(first), IpMath.First(n));
        Assert.Equal(Ip(last), IpMath.Last(n));
        Assert.Equal(BigInteger.Parse(count), IpMath.Count(n));
    }

    [Fact]
    public void Ipv6Slash64HoldsTwoToThe64Addresses()
    {
        Assert.Equal(BigInteger.Pow(2, 64), IpMath.Count(Net("fd00:1:2:3::/64")));
    }

    [Theory]
    [InlineData("10.0.0.0/24", "10.0.0.1-10.0.0.254", "254")]
    [InlineData("10.0.0.0/30", "10.0.0.1-10.0.0.2", "2")]
    [InlineData("10.0.0.0/31", "10.0.0.0-10.0.0.1", "2")]
    [InlineData("10.0.0.9/32", "10.0.0.9-10.0.0.9", "1")]
    [InlineData("2001:db8::/64", "2001:db8::1-2001:db8::ffff:ffff:ffff:ffff", "18446744073709551615")]
    [InlineData("2001:db8::/127", "2001:db8::1-2001:db8::1", "1")]
    [InlineData("2001:db8::/126", "2001:db8::1-2001:db8::3", "3")]
    public void UsableRange(string cidr, string range, string count)
    {
        Assert.Equal(IpRange.Parse(range), IpMath.UsableRange(Net(cidr)));
        Assert.Equal(BigInteger.Parse(count), IpMath.UsableCount(Net(cidr)));
    }

    [Fact]
    public void UsableRangeOfAnIpv6HostRouteIsEmpty()
    {
        Assert.Null(IpMath.UsableRange(Net("2001:db8::1/128")));
        Assert.Equal(BigInteger.Zero, IpMath.UsableCount(Net("2001:db8::1/128")));
    }

    [Theory]
    [InlineData("10.0.0.0/24", "10.0.0.0", true)]
    [InlineData("10.0.0.0/24", "10.0.0.255", true)]
    [InlineData("10.0.0.0/24", "10.0.0.1", false)]
    [InlineData("10.0.0.0/24", "10.0.1.0", false)]
    [InlineData("10.0.0.0/31", "10.0.0.0", false)]
    [InlineData("10.0.0.0/31", "10.0.0.1", false)]
    [InlineData("10.0.0.0/32", "10.0.0.0", false)]
    [InlineData("2001:db8::/64", "2001:db8::", true)]
    [InlineData("2001:db8::/64", "2001:db8::ffff:ffff:ffff:ffff", false)]
    [InlineData("2001:db8::/128", "2001:db8::", true)]
    [InlineData("10.0.0.0/24", "::ffff:10.0.0.0", false)]
    public void IsNetworkOrBroadcast(string cidr, string address, bool expected)
    {
        Assert.Equal(expected, IpMath.IsNetworkOrBroadcast(Net(cidr), Ip(address)));
    }

    [Theory]
    [InlineData("10.0.0.0/24", "10.0.0.77", true)]
    [InlineData("10.0.0.0/24", "10.0.1.0", false)]
    [InlineData("10.0.0.0/24", "::ffff:10.0.0.77", false)]
    [InlineData("::ffff:10.0.0.0/120", "10.0.0.77", false)]
    [InlineData("2001:db8::/32", "2001:db8:ffff::1", true)]
    [InlineData("::/0", "10.0.0.1", false)]
    [InlineData("0.0.0.0/0", "::", false)]
    public void ContainsAddress_KeepsFamiliesApart(string cidr, string address, bool expected)
    {
        Assert.Equal(expected, IpMath.Contains(Net(cidr), Ip(address)));
    }

    [Theory]
    [InlineData("10.0.0.0/16", "10.0.5.0/24", true, true)]
    [InlineData("10.0.5.0/24", "10.0.0.0/16", true, false)]
    [InlineData("10.0.0.0/24", "10.0.1.0/24", false, false)]
    [InlineData("10.0.0.0/24", "10.0.0.0/24", true, true)]
    [InlineData("0.0.0.0/0", "::/0", false, false)]
    [InlineData("2001:db8::/48", "2001:db8:0:1::/64", true, true)]
    public void OverlapsAndContainsNetworks(string a, string b, bool overlaps, bool aContainsB)
    {
        Assert.Equal(overlaps, IpMath.Overlaps(Net(a), Net(b)));
        Assert.Equal(aContainsB, IpMath.Contains(Net(a), Net(b)));
    }

    [Theory]
    [InlineData("10.0.0.255", "10.0.1.0")]
    [InlineData("2001:db8::ffff", "2001:db8::1:0")]
    public void NextAndPrevious(string lower, string upper)
    {
        Assert.Equal(Ip(upper), IpMath.Next(Ip(lower)));
        Assert.Equal(Ip(lower), IpMath.Previous(Ip(upper)));
    }

    [Fact]
    public void NextAndPreviousStopAtTheEdgesOfEachFamily()
    {
        Assert.Null(IpMath.Next(Ip("255.255.255.255")));
        Assert.Null(IpMath.Next(Ip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")));
        Assert.Null(IpMath.Previous(Ip("0.0.0.0")));
        Assert.Null(IpMath.Previous(Ip("::")));
    }

    [Fact]
    public void AddCarriesAcrossOctetsAndThrowsPastTheTop()
    {
        Assert.Equal(Ip("10.0.1.4"), IpMath.Add(Ip("10.0.0.250"), 10));
        Assert.Equal(Ip("2001:db8::1:0:0:0"), IpMath.Add(Ip("2001:db8::ffff:ffff:ffff"), 1));
        Assert.Equal(Ip("255.255.255.255"), IpMath.Add(Ip("255.255.255.0"), 255));
        Assert.Throws<OverflowException>(() => IpMath.Add(Ip("255.255.255.0"), 256));
        Assert.Throws<OverflowException>(() => IpMath.Add(Ip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fff0"), 16));
    }

    [Fact]
    public void UInt128RoundTripsInBothFamilies()
    {
        Assert.Equal((UInt128)0x0A000001, IpMath.ToUInt128(Ip("10.0.0.1")));
        Assert.Equal(Ip("10.0.0.1"), IpMath.FromUInt128(0x0A000001, AddressFamily.InterNetwork));
        Assert.Equal(new UInt128(0x20010db800000000, 1), IpMath.ToUInt128(Ip("2001:db8::1")));
        Assert.Equal(Ip("2001:db8::1"), IpMath.FromUInt128(new UInt128(0x20010db800000000, 1), AddressFamily.InterNetworkV6));
        Assert.Throws<ArgumentOutOfRangeException>(() => IpMath.FromUInt128((UInt128)uint.MaxValue + 1, AddressFamily.InterNetwork));
        Assert.Throws<ArgumentException>(() => IpMath.FromUInt128(1, AddressFamily.Unix));
    }

    [Theory]
    [InlineData("10.0.0.1", "10.0.0.2", -1)]
    [InlineData("10.0.0.2", "10.0.0.2", 0)]
    [InlineData("10.0.1.0", "10.0.0.255", 1)]
    [InlineData("255.255.255.255", "::", -1)]
    [InlineData("::", "255.255.255.255", 1)]
    public void CompareOrdersIpv4BeforeIpv6(string a, string b, int sign)
    {
        Assert.Equal(sign, Math.Sign(IpMath.Compare(Ip(a), Ip(b))));
    }

    [Theory]
    [InlineData("10.0.0.0/24", "255.255.255.0")]
    [InlineData("10.0.0.0/0", "0.0.0.0")]
    [InlineData("10.0.0.0/32", "255.255.255.255")]
    [InlineData("172.16.0.0/12", "255.240.0.0")]
    [InlineData("2001:db8::/64", "/64")]
    public void Netmask(string cidr, string expected)
    {
        Assert.Equal(expected, IpMath.Netmask(Net(cidr)));
    }
}
