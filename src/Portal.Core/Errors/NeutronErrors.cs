namespace Portal.Core.Errors;

/// <summary>The error types of DESIGN.md §2 with their Neutron names and HTTP statuses.</summary>
public static class NeutronErrors
{
    public static NeutronException InvalidInput(string messageKey, string? field, params object?[] args) =>
        new("InvalidInput", 400, messageKey, field, args);

    public static NeutronException GatewayConflictWithAllocationPools(string gateway, string pool) =>
        new("GatewayConflictWithAllocationPools", 409, "GatewayConflictWithAllocationPools", "gateway_ip", gateway, pool);

    public static NeutronException InvalidAllocationPool(string messageKey, params object?[] args) =>
        new("InvalidAllocationPool", 400, messageKey, "allocation_pools", args);

    public static NeutronException OverlappingAllocationPools(string pool1, string pool2, string cidr) =>
        new("OverlappingAllocationPools", 409, "OverlappingAllocationPools", "allocation_pools", pool1, pool2, cidr);

    public static NeutronException IpAddressAlreadyAllocated(string ip, string subnetName) =>
        new("IpAddressAlreadyAllocated", 409, "IpAddressAlreadyAllocated", "ip_address", ip, subnetName);

    public static NeutronException IpAddressGenerationFailure(string networkOrSubnetName) =>
        new("IpAddressGenerationFailure", 409, "IpAddressGenerationFailure", "ip_address", networkOrSubnetName);

    public static NeutronException MacAddressInUse(string mac, string networkName) =>
        new("MacAddressInUse", 409, "MacAddressInUse", "mac_address", mac, networkName);

    public static NeutronException NetworkInUse(string networkName, object holders, int count) =>
        NeutronException.Counted("NetworkInUse", 409, "NetworkInUse", count, null, networkName, holders);

    public static NeutronException SubnetInUse(string subnetName, object holders, int count) =>
        NeutronException.Counted("SubnetInUse", 409, "SubnetInUse", count, null, subnetName, holders);

    public static NeutronException OverQuota(string resourceKey, int limit) =>
        new("OverQuota", 409, "OverQuota", null, new LocalizedText(resourceKey), limit);

    public static NeutronException NotFound(string resourceKey, object id) =>
        new(resourceKey.Replace("Resource.", "") + "NotFound", 404, "NotFound", null, new LocalizedText(resourceKey), id);

    /// <summary>Only for actions a role allows (support's console): a customer's attempt is refused, not hidden.</summary>
    public static NeutronException Forbidden(string messageKey) => new("Forbidden", 403, messageKey, null);

    public static NeutronException Conflict(string messageKey, string? field, params object?[] args) =>
        new("Conflict", 409, messageKey, field, args);

    public static NeutronException CidrNotAvailable(string messageKey, string? field, params object?[] args) =>
        new("CIDRNotAvailable", 409, messageKey, field, args);
}
