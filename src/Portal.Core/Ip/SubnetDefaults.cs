using System.Net;
using System.Net.Sockets;

namespace Portal.Core.Ip;

/// <summary>What Neutron fills in when a subnet is created without a gateway or allocation pools.</summary>
public static class SubnetDefaults
{
    /// <summary>
    /// The first usable address. Point-to-point and single-host prefixes get none, since every address
    /// there belongs to an endpoint.
    /// </summary>
    public static IPAddress? DefaultGateway(IPNetwork cidr)
    {
        var family = cidr.BaseAddress.AddressFamily;
        var pointToPoint = family == AddressFamily.InterNetwork ? 31 : 127;
        return cidr.PrefixLength >= pointToPoint ? null : IpMath.Add(IpMath.First(cidr), 1);
    }

    /// <summary>The usable addresses minus the gateway, which may split them into two pools.</summary>
    public static IReadOnlyList<IpRange> DefaultPools(IPNetwork cidr, IPAddress? gateway)
    {
        if (IpMath.UsableRange(cidr) is not { } usable)
        {
            return [];
        }

        return gateway is null ? [usable] : IpRanges.Free([usable], [gateway]);
    }
}
