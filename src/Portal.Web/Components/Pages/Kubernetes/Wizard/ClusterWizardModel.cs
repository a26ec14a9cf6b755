using System.Net;
using System.Numerics;
using Portal.Core.Clusters;
using Portal.Data.Entities;
using Portal.Data.Services;

namespace Portal.Web.Components.Pages.Kubernetes.Wizard;

/// <summary>
/// What «Создать кластер» has been told so far, and what it read to offer the choices: the wizard page's one copy,
/// which every step edits and which the page sends to the service to check and create.
/// </summary>
public sealed class ClusterWizardModel
{
    /// <summary>The network choice «Создать новую сеть».</summary>
    public const string NewNetwork = "new";

    public string Name { get; set; } = "";
    public string Version { get; set; } = "";
    public int Masters { get; set; } = 1;
    public int Workers { get; set; } = 2;
    public string Flavor { get; set; } = "";

    /// <summary>The chosen network's id, or <see cref="NewNetwork"/>; set with <see cref="ChooseNetwork"/>.</summary>
    public string Network { get; private set; } = NewNetwork;

    public Guid? SubnetId { get; set; }
    public string PodCidr { get; set; } = ClusterRules.DefaultPodCidr;
    public string ServiceCidr { get; set; } = ClusterRules.DefaultServiceCidr;
    public bool ExternalIp { get; set; } = true;

    /// <summary>Null until the page has read it; no step is shown before.</summary>
    public Project? Project { get; set; }

    /// <summary>The project's own networks (not provider networks such as ext-net).</summary>
    public IReadOnlyList<Network> Networks { get; set; } = [];

    /// <summary>The subnet a new network would get, for the network step before any check.</summary>
    public IPNetwork? AutoSubnet { get; set; }

    /// <summary>The chosen subnet's free addresses, for the network step before any check.</summary>
    public BigInteger? Free { get; set; }

    public bool Shadowport => Project is { ShadowportEnabled: true };

    public Network? ChosenNetwork => Network == NewNetwork ? null : Networks.FirstOrDefault(n => n.Id.ToString() == Network);

    /// <summary>Without an external IP the cluster is reached through shadowport: the project must have it and so must the network (a new one gets it).</summary>
    public bool CanGoWithoutExternalIp => Shadowport && ChosenNetwork is null or { ServicesAccess: true };

    public int Needed => ClusterRules.AddressesNeeded(Masters, Workers);

    public string NameOrPlaceholder => Name.Trim().Length > 0 ? Name.Trim() : "<name>";

    /// <summary>Chooses a network with its first IPv4 subnet; one that cannot go without an external IP turns it on.</summary>
    public void ChooseNetwork(string network)
    {
        Network = network;
        SubnetId = ChosenNetwork?.Subnets.FirstOrDefault(s => s.IpVersion == 4)?.Id;
        if (!CanGoWithoutExternalIp) ExternalIp = true;
    }

    public ClusterCreate ToCreate() => new()
    {
        Name = Name,
        KubernetesVersion = Version,
        Flavor = Flavor,
        Masters = Masters,
        Workers = Workers,
        NetworkId = ChosenNetwork?.Id,
        SubnetId = ChosenNetwork is null ? null : SubnetId,
        PodCidr = PodCidr,
        ServiceCidr = ServiceCidr,
        ExternalIp = ExternalIp,
    };
}
