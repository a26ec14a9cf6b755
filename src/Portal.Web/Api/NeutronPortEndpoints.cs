using System.Text.Json.Nodes;
using Portal.Core.Errors;
using Portal.Data.Entities;
using Portal.Data.Services;

namespace Portal.Web.Api;

/// <summary>
/// Neutron's <c>/v2.0/ports</c> over <see cref="PortService"/>: address allocation, taken addresses and MACs,
/// and system ports are the service's rules; this only maps Neutron's JSON to the service's requests and back.
/// </summary>
public static class NeutronPortEndpoints
{
    public static void MapNeutronPorts(this RouteGroupBuilder v2)
    {
        v2.MapGet("/ports", ListAsync);
        v2.MapGet("/ports/{id}", async (string id, HttpContext http, PortService ports) =>
            Results.Json(new JsonObject { ["port"] = ToJson(await ports.GetAsync(http.User.ProjectId(), ParseId(id), http.RequestAborted)) }));
        v2.MapPost("/ports", CreateAsync);
        v2.MapPut("/ports/{id}", UpdateAsync);
        v2.MapDelete("/ports/{id}", async (string id, HttpContext http, PortService ports) =>
        {
            await ports.DeleteAsync(http.User.ProjectId(), ParseId(id), http.Actor(), http.RequestAborted);
            return Results.NoContent();
        });
    }

    private static async Task<IResult> ListAsync(HttpContext http, PortService ports)
    {
        var query = http.Request.Query;
        IEnumerable<Port> filtered = await ports.ListAsync(http.User.ProjectId(), null, ct: http.RequestAborted);
        if (query.TryGetValue("network_id", out var networkIds)) filtered = filtered.Where(p => networkIds.Contains(p.NetworkId.ToString()));
        if (query.TryGetValue("name", out var names)) filtered = filtered.Where(p => names.Contains(p.Name));
        if (query.TryGetValue("device_owner", out var owners)) filtered = filtered.Where(p => owners.Contains(p.DeviceOwner));
        if (query.TryGetValue("device_id", out var devices)) filtered = filtered.Where(p => devices.Contains(p.DeviceId));
        if (query.TryGetValue("mac_address", out var macs)) filtered = filtered.Where(p => macs.Contains(Mac(p), StringComparer.OrdinalIgnoreCase));
        // Neutron encodes fixed-IP filters as repeated "fixed_ips=subnet_id=<id>" / "fixed_ips=ip_address=<ip>"; each must match.
        foreach (var filter in query.TryGetValue("fixed_ips", out var fixedIps) ? fixedIps.ToArray() : [])
        {
            var (key, value) = filter?.Split('=', 2) is [var k, var v] ? (k, v) : ("", "");
            filtered = key switch
            {
                "subnet_id" => filtered.Where(p => p.FixedIps.Any(f => f.SubnetId.ToString() == value)).ToList(),
                "ip_address" => filtered.Where(p => p.FixedIps.Any(f => f.IpAddress.ToString() == value)).ToList(),
                "ip_address_substr" => filtered.Where(p => p.FixedIps.Any(f => f.IpAddress.ToString().Contains(value, StringComparison.Ordinal))).ToList(),
                _ => throw new ApiException(400, "HTTPBadRequest", $"Invalid fixed_ips filter '{filter}'."),
            };
        }
        return NeutronLists.Page(http, "ports", filtered, p => p.Id, ToJson);
    }

    private static async Task<IResult> CreateAsync(HttpContext http, PortService ports)
    {
        var body = await ApiBody.ReadObjectAsync(http, "port");
        RefuseSystemFields(body, "create_port");
        var networkText = ApiBody.String(body, "network_id")
                          ?? throw new ApiException(400, "InvalidInput", "Invalid input for operation: network_id is required.");
        var request = new PortCreate
        {
            NetworkId = NeutronNetworkEndpoints.ParseId(networkText),
            Name = ApiBody.String(body, "name") ?? "",
            FixedIps = ApiBody.ObjectList(body, "fixed_ips")?.Select(FixedIp).ToList() ?? [],
            MacAddress = ApiBody.String(body, "mac_address"),
            DnsName = ApiBody.String(body, "dns_name") ?? "",
            AdminStateUp = ApiBody.Bool(body, "admin_state_up") ?? true,
        };
        var created = await ports.CreateAsync(http.User.ProjectId(), request, http.Actor(), http.RequestAborted);
        return Results.Json(new JsonObject { ["port"] = ToJson(created) }, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> UpdateAsync(string id, HttpContext http, PortService ports)
    {
        var portId = ParseId(id);
        var body = await ApiBody.ReadObjectAsync(http, "port");
        RefuseSystemFields(body, "update_port");
        if (body.ContainsKey("fixed_ips") || body.ContainsKey("mac_address") || body.ContainsKey("network_id"))
        {
            throw new ApiException(400, "HTTPBadRequest", "Changing fixed_ips, mac_address or network_id of a port is not supported; create a new port.");
        }
        var update = new PortUpdate
        {
            Name = ApiBody.String(body, "name"),
            AdminStateUp = ApiBody.Bool(body, "admin_state_up"),
            DnsName = ApiBody.String(body, "dns_name"),
        };
        var updated = await ports.UpdateAsync(http.User.ProjectId(), portId, update, http.RequestAborted);
        return Results.Json(new JsonObject { ["port"] = ToJson(updated) });
    }

    /// <summary>Device owners and ids mark the system's ports (DHCP, router, Kubernetes); users' ports have neither.</summary>
    private static void RefuseSystemFields(JsonObject body, string action)
    {
        foreach (var key in new[] { "device_owner", "device_id" })
        {
            if (ApiBody.String(body, key) is { Length: > 0 })
            {
                throw new ApiException(403, "PolicyNotAuthorized", $"(rule:{action}:{key}) is disallowed by policy");
            }
        }
    }

    private static FixedIpRequest FixedIp(JsonObject f)
    {
        var subnet = ApiBody.String(f, "subnet_id");
        var address = ApiBody.String(f, "ip_address");
        if (subnet is null && address is null)
        {
            throw new ApiException(400, "InvalidInput", "Invalid input for fixed_ips. Reason: each entry needs a subnet_id or an ip_address.");
        }
        return new FixedIpRequest(subnet is null ? null : NeutronSubnetEndpoints.ParseId(subnet), address);
    }

    /// <summary>Port ids are UUIDs; anything else is simply not found (as Neutron answers).</summary>
    private static Guid ParseId(string id) =>
        Guid.TryParse(id, out var guid) ? guid : throw NeutronErrors.NotFound("Resource.Port", id);

    private static string Mac(Port p) => string.Join(':', p.MacAddress.GetAddressBytes().Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));

    public static JsonObject ToJson(Port p) => new()
    {
        ["id"] = p.Id.ToString(),
        ["name"] = p.Name,
        ["description"] = "",
        ["tenant_id"] = p.ProjectId,
        ["project_id"] = p.ProjectId,
        ["network_id"] = p.NetworkId.ToString(),
        ["mac_address"] = Mac(p),
        ["fixed_ips"] = new JsonArray(p.FixedIps.OrderBy(f => f.Id)
            .Select(f => (JsonNode?)new JsonObject { ["subnet_id"] = f.SubnetId.ToString(), ["ip_address"] = f.IpAddress.ToString() }).ToArray()),
        ["device_owner"] = p.DeviceOwner,
        ["device_id"] = p.DeviceId,
        ["status"] = p.Status,
        ["admin_state_up"] = p.AdminStateUp,
        ["dns_name"] = p.DnsName,
        ["security_groups"] = new JsonArray(),
        ["port_security_enabled"] = true,
        ["allowed_address_pairs"] = new JsonArray(),
        ["extra_dhcp_opts"] = new JsonArray(),
        ["binding:vnic_type"] = "normal",
        ["qos_policy_id"] = null,
        ["revision_number"] = p.Version,
        ["tags"] = new JsonArray(),
        ["created_at"] = NeutronLists.Time(p.CreatedAt),
        ["updated_at"] = NeutronLists.Time(p.UpdatedAt),
    };
}
