using System.Net;
using System.Numerics;
using Portal.Core.Errors;

namespace Portal.Core.Ip;

/// <summary>
/// An inclusive range of addresses of one family, such as an allocation pool. The constructor rejects a
/// reversed or mixed-family range with Neutron's InvalidAllocationPool, since pools are the ranges users type.
/// </summary>
public readonly record struct IpRange(IPAddress First, IPAddress Last)
{
    public IPAddress First { get; } = First;

    /// <summary>Get-only, so a <c>with</c> expression cannot bypass the check in <see cref="Ordered"/>.</summary>
    public IPAddress Last { get; } = Ordered(First, Last);

    public BigInteger Count => (BigInteger)(IpMath.ToUInt128(Last) - IpMath.ToUInt128(First)) + BigInteger.One;

    /// <summary>Parses "first-last"; an en dash is accepted too, since word processors turn hyphens into one.</summary>
    public static IpRange Parse(string text, string field = "allocation_pools")
    {
        var trimmed = text.Trim();
        var ends = trimmed.Split('-', '–');
        if (ends.Length != 2 || ends.Any(string.IsNullOrWhiteSpace))
        {
            throw NeutronErrors.InvalidInput("IpRangeInvalid", field, trimmed);
        }

        return new IpRange(IpMath.ParseAddress(ends[0], field), IpMath.ParseAddress(ends[1], field));
    }

    public bool Contains(IPAddress a) =>
        a.AddressFamily == First.AddressFamily && IpMath.Compare(First, a) <= 0 && IpMath.Compare(a, Last) <= 0;

    public bool Overlaps(IpRange other) =>
        other.First.AddressFamily == First.AddressFamily
        && IpMath.Compare(First, other.Last) <= 0
        && IpMath.Compare(other.First, Last) <= 0;

    public override string ToString() => $"{First}-{Last}";

    private static IPAddress Ordered(IPAddress first, IPAddress last)
    {
        if (first.AddressFamily != last.AddressFamily)
        {
            throw NeutronErrors.InvalidAllocationPool("AllocationPoolMixedFamilies", first.ToString(), last.ToString());
        }

        return IpMath.Compare(first, last) > 0
            ? throw NeutronErrors.InvalidAllocationPool("AllocationPoolReversed", first.ToString(), last.ToString())
            : last;
    }
}
