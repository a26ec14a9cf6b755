using System.Net;

namespace Portal.Data.Entities;

/// <summary>A port's fixed IP. The unique (subnet, address) index is what stops one address going to two ports.</summary>
public class IpAllocation
{
    public long Id { get; set; }
    public Guid SubnetId { get; set; }
    public required IPAddress IpAddress { get; set; }
    public Guid PortId { get; set; }
    public Guid NetworkId { get; set; }
}
