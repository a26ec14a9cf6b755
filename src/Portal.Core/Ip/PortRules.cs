using System.Net;
using System.Net.NetworkInformation;
using Portal.Core.Errors;

namespace Portal.Core.Ip;

/// <summary>An address (or a CIDR) and a MAC that may send from a port besides its own: Neutron's allowed address pair.</summary>
public sealed record AddressPair(string IpAddress, string MacAddress);

/// <summary>A DHCP option the port's DHCP answers carry: Neutron's extra DHCP option.</summary>
public sealed record DhcpOption(string OptName, string OptValue, int IpVersion);

/// <summary>Neutron's rules for a port's allowed address pairs (port security) and extra DHCP options.</summary>
public static class PortRules
{
    /// <summary>Neutron's <c>max_allowed_address_pair</c>.</summary>
    public const int MaxAddressPairs = 10;

    /// <summary>Options per port: Neutron sets none; a bound keeps a body from multiplying rows.</summary>
    public const int MaxDhcpOptions = 32;

    public const int MaxDhcpOptionLength = 255;

    /// <summary>
    /// The pairs as stored: each address an IP or a CIDR in canonical form, each MAC lower-case (the port's own when
    /// none is given), no pair twice; and none at all while the port's security is off, which they would bypass.
    /// </summary>
    public static IReadOnlyList<AddressPair> CheckAddressPairs(IReadOnlyList<(string? IpAddress, string? MacAddress)> pairs,
        string portMac, bool portSecurityEnabled)
    {
        SubnetRules.CheckCount(pairs.Count, MaxAddressPairs, "AddressPairsTooMany", "allowed_address_pairs");
        if (pairs.Count > 0 && !portSecurityEnabled)
            throw new NeutronException("AddressPairAndPortSecurityRequired", 409, "AddressPairNeedsPortSecurity", "allowed_address_pairs");
        var result = new List<AddressPair>(pairs.Count);
        foreach (var (ip, mac) in pairs)
        {
            if (string.IsNullOrWhiteSpace(ip)) throw NeutronErrors.InvalidInput("AddressPairNeedsIp", "allowed_address_pairs");
            var text = ip.Trim();
            var address = text.Contains('/')
                ? IpMath.ParseCidr(text, "allowed_address_pairs").ToString()
                : IpMath.ParseAddress(text, "allowed_address_pairs").ToString();
            var pairMac = string.IsNullOrWhiteSpace(mac) ? portMac : CanonicalMac(mac.Trim());
            var pair = new AddressPair(address, pairMac);
            if (result.Contains(pair)) throw NeutronErrors.InvalidInput("AddressPairDuplicate", "allowed_address_pairs", address, pairMac);
            result.Add(pair);
        }
        return result;
    }

    private static string CanonicalMac(string text)
    {
        var hex = text.Replace(":", "-", StringComparison.Ordinal);
        if (hex.Length != 17 || !PhysicalAddress.TryParse(hex, out var parsed))
            throw NeutronErrors.InvalidInput("AddressPairInvalidMac", "allowed_address_pairs", text);
        return string.Join(':', parsed.GetAddressBytes().Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
    }

    /// <summary>
    /// A port's options after a change, as Neutron merges them: an entry sets the option of its name and IP version
    /// (4 unless given), an entry whose value is null removes it, and options no entry names stay.
    /// </summary>
    public static IReadOnlyList<DhcpOption> MergeDhcpOptions(IReadOnlyList<DhcpOption> current,
        IReadOnlyList<(string? OptName, string? OptValue, int? IpVersion)> changes)
    {
        SubnetRules.CheckCount(changes.Count, MaxDhcpOptions, "DhcpOptionsTooMany", "extra_dhcp_opts");
        var result = current.ToList();
        foreach (var (name, value, version) in changes)
        {
            if (string.IsNullOrWhiteSpace(name)) throw NeutronErrors.InvalidInput("DhcpOptionNeedsName", "extra_dhcp_opts");
            var optName = name.Trim();
            var ipVersion = version ?? 4;
            if (ipVersion is not (4 or 6)) throw NeutronErrors.InvalidInput("DhcpOptionIpVersion", "extra_dhcp_opts", ipVersion);
            if (optName.Length > MaxDhcpOptionLength || value?.Length > MaxDhcpOptionLength)
                throw NeutronErrors.InvalidInput("DhcpOptionTooLong", "extra_dhcp_opts", MaxDhcpOptionLength);
            result.RemoveAll(o => o.OptName == optName && o.IpVersion == ipVersion);
            if (value is null) continue;
            if (value.Trim().Length == 0) throw NeutronErrors.InvalidInput("DhcpOptionNeedsValue", "extra_dhcp_opts", optName);
            result.Add(new DhcpOption(optName, value.Trim(), ipVersion));
        }
        SubnetRules.CheckCount(result.Count, MaxDhcpOptions, "DhcpOptionsTooMany", "extra_dhcp_opts");
        return result;
    }
}
