using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using Portal.Core.Errors;

namespace Portal.Core.Ip;

/// <summary>
/// Neutron's IPv6 subnet modes: how routers advertise the prefix (<c>ipv6_ra_mode</c>) and how ports get addresses
/// (<c>ipv6_address_mode</c>). SLAAC and DHCPv6-stateless subnets give every port its EUI-64 address, made from the
/// port's MAC (RFC 4291, appendix A), so they need a /64.
/// </summary>
public static class Ipv6Modes
{
    public const string Slaac = "slaac";
    public const string Stateful = "dhcpv6-stateful";
    public const string Stateless = "dhcpv6-stateless";

    public static readonly ImmutableArray<string> All = [Stateful, Stateless, Slaac];

    /// <summary>Whether a subnet with this address mode gives its ports EUI-64 addresses rather than addresses from its pools.</summary>
    public static bool IsAutoAddress(string? addressMode) => addressMode is Slaac or Stateless;

    /// <summary>Neutron's rules for the two modes of a subnet with <paramref name="cidr"/>; null is "not set".</summary>
    public static void Validate(IPNetwork cidr, string? raMode, string? addressMode)
    {
        Known("ipv6_ra_mode", raMode);
        Known("ipv6_address_mode", addressMode);
        if (raMode is null && addressMode is null) return;
        if (cidr.BaseAddress.AddressFamily == AddressFamily.InterNetwork)
        {
            var field = raMode is not null ? "ipv6_ra_mode" : "ipv6_address_mode";
            throw NeutronErrors.InvalidInput("Ipv6ModeOnIpv4", field, field);
        }
        if (raMode is not null && addressMode is not null && raMode != addressMode)
            throw NeutronErrors.InvalidInput("Ipv6ModesDiffer", "ipv6_address_mode", raMode, addressMode);
        if ((IsAutoAddress(addressMode) || IsAutoAddress(raMode)) && cidr.PrefixLength != 64)
            throw NeutronErrors.InvalidInput("Ipv6AutoAddressPrefix", "cidr", cidr.ToString());
    }

    private static void Known(string field, string? mode)
    {
        if (mode is not null && !All.Contains(mode))
            throw NeutronErrors.InvalidInput("Ipv6ModeUnknown", field, field, mode, string.Join(", ", All));
    }

    /// <summary>
    /// The EUI-64 address of <paramref name="mac"/> (six bytes) in the /64 <paramref name="prefix"/>: the prefix, then
    /// the MAC with FF:FE in its middle and the universal/local bit of its first byte inverted.
    /// </summary>
    public static IPAddress Eui64(IPNetwork prefix, ReadOnlySpan<byte> mac)
    {
        if (mac.Length != 6) throw new ArgumentException("A MAC address has six bytes.", nameof(mac));
        var bytes = prefix.BaseAddress.GetAddressBytes();
        bytes[8] = (byte)(mac[0] ^ 0x02);
        bytes[9] = mac[1];
        bytes[10] = mac[2];
        bytes[11] = 0xff;
        bytes[12] = 0xfe;
        bytes[13] = mac[3];
        bytes[14] = mac[4];
        bytes[15] = mac[5];
        return new IPAddress(bytes);
    }
}
