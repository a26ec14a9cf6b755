using System.Net;

namespace Portal.Data.Entities;

/// <summary>A static (host) route handed to instances of a subnet by DHCP.</summary>
public class SubnetRoute
{
    public long Id { get; set; }
    public Guid SubnetId { get; set; }
    public IPNetwork Destination { get; set; }
    public required IPAddress NextHop { get; set; }
}
