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
        var group = v2.MapGroup("/networks").WithTags("Networks");
        group.MapGet("", ListAsync).WithSummary("List networks")
            .Produces<NetworkListResponse>().ProducesNeutronErrors(400);
        group.MapGet("/{id}", async (string id, HttpContext http, NetworkService networks) =>
                Ok(await networks.GetAsync(http.Actor(), http.User.ProjectId(), ParseId(id), http.RequestAborted)))
            .WithSummary("Show a network").Produces<NetworkResponse>().ProducesNeutronErrors(404);
        group.MapPost("", CreateAsync).WithSummary("Create a network")
            .Accepts<NetworkRequest>("application/json").Produces<NetworkResponse>(StatusCodes.Status201Created)
            .ProducesNeutronErrors(400, 403, 409, 413);
        group.MapPut("/{id}", UpdateAsync).WithSummary("Update a network")
            .Accepts<NetworkRequest>("application/json").Produces<NetworkResponse>()
            .ProducesNeutronErrors(400, 403, 404, 409, 412, 413);
        group.MapDelete("/{id}", async (string id, HttpContext http, NetworkService networks) =>
            {
                await networks.DeleteAsync(http.Actor(), http.User.ProjectId(), ParseId(id), http.RequestAborted);
                return Results.NoContent();
            })
            .WithSummary("Delete a network").Produces(StatusCodes.Status204NoContent).ProducesNeutronErrors(404, 409);
    }

    private static async Task<IResult> ListAsync(HttpContext http, NetworkService networks)
    {
        IEnumerable<Network> all = await networks.ListAsync(http.Actor(), http.User.ProjectId(), http.RequestAborted);
        all = NeutronTagEndpoints.Filter(http, all, n => n.Tags);
        var page = NeutronLists.Page(http, "networks", all, n => n.Id, View);
        return TypedResults.Json(new NetworkListResponse(page.Items, page.Links), ApiJson.Context.NetworkListResponse);
    }

    private static async Task<IResult> CreateAsync(HttpContext http, NetworkService networks)
    {
        var (one, many) = await ApiBody.ReadOneOrManyAsync(http, ApiJson.Context.NetworkRequest, r => r.Network,
            ApiJson.Context.NetworkBulkRequest, r => r.Networks);
        if (one is not null) return Ok(await CreateOneAsync(http, networks, one), StatusCodes.Status201Created);
        var created = await NeutronBulk.CreateAllAsync(http, many!, body => CreateOneAsync(http, networks, body),
            n => networks.DeleteAsync(http.Actor(), http.User.ProjectId(), n.Id, CancellationToken.None));
        return TypedResults.Json(new NetworkListResponse(created.Select(View).ToList()), ApiJson.Context.NetworkListResponse,
            statusCode: StatusCodes.Status201Created);
    }

    private static async Task<Network> CreateOneAsync(HttpContext http, NetworkService networks, NetworkInput body)
    {
        RefuseAdminOnly(body, "create_network");
        NeutronLists.CheckOwnProject(http, body.TenantId, body.ProjectId, "create_network");
        var request = new NetworkCreate
        {
            Name = body.Name ?? "",
            Description = body.Description ?? "",
            Mtu = body.Mtu ?? 1500,
            AdminStateUp = body.AdminStateUp ?? true,
            ServicesAccess = body.EnableShadowPort ?? false,
            PortSecurityEnabled = body.PortSecurityEnabled ?? true,
        };
        return await networks.CreateAsync(http.Actor(), http.User.ProjectId(), request, http.RequestAborted);
    }

    private static async Task<IResult> UpdateAsync(string id, HttpContext http, NetworkService networks)
    {
        var networkId = ParseId(id);
        var body = await ApiBody.ReadAsync(http, ApiJson.Context.NetworkRequest, r => r.Network, strict: true);
        RefuseAdminOnly(body, "update_network");
        NeutronLists.CheckOwnProject(http, body.TenantId, body.ProjectId, "update_network");
        var update = new NetworkUpdate
        {
            Name = body.Name,
            Description = body.Description,
            Mtu = body.Mtu,
            AdminStateUp = body.AdminStateUp,
            ServicesAccess = body.EnableShadowPort,
            PortSecurityEnabled = body.PortSecurityEnabled,
            IfRevision = NeutronLists.IfRevision(http),
        };
        var updated = await networks.UpdateAsync(http.Actor(), http.User.ProjectId(), networkId, update, http.RequestAborted);
        return Ok(updated);
    }

    /// <summary>Shared and provider networks are the cloud's: a customer cannot ask for either.</summary>
    /// <param name="action">The policy's action, as Neutron names it in the refusal (create_network, update_network).</param>
    private static void RefuseAdminOnly(NetworkInput body, string action)
    {
        if (body.Shared == true) throw AdminOnly(action, "shared");
        if (body.RouterExternal == true) throw AdminOnly(action, "router:external");
    }

    private static ApiException AdminOnly(string action, string key) => new(403, "PolicyNotAuthorized", $"(rule:{action}:{key}) is disallowed by policy");

    /// <summary>Network ids are UUIDs; anything else is simply not found (as Neutron answers).</summary>
    public static Guid ParseId(string id) =>
        Guid.TryParse(id, out var guid) ? guid : throw NeutronErrors.NotFound("Resource.Network", id);

    private static IResult Ok(Network n, int status = StatusCodes.Status200OK) =>
        TypedResults.Json(new NetworkResponse(View(n)), ApiJson.Context.NetworkResponse, statusCode: status);

    public static NeutronNetwork View(Network n) => new(
        Id: n.Id.ToString(),
        Name: n.Name,
        Description: n.Description,
        TenantId: n.ProjectId,
        ProjectId: n.ProjectId,
        AdminStateUp: n.AdminStateUp,
        Status: n.Status,
        Mtu: n.Mtu,
        Shared: false,
        RouterExternal: n.External,
        Subnets: n.Subnets.Select(s => s.Id.ToString()).ToList(),
        PortSecurityEnabled: n.PortSecurityEnabled,
        AvailabilityZoneHints: [],
        AvailabilityZones: ["nova"],
        Ipv4AddressScope: null,
        Ipv6AddressScope: null,
        L2Adjacency: true,
        IsDefault: false,
        QosPolicyId: null,
        RevisionNumber: n.RevisionNumber,
        Tags: n.Tags,
        EnableShadowPort: n.ServicesAccess,
        CreatedAt: NeutronLists.Time(n.CreatedAt),
        UpdatedAt: NeutronLists.Time(n.UpdatedAt));
}
