namespace Portal.Data.Entities;

public class Network
{
    public Guid Id { get; set; }
    public required string ProjectId { get; set; }
    public required string Name { get; set; }
    public string Description { get; set; } = "";
    public string Status { get; set; } = NetworkStatus.Active;
    public bool AdminStateUp { get; set; } = true;
    public int Mtu { get; set; } = 1500;
    /// <summary>A router with an external gateway serves this network: SNAT and floating IPs.</summary>
    public bool InternetAccess { get; set; }
    /// <summary>Shadowport on the network; one-way, only when the project has shadowport.</summary>
    public bool ServicesAccess { get; set; }
    /// <summary>Neutron's port_security_enabled: the default of the network's new ports.</summary>
    public bool PortSecurityEnabled { get; set; } = true;
    /// <summary>A provider network (e.g. ext-net), the floating-IP source; read-only to customers.</summary>
    public bool External { get; set; }
    /// <summary>The cluster whose workflow created this network; the network goes when that cluster is deleted.</summary>
    public Guid? OwnerClusterId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public uint Version { get; set; }
    /// <summary>Neutron's revision_number: 1 when created, one more with every change (a trigger counts).</summary>
    public long RevisionNumber { get; set; }
    /// <summary>Neutron's tags (<see cref="Portal.Core.TagRules"/>).</summary>
    public List<string> Tags { get; set; } = [];
    public List<Subnet> Subnets { get; set; } = [];
}

public static class NetworkStatus
{
    public const string Active = "ACTIVE";
    public const string Down = "DOWN";
}
