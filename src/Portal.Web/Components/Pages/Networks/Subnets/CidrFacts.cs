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
    /// The next free block for this network: same size as typed (or /24), in the private range of the
    /// network's first subnet (or 10.0.0.0/8), clear of every subnet of the project.
    /// </summary>
    public static IPNetwork? Suggest(IPNetwork? typed, Guid? networkId, IReadOnlyList<ProjectSubnet> projectSubnets)
    {
        var anchor = projectSubnets.FirstOrDefault(s => s.NetworkId == networkId)?.Cidr ?? typed;
        IPNetwork within = anchor is { } a && a.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6
            ? new IPNetwork(IpMath.First(new IPNetwork(a.BaseAddress, 48)), 48)
            : anchor is { } v4 && PrivateRanges.FirstOrDefault(r => IpMath.Contains(r, v4.BaseAddress)) is { PrefixLength: > 0 } range
                ? range
                : PrivateRanges[0];
        var prefix = typed is { } t && t.BaseAddress.AddressFamily == within.BaseAddress.AddressFamily ? t.PrefixLength
            : within.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6 ? 64 : 24;
        return CidrSuggestions.FirstFree(within, Math.Max(prefix, within.PrefixLength), projectSubnets.Select(s => s.Cidr));
    }

    private static readonly IPNetwork[] PrivateRanges =
        [IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("172.16.0.0/12"), IPNetwork.Parse("192.168.0.0/16")];
}
