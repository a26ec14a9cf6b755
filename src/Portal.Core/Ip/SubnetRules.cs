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

    /// <summary>Allocation pools per subnet (Neutron sets none; a bound keeps every check and the allocator cheap).</summary>
    public const int MaxAllocationPools = 64;

    /// <summary>Addresses per port: Neutron's <c>max_fixed_ips_per_port</c>.</summary>
    public const int MaxFixedIpsPerPort = 5;

    /// <summary>Refuses more than <paramref name="max"/> entries of a list before any of them is parsed.</summary>
    public static void CheckCount(int count, int max, string messageKey, string field)
    {
        if (count > max) throw NeutronErrors.InvalidInput(messageKey, field, max, count);
    }

    public static void CheckPoolCount(int count) => CheckCount(count, MaxAllocationPools, "AllocationPoolsTooMany", "allocation_pools");

    public static void CheckDnsCount(int count) => CheckCount(count, MaxDnsServers, "DnsServersTooMany", DnsField);

    public static void CheckHostRouteCount(int count) => CheckCount(count, MaxHostRoutes, "HostRoutesTooMany", HostRoute.Field);

    public static void CheckFixedIpCount(int count) => CheckCount(count, MaxFixedIpsPerPort, "FixedIpsTooMany", "fixed_ips");

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
        CheckPoolCount(pools.Count);
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

        // Sorted by start (O(n log n), not pairwise): a pool overlaps an earlier-starting one exactly when it starts
        // at or before the furthest end seen so far. The pair is named in the order the user gave it.
        if (pools.Count < 2) return;
        var order = Enumerable.Range(0, pools.Count).OrderBy(i => IpMath.ToUInt128(pools[i].First)).ToArray();
        for (int k = 1, furthest = order[0]; k < order.Length; k++)
        {
            var current = order[k];
            if (pools[current].Overlaps(pools[furthest]))
            {
                var (a, b) = furthest < current ? (furthest, current) : (current, furthest);
                throw NeutronErrors.OverlappingAllocationPools(pools[a].ToString(), pools[b].ToString(), cidr.ToString());
            }
            if (IpMath.Compare(pools[current].Last, pools[furthest].Last) > 0) furthest = current;
        }
    }

    public static void ValidateDns(IReadOnlyList<IPAddress> servers)
    {
        CheckDnsCount(servers.Count);

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
        CheckHostRouteCount(routes.Count);

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
