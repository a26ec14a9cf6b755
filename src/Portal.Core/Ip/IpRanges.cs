using System.Net;
using System.Net.Sockets;
using System.Numerics;

namespace Portal.Core.Ip;

/// <summary>
/// Set operations over address ranges. Results are always sorted (IPv4 before IPv6), disjoint and
/// non-adjacent, so equal address sets produce equal lists.
/// </summary>
public static class IpRanges
{
    public static IReadOnlyList<IpRange> Merge(IEnumerable<IpRange> ranges) =>
        ToRanges(MergeIntervals(ranges.Select(Interval.Of)));

    public static IReadOnlyList<IpRange> Subtract(IEnumerable<IpRange> from, IEnumerable<IpRange> remove) =>
        ToRanges(SubtractIntervals(MergeIntervals(from.Select(Interval.Of)), MergeIntervals(remove.Select(Interval.Of))));

    public static IReadOnlyList<IpRange> Compact(IEnumerable<IPAddress> addresses) =>
        ToRanges(MergeIntervals(addresses.Select(Interval.Single)));

    public static IReadOnlyList<IpRange> Free(IEnumerable<IpRange> pools, IEnumerable<IPAddress> used) =>
        ToRanges(SubtractIntervals(MergeIntervals(pools.Select(Interval.Of)), MergeIntervals(used.Select(Interval.Single))));

    /// <summary>The number of distinct addresses: an address in two overlapping ranges counts once.</summary>
    public static BigInteger Count(IEnumerable<IpRange> ranges) =>
        MergeIntervals(ranges.Select(Interval.Of))
            .Aggregate(BigInteger.Zero, (sum, i) => sum + (BigInteger)(i.Last - i.First) + BigInteger.One);

    private static List<Interval> MergeIntervals(IEnumerable<Interval> intervals)
    {
        var merged = new List<Interval>();
        foreach (var next in intervals.OrderBy(i => IpMath.FamilyOrder(i.Family)).ThenBy(i => i.First))
        {
            // Sorted by start, so next.First >= current.First; it joins when it starts inside or right after current.
            if (merged.Count > 0 && merged[^1] is var current && current.Family == next.Family
                && (next.First <= current.Last || next.First - 1 == current.Last))
            {
                merged[^1] = current with { Last = UInt128.Max(current.Last, next.Last) };
            }
            else
            {
                merged.Add(next);
            }
        }

        return merged;
    }

    /// <summary>Both inputs merged; one pass over each, as the holes move forward with the pieces.</summary>
    private static List<Interval> SubtractIntervals(List<Interval> pieces, List<Interval> holes)
    {
        var result = new List<Interval>();
        var firstHole = 0;
        foreach (var piece in pieces)
        {
            while (firstHole < holes.Count && IsBefore(holes[firstHole], piece))
            {
                firstHole++;
            }

            var start = piece.First;
            var covered = false;
            for (var h = firstHole; h < holes.Count && holes[h].Family == piece.Family && holes[h].First <= piece.Last; h++)
            {
                var hole = holes[h];
                if (hole.First > start)
                {
                    result.Add(piece with { First = start, Last = hole.First - 1 });
                }

                if (hole.Last >= piece.Last)
                {
                    covered = true;
                    break;
                }

                start = hole.Last + 1;
            }

            if (!covered)
            {
                result.Add(piece with { First = start });
            }
        }

        return result;
    }

    private static bool IsBefore(Interval hole, Interval piece)
    {
        var byFamily = IpMath.FamilyOrder(hole.Family).CompareTo(IpMath.FamilyOrder(piece.Family));
        return byFamily < 0 || (byFamily == 0 && hole.Last < piece.First);
    }

    private static List<IpRange> ToRanges(List<Interval> intervals) =>
        intervals.ConvertAll(i => new IpRange(IpMath.FromUInt128(i.First, i.Family), IpMath.FromUInt128(i.Last, i.Family)));

    private readonly record struct Interval(AddressFamily Family, UInt128 First, UInt128 Last)
    {
        public static Interval Of(IpRange r) => new(r.First.AddressFamily, IpMath.ToUInt128(r.First), IpMath.ToUInt128(r.Last));

        public static Interval Single(IPAddress a) => new(a.AddressFamily, IpMath.ToUInt128(a), IpMath.ToUInt128(a));
    }
}
