using System.Net;
using System.Net.Sockets;

namespace Portal.Core.Ip;

/// <summary>Suggestions for the subnet form: the next CIDR that collides with nothing the project already has.</summary>
public static class CidrSuggestions
{
    private static readonly IPNetwork[] PrivateRanges =
        [IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("172.16.0.0/12"), IPNetwork.Parse("192.168.0.0/16")];

    /// <summary>
    /// The CIDR to offer for a new subnet: the size of <paramref name="typed"/> (or /24, IPv6 /64, when nothing of
    /// the family is typed yet), clear of every one of <paramref name="taken"/>, and as close as possible to
    /// <paramref name="near"/> (the network's first subnet; without one, what was typed): in its /16 (IPv6: its /48)
    /// first, then in its private range (or 10.0.0.0/8). Null when there is no room left there.
    /// </summary>
    public static IPNetwork? NextFree(IPNetwork? typed, IPNetwork? near, IEnumerable<IPNetwork> taken)
    {
        var anchor = near ?? typed;
        var v6 = anchor is { } a6 && a6.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6;
        var prefix = typed is { } t && (t.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6) == v6 ? t.PrefixLength : v6 ? 64 : 24;
        var blocks = taken.ToList();
        return SearchRanges(anchor, v6).Select(r => FirstFree(r, Math.Max(prefix, r.PrefixLength), blocks)).FirstOrDefault(s => s is not null);
    }

    /// <summary>Where <see cref="NextFree"/> looks, nearest to the anchor first.</summary>
    private static IPNetwork[] SearchRanges(IPNetwork? anchor, bool v6)
    {
        // IPNetwork's constructor clears the host bits, so these are the blocks the anchor lies in.
        if (v6) return [new IPNetwork(anchor!.Value.BaseAddress, 48)];
        if (anchor is { } v4 && PrivateRanges.FirstOrDefault(r => IpMath.Contains(r, v4.BaseAddress)) is { PrefixLength: > 0 } range)
        {
            return [new IPNetwork(v4.BaseAddress, Math.Max(16, range.PrefixLength)), range];
        }
        return [PrivateRanges[0]];
    }

    /// <summary>
    /// The lowest block of <paramref name="prefixLength"/> inside <paramref name="within"/> that overlaps none of
    /// <paramref name="taken"/>, or null when the range is full. Jumps past each collision, so the cost grows
    /// with the number of taken blocks, not with the size of the range.
    /// </summary>
    public static IPNetwork? FirstFree(IPNetwork within, int prefixLength, IEnumerable<IPNetwork> taken)
    {
        var family = within.BaseAddress.AddressFamily;
        var bits = IpMath.Bits(family);
        if (prefixLength < within.PrefixLength || prefixLength > bits) return null;
        var blockSize = UInt128.One << (bits - prefixLength);
        var end = IpMath.ToUInt128(IpMath.Last(within));
        var blocks = taken.Where(t => t.BaseAddress.AddressFamily == family)
            .Select(t => (First: IpMath.ToUInt128(IpMath.First(t)), Last: IpMath.ToUInt128(IpMath.Last(t))))
            .OrderBy(t => t.First).ToList();

        var candidate = IpMath.ToUInt128(IpMath.First(within));
        foreach (var (first, last) in blocks)
        {
            if (last < candidate) continue;
            var candidateLast = candidate + (blockSize - 1);
            if (first > candidateLast) break;
            // Collision: the next aligned block after this taken range.
            if (last >= end) return null;
            candidate = (last / blockSize + 1) * blockSize;
            if (candidate == 0 || candidate > end) return null;
        }
        var result = candidate + (blockSize - 1);
        return result <= end ? new IPNetwork(IpMath.FromUInt128(candidate, family), prefixLength) : null;
    }
}
