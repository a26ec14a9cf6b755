namespace Portal.Data.Services;

/// <summary>How a subnet gets its gateway: the first usable address, a given one, or none at all.</summary>
public enum GatewayMode { Auto, Explicit, None }

/// <summary>
/// Input as users type it (strings), so that the service parses it and can point each error at its field.
/// </summary>
public sealed record SubnetCreate
{
    public string Name { get; init; } = "";
    public string Description { get; init; } = "";
    public required string Cidr { get; init; }
    public GatewayMode GatewayMode { get; init; } = GatewayMode.Auto;
    public string? GatewayIp { get; init; }
    public bool EnableDhcp { get; init; } = true;
    /// <summary>"first-last" ranges; empty means Neutron's default pool.</summary>
    public IReadOnlyList<string> AllocationPools { get; init; } = [];
    public IReadOnlyList<string> DnsNameservers { get; init; } = [];
    public IReadOnlyList<HostRouteInput> HostRoutes { get; init; } = [];
    /// <summary>Neutron's IPv6 modes (<see cref="Portal.Core.Ip.Ipv6Modes"/>); null: not set. They never change after creation.</summary>
    public string? Ipv6RaMode { get; init; }
    public string? Ipv6AddressMode { get; init; }
}

public sealed record HostRouteInput(string Destination, string NextHop);

/// <summary>A partial update: null leaves a field as it is. The CIDR never changes after creation.</summary>
public sealed record SubnetUpdate
{
    public string? Name { get; init; }
    public string? Description { get; init; }
    public GatewayMode? GatewayMode { get; init; }
    public string? GatewayIp { get; init; }
    public bool? EnableDhcp { get; init; }
    public IReadOnlyList<string>? AllocationPools { get; init; }
    public IReadOnlyList<string>? DnsNameservers { get; init; }
    public IReadOnlyList<HostRouteInput>? HostRoutes { get; init; }
    /// <summary>Neutron's <c>If-Match: revision_number=N</c>: the update applies only to that revision.</summary>
    public long? IfRevision { get; init; }
}

public sealed record NetworkCreate
{
    public required string Name { get; init; }
    public string Description { get; init; } = "";
    public int Mtu { get; init; } = 1500;
    public bool AdminStateUp { get; init; } = true;
    public bool InternetAccess { get; init; }
    public bool ServicesAccess { get; init; }
    public bool PortSecurityEnabled { get; init; } = true;
    public SubnetCreate? FirstSubnet { get; init; }
}

public sealed record NetworkUpdate
{
    public string? Name { get; init; }
    public string? Description { get; init; }
    public int? Mtu { get; init; }
    public bool? AdminStateUp { get; init; }
    public bool? InternetAccess { get; init; }
    public bool? ServicesAccess { get; init; }
    public bool? PortSecurityEnabled { get; init; }
    /// <summary>Neutron's <c>If-Match: revision_number=N</c>: the update applies only to that revision.</summary>
    public long? IfRevision { get; init; }
}

/// <summary>One requested fixed IP: a subnet (automatic address), an address, or both.</summary>
public sealed record FixedIpRequest(Guid? SubnetId, string? IpAddress);

public sealed record PortCreate
{
    public required Guid NetworkId { get; init; }
    public string Name { get; init; } = "";
    public string Description { get; init; } = "";
    /// <summary>
    /// Null: automatic, as Neutron does it — an address of each IP version the network has, each from the first subnet
    /// of that version with one free; none on a network without subnets. Empty: no address at all.
    /// </summary>
    public IReadOnlyList<FixedIpRequest>? FixedIps { get; init; }
    public string? MacAddress { get; init; }
    public string DnsName { get; init; } = "";
    public bool AdminStateUp { get; init; } = true;
    /// <summary>Null: the network's.</summary>
    public bool? PortSecurityEnabled { get; init; }
    public IReadOnlyList<AddressPairRequest> AllowedAddressPairs { get; init; } = [];
    public IReadOnlyList<DhcpOptionRequest> ExtraDhcpOpts { get; init; } = [];
}

/// <summary>An allowed address pair as asked for: an IP or CIDR, and a MAC (null: the port's own).</summary>
public sealed record AddressPairRequest(string? IpAddress, string? MacAddress);

/// <summary>An extra DHCP option as asked for; in an update, a null value removes the option.</summary>
public sealed record DhcpOptionRequest(string? OptName, string? OptValue, int? IpVersion);

/// <summary>
/// A page of the API's port list, filtered in the database: each given list is "one of these", each subnet and
/// address must be held by the port; in id order after <see cref="After"/>, at most <see cref="Take"/>.
/// </summary>
public sealed record PortQuery
{
    public IReadOnlyList<Guid>? Ids { get; init; }
    public IReadOnlyList<Guid>? NetworkIds { get; init; }
    public IReadOnlyList<string>? Names { get; init; }
    public IReadOnlyList<string>? DeviceOwners { get; init; }
    public IReadOnlyList<string>? DeviceIds { get; init; }
    public IReadOnlyList<string>? Statuses { get; init; }
    public bool? AdminStateUp { get; init; }
    public IReadOnlyList<Guid> SubnetIds { get; init; } = [];
    public IReadOnlyList<System.Net.IPAddress> IpAddresses { get; init; } = [];
    public Guid? After { get; init; }
    public required int Take { get; init; }
    /// <summary>One of <see cref="PortQuery.SortKeys"/>, or null for id order; the id breaks ties (ascending).</summary>
    public string? SortKey { get; init; }
    public bool Descending { get; init; }

    /// <summary>The attributes a port page is sorted by in the database.</summary>
    public static readonly IReadOnlySet<string> SortKeys = new HashSet<string>(StringComparer.Ordinal) { "name", "status", "device_owner", "created_at" };
}

public sealed record PortUpdate
{
    public string? Name { get; init; }
    public string? Description { get; init; }
    /// <summary>
    /// The port's addresses from now on, as Neutron reads them: an entry naming an address the port holds (or only
    /// a subnet it has an address in) keeps it, the others are new, and what no entry names is released. Null: unchanged.
    /// </summary>
    public IReadOnlyList<FixedIpRequest>? FixedIps { get; init; }
    public bool? AdminStateUp { get; init; }
    public string? DnsName { get; init; }
    public bool? PortSecurityEnabled { get; init; }
    /// <summary>Replaces the port's pairs.</summary>
    public IReadOnlyList<AddressPairRequest>? AllowedAddressPairs { get; init; }
    /// <summary>Merged into the port's options (<see cref="Portal.Core.Ip.PortRules.MergeDhcpOptions"/>).</summary>
    public IReadOnlyList<DhcpOptionRequest>? ExtraDhcpOpts { get; init; }
    /// <summary>Neutron's <c>If-Match: revision_number=N</c>: the update applies only to that revision.</summary>
    public long? IfRevision { get; init; }
}

public sealed record SubnetAvailability(
    Guid SubnetId,
    System.Numerics.BigInteger Total,
    long Used,
    IReadOnlyList<Portal.Core.Ip.IpRange> FreeRanges,
    bool FreeRangesTruncated)
{
    public System.Numerics.BigInteger Free => Total - Used;
}
