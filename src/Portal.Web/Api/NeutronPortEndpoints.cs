using System.Text.Json;
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
        var group = v2.MapGroup("/ports").WithTags("Ports");
        group.MapGet("", ListAsync).WithSummary("List ports")
            .Produces<PortListResponse>().ProducesNeutronErrors(400);
        group.MapGet("/{id}", async (string id, HttpContext http, PortService ports) =>
                Ok(await ports.GetAsync(http.Actor(), http.User.ProjectId(), ParseId(id), http.RequestAborted)))
            .WithSummary("Show a port").Produces<PortResponse>().ProducesNeutronErrors(404);
        group.MapPost("", CreateAsync).WithSummary("Create a port")
            .Accepts<PortCreateRequest>("application/json").Produces<PortResponse>(StatusCodes.Status201Created)
            .ProducesNeutronErrors(400, 403, 404, 409, 413);
        group.MapPut("/{id}", UpdateAsync).WithSummary("Update a port")
            .Accepts<PortUpdateRequest>("application/json").Produces<PortResponse>()
            .ProducesNeutronErrors(400, 403, 404, 409, 412, 413);
        group.MapDelete("/{id}", async (string id, HttpContext http, PortService ports) =>
            {
                await ports.DeleteAsync(http.Actor(), http.User.ProjectId(), ParseId(id), http.RequestAborted);
                return Results.NoContent();
            })
            .WithSummary("Delete a port").Produces(StatusCodes.Status204NoContent).ProducesNeutronErrors(404, 409);
    }

    /// <summary>The filters the database answers (with limit, marker and fields); any other makes the list NeutronLists'.</summary>
    private static readonly HashSet<string> DatabaseFilters = new(StringComparer.Ordinal)
    {
        "id", "network_id", "name", "device_owner", "device_id", "status", "admin_state_up", "fixed_ips", "limit", "marker", "fields",
        "sort_key", "sort_dir",
    };

    private static async Task<IResult> ListAsync(HttpContext http, PortService ports)
    {
        var query = http.Request.Query;
        if (DatabaseQuery(http) is { } sql)
        {
            var (portQuery, size) = sql;
            var rows = await ports.PageAsync(http.Actor(), http.User.ProjectId(), portQuery, http.RequestAborted);
            var links = rows.Count > size ? NeutronLists.NextLink(http, "ports", size, rows[size - 1].Id.ToString()) : null;
            return TypedResults.Json(new PortListResponse(rows.Take(size).Select(View).ToList(), links), ApiJson.Context.PortListResponse);
        }
        IEnumerable<Port> filtered = await ports.ListAsync(http.Actor(), http.User.ProjectId(), null, ct: http.RequestAborted);
        // The network narrows the read; every other attribute filter is NeutronLists'.
        if (query.TryGetValue("network_id", out var networkIds)) filtered = filtered.Where(p => networkIds.Contains(p.NetworkId.ToString()));
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
        filtered = NeutronTagEndpoints.Filter(http, filtered, p => p.Tags);
        var page = NeutronLists.Page(http, "ports", filtered, p => p.Id, View, "fixed_ips");
        return TypedResults.Json(new PortListResponse(page.Items, page.Links), ApiJson.Context.PortListResponse);
    }

    private static async Task<IResult> CreateAsync(HttpContext http, PortService ports)
    {
        var (one, many) = await ApiBody.ReadOneOrManyAsync(http, ApiJson.Context.PortCreateRequest, r => r.Port,
            ApiJson.Context.PortBulkRequest, r => r.Ports);
        if (one is not null) return Ok(await CreateOneAsync(http, ports, one), StatusCodes.Status201Created);
        var created = await NeutronBulk.CreateAllAsync(http, many!, body => CreateOneAsync(http, ports, body),
            p => ports.DeleteAsync(http.Actor(), http.User.ProjectId(), p.Id, CancellationToken.None));
        return TypedResults.Json(new PortListResponse(created.Select(View).ToList()), ApiJson.Context.PortListResponse,
            statusCode: StatusCodes.Status201Created);
    }

    private static async Task<Port> CreateOneAsync(HttpContext http, PortService ports, PortCreateInput body)
    {
        RefuseSystemFields(body.DeviceOwner, body.DeviceId, "create_port");
        NeutronLists.CheckOwnProject(http, body.TenantId, body.ProjectId, "create_port");
        var networkText = body.NetworkId
                          ?? throw new ApiException(400, "InvalidInput", "Invalid input for operation: network_id is required.");
        var request = new PortCreate
        {
            NetworkId = NeutronNetworkEndpoints.ParseId(networkText),
            Name = body.Name ?? "",
            Description = body.Description ?? "",
            FixedIps = body.FixedIps?.Select(FixedIp).ToList(),
            MacAddress = body.MacAddress,
            DnsName = body.DnsName ?? "",
            AdminStateUp = body.AdminStateUp ?? true,
            PortSecurityEnabled = body.PortSecurityEnabled,
            AllowedAddressPairs = body.AllowedAddressPairs?.Select(p => new AddressPairRequest(p.IpAddress, p.MacAddress)).ToList() ?? [],
            ExtraDhcpOpts = body.ExtraDhcpOpts?.Select(o => new DhcpOptionRequest(o.OptName, o.OptValue, o.IpVersion)).ToList() ?? [],
        };
        return await ports.CreateAsync(http.Actor(), http.User.ProjectId(), request, http.RequestAborted);
    }

    /// <summary>
    /// The list as one query of the database — a page in id order, filtered there — when every filter is one it can
    /// answer and every value reads as its column's type; otherwise null (the general path answers, the same way).
    /// </summary>
    private static (PortQuery Query, int Size)? DatabaseQuery(HttpContext http)
    {
        var query = http.Request.Query;
        if (!query.Keys.All(DatabaseFilters.Contains)) return null;
        List<string>? Strings(string key) => query.TryGetValue(key, out var v) ? v.Select(x => x ?? "").ToList() : null;
        List<Guid>? Guids(string key, ref bool ok)
        {
            if (!query.TryGetValue(key, out var values)) return null;
            var list = new List<Guid>();
            foreach (var v in values) { if (Guid.TryParse(v, out var g)) list.Add(g); else ok = false; }
            return list;
        }
        var readable = true;
        var ids = Guids("id", ref readable);
        var networks = Guids("network_id", ref readable);
        bool? up = null;
        if (query.TryGetValue("admin_state_up", out var upText))
        {
            if (upText.Count == 1 && bool.TryParse(upText.ToString(), out var u)) up = u; else readable = false;
        }
        var subnets = new List<Guid>();
        var addresses = new List<System.Net.IPAddress>();
        foreach (var filter in query.TryGetValue("fixed_ips", out var fixedIps) ? fixedIps.ToArray() : [])
        {
            switch (filter?.Split('=', 2))
            {
                case ["subnet_id", var s] when Guid.TryParse(s, out var subnet): subnets.Add(subnet); break;
                case ["ip_address", var a] when System.Net.IPAddress.TryParse(a, out var address) && address.ToString() == a: addresses.Add(address); break;
                default: readable = false; break;
            }
        }
        Guid? after = null;
        if (query.TryGetValue("marker", out var marker) && marker.ToString().Length > 0)
        {
            if (Guid.TryParse(marker, out var m)) after = m; else readable = false;
        }
        // One sort key the database sorts by, with at most its one direction.
        string? sortKey = null;
        var descending = false;
        if (query.TryGetValue("sort_key", out var keys))
        {
            if (keys.Count == 1 && PortQuery.SortKeys.Contains(keys.ToString())) sortKey = keys.ToString(); else readable = false;
        }
        if (query.TryGetValue("sort_dir", out var dirs))
        {
            if (sortKey is not null && dirs.Count == 1 && dirs.ToString() is "asc" or "desc") descending = dirs.ToString() == "desc"; else readable = false;
        }
        if (!readable) return null;
        var size = NeutronLists.PageSize(http);
        return (new PortQuery
        {
            Ids = ids, NetworkIds = networks, Names = Strings("name"), DeviceOwners = Strings("device_owner"), DeviceIds = Strings("device_id"),
            Statuses = Strings("status"), AdminStateUp = up, SubnetIds = subnets, IpAddresses = addresses, After = after, Take = size + 1,
            SortKey = sortKey, Descending = descending,
        }, size);
    }

    private static async Task<IResult> UpdateAsync(string id, HttpContext http, PortService ports)
    {
        var portId = ParseId(id);
        var body = await ApiBody.ReadAsync(http, ApiJson.Context.PortUpdateRequest, r => r.Port, strict: true);
        RefuseSystemFields(body.DeviceOwner, body.DeviceId, "update_port");
        if (new[] { body.MacAddress, body.NetworkId }.Any(v => v.ValueKind != JsonValueKind.Undefined))
        {
            throw new ApiException(400, "HTTPBadRequest", "Changing mac_address or network_id of a port is not supported; create a new port.");
        }
        var update = new PortUpdate
        {
            Name = body.Name,
            Description = body.Description,
            FixedIps = body.FixedIps?.Select(FixedIp).ToList(),
            AdminStateUp = body.AdminStateUp,
            DnsName = body.DnsName,
            PortSecurityEnabled = body.PortSecurityEnabled,
            AllowedAddressPairs = body.AllowedAddressPairs?.Select(p => new AddressPairRequest(p.IpAddress, p.MacAddress)).ToList(),
            ExtraDhcpOpts = body.ExtraDhcpOpts?.Select(o => new DhcpOptionRequest(o.OptName, o.OptValue, o.IpVersion)).ToList(),
            IfRevision = NeutronLists.IfRevision(http),
        };
        try
        {
            return Ok(await ports.UpdateAsync(http.Actor(), http.User.ProjectId(), portId, update, http.RequestAborted));
        }
        catch (NeutronException e) when (e.Type == "PolicyNotAuthorized")
        {
            // A system port: Neutron's clients read the rule that refused first; the service's text says which port and why.
            throw new ApiException(403, e.Type, $"rule:update_port is disallowed by policy: {e.Localize(NeutronErrorResults.English)}");
        }
    }

    /// <summary>Device owners and ids mark the system's ports (DHCP, router, Kubernetes); users' ports have neither.</summary>
    private static void RefuseSystemFields(string? deviceOwner, string? deviceId, string action)
    {
        if (deviceOwner is { Length: > 0 }) throw SystemOnly(action, "device_owner");
        if (deviceId is { Length: > 0 }) throw SystemOnly(action, "device_id");
    }

    private static ApiException SystemOnly(string action, string key) =>
        new(403, "PolicyNotAuthorized", $"(rule:{action}:{key}) is disallowed by policy");

    private static FixedIpRequest FixedIp(FixedIpInput f)
    {
        if (f.SubnetId is null && f.IpAddress is null)
        {
            throw new ApiException(400, "InvalidInput", "Invalid input for fixed_ips. Reason: each entry needs a subnet_id or an ip_address.");
        }
        return new FixedIpRequest(f.SubnetId is null ? null : NeutronSubnetEndpoints.ParseId(f.SubnetId), f.IpAddress);
    }

    /// <summary>Port ids are UUIDs; anything else is simply not found (as Neutron answers).</summary>
    public static Guid ParseId(string id) =>
        Guid.TryParse(id, out var guid) ? guid : throw NeutronErrors.NotFound("Resource.Port", id);

    private static string Mac(Port p) => string.Join(':', p.MacAddress.GetAddressBytes().Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));

    private static IResult Ok(Port p, int status = StatusCodes.Status200OK) =>
        TypedResults.Json(new PortResponse(View(p)), ApiJson.Context.PortResponse, statusCode: status);

    public static NeutronPort View(Port p) => new(
        Id: p.Id.ToString(),
        Name: p.Name,
        Description: p.Description,
        TenantId: p.ProjectId,
        ProjectId: p.ProjectId,
        NetworkId: p.NetworkId.ToString(),
        MacAddress: Mac(p),
        FixedIps: p.FixedIps.OrderBy(f => f.Id).Select(f => new NeutronFixedIp(f.SubnetId.ToString(), f.IpAddress.ToString())).ToList(),
        DeviceOwner: p.DeviceOwner,
        DeviceId: p.DeviceId,
        Status: p.Status,
        AdminStateUp: p.AdminStateUp,
        DnsName: p.DnsName,
        SecurityGroups: [],
        PortSecurityEnabled: p.PortSecurityEnabled,
        AllowedAddressPairs: p.AllowedAddressPairs.Select(a => new NeutronAddressPair(a.IpAddress, a.MacAddress)).ToList(),
        ExtraDhcpOpts: p.ExtraDhcpOpts.Select(o => new NeutronDhcpOption(o.OptName, o.OptValue, o.IpVersion)).ToList(),
        BindingVnicType: "normal",
        QosPolicyId: null,
        RevisionNumber: p.RevisionNumber,
        Tags: p.Tags,
        CreatedAt: NeutronLists.Time(p.CreatedAt),
        UpdatedAt: NeutronLists.Time(p.UpdatedAt));
}
