using System.Net;

namespace Portal.Core.Ip;

/// <summary>Suggestions for the subnet form: the next CIDR that collides with nothing the project already has.</summary>
public static class CidrSuggestions
{
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
