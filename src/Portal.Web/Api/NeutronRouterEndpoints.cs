using System.Security.Cryptography;
using System.Text;
using Portal.Core.Errors;
using Portal.Data.Entities;
using Portal.Data.Services;

namespace Portal.Web.Api;

/// <summary>
/// Neutron's <c>/v2.0/routers</c>, read-only: the router that gives a network with internet access its external
/// gateway on <c>ext-net</c> (today a network's internet access is that router; it has no row of its own). Routers
/// are made and changed in the UI with the network's «Доступ в интернет» switch; the API's create, update and delete
/// answer 405. Its id is derived from the network's, so it stays the same for as long as the network has internet access.
/// </summary>
public static class NeutronRouterEndpoints
{
    public static void MapNeutronRouters(this RouteGroupBuilder v2)
    {
        var group = v2.MapGroup("/routers").WithTags("Routers");
        group.MapGet("", async (HttpContext http, NetworkService networks) =>
            {
                var (all, external) = await RoutersAsync(http, networks);
                var page = NeutronLists.Page(http, "routers", all, n => RouterId(n.Id), n => View(n, external));
                return TypedResults.Json(new RouterListResponse(page.Items, page.Links), ApiJson.Context.RouterListResponse);
            })
            .WithSummary("List routers (read-only: a network's internet access)").Produces<RouterListResponse>().ProducesNeutronErrors(400);
        group.MapGet("/{id}", async (string id, HttpContext http, NetworkService networks) =>
            {
                var (all, external) = await RoutersAsync(http, networks);
                var network = Guid.TryParse(id, out var routerId) ? all.FirstOrDefault(n => RouterId(n.Id) == routerId) : null;
                if (network is null) throw NeutronErrors.NotFound("Resource.Router", id);
                return TypedResults.Json(new RouterResponse(View(network, external)), ApiJson.Context.RouterResponse);
            })
            .WithSummary("Show a router").Produces<RouterResponse>().ProducesNeutronErrors(404);
    }

    private static async Task<(IReadOnlyList<Network> Routed, Network? External)> RoutersAsync(HttpContext http, NetworkService networks)
    {
        var all = await networks.ListAsync(http.Actor(), http.User.ProjectId(), http.RequestAborted);
        return (all.Where(n => n.InternetAccess && !n.External).ToList(), all.FirstOrDefault(n => n.External));
    }

    /// <summary>The router of a network with internet access: a name-based id (a hash of the network's), stable and distinct from it.</summary>
    public static Guid RouterId(Guid networkId) =>
        new(SHA256.HashData(Encoding.ASCII.GetBytes("portal-router:" + networkId.ToString("N"))).AsSpan(0, 16));

    private static NeutronRouter View(Network n, Network? external) => new(
        Id: RouterId(n.Id).ToString(),
        Name: n.Name + "-router",
        Description: "",
        TenantId: n.ProjectId,
        ProjectId: n.ProjectId,
        Status: "ACTIVE",
        AdminStateUp: true,
        ExternalGatewayInfo: external is null ? null : new NeutronGatewayInfo(external.Id.ToString(), EnableSnat: true, []),
        Routes: [],
        RevisionNumber: n.RevisionNumber,
        Tags: [],
        CreatedAt: NeutronLists.Time(n.CreatedAt),
        UpdatedAt: NeutronLists.Time(n.UpdatedAt));
}
