using System.Net;
using System.Net.Sockets;
using Portal.Core.Errors;
using Portal.Core.Ip;
using Portal.Data.Services;

namespace Portal.Web.Components.Pages.Networks.Subnets;

/// <summary>What the CIDR helper shows for the text typed so far; computed by Core, no database.</summary>
/// <param name="Error">Why the CIDR cannot be saved: it does not parse, or it overlaps a subnet of this network.</param>
/// <param name="Normalized">For a CIDR with host bits set (or a netmask), the network the error suggests instead.</param>
public sealed record CidrFacts(
    IPNetwork? Cidr,
    string? Error,
    SubnetCidr? OverlapHere,
    IReadOnlyList<ProjectSubnet> OverlapsElsewhere,
    IPNetwork? Normalized = null)
{
    public static readonly CidrFacts Empty = new(null, null, null, []);

    public static CidrFacts Of(string text, Guid? networkId, IReadOnlyList<ProjectSubnet> projectSubnets)
    {
        if (string.IsNullOrWhiteSpace(text)) return Empty;
        try
        {
            var cidr = IpMath.ParseCidr(text);
            // The rule and message the service refuses with; an overlap with another network only warns.
            var here = SubnetRules.FirstOverlap(cidr,
                projectSubnets.Where(s => s.NetworkId == networkId).Select(s => new SubnetCidr(s.SubnetName, s.Cidr)));
            return new CidrFacts(cidr, here is null ? null : SubnetRules.OverlapError(cidr, here).LocalizedMessage, here,
                projectSubnets.Where(s => s.NetworkId != networkId && IpMath.Overlaps(s.Cidr, cidr)).ToList());
        }
        catch (NeutronException e)
        {
            return new CidrFacts(null, e.LocalizedMessage, null, [], IpMath.TryNormalize(text, out var normalized) ? normalized : null);
        }
    }

    public bool IsV4 => Cidr?.BaseAddress.AddressFamily == AddressFamily.InterNetwork;

    /// <summary>The next free block for this network, near its first subnet and clear of every subnet of the project.</summary>
    public static IPNetwork? Suggest(IPNetwork? typed, Guid? networkId, IReadOnlyList<ProjectSubnet> projectSubnets) =>
        CidrSuggestions.NextFree(typed, projectSubnets.FirstOrDefault(s => s.NetworkId == networkId)?.Cidr, projectSubnets.Select(s => s.Cidr));
}
