using System.Net;
using System.Net.Sockets;
using System.Numerics;
using CsCheck;
using Portal.Core.Ip;
using static Portal.Core.Tests.Ip.AddressOracle;

namespace Portal.Core.Tests.Ip;

public class PropertyTests
{
    private const int Iterations = 1000;

    private static readonly Gen<AddressFamily> Family =
        Gen.OneOfConst(AddressFamily.InterNetwork, AddressFamily.InterNetworkV6);

    private static Gen<UInt128> AnyValue(AddressFamily family) =>
        family == AddressFamily.InterNetwork
            ? Gen.UInt.Select(v => (UInt128)v)
            : Gen.Select(Gen.ULong, Gen.ULong, (upper, lower) => new UInt128(upper, lower));

    private static readonly Gen<IPNetwork> Network =
        from family in Family
        from value in AnyValue(family)
        from prefix in Gen.Int[0, family == AddressFamily.InterNetwork ? 32 : 128]
        select new IPNetwork(IpMath.FromUInt128(value, family), prefix);

    /// <summary>
    /// Two networks that differ in one random bit (or none), so that nested, equal and disjoint pairs all
    /// turn up often; now and then the second one is of the other family.
    /// </summary>
    private static readonly Gen<(IPNetwork, IPNetwork)> NetworkPair =
        from family in Family
        from value in AnyValue(family)
        from bit in Gen.Int[-1, family == AddressFamily.InterNetwork ? 31 : 127]
        from prefixA in Gen.Int[0, family == AddressFamily.InterNetwork ? 32 : 128]
        from prefixB in Gen.Int[0, family == AddressFamily.InterNetwork ? 32 : 128]
        from other in Gen.Int[0, 9]
        let a = new IPNetwork(IpMath.FromUInt128(value, family), prefixA)
        let flipped = bit < 0 ? value : value ^ (UInt128.One << bit)
        let b = other == 0
            ? IPNetwork.Parse(family == AddressFamily.InterNetwork ? "::/0" : "0.0.0.0/0")
            : new IPNetwork(IpMath.FromUInt128(flipped, family), prefixB)
        select (a, b);

    /// <summary>
    /// Addresses clustered around a few anchors per family (including both ends of the space), so ranges
    /// touch, overlap and nest often, and ranges spanning two anchors are astronomically large.
    /// </summary>
    private static readonly Gen<Func<bool, int, int, IPAddress>> Space =
        from v4 in Anchors(AddressFamily.InterNetwork)
        from v6 in Anchors(AddressFamily.InterNetworkV6)
        select (Func<bool, int, int, IPAddress>)((ipv6, anchor, offset) =>
        {
            var family = ipv6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
            return IpMath.FromUInt128((ipv6 ? v6 : v4)[anchor] + (UInt128)offset, family);
        });

    /// <summary>Every anchor leaves room for the largest offset a <see cref="Point"/> adds.</summary>
    private static Gen<UInt128[]> Anchors(AddressFamily family) =>
        Gen.OneOf(Gen.Const(UInt128.Zero), Gen.Const(IpMath.ToUInt128(Top(family)) - 40), AnyValue(family).Select(v => v / 2))
            .Array[3];

    private static IPAddress Top(AddressFamily family) =>
        family == AddressFamily.InterNetwork ? IPAddress.Broadcast : IPAddress.Parse("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");

    private static readonly Gen<(bool Ipv6, int Anchor, int Offset)> Point =
        Gen.Select(Gen.Bool, Gen.Int[0, 2], Gen.Int[0, 40]);

    private static IpRange MakeRange(Func<bool, int, int, IPAddress> space, (bool Ipv6, int Anchor, int Offset) a, (int Anchor, int Offset) b)
    {
        var x = space(a.Ipv6, a.Anchor, a.Offset);
        var y = space(a.Ipv6, b.Anchor, b.Offset);
        return IpMath.Compare(x, y) <= 0 ? new IpRange(x, y) : new IpRange(y, x);
    }

    private static readonly Gen<(IpRange[], IpRange[], IPAddress[])> RangesAndAddresses =
        from space in Space
        from ranges in Gen.Select(Point, Gen.Int[0, 2], Gen.Int[0, 40]).Array[0, 10]
        from removed in Gen.Select(Point, Gen.Int[0, 2], Gen.Int[0, 40]).Array[0, 10]
        from addresses in Point.Array[0, 30]
        select (
            ranges.Select(r => MakeRange(space, r.Item1, (r.Item2, r.Item3))).ToArray(),
            removed.Select(r => MakeRange(space, r.Item1, (r.Item2, r.Item3))).ToArray(),
            addresses.Select(p => space(p.Ipv6, p.Anchor, p.Offset)).ToArray());

    [Fact]
    public void ContainsItsFirstAndLastAndCountIsTheirDistance()
    {
        Network.Sample(n =>
        {
            var first = IpMath.First(n);
            var last = IpMath.Last(n);

            Assert.True(IpMath.Contains(n, first));
            Assert.True(IpMath.Contains(n, last));
            Assert.Equal(Value(last) - Value(first) + 1, IpMath.Count(n));
            Assert.Equal(BigInteger.One << ((n.BaseAddress.AddressFamily == AddressFamily.InterNetwork ? 32 : 128) - n.PrefixLength), IpMath.Count(n));
            if (IpMath.Previous(first) is { } before)
            {
                Assert.False(IpMath.Contains(n, before));
            }

            if (IpMath.Next(last) is { } after)
            {
                Assert.False(IpMath.Contains(n, after));
            }
        }, iter: Iterations);
    }

    [Fact]
    public void UsableRangeLiesInsideTheNetworkAndAvoidsReservedAddresses()
    {
        Network.Sample(n =>
        {
            var usable = IpMath.UsableRange(n);
            Assert.Equal(usable?.Count ?? 0, IpMath.UsableCount(n));
            if (usable is not { } u)
            {
                Assert.Equal(BigInteger.One, IpMath.Count(n));
                return;
            }

            Assert.True(IpMath.Contains(n, u.First) && IpMath.Contains(n, u.Last));
            Assert.False(IpMath.IsNetworkOrBroadcast(n, u.First));
            Assert.False(IpMath.IsNetworkOrBroadcast(n, u.Last));
            Assert.Equal(IpMath.Count(n) - u.Count, new[] { IpMath.First(n), IpMath.Last(n) }.Distinct().Count(a => IpMath.IsNetworkOrBroadcast(n, a)));
        }, iter: Iterations);
    }

    [Fact]
    public void OverlapsIsSymmetricAndMeansAShareAddress()
    {
        NetworkPair.Sample((a, b) =>
        {
            var overlaps = IpMath.Overlaps(a, b);
            Assert.Equal(overlaps, IpMath.Overlaps(b, a));

            var sameFamily = a.BaseAddress.AddressFamily == b.BaseAddress.AddressFamily;
            var shared = sameFamily
                && BigInteger.Max(Value(IpMath.First(a)), Value(IpMath.First(b))) <= BigInteger.Min(Value(IpMath.Last(a)), Value(IpMath.Last(b)));
            Assert.Equal(shared, overlaps);

            var ends = new[] { IpMath.First(a), IpMath.Last(a), IpMath.First(b), IpMath.Last(b) };
            Assert.Equal(overlaps, ends.Any(e => IpMath.Contains(a, e) && IpMath.Contains(b, e)));
            Assert.Equal(
                sameFamily && IpMath.Contains(a, IpMath.First(b)) && IpMath.Contains(a, IpMath.Last(b)),
                IpMath.Contains(a, b));
        }, iter: Iterations);
    }

    [Fact]
    public void AddressesRoundTripThroughTextAndUInt128()
    {
        Family.SelectMany(f => AnyValue(f).Select(v => IpMath.FromUInt128(v, f))).Sample(a =>
        {
            Assert.Equal(Value(a), (BigInteger)IpMath.ToUInt128(a));
            Assert.Equal(a, IpMath.ParseAddress(a.ToString()));
            Assert.Equal(a, IpMath.FromUInt128(IpMath.ToUInt128(a), a.AddressFamily));
        }, iter: Iterations);
    }

    [Fact]
    public void NetworksRoundTripThroughTextAndNormalise()
    {
        Network.Sample(n =>
        {
            Assert.Equal(n, IpMath.ParseCidr(n.ToString()));

            var host = IpMath.Last(n);
            Assert.True(IpMath.TryNormalize($"{host}/{n.PrefixLength}", out var normalized));
            Assert.Equal(n, normalized);
        }, iter: Iterations);
    }

    [Fact]
    public void MergeIsCanonicalAndKeepsTheSameAddresses()
    {
        RangesAndAddresses.Sample((ranges, _, _) =>
        {
            var merged = IpRanges.Merge(ranges);

            AssertCanonical(merged);
            Assert.Equal(UnionCount(ranges), IpRanges.Count(merged));
            Assert.Equal(IpRanges.Count(merged), merged.Aggregate(BigInteger.Zero, (sum, r) => sum + r.Count));
            Assert.Equal(IpRanges.Count(ranges), IpRanges.Count(merged));
            foreach (var (family, value) in CriticalPoints(ranges.Concat(merged)))
            {
                Assert.Equal(InAny(ranges, family, value), InAny(merged, family, value));
            }

            Assert.Equal(merged, IpRanges.Merge(merged.Reverse()));
        }, iter: Iterations);
    }

    [Fact]
    public void SubtractKeepsExactlyTheAddressesNotRemoved()
    {
        RangesAndAddresses.Sample((from, remove, _) =>
        {
            var rest = IpRanges.Subtract(from, remove);

            AssertCanonical(rest);
            foreach (var (family, value) in CriticalPoints(from.Concat(remove).Concat(rest)))
            {
                Assert.Equal(InAny(from, family, value) && !InAny(remove, family, value), InAny(rest, family, value));
            }

            var removedFromPools = IpRanges.Subtract(from, rest);
            Assert.Equal(IpRanges.Count(from), IpRanges.Count(rest) + IpRanges.Count(removedFromPools));
            Assert.Equal(UnionCount(from), IpRanges.Count(rest) + UnionCount(removedFromPools));
        }, iter: Iterations);
    }

    [Fact]
    public void FreeNeverOffersAUsedAddressAndOffersEveryOtherPoolAddress()
    {
        RangesAndAddresses.Sample((pools, _, used) =>
        {
            var free = IpRanges.Free(pools, used);

            AssertCanonical(free);
            Assert.DoesNotContain(used, a => free.Any(r => r.Contains(a)));
            var usedInPools = used.Where(a => pools.Any(p => p.Contains(a))).Distinct().Count();
            Assert.Equal(UnionCount(pools), IpRanges.Count(free) + usedInPools);
            var usedRanges = used.Select(a => new IpRange(a, a)).ToArray();
            foreach (var (family, value) in CriticalPoints(pools.Concat(free).Concat(usedRanges)))
            {
                Assert.Equal(InAny(pools, family, value) && !InAny(usedRanges, family, value), InAny(free, family, value));
            }
        }, iter: Iterations);
    }

    [Fact]
    public void CompactRoundTrips()
    {
        RangesAndAddresses.Sample((_, _, addresses) =>
        {
            var compact = IpRanges.Compact(addresses);

            AssertCanonical(compact);
            var expanded = compact.SelectMany(Expand).ToArray();
            Assert.Equal(addresses.Distinct().OrderBy(a => a, Comparer<IPAddress>.Create(IpMath.Compare)), expanded);
            Assert.Equal(compact, IpRanges.Compact(expanded.Reverse()));
            Assert.Equal(compact, IpRanges.Merge(compact));
        }, iter: Iterations);
    }

    [Fact]
    public void DefaultPoolsAvoidTheGatewayAndReservedAddresses()
    {
        Network.Sample(n =>
        {
            var gateway = SubnetDefaults.DefaultGateway(n);
            var pools = SubnetDefaults.DefaultPools(n, gateway);

            SubnetRules.ValidatePools(n, pools);
            SubnetRules.ValidateGateway(n, gateway, pools);
            var reserved = gateway is null ? 0 : 1;
            Assert.Equal(IpMath.UsableCount(n) - reserved, IpRanges.Count(pools));
        }, iter: Iterations);
    }
}
