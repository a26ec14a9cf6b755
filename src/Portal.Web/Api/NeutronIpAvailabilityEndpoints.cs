using System.Numerics;
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
        var group = v2.MapGroup("/network-ip-availabilities").WithTags("Network IP availability");
        group.MapGet("", async (HttpContext http, NetworkService networks, SubnetService subnets) =>
            {
                var projectId = http.User.ProjectId();
                IEnumerable<Network> own = (await networks.ListAsync(http.Actor(), projectId, http.RequestAborted)).Where(n => n.ProjectId == projectId);
                var query = http.Request.Query;
                if (query.TryGetValue("network_id", out var ids)) own = own.Where(n => ids.Contains(n.Id.ToString()));
                if (query.TryGetValue("network_name", out var names)) own = own.Where(n => names.Contains(n.Name));
                var list = new List<NeutronIpAvailability>();
                foreach (var network in own) list.Add(await ViewAsync(http.Actor(), network, projectId, subnets, http.RequestAborted));
                return TypedResults.Json(new IpAvailabilityListResponse(list), ApiJson.Context.IpAvailabilityListResponse);
            })
            .WithSummary("List the address usage of the project's networks").Produces<IpAvailabilityListResponse>();
        group.MapGet("/{id}", async (string id, HttpContext http, NetworkService networks, SubnetService subnets) =>
            {
                var projectId = http.User.ProjectId();
                var network = await networks.GetAsync(http.Actor(), projectId, NeutronNetworkEndpoints.ParseId(id), http.RequestAborted);
                if (network.ProjectId != projectId) throw NeutronErrors.NotFound("Resource.Network", id);
                return TypedResults.Json(new IpAvailabilityResponse(await ViewAsync(http.Actor(), network, projectId, subnets, http.RequestAborted)),
                    ApiJson.Context.IpAvailabilityResponse);
            })
            .WithSummary("Show a network's address usage").Produces<IpAvailabilityResponse>().ProducesNeutronErrors(404);
    }

    private static async Task<NeutronIpAvailability> ViewAsync(Actor actor, Network network, string projectId, SubnetService subnets, CancellationToken ct)
    {
        var perSubnet = new List<NeutronSubnetIpAvailability>();
        BigInteger total = 0;
        long used = 0;
        foreach (var subnet in network.Subnets)
        {
            var availability = await subnets.GetAvailabilityAsync(actor, projectId, subnet.Id, 1, ct);
            total += availability.Total;
            used += availability.Used;
            perSubnet.Add(new NeutronSubnetIpAvailability(
                subnet.Id.ToString(), subnet.Name, subnet.Cidr.ToString(), subnet.IpVersion, availability.Total, availability.Used));
        }
        return new NeutronIpAvailability(network.Id.ToString(), network.Name, network.ProjectId, network.ProjectId, total, used, perSubnet);
    }
}
