using System.Net;
using Portal.Core.Errors;

namespace Portal.Core.Ip;

/// <summary>
/// Neutron's checks on a subnet's CIDR against its network's other subnets, and on its gateway, allocation pools,
/// DNS servers and host routes. Each check throws, or gives, the first violation as a <see cref="NeutronException"/>
/// that names the offending value.
/// </summary>
public static class SubnetRules
{
    public const int MaxDnsServers = 5;

    public const int MaxHostRoutes = 20;

    private const string CidrField = "cidr";

    private const string GatewayField = "gateway_ip";

    private const string DnsField = "dns_nameservers";

    /// <summary>
    /// The first of <paramref name="siblings"/> (the network's other subnets, in the order given) that shares an
    /// address with <paramref name="cidr"/>, or null when there is none: subnets of one network must not overlap.
    /// </summary>
    public static SubnetCidr? FirstOverlap(IPNetwork cidr, IEnumerable<SubnetCidr> siblings) =>
        siblings.FirstOrDefault(s => IpMath.Overlaps(s.Cidr, cidr));

    /// <summary>The error that refuses <paramref name="cidr"/> because it overlaps <paramref name="sibling"/>, naming it.</summary>
    public static NeutronException OverlapError(IPNetwork cidr, SubnetCidr sibling) =>
        sibling.Name.Length > 0
            ? NeutronErrors.InvalidInput("SubnetOverlap", CidrField, cidr.ToString(), sibling.Name, sibling.Cidr.ToString())
            : NeutronErrors.InvalidInput("SubnetOverlapUnnamed", CidrField, cidr.ToString(), sibling.Cidr.ToString());

    /// <summary>A null gateway means "no gateway", which is always valid.</summary>
    public static void ValidateGateway(IPNetwork cidr, IPAddress? gateway, IReadOnlyList<IpRange> pools)
    {
        if (gateway is null)
        {
            return;
        }

        var family = cidr.BaseAddress.AddressFamily;
        if (gateway.AddressFamily != family)
        {
            throw NeutronErrors.InvalidInput(
                "GatewayWrongFamily", GatewayField, gateway.ToString(), IpMath.VersionName(gateway.AddressFamily),
                cidr.ToString(), IpMath.VersionName(family));
        }

        if (IpMath.UsableRange(cidr) is not { } usable)
        {
            throw NeutronErrors.InvalidInput("SubnetHasNoUsableAddresses", GatewayField, cidr.ToString(), gateway.ToString());
        }

        if (!IpMath.Contains(cidr, gateway))
        {
            throw NeutronErrors.InvalidInput(
                "GatewayOutsideSubnet", GatewayField, gateway.ToString(), cidr.ToString(), usable.ToString());
        }

        if (IpMath.IsNetworkOrBroadcast(cidr, gateway))
        {
            var key = gateway.Equals(IpMath.First(cidr)) ? "GatewayIsNetworkAddress" : "GatewayIsBroadcastAddress";
            throw NeutronErrors.InvalidInput(key, GatewayField, gateway.ToString(), cidr.ToString(), usable.ToString());
        }

        foreach (var pool in pools)
        {
            if (pool.Contains(gateway))
            {
                throw NeutronErrors.GatewayConflictWithAllocationPools(gateway.ToString(), pool.ToString());
            }
        }
    }

    /// <summary>An empty list is valid: the subnet then has no automatically assigned addresses.</summary>
    public static void ValidatePools(IPNetwork cidr, IReadOnlyList<IpRange> pools)
    {
        var family = cidr.BaseAddress.AddressFamily;
        var network = IpMath.First(cidr);
        var broadcast = IpMath.Last(cidr);
        var usableRange = IpMath.UsableRange(cidr);
        foreach (var pool in pools)
        {
            if (pool.First.AddressFamily != family)
            {
                throw NeutronErrors.InvalidAllocationPool(
                    "AllocationPoolWrongFamily", pool.ToString(), IpMath.VersionName(pool.First.AddressFamily),
                    cidr.ToString(), IpMath.VersionName(family));
            }

            if (usableRange is not { } usable)
            {
                throw NeutronErrors.InvalidAllocationPool("SubnetHasNoUsableAddresses", cidr.ToString(), pool.ToString());
            }

            if (!IpMath.Contains(cidr, pool.First) || !IpMath.Contains(cidr, pool.Last))
            {
                throw NeutronErrors.InvalidAllocationPool(
                    "AllocationPoolOutsideSubnet", pool.ToString(), cidr.ToString(), usable.ToString());
            }

            if (pool.Contains(network) && IpMath.IsNetworkOrBroadcast(cidr, network))
            {
                throw NeutronErrors.InvalidAllocationPool(
                    "AllocationPoolIncludesNetworkAddress", pool.ToString(), network.ToString(), cidr.ToString(), usable.ToString());
            }

            if (pool.Contains(broadcast) && IpMath.IsNetworkOrBroadcast(cidr, broadcast))
            {
                throw NeutronErrors.InvalidAllocationPool(
                    "AllocationPoolIncludesBroadcastAddress", pool.ToString(), broadcast.ToString(), cidr.ToString(), usable.ToString());
            }
        }

        // Pairwise, like Neutron, so the error names the first overlapping pair in the order the user gave.
        for (var i = 0; i < pools.Count; i++)
        {
            for (var j = i + 1; j < pools.Count; j++)
            {
                if (pools[i].Overlaps(pools[j]))
                {
                    throw NeutronErrors.OverlappingAllocationPools(pools[i].ToString(), pools[j].ToString(), cidr.ToString());
                }
            }
        }
    }

    public static void ValidateDns(IReadOnlyList<IPAddress> servers)
    {
        if (servers.Count > MaxDnsServers)
        {
            throw NeutronErrors.InvalidInput("DnsServersTooMany", DnsField, MaxDnsServers, servers.Count);
        }

        var seen = new HashSet<IPAddress>();
        foreach (var server in servers)
        {
            if (!seen.Add(server))
            {
                throw NeutronErrors.InvalidInput("DnsServerDuplicate", DnsField, server.ToString());
            }
        }
    }

    /// <summary>
    /// Destinations are <see cref="IPNetwork"/> values and so already network addresses; text input gets
    /// that check, with a suggested CIDR, from <see cref="HostRoute.Parse"/>.
    /// </summary>
    public static void ValidateHostRoutes(IPNetwork cidr, IReadOnlyList<HostRoute> routes)
    {
        if (routes.Count > MaxHostRoutes)
        {
            throw NeutronErrors.InvalidInput("HostRoutesTooMany", HostRoute.Field, MaxHostRoutes, routes.Count);
        }

        var family = cidr.BaseAddress.AddressFamily;
        var destinations = new HashSet<IPNetwork>();
        foreach (var route in routes)
        {
            if (route.Destination.BaseAddress.AddressFamily != family || route.NextHop.AddressFamily != family)
            {
                throw NeutronErrors.InvalidInput(
                    "HostRouteWrongFamily", HostRoute.Field, route.Destination.ToString(), route.NextHop.ToString(),
                    cidr.ToString(), IpMath.VersionName(family));
            }

            if (!destinations.Add(route.Destination))
            {
                throw NeutronErrors.InvalidInput("HostRouteDuplicateDestination", HostRoute.Field, route.Destination.ToString());
            }
        }
    }
}
