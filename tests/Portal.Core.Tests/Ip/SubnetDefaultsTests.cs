using System.Net;
using Portal.Core.Ip;

namespace Portal.Core.Tests.Ip;

public class SubnetDefaultsTests
{
    [Theory]
    [InlineData("10.0.0.0/24", "10.0.0.1")]
    [InlineData("10.0.0.0/30", "10.0.0.1")]
    [InlineData("10.0.0.0/31", null)]
    [InlineData("10.0.0.0/32", null)]
    [InlineData("2001:db8::/64", "2001:db8::1")]
    [InlineData("2001:db8::/126", "2001:db8::1")]
    [InlineData("2001:db8::/127", null)]
    [InlineData("2001:db8::/128", null)]
    public void DefaultGatewayIsTheFirstHostExceptOnPointToPointLinks(string cidr, string? expected)
    {
        Assert.Equal(expected is null ? null : IPAddress.Parse(expected), SubnetDefaults.DefaultGateway(IPNetwork.Parse(cidr)));
    }

    [Theory]
    [InlineData("10.0.0.0/24", "10.0.0.1", "10.0.0.2-10.0.0.254")]
    [InlineData("10.0.0.0/24", null, "10.0.0.1-10.0.0.254")]
    [InlineData("10.0.0.0/24", "10.0.0.100", "10.0.0.1-10.0.0.99;10.0.0.101-10.0.0.254")]
    [InlineData("10.0.0.0/24", "10.0.0.254", "10.0.0.1-10.0.0.253")]
    [InlineData("10.0.0.0/30", "10.0.0.1", "10.0.0.2-10.0.0.2")]
    [InlineData("10.0.0.0/31", null, "10.0.0.0-10.0.0.1")]
    [InlineData("10.0.0.0/32", null, "10.0.0.0-10.0.0.0")]
    [InlineData("2001:db8::/64", "2001:db8::1", "2001:db8::2-2001:db8::ffff:ffff:ffff:ffff")]
    [InlineData("2001:db8::/64", "2001:db8::8000", "2001:db8::1-2001:db8::7fff;2001:db8::8001-2001:db8::ffff:ffff:ffff:ffff")]
    [InlineData("2001:db8::/127", null, "2001:db8::1-2001:db8::1")]
    [InlineData("2001:db8::/128", null, "")]
    public void DefaultPoolsAreTheUsableAddressesMinusTheGateway(string cidr, string? gateway, string expected)
    {
        var pools = SubnetDefaults.DefaultPools(IPNetwork.Parse(cidr), gateway is null ? null : IPAddress.Parse(gateway));

        Assert.Equal(expected, string.Join(";", pools));
    }

    [Fact]
    public void DefaultsPassTheirOwnRules()
    {
        foreach (var text in new[] { "10.0.0.0/8", "192.168.1.0/24", "10.0.0.0/30", "10.0.0.0/31", "10.0.0.0/32", "2001:db8::/64", "2001:db8::/127" })
        {
            var cidr = IPNetwork.Parse(text);
            var gateway = SubnetDefaults.DefaultGateway(cidr);
            var pools = SubnetDefaults.DefaultPools(cidr, gateway);

            SubnetRules.ValidatePools(cidr, pools);
            SubnetRules.ValidateGateway(cidr, gateway, pools);
        }
    }
}
