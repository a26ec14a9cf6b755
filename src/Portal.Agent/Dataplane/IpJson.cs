using System.Net;
using System.Text.Json.Serialization;

namespace Portal.Agent.Dataplane;

/// <summary>A route as <c>ip -j route show</c> prints it.</summary>
internal sealed record IpRoute(string? Dst, string? Gateway, long? Metric)
{
    /// <summary>The destination as a network: "default" is 0.0.0.0/0 and a bare address is a /32.</summary>
    public IPNetwork? Destination() =>
        Dst switch
        {
            null => null,
            "default" => new IPNetwork(IPAddress.Any, 0),
            _ when IPNetwork.TryParse(Dst.Contains('/') ? Dst : Dst + "/32", out var network) => network,
            _ => null,
        };
}

/// <summary>A link with its addresses as <c>ip -j addr show</c> prints it.</summary>
internal sealed record IpLink(List<string>? Flags, int Mtu, List<IpAddressInfo>? AddrInfo)
{
    // The administrative state: a bridge without ports is up but reports operstate DOWN.
    public bool IsUp => Flags?.Contains("UP") == true;
}

internal sealed record IpAddressInfo(string? Family, string? Local, int Prefixlen);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(List<IpRoute>))]
[JsonSerializable(typeof(List<IpLink>))]
internal sealed partial class IpJson : JsonSerializerContext;
