using System.Net;
using System.Net.Sockets;
using System.Numerics;
using Portal.Core.Errors;
using Portal.Core.Ip;

namespace Portal.Core.Clusters;

/// <summary>
/// The rules of a Kubernetes cluster's shape and address plan (DESIGN.md §2 "Cluster"): its name, node counts,
/// pod and service CIDRs, how many nodes the pod CIDR can hold, and which addresses it needs in its subnet.
/// </summary>
public static class ClusterRules
{
    /// <summary>Room is left for node names such as «name-master-3» and «name-node-100» inside a 63-character label.</summary>
    public const int MaxNameLength = 40;

    /// <summary>The network the workflow creates for a cluster that chose none, and its subnet.</summary>
    public static string AutoNetworkName(string clusterName) => clusterName + "-net";

    public static string AutoSubnetName(string clusterName) => clusterName + "-subnet";

    /// <summary>A node's name (and its port's): stable across retries, e.g. «web-master-1», «web-node-3».</summary>
    public static string NodeName(string cluster, NodeRole role, int ordinal) =>
        $"{cluster}-{(role == NodeRole.Master ? "master" : "node")}-{ordinal}";
    public const int MinWorkers = 1;
    public const int MaxWorkers = 100;
    public const int DefaultNodePrefix = 24;
    public const string DefaultPodCidr = "10.100.0.0/16";
    public const string DefaultServiceCidr = "10.254.0.0/16";

    /// <summary>Where an automatically created network takes its first free /24 from.</summary>
    public static readonly IPNetwork AutoNetworkSpace = IPNetwork.Parse("10.0.0.0/8");
    public const int AutoSubnetPrefix = 24;

    /// <summary>A DNS label (RFC 1123): lower-case letters, digits and hyphens, starting with a letter, not ending with a hyphen.</summary>
    public static string CheckName(string? text)
    {
        var name = (text ?? "").Trim();
        if (name.Length == 0) throw NeutronErrors.InvalidInput("Cluster.NameRequired", "name");
        if (name.Length > MaxNameLength) throw NeutronErrors.InvalidInput("Cluster.NameTooLong", "name", MaxNameLength);
        var valid = name[0] is >= 'a' and <= 'z' && name[^1] != '-'
                    && name.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-');
        if (!valid) throw NeutronErrors.InvalidInput("Cluster.NameInvalid", "name", name);
        return name;
    }

    public static void CheckMasters(int masters)
    {
        if (masters is not (1 or 3)) throw NeutronErrors.InvalidInput("Cluster.MastersInvalid", "masters", masters);
    }

    public static void CheckWorkers(int workers)
    {
        if (workers is < MinWorkers or > MaxWorkers)
            throw NeutronErrors.InvalidInput("Cluster.WorkersOutOfRange", "workers", MinWorkers, MaxWorkers);
    }

    /// <summary>A pod or service CIDR: an IPv4 network written exactly (host bits zero).</summary>
    public static IPNetwork ParseClusterCidr(string? text, string field)
    {
        var cidr = IpMath.ParseCidr(text ?? "", field);
        if (cidr.BaseAddress.AddressFamily != AddressFamily.InterNetwork)
            throw NeutronErrors.InvalidInput("Cluster.CidrIpv4Only", field, cidr.ToString());
        return cidr;
    }

    /// <summary>How many node pod CIDRs of <paramref name="nodePrefix"/> fit into <paramref name="podCidr"/> (0 when none does).</summary>
    public static BigInteger NodeCapacity(IPNetwork podCidr, int nodePrefix) =>
        nodePrefix < podCidr.PrefixLength || nodePrefix > 32 ? BigInteger.Zero : BigInteger.One << (nodePrefix - podCidr.PrefixLength);

    /// <summary>Addresses a cluster takes in its node subnet: one per master and worker, and the API load balancer's.</summary>
    public static int AddressesNeeded(int masters, int workers) => masters + workers + 1;

    /// <summary>
    /// Checks that the pod CIDR, the service CIDR and the node subnet are pairwise disjoint, and that the pod CIDR
    /// holds a node pod CIDR for every node.
    /// </summary>
    public static void CheckAddressPlan(IPNetwork podCidr, IPNetwork serviceCidr, IPNetwork? nodeSubnet, int nodePrefix, int nodes)
    {
        if (IpMath.Overlaps(podCidr, serviceCidr))
            throw NeutronErrors.InvalidInput("Cluster.PodOverlapsService", "service_cidr", podCidr.ToString(), serviceCidr.ToString());
        if (nodeSubnet is { } subnet)
        {
            if (IpMath.Overlaps(podCidr, subnet))
                throw NeutronErrors.InvalidInput("Cluster.PodOverlapsNodeSubnet", "pod_cidr", podCidr.ToString(), subnet.ToString());
            if (IpMath.Overlaps(serviceCidr, subnet))
                throw NeutronErrors.InvalidInput("Cluster.ServiceOverlapsNodeSubnet", "service_cidr", serviceCidr.ToString(), subnet.ToString());
        }
        var capacity = NodeCapacity(podCidr, nodePrefix);
        if (capacity < nodes)
            throw NeutronErrors.InvalidInput("Cluster.PodCidrTooSmall", "pod_cidr", podCidr.ToString(), nodePrefix, capacity, nodes);
    }

    /// <summary>
    /// The node pod CIDR to hand out next: next-fit, the first free block after <paramref name="last"/>, wrapping
    /// round to the start of the pod CIDR; null when every block is taken.
    /// </summary>
    public static IPNetwork? NextNodeCidr(IPNetwork podCidr, int nodePrefix, IReadOnlyCollection<IPNetwork> taken, IPNetwork? last)
    {
        if (NodeCapacity(podCidr, nodePrefix).IsZero) return null;
        if (last is { } previous && IpMath.Next(IpMath.Last(previous)) is { } after && IpMath.Contains(podCidr, after))
        {
            var found = CidrSuggestions.FirstFree(podCidr, nodePrefix, taken.Concat(Below(podCidr, after)));
            if (found is not null) return found;
        }
        return CidrSuggestions.FirstFree(podCidr, nodePrefix, taken);
    }

    /// <summary>The part of <paramref name="space"/> before <paramref name="address"/>, as blocks to treat as taken.</summary>
    private static IEnumerable<IPNetwork> Below(IPNetwork space, IPAddress address)
    {
        var start = IpMath.ToUInt128(space.BaseAddress);
        var stop = IpMath.ToUInt128(address);
        var family = space.BaseAddress.AddressFamily;
        var bits = family == AddressFamily.InterNetwork ? 32 : 128;
        while (start < stop)
        {
            // The largest aligned block that starts at start and ends before stop.
            var size = start == 0 ? UInt128.One << (bits - space.PrefixLength) : start & (~start + 1);
            while (size > stop - start) size >>= 1;
            var prefix = bits - (int)UInt128.Log2(size);
            yield return new IPNetwork(IpMath.FromUInt128(start, family), prefix);
            start += size;
        }
    }
}
