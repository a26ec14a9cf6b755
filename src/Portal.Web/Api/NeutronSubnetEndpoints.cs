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
        var group = v2.MapGroup("/subnets").WithTags("Subnets");
        group.MapGet("", ListAsync).WithSummary("List subnets")
            .Produces<SubnetListResponse>().ProducesNeutronErrors(400);
        group.MapGet("/{id}", async (string id, HttpContext http, SubnetService subnets) =>
                Ok(await subnets.GetAsync(http.Actor(), http.User.ProjectId(), ParseId(id), http.RequestAborted)))
            .WithSummary("Show a subnet").Produces<SubnetResponse>().ProducesNeutronErrors(404);
        group.MapPost("", CreateAsync).WithSummary("Create a subnet")
            .Accepts<SubnetCreateRequest>("application/json").Produces<SubnetResponse>(StatusCodes.Status201Created)
            .ProducesNeutronErrors(400, 403, 404, 409, 413);
        group.MapPut("/{id}", UpdateAsync).WithSummary("Update a subnet")
            .Accepts<SubnetUpdateRequest>("application/json").Produces<SubnetResponse>()
            .ProducesNeutronErrors(400, 403, 404, 409, 412, 413);
        group.MapDelete("/{id}", async (string id, HttpContext http, SubnetService subnets) =>
            {
                await subnets.DeleteAsync(http.Actor(), http.User.ProjectId(), ParseId(id), http.RequestAborted);
                return Results.NoContent();
            })
            .WithSummary("Delete a subnet").Produces(StatusCodes.Status204NoContent).ProducesNeutronErrors(404, 409);
    }

    private static async Task<IResult> ListAsync(HttpContext http, SubnetService subnets)
    {
        IEnumerable<Subnet> filtered = await subnets.ListAsync(http.Actor(), http.User.ProjectId(), null, http.RequestAborted);
        filtered = NeutronTagEndpoints.Filter(http, filtered, s => s.Tags);
        var page = NeutronLists.Page(http, "subnets", filtered, s => s.Id, View);
        return TypedResults.Json(new SubnetListResponse(page.Items, page.Links), ApiJson.Context.SubnetListResponse);
    }

    private static async Task<IResult> CreateAsync(HttpContext http, SubnetService subnets)
    {
        var (one, many) = await ApiBody.ReadOneOrManyAsync(http, ApiJson.Context.SubnetCreateRequest, r => r.Subnet,
            ApiJson.Context.SubnetBulkRequest, r => r.Subnets);
        if (one is not null) return Ok(await CreateOneAsync(http, subnets, one), StatusCodes.Status201Created);
        var created = await NeutronBulk.CreateAllAsync(http, many!, body => CreateOneAsync(http, subnets, body),
            s => subnets.DeleteAsync(http.Actor(), http.User.ProjectId(), s.Id, CancellationToken.None));
        return TypedResults.Json(new SubnetListResponse(created.Select(View).ToList()), ApiJson.Context.SubnetListResponse,
            statusCode: StatusCodes.Status201Created);
    }

    private static async Task<Subnet> CreateOneAsync(HttpContext http, SubnetService subnets, SubnetCreateInput body)
    {
        NeutronLists.CheckOwnProject(http, body.TenantId, body.ProjectId, "create_subnet");
        var networkText = body.NetworkId
                          ?? throw new ApiException(400, "InvalidInput", "Invalid input for operation: network_id is required.");
        var networkId = NeutronNetworkEndpoints.ParseId(networkText);
        var cidr = body.Cidr
                   ?? throw new ApiException(400, "InvalidInput", "Invalid input for operation: cidr is required (subnet pools are not supported).");
        CheckIpVersion(body.IpVersion, cidr);
        var (mode, gateway) = Gateway(body.GatewayIpGiven, body.GatewayIp);
        var request = new SubnetCreate
        {
            Name = body.Name ?? "",
            Description = body.Description ?? "",
            Cidr = cidr,
            GatewayMode = mode ?? GatewayMode.Auto,
            GatewayIp = gateway,
            EnableDhcp = body.EnableDhcp ?? true,
            AllocationPools = Pools(body.AllocationPools) ?? [],
            DnsNameservers = body.DnsNameservers ?? [],
            HostRoutes = Routes(body.HostRoutes) ?? [],
            Ipv6RaMode = body.Ipv6RaMode,
            Ipv6AddressMode = body.Ipv6AddressMode,
        };
        return await subnets.CreateAsync(http.Actor(), http.User.ProjectId(), networkId, request, http.RequestAborted);
    }

    private static async Task<IResult> UpdateAsync(string id, HttpContext http, SubnetService subnets)
    {
        var subnetId = ParseId(id);
        var body = await ApiBody.ReadAsync(http, ApiJson.Context.SubnetUpdateRequest, r => r.Subnet, strict: true);
        var (mode, gateway) = Gateway(body.GatewayIpGiven, body.GatewayIp);
        var update = new SubnetUpdate
        {
            Name = body.Name,
            Description = body.Description,
            GatewayMode = mode,
            GatewayIp = gateway,
            EnableDhcp = body.EnableDhcp,
            AllocationPools = Pools(body.AllocationPools),
            DnsNameservers = body.DnsNameservers,
            HostRoutes = Routes(body.HostRoutes),
            IfRevision = NeutronLists.IfRevision(http),
        };
        var updated = await subnets.UpdateAsync(http.Actor(), http.User.ProjectId(), subnetId, update, http.RequestAborted);
        return Ok(updated);
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
    private static (GatewayMode? Mode, string? Ip) Gateway(bool given, string? ip) =>
        !given ? (null, null) : ip is null ? (GatewayMode.None, null) : (GatewayMode.Explicit, ip);

    private static IReadOnlyList<string>? Pools(IReadOnlyList<NeutronAllocationPool>? pools) =>
        pools?.Select(p => p.Start + "-" + p.End).ToList();

    private static IReadOnlyList<HostRouteInput>? Routes(IReadOnlyList<NeutronHostRoute>? routes) =>
        routes?.Select(r => new HostRouteInput(r.Destination, r.Nexthop)).ToList();

    /// <summary>Subnet ids are UUIDs; anything else is simply not found (as Neutron answers).</summary>
    public static Guid ParseId(string id) =>
        Guid.TryParse(id, out var guid) ? guid : throw NeutronErrors.NotFound("Resource.Subnet", id);

    private static IResult Ok(Subnet s, int status = StatusCodes.Status200OK) =>
        TypedResults.Json(new SubnetResponse(View(s)), ApiJson.Context.SubnetResponse, statusCode: status);

    public static NeutronSubnet View(Subnet s) => new(
        Id: s.Id.ToString(),
        Name: s.Name,
        Description: s.Description,
        TenantId: s.ProjectId,
        ProjectId: s.ProjectId,
        NetworkId: s.NetworkId.ToString(),
        IpVersion: s.IpVersion,
        Cidr: s.Cidr.ToString(),
        GatewayIp: s.GatewayIp?.ToString(),
        EnableDhcp: s.EnableDhcp,
        AllocationPools: s.AllocationPools.Select(p => new NeutronAllocationPool(p.FirstIp.ToString(), p.LastIp.ToString())).ToList(),
        DnsNameservers: s.DnsNameservers.Select(d => d.ToString()).ToList(),
        HostRoutes: s.HostRoutes.Select(r => new NeutronHostRoute(r.Destination.ToString(), r.NextHop.ToString())).ToList(),
        Ipv6AddressMode: s.Ipv6AddressMode,
        Ipv6RaMode: s.Ipv6RaMode,
        SubnetpoolId: null,
        SegmentId: null,
        ServiceTypes: [],
        DnsPublishFixedIp: false,
        RevisionNumber: s.RevisionNumber,
        Tags: s.Tags,
        CreatedAt: NeutronLists.Time(s.CreatedAt),
        UpdatedAt: NeutronLists.Time(s.UpdatedAt));
}
