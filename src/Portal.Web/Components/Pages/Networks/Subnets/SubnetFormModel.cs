using Portal.Data.Entities;
using Portal.Data.Services;

namespace Portal.Web.Components.Pages.Networks.Subnets;

/// <summary>What the subnet form edits: text as typed, rows as the user added them.</summary>
public sealed class SubnetFormModel
{
    public string Name { get; set; } = "";
    public string Cidr { get; set; } = "";
    public GatewayMode GatewayMode { get; set; } = GatewayMode.Auto;
    public string GatewayIp { get; set; } = "";
    public bool EnableDhcp { get; set; } = true;
    public List<PoolRow> Pools { get; } = [];
    public List<TextRow> Dns { get; } = [];
    public List<RouteRow> Routes { get; } = [];

    public sealed class PoolRow { public string First { get; set; } = ""; public string Last { get; set; } = ""; }
    public sealed class TextRow { public string Value { get; set; } = ""; }
    public sealed class RouteRow { public string Destination { get; set; } = ""; public string NextHop { get; set; } = ""; }

    public static SubnetFormModel From(Subnet s)
    {
        var model = new SubnetFormModel
        {
            Name = s.Name,
            Cidr = s.Cidr.ToString(),
            GatewayMode = s.GatewayIp is null ? GatewayMode.None : GatewayMode.Explicit,
            GatewayIp = s.GatewayIp?.ToString() ?? "",
            EnableDhcp = s.EnableDhcp,
        };
        model.Pools.AddRange(s.AllocationPools.Select(p => new PoolRow { First = p.FirstIp.ToString(), Last = p.LastIp.ToString() }));
        model.Dns.AddRange(s.DnsNameservers.Select(d => new TextRow { Value = d.ToString() }));
        model.Routes.AddRange(s.HostRoutes.Select(r => new RouteRow { Destination = r.Destination.ToString(), NextHop = r.NextHop.ToString() }));
        return model;
    }

    public SubnetCreate ToCreate() => new()
    {
        Name = Name,
        Cidr = Cidr,
        GatewayMode = GatewayMode,
        GatewayIp = GatewayMode == GatewayMode.Explicit ? GatewayIp : null,
        EnableDhcp = EnableDhcp,
        AllocationPools = PoolTexts(),
        DnsNameservers = DnsTexts(),
        HostRoutes = RouteInputs(),
    };

    public SubnetUpdate ToUpdate() => new()
    {
        Name = Name,
        GatewayMode = GatewayMode,
        GatewayIp = GatewayMode == GatewayMode.Explicit ? GatewayIp : null,
        EnableDhcp = EnableDhcp,
        AllocationPools = PoolTexts(),
        DnsNameservers = DnsTexts(),
        HostRoutes = RouteInputs(),
    };

    // Blank rows are rows the user added and left empty: ignored rather than reported.
    private List<string> PoolTexts() => Pools.Where(p => p.First.Trim().Length > 0 || p.Last.Trim().Length > 0)
        .Select(p => $"{p.First.Trim()}-{p.Last.Trim()}").ToList();

    private List<string> DnsTexts() => Dns.Select(d => d.Value.Trim()).Where(v => v.Length > 0).ToList();

    private List<HostRouteInput> RouteInputs() => Routes.Where(r => r.Destination.Trim().Length > 0 || r.NextHop.Trim().Length > 0)
        .Select(r => new HostRouteInput(r.Destination.Trim(), r.NextHop.Trim())).ToList();
}
