using System.Net;

namespace Portal.Data.Entities;

/// <summary>An inclusive address range of a subnet from which addresses are handed out automatically.</summary>
public class AllocationPool
{
    public Guid Id { get; set; }
    public Guid SubnetId { get; set; }
    public required IPAddress FirstIp { get; set; }
    public required IPAddress LastIp { get; set; }
}
