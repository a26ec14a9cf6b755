using System.Net;
using System.Net.Sockets;
using System.Numerics;
using Portal.Core.Ip;

namespace Portal.Core.Tests.Ip;

/// <summary>
/// A deliberately naive model of address sets (big-endian bytes read as a BigInteger, brute-force scans)
/// that the property tests compare the real implementation against.
/// </summary>
internal static class AddressOracle
{
    public static BigInteger Value(IPAddress a) => new(a.GetAddressBytes(), isUnsigned: true, isBigEndian: true);

    public static BigInteger Size(AddressFamily family) => BigInteger.One << (family == AddressFamily.InterNetwork ? 32 : 128);

    public static IPAddress Address(AddressFamily family, BigInteger value)
    {
        var length = family == AddressFamily.InterNetwork ? 4 : 16;
        var bytes = value.ToByteArray(isUnsigned: true, isBigEndian: true);
        return new IPAddress(new byte[length - bytes.Length].Concat(bytes).ToArray());
    }

    public static bool InRange(IpRange r, AddressFamily family, BigInteger value) =>
        r.First.AddressFamily == family && Value(r.First) <= value && value <= Value(r.Last);

    public static bool InAny(IEnumerable<IpRange> ranges, AddressFamily family, BigInteger value) =>
        ranges.Any(r => InRange(r, family, value));

    /// <summary>
    /// Membership of a union of ranges only changes at a range's first address or just past its last, so
    /// testing those points (and their neighbours) covers every address in the space.
    /// </summary>
    public static IEnumerable<(AddressFamily Family, BigInteger Value)> CriticalPoints(IEnumerable<IpRange> ranges) =>
        ranges
            .SelectMany(r => new[] { Value(r.First) - 1, Value(r.First), Value(r.Last), Value(r.Last) + 1 }
                .Select(v => (r.First.AddressFamily, v)))
            .Where(p => p.v >= 0 && p.v < Size(p.AddressFamily))
            .Distinct();

    /// <summary>Counts a union by cutting the space at every boundary and testing one address per piece.</summary>
    public static BigInteger UnionCount(IReadOnlyCollection<IpRange> ranges)
    {
        var total = BigInteger.Zero;
        foreach (var family in new[] { AddressFamily.InterNetwork, AddressFamily.InterNetworkV6 })
        {
            var cuts = ranges.Where(r => r.First.AddressFamily == family)
                .SelectMany(r => new[] { Value(r.First), Value(r.Last) + 1 })
                .Distinct()
                .Order()
                .ToArray();
            for (var i = 0; i + 1 < cuts.Length; i++)
            {
                if (InAny(ranges, family, cuts[i]))
                {
                    total += cuts[i + 1] - cuts[i];
                }
            }
        }

        return total;
    }

    public static IEnumerable<IPAddress> Expand(IpRange r)
    {
        for (var v = Value(r.First); v <= Value(r.Last); v++)
        {
            yield return Address(r.First.AddressFamily, v);
        }
    }

    /// <summary>Sorted (IPv4 first), disjoint and with a gap between neighbours of one family.</summary>
    public static void AssertCanonical(IReadOnlyList<IpRange> ranges)
    {
        for (var i = 0; i + 1 < ranges.Count; i++)
        {
            var (a, b) = (ranges[i], ranges[i + 1]);
            if (a.First.AddressFamily == b.First.AddressFamily)
            {
                Assert.True(Value(b.First) > Value(a.Last) + 1, $"{a} and {b} should be one range or apart and in order");
            }
            else
            {
                Assert.Equal(AddressFamily.InterNetwork, a.First.AddressFamily);
            }
        }
    }
}
