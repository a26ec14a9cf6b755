using System.Globalization;
using System.Numerics;
using System.Text.Json.Nodes;
using Portal.Core.Errors;
using Portal.Data.Entities;
using Portal.Data.Services;

namespace Portal.Web.Api;

/// <summary>
/// Neutron's <c>/v2.0/network-ip-availabilities</c>: address usage of the project's own networks, per subnet, from
/// <see cref="SubnetService.GetAvailabilityAsync"/> (addresses in the allocation pools; used = allocated inside them).
/// The external network is left out: its usage is the whole cloud's.
/// </summary>
public static class NeutronIpAvailabilityEndpoints
{
    public static void MapNeutronIpAvailabilities(this RouteGroupBuilder v2)
    {
        v2.MapGet("/network-ip-availabilities", async (HttpContext http, NetworkService networks, SubnetService subnets) =>
        {
            var projectId = http.User.ProjectId();
            IEnumerable<Network> own = (await networks.ListAsync(projectId, http.RequestAborted)).Where(n => n.ProjectId == projectId);
            var query = http.Request.Query;
            if (query.TryGetValue("network_id", out var ids)) own = own.Where(n => ids.Contains(n.Id.ToString()));
            if (query.TryGetValue("network_name", out var names)) own = own.Where(n => names.Contains(n.Name));
            var list = new JsonArray();
            foreach (var network in own) list.Add(await ToJsonAsync(network, projectId, subnets, http.RequestAborted));
            return Results.Json(new JsonObject { ["network_ip_availabilities"] = list });
        });
        v2.MapGet("/network-ip-availabilities/{id}", async (string id, HttpContext http, NetworkService networks, SubnetService subnets) =>
        {
            var projectId = http.User.ProjectId();
            var network = await networks.GetAsync(projectId, NeutronNetworkEndpoints.ParseId(id), http.RequestAborted);
            if (network.ProjectId != projectId) throw NeutronErrors.NotFound("Resource.Network", id);
            return Results.Json(new JsonObject { ["network_ip_availability"] = await ToJsonAsync(network, projectId, subnets, http.RequestAborted) });
        });
    }

    private static async Task<JsonObject> ToJsonAsync(Network network, string projectId, SubnetService subnets, CancellationToken ct)
    {
        var perSubnet = new JsonArray();
        BigInteger total = 0;
        long used = 0;
        foreach (var subnet in network.Subnets)
        {
            var availability = await subnets.GetAvailabilityAsync(projectId, subnet.Id, 1, ct);
            total += availability.Total;
            used += availability.Used;
            perSubnet.Add(new JsonObject
            {
                ["subnet_id"] = subnet.Id.ToString(),
                ["subnet_name"] = subnet.Name,
                ["cidr"] = subnet.Cidr.ToString(),
                ["ip_version"] = subnet.IpVersion,
                ["total_ips"] = Number(availability.Total),
                ["used_ips"] = availability.Used,
            });
        }
        return new JsonObject
        {
            ["network_id"] = network.Id.ToString(),
            ["network_name"] = network.Name,
            ["project_id"] = network.ProjectId,
            ["tenant_id"] = network.ProjectId,
            ["total_ips"] = Number(total),
            ["used_ips"] = used,
            ["subnet_ip_availability"] = perSubnet,
        };
    }

    /// <summary>IPv6 subnets count past any fixed-size integer; JSON numbers have no such limit.</summary>
    private static JsonNode Number(BigInteger n) => JsonNode.Parse(n.ToString(CultureInfo.InvariantCulture))!;
}
