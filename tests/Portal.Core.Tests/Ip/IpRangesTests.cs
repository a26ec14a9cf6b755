using System.Net;
using System.Numerics;
using Portal.Core.Ip;

namespace Portal.Core.Tests.Ip;

public class IpRangesTests
{
    /// <summary>Ranges written "a-b;c-d" so each table row stays on one line.</summary>
    private static IpRange[] Rs(string text) =>
        text.Length == 0 ? [] : text.Split(';').Select(r => IpRange.Parse(r)).ToArray();

    private static IPAddress[] Ips(string text) =>
        text.Length == 0 ? [] : text.Split(';').Select(IPAddress.Parse).ToArray();

    [Theory]
    [InlineData("", "")]
    [InlineData("10.0.0.5-10.0.0.9;10.0.0.1-10.0.0.3", "10.0.0.1-10.0.0.3;10.0.0.5-10.0.0.9")]
    [InlineData("10.0.0.1-10.0.0.4;10.0.0.5-10.0.0.9", "10.0.0.1-10.0.0.9")]
    [InlineData("10.0.0.1-10.0.0.6;10.0.0.5-10.0.0.9;10.0.0.2-10.0.0.3", "10.0.0.1-10.0.0.9")]
    [InlineData("::1-::5;10.0.0.1-10.0.0.2;::6-::9", "10.0.0.1-10.0.0.2;::1-::9")]
    [InlineData("255.255.255.255-255.255.255.255;::-::1", "255.255.255.255-255.255.255.255;::-::1")]
    public void Merge(string input, string expected)
    {
        Assert.Equal(Rs(expected), IpRanges.Merge(Rs(input)));
    }

    [Theory]
    [InlineData("10.0.0.1-10.0.0.9", "10.0.0.4-10.0.0.5", "10.0.0.1-10.0.0.3;10.0.0.6-10.0.0.9")]
    [InlineData("10.0.0.1-10.0.0.9", "10.0.0.0-10.0.0.1;10.0.0.9-10.0.0.20", "10.0.0.2-10.0.0.8")]
    [InlineData("10.0.0.1-10.0.0.9", "10.0.0.0-10.0.0.255", "")]
    [InlineData("10.0.0.1-10.0.0.3;10.0.0.7-10.0.0.9", "10.0.0.2-10.0.0.8", "10.0.0.1-10.0.0.1;10.0.0.9-10.0.0.9")]
    [InlineData("10.0.0.1-10.0.0.9", "::1-::9", "10.0.0.1-10.0.0.9")]
    [InlineData("::1-::9;10.0.0.1-10.0.0.9", "::5-::5", "10.0.0.1-10.0.0.9;::1-::4;::6-::9")]
    public void Subtract(string from, string remove, string expected)
    {
        Assert.Equal(Rs(expected), IpRanges.Subtract(Rs(from), Rs(remove)));
    }

    [Theory]
    [InlineData("", "")]
    [InlineData("10.0.0.3;10.0.0.1;10.0.0.2;10.0.0.2;10.0.0.9", "10.0.0.1-10.0.0.3;10.0.0.9-10.0.0.9")]
    [InlineData("::2;10.0.0.1;::1", "10.0.0.1-10.0.0.1;::1-::2")]
    public void Compact(string addresses, string expected)
    {
        Assert.Equal(Rs(expected), IpRanges.Compact(Ips(addresses)));
    }

    [Theory]
    [InlineData("10.0.0.2-10.0.0.254", "", "10.0.0.2-10.0.0.254")]
    [InlineData("10.0.0.2-10.0.0.254", "10.0.0.2;10.0.0.3;10.0.0.10", "10.0.0.4-10.0.0.9;10.0.0.11-10.0.0.254")]
    [InlineData("10.0.0.2-10.0.0.3", "10.0.0.3;10.0.0.2", "")]
    [InlineData("10.0.0.2-10.0.0.9", "10.0.1.5;::5", "10.0.0.2-10.0.0.9")]
    public void Free(string pools, string used, string expected)
    {
        Assert.Equal(Rs(expected), IpRanges.Free(Rs(pools), Ips(used)));
    }

    [Theory]
    [InlineData("", "0")]
    [InlineData("10.0.0.1-10.0.0.10;10.0.0.5-10.0.0.20", "20")]
    [InlineData("10.0.0.1-10.0.0.10;::1-::10", "26")]
    public void CountCountsEachAddressOnce(string ranges, string expected)
    {
        Assert.Equal(BigInteger.Parse(expected), IpRanges.Count(Rs(ranges)));
    }
}
