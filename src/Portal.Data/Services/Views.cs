using System.Net;
using System.Numerics;

namespace Portal.Data.Services;

/// <summary>One page of a grid: what the user asked for (skip/take, sort, filter), answered by SQL.</summary>
public sealed record PageRequest(int Skip, int Take, string? SortBy = null, bool Descending = false, string? NameFilter = null)
{
    public const int MaxTake = 200;

    internal int SafeTake => Math.Clamp(Take, 1, MaxTake);
    internal int SafeSkip => Math.Max(Skip, 0);
}

public sealed record Page<T>(IReadOnlyList<T> Items, int Total);

public sealed record SubnetBrief(Guid Id, string Name, IPNetwork Cidr);

public sealed record NetworkRow(
    Guid Id, string Name, string Status, bool External, bool InternetAccess, bool ServicesAccess, int Mtu,
    DateTimeOffset CreatedAt, IReadOnlyList<SubnetBrief> Subnets, int PortCount);

public sealed record SubnetRow(Guid Id, string Name, IPNetwork Cidr, IPAddress? Gateway, bool EnableDhcp, long Used, BigInteger Total);

/// <summary>A port as the «Порты» tab shows it: one row per address the port holds in the subnet.</summary>
public sealed record PortRow(
    Guid Id, string Name, IPAddress IpAddress, string MacAddress, string Status, bool AdminStateUp,
    string DeviceOwner, string DeviceId, string DnsName, DateTimeOffset CreatedAt)
{
    public bool SystemOwned => Entities.DeviceOwners.IsSystem(DeviceOwner);
}

/// <summary>A subnet anywhere in the project, for live overlap warnings while a CIDR is typed.</summary>
public sealed record ProjectSubnet(Guid NetworkId, string NetworkName, Guid SubnetId, string SubnetName, IPNetwork Cidr);

/// <summary>Outcome of a bulk action: what was done and what was refused, with the reason.</summary>
public sealed record BulkResult(int Done, IReadOnlyList<Portal.Core.Errors.NeutronException> Refused);
