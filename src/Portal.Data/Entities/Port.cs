using System.Globalization;
using System.Net.NetworkInformation;
using Portal.Core.Errors;

namespace Portal.Data.Entities;

public class Port
{
    public Guid Id { get; set; }
    public required string ProjectId { get; set; }
    public Guid NetworkId { get; set; }
    public Network? Network { get; set; }
    public string Name { get; set; } = "";
    public string Description { get; set; } = "";
    public required PhysicalAddress MacAddress { get; set; }
    /// <summary>'' for a user's port; otherwise the system component that owns it (see <see cref="DeviceOwners"/>).</summary>
    public string DeviceOwner { get; set; } = DeviceOwners.User;
    public string DeviceId { get; set; } = "";
    public string DnsName { get; set; } = "";
    public string Status { get; set; } = PortStatus.Down;
    public bool AdminStateUp { get; set; } = true;
    /// <summary>Neutron's port_security_enabled; allowed address pairs need it.</summary>
    public bool PortSecurityEnabled { get; set; } = true;
    public List<Portal.Core.Ip.AddressPair> AllowedAddressPairs { get; set; } = [];
    public List<Portal.Core.Ip.DhcpOption> ExtraDhcpOpts { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public uint Version { get; set; }
    /// <summary>Neutron's revision_number: 1 when created, one more with every change (a trigger counts).</summary>
    public long RevisionNumber { get; set; }
    /// <summary>Neutron's tags (<see cref="Portal.Core.TagRules"/>).</summary>
    public List<string> Tags { get; set; } = [];
    public List<IpAllocation> FixedIps { get; set; } = [];
}

public static class PortStatus
{
    public const string Active = "ACTIVE";
    public const string Down = "DOWN";
}

public static class DeviceOwners
{
    public const string User = "";
    public const string Dhcp = "network:dhcp";
    public const string RouterInterface = "network:router_interface";
    public const string FloatingIp = "network:floatingip";
    public const string Shadowport = "network:shadowport";
    public const string K8sMaster = "k8s:master";
    public const string K8sNode = "k8s:node";
    public const string K8sLoadBalancer = "k8s:loadbalancer";

    public static bool IsSystem(string owner) => owner.Length > 0;

    /// <summary>
    /// What is attached, as a person reads it ("DHCP", «Маршрутизатор», «Kubernetes: мастер»): the ports tab and
    /// the errors about a system port name it alike. An owner the portal does not know (another service's) reads as it is.
    /// </summary>
    public static ILocalizable Label(string owner) => owner switch
    {
        Dhcp => new LocalizedText("Device.Dhcp"),
        RouterInterface => new LocalizedText("Device.Router"),
        Shadowport => new LocalizedText("Device.Shadowport"),
        FloatingIp => new LocalizedText("Device.FloatingIp"),
        K8sMaster => new LocalizedText("Device.ClusterMaster"),
        K8sNode => new LocalizedText("Device.ClusterNode"),
        K8sLoadBalancer => new LocalizedText("Device.ClusterLoadBalancer"),
        _ => new Verbatim(owner),
    };

    private sealed record Verbatim(string Text) : ILocalizable
    {
        public string Localize(CultureInfo culture) => Text;
    }
}

/// <summary>
/// The device ids of system ports, in one place: what owns a DHCP, router or shadowport port of a network, and
/// the ports of a cluster (which carry the cluster's id).
/// </summary>
public static class DeviceIds
{
    public static string Dhcp(Guid networkId) => "dhcp" + networkId.ToString("N");
    public static string Router(Guid networkId) => "router" + networkId.ToString("N");
    public static string Shadowport(Guid networkId) => "shadowport" + networkId.ToString("N");
    public static string Cluster(Guid clusterId) => clusterId.ToString();
}
