using System.Net;

namespace Portal.Core.Ip;

/// <summary>A static route DHCP hands to instances on a subnet (Neutron's <c>host_routes</c> entry).</summary>
public sealed record HostRoute(IPNetwork Destination, IPAddress NextHop)
{
    public const string Field = "host_routes";

    /// <summary>
    /// Parses form input. The destination check that it is a network address lives here, because an
    /// <see cref="IPNetwork"/> value has its host bits cleared already.
    /// </summary>
    public static HostRoute Parse(string destination, string nextHop) =>
        new(IpMath.ParseCidr(destination, Field), IpMath.ParseAddress(nextHop, Field));
}
