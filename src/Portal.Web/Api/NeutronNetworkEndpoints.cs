using System.Globalization;
using System.Text.Json.Nodes;
using Portal.Core.Errors;
using Portal.Data.Entities;
using Portal.Data.Services;

namespace Portal.Web.Api;

/// <summary>
/// Neutron's <c>/v2.0/networks</c> over <see cref="NetworkService"/>: every rule is the service's; this only
/// maps Neutron's JSON to the service's requests and back. The project is the token's.
/// </summary>
public static class NeutronNetworkEndpoints
{
    public static void MapNeutronNetworks(this RouteGroupBuilder v2)
    {
        v2.MapGet("/networks", ListAsync);
        v2.MapGet("/networks/{id}", async (string id, HttpContext http, NetworkService networks) =>
            Results.Json(new JsonObject { ["network"] = ToJson(await networks.GetAsync(http.User.ProjectId(), ParseId(id), http.RequestAborted)) }));
        v2.MapPost("/networks", CreateAsync);
        v2.MapPut("/networks/{id}", UpdateAsync);
        v2.MapDelete("/networks/{id}", async (string id, HttpContext http, NetworkService networks) =>
        {
            await networks.DeleteAsync(http.User.ProjectId(), ParseId(id), http.Actor(), http.RequestAborted);
            return Results.NoContent();
        });
    }

    private static async Task<IResult> ListAsync(HttpContext http, NetworkService networks)
    {
        var query = http.Request.Query;
        IEnumerable<Network> all = await networks.ListAsync(http.User.ProjectId(), http.RequestAborted);
        if (query.TryGetValue("name", out var names)) all = all.Where(n => names.Contains(n.Name));
        if (query.TryGetValue("router:external", out var external) && bool.TryParse(external, out var ext)) all = all.Where(n => n.External == ext);
        return NeutronLists.Page(http, "networks", all, n => n.Id, ToJson);
    }

    private static async Task<IResult> CreateAsync(HttpContext http, NetworkService networks)
    {
        var body = await ApiBody.ReadObjectAsync(http, "network");
        RefuseAdminOnly(body);
        var request = new NetworkCreate
        {
            Name = ApiBody.String(body, "name") ?? "",
            Description = ApiBody.String(body, "description") ?? "",
            Mtu = ApiBody.Int(body, "mtu") ?? 1500,
            AdminStateUp = ApiBody.Bool(body, "admin_state_up") ?? true,
            ServicesAccess = ApiBody.Bool(body, "enable_shadow_port") ?? false,
        };
        var created = await networks.CreateAsync(http.User.ProjectId(), request, http.Actor(), http.RequestAborted);
        return Results.Json(new JsonObject { ["network"] = ToJson(created) }, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> UpdateAsync(string id, HttpContext http, NetworkService networks)
    {
        var networkId = ParseId(id);
        var body = await ApiBody.ReadObjectAsync(http, "network");
        RefuseAdminOnly(body);
        var update = new NetworkUpdate
        {
            Name = ApiBody.String(body, "name"),
            Description = ApiBody.String(body, "description"),
            Mtu = ApiBody.Int(body, "mtu"),
            AdminStateUp = ApiBody.Bool(body, "admin_state_up"),
            ServicesAccess = ApiBody.Bool(body, "enable_shadow_port"),
        };
        var updated = await networks.UpdateAsync(http.User.ProjectId(), networkId, update, http.RequestAborted);
        return Results.Json(new JsonObject { ["network"] = ToJson(updated) });
    }

    /// <summary>Shared and provider networks are the cloud's: a customer cannot ask for either.</summary>
    private static void RefuseAdminOnly(JsonObject body)
    {
        foreach (var key in new[] { "shared", "router:external" })
        {
            if (ApiBody.Bool(body, key) == true)
            {
                throw new ApiException(403, "PolicyNotAuthorized", $"(rule:create_network:{key}) is disallowed by policy");
            }
        }
    }

    /// <summary>Network ids are UUIDs; anything else is simply not found (as Neutron answers).</summary>
    public static Guid ParseId(string id) =>
        Guid.TryParse(id, out var guid) ? guid : throw NeutronErrors.NotFound("Resource.Network", id);

    public static JsonObject ToJson(Network n) => new()
    {
        ["id"] = n.Id.ToString(),
        ["name"] = n.Name,
        ["description"] = n.Description,
        ["tenant_id"] = n.ProjectId,
        ["project_id"] = n.ProjectId,
        ["admin_state_up"] = n.AdminStateUp,
        ["status"] = n.Status,
        ["mtu"] = n.Mtu,
        ["shared"] = false,
        ["router:external"] = n.External,
        ["subnets"] = new JsonArray(n.Subnets.Select(s => (JsonNode?)JsonValue.Create(s.Id.ToString())).ToArray()),
        ["port_security_enabled"] = true,
        ["availability_zone_hints"] = new JsonArray(),
        ["availability_zones"] = new JsonArray("nova"),
        ["ipv4_address_scope"] = null,
        ["ipv6_address_scope"] = null,
        ["l2_adjacency"] = true,
        ["is_default"] = false,
        ["qos_policy_id"] = null,
        ["revision_number"] = n.Version,
        ["tags"] = new JsonArray(),
        ["enable_shadow_port"] = n.ServicesAccess,
        ["created_at"] = n.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        ["updated_at"] = n.UpdatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
    };
}
