using System.Net;
using System.Numerics;
using Portal.Core.Ip;

namespace Portal.Core.Tests.Ip;

public class IpRangeTests
{
    private static IpRange R(string text) => IpRange.Parse(text);

    private static IPAddress Ip(string address) => IPAddress.Parse(address);

    [Fact]
    public void CountIsInclusive()
    {
        Assert.Equal(new BigInteger(49), R("10.0.0.2-10.0.0.50").Count);
        Assert.Equal(BigInteger.One, R("10.0.0.2-10.0.0.2").Count);
        Assert.Equal(BigInteger.Pow(2, 128), R("::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff").Count);
    }

    [Theory]
    [InlineData("10.0.0.2-10.0.0.50", "10.0.0.2", true)]
    [InlineData("10.0.0.2-10.0.0.50", "10.0.0.50", true)]
    [InlineData("10.0.0.2-10.0.0.50", "10.0.0.51", false)]
    [InlineData("10.0.0.2-10.0.0.50", "10.0.0.1", false)]
    [InlineData("10.0.0.2-10.0.0.50", "::ffff:10.0.0.3", false)]
    [InlineData("::1-::ff", "::80", true)]
    public void Contains(string range, string address, bool expected)
    {
        Assert.Equal(expected, R(range).Contains(Ip(address)));
    }

    [Theory]
    [InlineData("10.0.0.2-10.0.0.50", "10.0.0.50-10.0.0.60", true)]
    [InlineData("10.0.0.2-10.0.0.50", "10.0.0.51-10.0.0.60", false)]
    [InlineData("10.0.0.2-10.0.0.50", "10.0.0.10-10.0.0.11", true)]
    [InlineData("0.0.0.0-0.0.0.255", "::-::ff", false)]
    public void OverlapsIsSymmetric(string a, string b, bool expected)
    {
        Assert.Equal(expected, R(a).Overlaps(R(b)));
        Assert.Equal(expected, R(b).Overlaps(R(a)));
    }

    [Fact]
    public void ToStringUsesNeutronsHyphenForm()
    {
        Assert.Equal("10.0.0.2-10.0.0.254", new IpRange(Ip("10.0.0.2"), Ip("10.0.0.254")).ToString());
        Assert.Equal("2001:db8::2-2001:db8::ff", R("2001:db8::2 – 2001:db8::ff").ToString());
    }

    [Fact]
    public void DeconstructsAndComparesByValue()
    {
        var (first, last) = R("10.0.0.2-10.0.0.9");

        Assert.Equal(Ip("10.0.0.2"), first);
        Assert.Equal(Ip("10.0.0.9"), last);
        Assert.Equal(R("10.0.0.2-10.0.0.9"), new IpRange(Ip("10.0.0.2"), Ip("10.0.0.9")));
    }
}
