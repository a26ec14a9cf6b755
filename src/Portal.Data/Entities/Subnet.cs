using System.Net;

namespace Portal.Data.Entities;

public class Subnet
{
    public Guid Id { get; set; }
    public required string ProjectId { get; set; }
    public Guid NetworkId { get; set; }
    public Network? Network { get; set; }
    public required string Name { get; set; }
    public string Description { get; set; } = "";
    public IPNetwork Cidr { get; set; }
    public int IpVersion { get; set; }
    public IPAddress? GatewayIp { get; set; }
    public bool EnableDhcp { get; set; } = true;
    public List<IPAddress> DnsNameservers { get; set; } = [];
    public List<AllocationPool> AllocationPools { get; set; } = [];
    public List<SubnetRoute> HostRoutes { get; set; } = [];
    /// <summary>Neutron's <c>ipv6_ra_mode</c> (one of <see cref="Portal.Core.Ip.Ipv6Modes.All"/>), null when not set.</summary>
    public string? Ipv6RaMode { get; set; }
    /// <summary>Neutron's <c>ipv6_address_mode</c>: SLAAC and DHCPv6-stateless give ports EUI-64 addresses.</summary>
    public string? Ipv6AddressMode { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public uint Version { get; set; }
    /// <summary>Neutron's revision_number: 1 when created, one more with every change (a trigger counts).</summary>
    public long RevisionNumber { get; set; }
    /// <summary>Neutron's tags (<see cref="Portal.Core.TagRules"/>).</summary>
    public List<string> Tags { get; set; } = [];

    /// <summary>What messages call the subnet: its name, or its CIDR when it has none.</summary>
    public string DisplayName => Name.Length > 0 ? Name : Cidr.ToString();
}
