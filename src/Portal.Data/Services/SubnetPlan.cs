using System.Net;
using Portal.Core.Errors;
using Portal.Core.Ip;

namespace Portal.Data.Services;

/// <summary>A subnet's settings parsed and checked against Neutron's rules, before anything is written.</summary>
internal sealed record SubnetPlan(
    string Name,
    string Description,
    IPNetwork Cidr,
    IPAddress? Gateway,
    bool EnableDhcp,
    IReadOnlyList<IpRange> Pools,
    IReadOnlyList<IPAddress> Dns,
    IReadOnlyList<HostRoute> Routes,
    string? Ipv6RaMode = null,
    string? Ipv6AddressMode = null)
{
    public const int MaxNameLength = 255;

    public static SubnetPlan From(SubnetCreate request)
    {
        var name = CheckName(request.Name, required: false);
        var cidr = IpMath.ParseCidr(request.Cidr, "cidr");
        Ipv6Modes.Validate(cidr, request.Ipv6RaMode, request.Ipv6AddressMode);
        var gateway = ResolveGateway(cidr, request.GatewayMode, request.GatewayIp);
        var pools = request.AllocationPools.Count == 0
            ? SubnetDefaults.DefaultPools(cidr, gateway)
            : ParsePools(request.AllocationPools);
        return Validated(new SubnetPlan(name, CheckDescription(request.Description), cidr, gateway, request.EnableDhcp, pools,
            ParseDns(request.DnsNameservers), ParseRoutes(request.HostRoutes), request.Ipv6RaMode, request.Ipv6AddressMode));
    }

    /// <summary>The plan after an update; pools given explicitly replace the old ones, otherwise the old ones stay.</summary>
    public static SubnetPlan From(SubnetPlan current, SubnetUpdate update)
    {
        var gateway = update.GatewayMode is { } mode
            ? ResolveGateway(current.Cidr, mode, update.GatewayIp)
            : current.Gateway;
        return Validated(current with
        {
            Name = update.Name is null ? current.Name : CheckName(update.Name, required: false),
            Description = update.Description is null ? current.Description : CheckDescription(update.Description),
            Gateway = gateway,
            EnableDhcp = update.EnableDhcp ?? current.EnableDhcp,
            Pools = update.AllocationPools is null ? current.Pools : ParsePools(update.AllocationPools),
            Dns = update.DnsNameservers is null ? current.Dns : ParseDns(update.DnsNameservers),
            Routes = update.HostRoutes is null ? current.Routes : ParseRoutes(update.HostRoutes),
        });
    }

    public static string CheckName(string? name, bool required)
    {
        var trimmed = CheckText(name, "name", MaxNameLength, "NameTooLong");
        if (required && trimmed.Length == 0) throw NeutronErrors.InvalidInput("NameRequired", "name");
        return trimmed;
    }

    /// <summary>
    /// A free text (name, description, DNS name) as it is stored: trimmed, at most <paramref name="max"/> characters
    /// (its column's length), and without NUL or a lone surrogate, which PostgreSQL cannot store in text (the UI's
    /// strings come from the browser's, which may hold one).
    /// </summary>
    public static string CheckText(string? text, string field, int max, string tooLongKey)
    {
        var trimmed = (text ?? "").Trim();
        if (trimmed.Contains('\0')) throw NeutronErrors.InvalidInput("TextHasNul", field);
        if (HasLoneSurrogate(trimmed)) throw NeutronErrors.InvalidInput("TextHasLoneSurrogate", field);
        if (trimmed.Length > max) throw NeutronErrors.InvalidInput(tooLongKey, field, max);
        return trimmed;
    }

    public const int MaxDescriptionLength = 1024;

    public static string CheckDescription(string? description) => CheckText(description, "description", MaxDescriptionLength, "DescriptionTooLong");

    private static bool HasLoneSurrogate(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) i++;
            else if (char.IsSurrogate(text[i])) return true;
        }
        return false;
    }

    private static SubnetPlan Validated(SubnetPlan plan)
    {
        SubnetRules.ValidatePools(plan.Cidr, plan.Pools);
        SubnetRules.ValidateGateway(plan.Cidr, plan.Gateway, plan.Pools);
        SubnetRules.ValidateDns(plan.Dns);
        SubnetRules.ValidateHostRoutes(plan.Cidr, plan.Routes);
        return plan;
    }

    private static IPAddress? ResolveGateway(IPNetwork cidr, GatewayMode mode, string? text) => mode switch
    {
        GatewayMode.None => null,
        GatewayMode.Explicit => IpMath.ParseAddress(text ?? "", "gateway_ip"),
        _ => SubnetDefaults.DefaultGateway(cidr),
    };

    // Each list is counted against its limit before any entry is parsed: a body of thousands is refused at once.
    private static IReadOnlyList<IpRange> ParsePools(IReadOnlyCollection<string> pools)
    {
        SubnetRules.CheckPoolCount(pools.Count);
        return pools.Select(p => IpRange.Parse(p, "allocation_pools")).ToList();
    }

    private static IReadOnlyList<IPAddress> ParseDns(IReadOnlyCollection<string> servers)
    {
        SubnetRules.CheckDnsCount(servers.Count);
        return servers.Select(s => IpMath.ParseAddress(s, "dns_nameservers")).ToList();
    }

    private static IReadOnlyList<HostRoute> ParseRoutes(IReadOnlyCollection<HostRouteInput> routes)
    {
        SubnetRules.CheckHostRouteCount(routes.Count);
        return routes.Select(r => new HostRoute(IpMath.ParseCidr(r.Destination, "host_routes"), IpMath.ParseAddress(r.NextHop, "host_routes")))
            .ToList();
    }
}
