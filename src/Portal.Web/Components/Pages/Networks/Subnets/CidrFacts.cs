using System.Net;
using System.Net.Sockets;
using Portal.Core.Errors;
using Portal.Core.Ip;
using Portal.Data.Services;

namespace Portal.Web.Components.Pages.Networks.Subnets;

/// <summary>What the CIDR helper shows for the text typed so far; computed by Core, no database.</summary>
public sealed record CidrFacts(
    IPNetwork? Cidr,
    string? Error,
    IReadOnlyList<ProjectSubnet> OverlapsHere,
    IReadOnlyList<ProjectSubnet> OverlapsElsewhere)
{
    public static CidrFacts Of(string text, Guid? networkId, IReadOnlyList<ProjectSubnet> projectSubnets)
    {
        if (string.IsNullOrWhiteSpace(text)) return new CidrFacts(null, null, [], []);
        try
        {
            var cidr = IpMath.ParseCidr(text);
            var overlapping = projectSubnets.Where(s => IpMath.Overlaps(s.Cidr, cidr)).ToList();
            return new CidrFacts(cidr, null,
                overlapping.Where(s => s.NetworkId == networkId).ToList(),
                overlapping.Where(s => s.NetworkId != networkId).ToList());
        }
        catch (NeutronException e)
        {
            return new CidrFacts(null, e.LocalizedMessage, [], []);
        }
    }

    public bool IsV4 => Cidr?.BaseAddress.AddressFamily == AddressFamily.InterNetwork;

    /// <summary>
    /// The next free block for this network: same size as typed (or /24 / /64), clear of every subnet of the
    /// project, as close as possible to the network's first subnet: in its /16 (IPv6: /48) first, then in its
    /// private range (or 10.0.0.0/8).
    /// </summary>
    public static IPNetwork? Suggest(IPNetwork? typed, Guid? networkId, IReadOnlyList<ProjectSubnet> projectSubnets)
    {
        var anchor = projectSubnets.FirstOrDefault(s => s.NetworkId == networkId)?.Cidr ?? typed;
        var taken = projectSubnets.Select(s => s.Cidr).ToList();
        var v6 = anchor is { } a6 && a6.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6;
        var prefix = typed is { } t && (t.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6) == v6 ? t.PrefixLength : v6 ? 64 : 24;
        IEnumerable<IPNetwork> ranges = v6
            ? [new IPNetwork(IpMath.First(new IPNetwork(anchor!.Value.BaseAddress, 48)), 48)]
            : anchor is { } v4 && PrivateRanges.FirstOrDefault(r => IpMath.Contains(r, v4.BaseAddress)) is { PrefixLength: > 0 } range
                ? [new IPNetwork(IpMath.First(new IPNetwork(v4.BaseAddress, Math.Max(16, range.PrefixLength))), Math.Max(16, range.PrefixLength)), range]
                : [PrivateRanges[0]];
        return ranges.Select(r => CidrSuggestions.FirstFree(r, Math.Max(prefix, r.PrefixLength), taken)).FirstOrDefault(s => s is not null);
    }

    private static readonly IPNetwork[] PrivateRanges =
        [IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("172.16.0.0/12"), IPNetwork.Parse("192.168.0.0/16")];
}
