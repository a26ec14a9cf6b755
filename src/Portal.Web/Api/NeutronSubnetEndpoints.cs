using System.Text.Json.Nodes;
using Portal.Core.Errors;
using Portal.Data.Entities;
using Portal.Data.Services;

namespace Portal.Web.Api;

/// <summary>
/// Neutron's <c>/v2.0/subnets</c> over <see cref="SubnetService"/>: every rule (CIDR, pools, gateway, overlap,
/// addresses in use) is the service's; this only maps Neutron's JSON to the service's requests and back.
/// </summary>
public static class NeutronSubnetEndpoints
{
    public static void MapNeutronSubnets(this RouteGroupBuilder v2)
    {
        v2.MapGet("/subnets", ListAsync);
        v2.MapGet("/subnets/{id}", async (string id, HttpContext http, SubnetService subnets) =>
            Results.Json(new JsonObject { ["subnet"] = ToJson(await subnets.GetAsync(http.User.ProjectId(), ParseId(id), http.RequestAborted)) }));
        v2.MapPost("/subnets", CreateAsync);
        v2.MapPut("/subnets/{id}", UpdateAsync);
        v2.MapDelete("/subnets/{id}", async (string id, HttpContext http, SubnetService subnets) =>
        {
            await subnets.DeleteAsync(http.User.ProjectId(), ParseId(id), http.Actor(), http.RequestAborted);
            return Results.NoContent();
        });
    }

    private static async Task<IResult> ListAsync(HttpContext http, SubnetService subnets)
    {
        var query = http.Request.Query;
        IEnumerable<Subnet> filtered = await subnets.ListAsync(http.User.ProjectId(), null, http.RequestAborted);
        if (query.TryGetValue("network_id", out var networkIds)) filtered = filtered.Where(s => networkIds.Contains(s.NetworkId.ToString()));
        if (query.TryGetValue("name", out var names)) filtered = filtered.Where(s => names.Contains(s.Name));
        if (query.TryGetValue("cidr", out var cidrs)) filtered = filtered.Where(s => cidrs.Contains(s.Cidr.ToString()));
        return NeutronLists.Page(http, "subnets", filtered, s => s.Id, ToJson);
    }

    private static async Task<IResult> CreateAsync(HttpContext http, SubnetService subnets)
    {
        var body = await ApiBody.ReadObjectAsync(http, "subnet");
        var networkText = ApiBody.String(body, "network_id")
                          ?? throw new ApiException(400, "InvalidInput", "Invalid input for operation: network_id is required.");
        var networkId = NeutronNetworkEndpoints.ParseId(networkText);
        var cidr = ApiBody.String(body, "cidr")
                   ?? throw new ApiException(400, "InvalidInput", "Invalid input for operation: cidr is required (subnet pools are not supported).");
        CheckIpVersion(ApiBody.Int(body, "ip_version"), cidr);
        var (mode, gateway) = Gateway(body);
        var request = new SubnetCreate
        {
            Name = ApiBody.String(body, "name") ?? "",
            Cidr = cidr,
            GatewayMode = mode ?? GatewayMode.Auto,
            GatewayIp = gateway,
            EnableDhcp = ApiBody.Bool(body, "enable_dhcp") ?? true,
            AllocationPools = Pools(body) ?? [],
            DnsNameservers = ApiBody.StringList(body, "dns_nameservers") ?? [],
            HostRoutes = Routes(body) ?? [],
        };
        var created = await subnets.CreateAsync(http.User.ProjectId(), networkId, request, http.Actor(), http.RequestAborted);
        return Results.Json(new JsonObject { ["subnet"] = ToJson(created) }, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> UpdateAsync(string id, HttpContext http, SubnetService subnets)
    {
        var subnetId = ParseId(id);
        var body = await ApiBody.ReadObjectAsync(http, "subnet");
        var (mode, gateway) = Gateway(body);
        var update = new SubnetUpdate
        {
            Name = ApiBody.String(body, "name"),
            GatewayMode = mode,
            GatewayIp = gateway,
            EnableDhcp = ApiBody.Bool(body, "enable_dhcp"),
            AllocationPools = Pools(body),
            DnsNameservers = ApiBody.StringList(body, "dns_nameservers"),
            HostRoutes = Routes(body),
        };
        var updated = await subnets.UpdateAsync(http.User.ProjectId(), subnetId, update, http.RequestAborted);
        return Results.Json(new JsonObject { ["subnet"] = ToJson(updated) });
    }

    /// <summary>The version follows from the CIDR (the service's); a stated version must agree with it.</summary>
    private static void CheckIpVersion(int? version, string cidr)
    {
        if (version is null) return;
        if (version is not (4 or 6))
        {
            throw new ApiException(400, "InvalidInput", $"Invalid input for ip_version. Reason: {version} is not in [4, 6].");
        }
        if (System.Net.IPNetwork.TryParse(cidr.Trim(), out var parsed)
            && (parsed.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 4 : 6) != version)
        {
            throw new ApiException(400, "InvalidInput", $"Invalid input for operation: Cidr {cidr} is not valid for IP version {version}.");
        }
    }

    /// <summary><c>gateway_ip</c>: absent is the default (or unchanged), JSON null is no gateway, a string is that address.</summary>
    private static (GatewayMode? Mode, string? Ip) Gateway(JsonObject body)
    {
        if (!body.ContainsKey("gateway_ip")) return (null, null);
        if (body["gateway_ip"] is null) return (GatewayMode.None, null);
        return (GatewayMode.Explicit, ApiBody.String(body, "gateway_ip"));
    }

    private static IReadOnlyList<string>? Pools(JsonObject body) =>
        ApiBody.ObjectList(body, "allocation_pools")?
            .Select(p => ApiBody.Required(p, "allocation_pools", "start") + "-" + ApiBody.Required(p, "allocation_pools", "end")).ToList();

    private static IReadOnlyList<HostRouteInput>? Routes(JsonObject body) =>
        ApiBody.ObjectList(body, "host_routes")?
            .Select(r => new HostRouteInput(ApiBody.Required(r, "host_routes", "destination"), ApiBody.Required(r, "host_routes", "nexthop")))
            .ToList();

    /// <summary>Subnet ids are UUIDs; anything else is simply not found (as Neutron answers).</summary>
    public static Guid ParseId(string id) =>
        Guid.TryParse(id, out var guid) ? guid : throw NeutronErrors.NotFound("Resource.Subnet", id);

    public static JsonObject ToJson(Subnet s) => new()
    {
        ["id"] = s.Id.ToString(),
        ["name"] = s.Name,
        ["description"] = "",
        ["tenant_id"] = s.ProjectId,
        ["project_id"] = s.ProjectId,
        ["network_id"] = s.NetworkId.ToString(),
        ["ip_version"] = s.IpVersion,
        ["cidr"] = s.Cidr.ToString(),
        ["gateway_ip"] = s.GatewayIp?.ToString(),
        ["enable_dhcp"] = s.EnableDhcp,
        ["allocation_pools"] = new JsonArray(s.AllocationPools
            .Select(p => (JsonNode?)new JsonObject { ["start"] = p.FirstIp.ToString(), ["end"] = p.LastIp.ToString() }).ToArray()),
        ["dns_nameservers"] = new JsonArray(s.DnsNameservers.Select(d => (JsonNode?)JsonValue.Create(d.ToString())).ToArray()),
        ["host_routes"] = new JsonArray(s.HostRoutes
            .Select(r => (JsonNode?)new JsonObject { ["destination"] = r.Destination.ToString(), ["nexthop"] = r.NextHop.ToString() }).ToArray()),
        ["ipv6_address_mode"] = null,
        ["ipv6_ra_mode"] = null,
        ["subnetpool_id"] = null,
        ["segment_id"] = null,
        ["service_types"] = new JsonArray(),
        ["dns_publish_fixed_ip"] = false,
        ["revision_number"] = s.Version,
        ["tags"] = new JsonArray(),
        ["created_at"] = NeutronLists.Time(s.CreatedAt),
        ["updated_at"] = NeutronLists.Time(s.UpdatedAt),
    };
}
