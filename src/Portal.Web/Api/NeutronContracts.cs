using System.ComponentModel;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Portal.Web.Api;

// Neutron's wire format (networking API v2.0). Names are snake_case (ApiJson) unless Neutron's has a colon.
// Request fields are optional: an absent or null field keeps the default (create) or the current value (update).

public sealed record NetworkRequest(NetworkInput? Network);

public sealed record NetworkBulkRequest(IReadOnlyList<NetworkInput>? Networks);

public sealed record NetworkInput
{
    [Description("The token's project, if given (a resource is always made in it).")]
    public string? TenantId { get; init; }
    [Description("The token's project, if given (a resource is always made in it).")]
    public string? ProjectId { get; init; }
    public string? Name { get; init; }
    public string? Description { get; init; }
    public int? Mtu { get; init; }
    public bool? AdminStateUp { get; init; }
    [Description("Shadowport on the network; once on, it cannot be turned off.")]
    public bool? EnableShadowPort { get; init; }
    [Description("Whether ports of the network get port security unless they say otherwise (default true).")]
    public bool? PortSecurityEnabled { get; init; }
    [Description("Refused when true: shared networks are the cloud's.")]
    public bool? Shared { get; init; }
    [JsonPropertyName("router:external")]
    [Description("Refused when true: external networks are the cloud's.")]
    public bool? RouterExternal { get; init; }
}

public sealed record SubnetCreateRequest(SubnetCreateInput? Subnet);

public sealed record SubnetBulkRequest(IReadOnlyList<SubnetCreateInput>? Subnets);

public sealed record SubnetCreateInput
{
    [Description("The token's project, if given (a resource is always made in it).")]
    public string? TenantId { get; init; }
    [Description("The token's project, if given (a resource is always made in it).")]
    public string? ProjectId { get; init; }
    [Description("Required.")]
    public string? NetworkId { get; init; }
    [Description("Required (subnet pools are not supported).")]
    public string? Cidr { get; init; }
    [Description("4 or 6; must agree with the CIDR.")]
    public int? IpVersion { get; init; }
    public string? Name { get; init; }
    public string? Description { get; init; }
    [Description("Absent: the first usable address; null: no gateway.")]
    // A setter, not init: the generated reader sets every init property, present in the body or not.
    public string? GatewayIp { get; set { field = value; GatewayIpGiven = true; } }
    /// <summary>Whether the body has <c>gateway_ip</c> at all: its null means "no gateway", not "as before".</summary>
    [JsonIgnore] public bool GatewayIpGiven { get; private set; }
    public bool? EnableDhcp { get; init; }
    [JsonConverter(typeof(ApiConverters.AllocationPools))]
    public IReadOnlyList<NeutronAllocationPool>? AllocationPools { get; init; }
    [JsonConverter(typeof(ApiConverters.StringList))]
    public IReadOnlyList<string>? DnsNameservers { get; init; }
    [JsonConverter(typeof(ApiConverters.HostRoutes))]
    public IReadOnlyList<NeutronHostRoute>? HostRoutes { get; init; }
    [Description("slaac, dhcpv6-stateful or dhcpv6-stateless (IPv6 only); fixed at creation.")]
    public string? Ipv6RaMode { get; init; }
    [Description("slaac, dhcpv6-stateful or dhcpv6-stateless (IPv6 only; slaac and dhcpv6-stateless give ports EUI-64 addresses and need a /64); fixed at creation.")]
    public string? Ipv6AddressMode { get; init; }
}

public sealed record SubnetUpdateRequest(SubnetUpdateInput? Subnet);

public sealed record SubnetUpdateInput
{
    public string? Name { get; init; }
    public string? Description { get; init; }
    [Description("Absent: unchanged; null: no gateway.")]
    // A setter, not init: the generated reader sets every init property, present in the body or not.
    public string? GatewayIp { get; set { field = value; GatewayIpGiven = true; } }
    /// <summary>Whether the body has <c>gateway_ip</c> at all: its null means "no gateway", not "as before".</summary>
    [JsonIgnore] public bool GatewayIpGiven { get; private set; }
    public bool? EnableDhcp { get; init; }
    [JsonConverter(typeof(ApiConverters.AllocationPools))]
    public IReadOnlyList<NeutronAllocationPool>? AllocationPools { get; init; }
    [JsonConverter(typeof(ApiConverters.StringList))]
    public IReadOnlyList<string>? DnsNameservers { get; init; }
    [JsonConverter(typeof(ApiConverters.HostRoutes))]
    public IReadOnlyList<NeutronHostRoute>? HostRoutes { get; init; }
}

public sealed record PortCreateRequest(PortCreateInput? Port);

public sealed record PortBulkRequest(IReadOnlyList<PortCreateInput>? Ports);

public sealed record PortCreateInput
{
    [Description("The token's project, if given (a resource is always made in it).")]
    public string? TenantId { get; init; }
    [Description("The token's project, if given (a resource is always made in it).")]
    public string? ProjectId { get; init; }
    [Description("Required.")]
    public string? NetworkId { get; init; }
    public string? Name { get; init; }
    public string? Description { get; init; }
    [Description("Absent: an address of each IP version (and every SLAAC address); empty: none.")]
    [JsonConverter(typeof(ApiConverters.FixedIps))]
    public IReadOnlyList<FixedIpInput>? FixedIps { get; init; }
    public string? MacAddress { get; init; }
    public string? DnsName { get; init; }
    public bool? AdminStateUp { get; init; }
    [Description("Absent: the network's port_security_enabled.")]
    public bool? PortSecurityEnabled { get; init; }
    [Description("At most 10; each an IP or a CIDR, with a MAC (default: the port's). Needs port security.")]
    [JsonConverter(typeof(ApiConverters.AddressPairs))]
    public IReadOnlyList<AddressPairInput>? AllowedAddressPairs { get; init; }
    [Description("At most 32 DHCP options (opt_name, opt_value, ip_version 4 or 6).")]
    [JsonConverter(typeof(ApiConverters.DhcpOptions))]
    public IReadOnlyList<DhcpOptionInput>? ExtraDhcpOpts { get; init; }
    [Description("Refused unless empty: device owners mark the system's ports.")]
    public string? DeviceOwner { get; init; }
    [Description("Refused unless empty: device ids mark the system's ports.")]
    public string? DeviceId { get; init; }
}

public sealed record AddressPairInput(string? IpAddress, string? MacAddress);

public sealed record DhcpOptionInput(string? OptName, string? OptValue, int? IpVersion);

/// <summary>One requested address: a subnet (an automatic address in it), an address, or both.</summary>
public sealed record FixedIpInput
{
    public string? SubnetId { get; init; }
    public string? IpAddress { get; init; }
}

public sealed record PortUpdateRequest(PortUpdateInput? Port);

public sealed record PortUpdateInput
{
    public string? Name { get; init; }
    public string? Description { get; init; }
    public bool? AdminStateUp { get; init; }
    public string? DnsName { get; init; }
    public bool? PortSecurityEnabled { get; init; }
    [Description("Replaces the port's pairs.")]
    [JsonConverter(typeof(ApiConverters.AddressPairs))]
    public IReadOnlyList<AddressPairInput>? AllowedAddressPairs { get; init; }
    [Description("Merged into the port's options by opt_name and ip_version; an opt_value of null removes that option.")]
    [JsonConverter(typeof(ApiConverters.DhcpOptions))]
    public IReadOnlyList<DhcpOptionInput>? ExtraDhcpOpts { get; init; }
    [Description("Refused unless empty: device owners mark the system's ports.")]
    public string? DeviceOwner { get; init; }
    [Description("Refused unless empty: device ids mark the system's ports.")]
    public string? DeviceId { get; init; }
    [Description("The port's addresses from now on: an entry the port holds (or a subnet it has an address in) stays, the rest is released, new ones are taken.")]
    [JsonConverter(typeof(ApiConverters.FixedIps))]
    public IReadOnlyList<FixedIpInput>? FixedIps { get; init; }
    // Any value, even null, is refused: a port's MAC and network never change.
    [Description("Refused: create a new port instead.")]
    public JsonElement MacAddress { get; init; }
    [Description("Refused: create a new port instead.")]
    public JsonElement NetworkId { get; init; }
}

public sealed record NetworkResponse(NeutronNetwork Network);

public sealed record NetworkListResponse(IReadOnlyList<NeutronNetwork> Networks,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<ApiLink>? NetworksLinks = null);

public sealed record NeutronNetwork(
    string Id,
    string Name,
    string Description,
    string TenantId,
    string ProjectId,
    bool AdminStateUp,
    string Status,
    int Mtu,
    bool Shared,
    [property: JsonPropertyName("router:external")] bool RouterExternal,
    IReadOnlyList<string> Subnets,
    bool PortSecurityEnabled,
    IReadOnlyList<string> AvailabilityZoneHints,
    IReadOnlyList<string> AvailabilityZones,
    string? Ipv4AddressScope,
    string? Ipv6AddressScope,
    bool L2Adjacency,
    bool IsDefault,
    string? QosPolicyId,
    long RevisionNumber,
    IReadOnlyList<string> Tags,
    bool EnableShadowPort,
    string CreatedAt,
    string UpdatedAt);

public sealed record SubnetResponse(NeutronSubnet Subnet);

public sealed record SubnetListResponse(IReadOnlyList<NeutronSubnet> Subnets,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<ApiLink>? SubnetsLinks = null);

public sealed record NeutronSubnet(
    string Id,
    string Name,
    string Description,
    string TenantId,
    string ProjectId,
    string NetworkId,
    int IpVersion,
    string Cidr,
    string? GatewayIp,
    bool EnableDhcp,
    IReadOnlyList<NeutronAllocationPool> AllocationPools,
    IReadOnlyList<string> DnsNameservers,
    IReadOnlyList<NeutronHostRoute> HostRoutes,
    string? Ipv6AddressMode,
    string? Ipv6RaMode,
    string? SubnetpoolId,
    string? SegmentId,
    IReadOnlyList<string> ServiceTypes,
    bool DnsPublishFixedIp,
    long RevisionNumber,
    IReadOnlyList<string> Tags,
    string CreatedAt,
    string UpdatedAt);

/// <summary>An address range, first and last address included.</summary>
public sealed record NeutronAllocationPool(string Start, string End);

public sealed record NeutronHostRoute(string Destination, string Nexthop);

public sealed record PortResponse(NeutronPort Port);

public sealed record PortListResponse(IReadOnlyList<NeutronPort> Ports,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<ApiLink>? PortsLinks = null);

public sealed record NeutronPort(
    string Id,
    string Name,
    string Description,
    string TenantId,
    string ProjectId,
    string NetworkId,
    string MacAddress,
    IReadOnlyList<NeutronFixedIp> FixedIps,
    string DeviceOwner,
    string DeviceId,
    string Status,
    bool AdminStateUp,
    string DnsName,
    IReadOnlyList<string> SecurityGroups,
    bool PortSecurityEnabled,
    IReadOnlyList<NeutronAddressPair> AllowedAddressPairs,
    IReadOnlyList<NeutronDhcpOption> ExtraDhcpOpts,
    [property: JsonPropertyName("binding:vnic_type")] string BindingVnicType,
    string? QosPolicyId,
    long RevisionNumber,
    IReadOnlyList<string> Tags,
    string CreatedAt,
    string UpdatedAt);

public sealed record NeutronFixedIp(string SubnetId, string IpAddress);

/// <summary>Neutron's allowed address pair: an address or CIDR and a MAC that may send from the port besides its own.</summary>
public sealed record NeutronAddressPair(string IpAddress, string MacAddress);

/// <summary>Neutron's extra DHCP option, as the port's DHCP answers carry it.</summary>
public sealed record NeutronDhcpOption(string OptName, string OptValue, int IpVersion);

public sealed record RouterResponse(NeutronRouter Router);

public sealed record RouterListResponse(IReadOnlyList<NeutronRouter> Routers,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<ApiLink>? RoutersLinks = null);

/// <summary>A network's internet access, as Neutron's router: its gateway on ext-net, SNAT on.</summary>
public sealed record NeutronRouter(
    string Id,
    string Name,
    string Description,
    string TenantId,
    string ProjectId,
    string Status,
    bool AdminStateUp,
    NeutronGatewayInfo? ExternalGatewayInfo,
    IReadOnlyList<NeutronHostRoute> Routes,
    long RevisionNumber,
    IReadOnlyList<string> Tags,
    string CreatedAt,
    string UpdatedAt);

public sealed record NeutronGatewayInfo(string NetworkId, bool EnableSnat, IReadOnlyList<NeutronFixedIp> ExternalFixedIps);

public sealed record IpAvailabilityResponse(NeutronIpAvailability NetworkIpAvailability);

public sealed record IpAvailabilityListResponse(IReadOnlyList<NeutronIpAvailability> NetworkIpAvailabilities);

/// <summary>Addresses in the allocation pools of a network's subnets, and how many of them are allocated.</summary>
public sealed record NeutronIpAvailability(
    string NetworkId,
    string NetworkName,
    string ProjectId,
    string TenantId,
    [property: Description("An integer of any size (IPv6 subnets).")] BigInteger TotalIps,
    long UsedIps,
    IReadOnlyList<NeutronSubnetIpAvailability> SubnetIpAvailability);

public sealed record NeutronSubnetIpAvailability(
    string SubnetId,
    string SubnetName,
    string Cidr,
    int IpVersion,
    [property: Description("An integer of any size (IPv6 subnets).")] BigInteger TotalIps,
    long UsedIps);

/// <summary>A link as OpenStack writes them: <c>self</c> for a resource, <c>next</c> for a list's next page.</summary>
public sealed record ApiLink(string Rel, string Href);

public sealed record NetworkVersionsResponse(IReadOnlyList<NetworkVersion> Versions);

/// <summary>A version of the networking API, as Neutron's version document lists it.</summary>
public sealed record NetworkVersion(string Id, string Status, IReadOnlyList<ApiLink> Links);

public sealed record ResourceListResponse(IReadOnlyList<NeutronResource> Resources);

public sealed record NeutronResource(string Name, string Collection, IReadOnlyList<ApiLink> Links);

public sealed record TagsRequest([property: JsonConverter(typeof(ApiConverters.StringList))] IReadOnlyList<string>? Tags);

public sealed record TagsResponse(IReadOnlyList<string> Tags);

public sealed record ExtensionListResponse(IReadOnlyList<NeutronExtension> Extensions);

public sealed record ExtensionResponse(NeutronExtension Extension);

/// <summary>A Neutron API extension that Portal implements (<see cref="NeutronExtensions"/>).</summary>
public sealed record NeutronExtension(string Name, string Alias, string Description, string Updated, IReadOnlyList<ApiLink> Links);

public sealed record NeutronErrorResponse([property: JsonPropertyName("NeutronError")] NeutronError NeutronError);

/// <summary>Neutron's error: the exception type (<c>NetworkNotFound</c>, <c>InvalidInput</c>, …), an English message, no detail.</summary>
public sealed record NeutronError(string Type, string Message, string Detail);
