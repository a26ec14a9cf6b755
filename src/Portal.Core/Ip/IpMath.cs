using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Numerics;
using Portal.Core.Errors;

namespace Portal.Core.Ip;

/// <summary>
/// Parsing and arithmetic for IPv4 and IPv6 addresses and networks. Addresses are handled as
/// <see cref="UInt128"/> values so both families share one code path.
/// </summary>
public static class IpMath
{
    /// <summary>
    /// Parses one address the way Neutron's validators accept it: dotted-decimal IPv4 with exactly four
    /// parts, or IPv6 without brackets or a zone index.
    /// </summary>
    public static IPAddress ParseAddress(string text, string field = "ip_address")
    {
        var trimmed = text.Trim();
        if (trimmed.Length == 0)
        {
            throw NeutronErrors.InvalidInput("IpAddressRequired", field);
        }

        return TryParseAddress(trimmed, field, out var address, out var error) ? address : throw error;
    }

    /// <summary>
    /// Parses "address/prefix" strictly: a network with host bits set is rejected with the normalised
    /// CIDR as a suggestion, because silently masking would create a different subnet than the user typed.
    /// </summary>
    public static IPNetwork ParseCidr(string text, string field = "cidr") =>
        TryParseCidr(text, field, strict: true, out var network, out var error) ? network : throw error;

    /// <summary>Masks host bits ("10.0.0.5/24" → 10.0.0.0/24) so a form can offer the corrected value.</summary>
    public static bool TryNormalize(string text, out IPNetwork normalized) =>
        TryParseCidr(text, "cidr", strict: false, out normalized, out _);

    public static UInt128 ToUInt128(IPAddress a)
    {
        Span<byte> bytes = stackalloc byte[16];
        _ = a.TryWriteBytes(bytes, out var written); // 16 bytes hold either family
        return written == 4 ? BinaryPrimitives.ReadUInt32BigEndian(bytes) : BinaryPrimitives.ReadUInt128BigEndian(bytes);
    }

    public static IPAddress FromUInt128(UInt128 value, AddressFamily family)
    {
        if (family is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
        {
            throw new ArgumentException($"Address family {family} is not IPv4 or IPv6.", nameof(family));
        }

        ArgumentOutOfRangeException.ThrowIfGreaterThan(value, MaxValue(family));
        Span<byte> bytes = stackalloc byte[Bits(family) / 8];
        if (family == AddressFamily.InterNetwork)
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)value);
        }
        else
        {
            BinaryPrimitives.WriteUInt128BigEndian(bytes, value);
        }

        return new IPAddress(bytes);
    }

    /// <summary>Orders IPv4 before IPv6, then by numeric value.</summary>
    public static int Compare(IPAddress a, IPAddress b)
    {
        var byFamily = FamilyOrder(a.AddressFamily).CompareTo(FamilyOrder(b.AddressFamily));
        return byFamily != 0 ? byFamily : ToUInt128(a).CompareTo(ToUInt128(b));
    }

    public static IPAddress First(IPNetwork n) => n.BaseAddress;

    public static IPAddress Last(IPNetwork n) =>
        FromUInt128(ToUInt128(n.BaseAddress) | HostMask(n), n.BaseAddress.AddressFamily);

    public static BigInteger Count(IPNetwork n) => BigInteger.One << HostBits(n);

    /// <summary>
    /// The addresses a port may hold. IPv4 loses the network and broadcast addresses except in /31
    /// (RFC 3021 point-to-point) and /32; IPv6 loses only the subnet-router anycast address, which is the
    /// network address, so a /128 has nothing left.
    /// </summary>
    public static IpRange? UsableRange(IPNetwork n)
    {
        var first = ToUInt128(n.BaseAddress);
        var last = first | HostMask(n);
        var family = n.BaseAddress.AddressFamily;
        if (family == AddressFamily.InterNetwork)
        {
            return n.PrefixLength >= 31
                ? new IpRange(First(n), Last(n))
                : new IpRange(FromUInt128(first + 1, family), FromUInt128(last - 1, family));
        }

        return n.PrefixLength == 128 ? null : new IpRange(FromUInt128(first + 1, family), FromUInt128(last, family));
    }

    public static BigInteger UsableCount(IPNetwork n) => UsableRange(n)?.Count ?? BigInteger.Zero;

    /// <summary>
    /// False on family mismatch; unlike <see cref="IPNetwork.Contains"/>, an IPv4-mapped IPv6 address is
    /// not inside an IPv4 network, because Neutron treats the two families as separate spaces.
    /// </summary>
    public static bool Contains(IPNetwork n, IPAddress a) =>
        n.BaseAddress.AddressFamily == a.AddressFamily && (ToUInt128(a) & ~HostMask(n)) == ToUInt128(n.BaseAddress);

    /// <summary>Two CIDRs are either nested or disjoint, so they overlap when one holds the other's base.</summary>
    public static bool Overlaps(IPNetwork a, IPNetwork b) => Contains(a, b.BaseAddress) || Contains(b, a.BaseAddress);

    public static bool Contains(IPNetwork outer, IPNetwork inner) =>
        outer.PrefixLength <= inner.PrefixLength && Contains(outer, inner.BaseAddress);

    public static IPAddress? Next(IPAddress a)
    {
        var value = ToUInt128(a);
        return value == MaxValue(a.AddressFamily) ? null : FromUInt128(value + 1, a.AddressFamily);
    }

    public static IPAddress? Previous(IPAddress a)
    {
        var value = ToUInt128(a);
        return value == UInt128.Zero ? null : FromUInt128(value - 1, a.AddressFamily);
    }

    /// <exception cref="OverflowException">The result is past the top of the address family.</exception>
    public static IPAddress Add(IPAddress a, UInt128 offset)
    {
        var sum = checked(ToUInt128(a) + offset);
        return sum > MaxValue(a.AddressFamily)
            ? throw new OverflowException($"{a} + {offset} is past the end of the {VersionName(a.AddressFamily)} space.")
            : FromUInt128(sum, a.AddressFamily);
    }

    /// <summary>
    /// Whether <paramref name="a"/> is an address of <paramref name="n"/> that Neutron never hands to a port
    /// (see <see cref="UsableRange"/>).
    /// </summary>
    public static bool IsNetworkOrBroadcast(IPNetwork n, IPAddress a)
    {
        if (!Contains(n, a))
        {
            return false;
        }

        var value = ToUInt128(a);
        var network = ToUInt128(n.BaseAddress);
        return n.BaseAddress.AddressFamily == AddressFamily.InterNetwork
            ? n.PrefixLength < 31 && (value == network || value == (network | HostMask(n)))
            : value == network;
    }

    /// <summary>Dotted mask for IPv4; IPv6 has no dotted form, so its prefix length is shown instead.</summary>
    public static string Netmask(IPNetwork n) =>
        n.BaseAddress.AddressFamily == AddressFamily.InterNetwork
            ? FromUInt128(uint.MaxValue & ~HostMask(n), AddressFamily.InterNetwork).ToString()
            : "/" + n.PrefixLength.ToString(CultureInfo.InvariantCulture);

    internal static int Bits(AddressFamily family) => family == AddressFamily.InterNetwork ? 32 : 128;

    internal static UInt128 MaxValue(AddressFamily family) =>
        family == AddressFamily.InterNetwork ? uint.MaxValue : UInt128.MaxValue;

    internal static int FamilyOrder(AddressFamily family) => family == AddressFamily.InterNetwork ? 0 : 1;

    internal static string VersionName(AddressFamily family) =>
        family == AddressFamily.InterNetwork ? "IPv4" : "IPv6";

    private static int HostBits(IPNetwork n) => Bits(n.BaseAddress.AddressFamily) - n.PrefixLength;

    private static UInt128 HostMask(IPNetwork n)
    {
        var hostBits = HostBits(n);
        // UInt128 shifts are taken modulo 128, so a /0 IPv6 network needs its mask spelled out.
        return hostBits == 128 ? UInt128.MaxValue : (UInt128.One << hostBits) - 1;
    }

    private static bool TryParseAddress(
        string text, string field, [NotNullWhen(true)] out IPAddress? address, [NotNullWhen(false)] out NeutronException? error) =>
        text.Contains(':') ? TryParseV6(text, field, out address, out error) : TryParseV4(text, field, out address, out error);

    private static bool TryParseV6(
        string text, string field, [NotNullWhen(true)] out IPAddress? address, [NotNullWhen(false)] out NeutronException? error)
    {
        address = null;
        if (text.Contains('%'))
        {
            error = NeutronErrors.InvalidInput("IpAddressScopeId", field, text);
            return false;
        }

        // IPAddress.TryParse also takes "[::1]:80"; Neutron takes the bare address only.
        if (text.All(c => char.IsAsciiHexDigit(c) || c is ':' or '.')
            && IPAddress.TryParse(text, out var parsed)
            && parsed.AddressFamily == AddressFamily.InterNetworkV6)
        {
            address = parsed;
            error = null;
            return true;
        }

        error = NeutronErrors.InvalidInput("IpAddressInvalid", field, text);
        return false;
    }

    /// <summary>
    /// Parsed by hand because IPAddress.TryParse follows inet_aton: "10.1" means 10.0.0.1 and "010.0.0.1"
    /// is octal 8.0.0.1, both surprising in a subnet form.
    /// </summary>
    private static bool TryParseV4(
        string text, string field, [NotNullWhen(true)] out IPAddress? address, [NotNullWhen(false)] out NeutronException? error)
    {
        address = null;
        var parts = text.Split('.');
        if (!parts.All(p => p.Length is >= 1 and <= 3 && p.All(char.IsAsciiDigit)))
        {
            error = NeutronErrors.InvalidInput("IpAddressInvalid", field, text);
            return false;
        }

        if (parts.Length < 4)
        {
            error = NeutronErrors.InvalidInput("IpAddressIncomplete", field, text);
            return false;
        }

        var octets = parts.Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToArray();
        if (parts.Length > 4 || octets.Any(o => o > 255))
        {
            error = NeutronErrors.InvalidInput("IpAddressInvalid", field, text);
            return false;
        }

        var candidate = new IPAddress(octets.Select(o => (byte)o).ToArray());
        if (parts.Any(p => p.Length > 1 && p[0] == '0'))
        {
            error = NeutronErrors.InvalidInput("IpAddressLeadingZeros", field, text, candidate.ToString());
            return false;
        }

        address = candidate;
        error = null;
        return true;
    }

    private static bool TryParseCidr(
        string text, string field, bool strict, out IPNetwork network, [NotNullWhen(false)] out NeutronException? error)
    {
        network = default;
        var trimmed = text.Trim();
        if (trimmed.Length == 0)
        {
            error = NeutronErrors.InvalidInput("CidrRequired", field);
            return false;
        }

        var slash = trimmed.IndexOf('/');
        if (!TryParseAddress(slash < 0 ? trimmed : trimmed[..slash], field, out var address, out error))
        {
            return false;
        }

        var family = address.AddressFamily;
        if (slash < 0)
        {
            var typical = new IPNetwork(address, family == AddressFamily.InterNetwork ? 24 : 64);
            error = NeutronErrors.InvalidInput("CidrPrefixMissing", field, trimmed, typical.ToString());
            return false;
        }

        var prefixText = trimmed[(slash + 1)..];
        if (TryParsePrefix(prefixText, family, out var prefix))
        {
            network = new IPNetwork(address, prefix);
        }
        else if (family == AddressFamily.InterNetwork && TryParseNetmask(prefixText, out prefix))
        {
            network = new IPNetwork(address, prefix);
            if (strict)
            {
                error = NeutronErrors.InvalidInput("CidrNetmask", field, trimmed, network.ToString());
                return false;
            }
        }
        else
        {
            error = NeutronErrors.InvalidInput(
                "CidrPrefixInvalid", field, trimmed, prefixText, VersionName(family), Bits(family).ToString(CultureInfo.InvariantCulture));
            return false;
        }

        if (strict && !network.BaseAddress.Equals(address))
        {
            error = NeutronErrors.InvalidInput("CidrNotNetworkAddress", field, trimmed, network.ToString());
            return false;
        }

        error = null;
        return true;
    }

    private static bool TryParsePrefix(string text, AddressFamily family, out int prefix)
    {
        prefix = 0;
        return text.Length is >= 1 and <= 3
            && text.All(char.IsAsciiDigit)
            && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out prefix)
            && prefix <= Bits(family);
    }

    private static bool TryParseNetmask(string text, out int prefix)
    {
        prefix = 0;
        if (!TryParseV4(text, "cidr", out var mask, out _))
        {
            return false;
        }

        var value = (uint)ToUInt128(mask);
        var inverted = ~value;
        // A contiguous mask inverted is 0…01…1, and adding one to that clears every set bit.
        if ((inverted & (inverted + 1)) != 0)
        {
            return false;
        }

        prefix = BitOperations.PopCount(value);
        return true;
    }
}
