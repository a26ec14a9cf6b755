using System.Text.RegularExpressions;
using AngleSharp.Dom;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Clusters;
using Portal.Data.Services;
using Portal.Web.Components.Pages;
using Portal.Web.Components.Pages.Kubernetes;
using Portal.Web.Components.Pages.Networks;
using Portal.Web.Components.Pages.Networks.Subnets;
using Portal.Web.Components.Pages.Support;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests;

/// <summary>
/// Every page, as a customer and as support see it, speaks one language: no English word in the Russian console
/// (beyond the product's terms and the names the test data chose), and no Russian guillemets in the English one.
/// </summary>
public sealed partial class WordsTests(PortalDatabase db) : PortalTest(db)
{
    /// <summary>
    /// Terms a Russian reader of a cloud console reads as they are, untranslated: the network's abbreviations, and
    /// the product's own names (shadowport is how support and customers name the feature, beside «доступ к сервисам»).
    /// </summary>
    private static readonly HashSet<string> Terms =
        ["DHCP", "CIDR", "IP", "MAC", "MTU", "Kubernetes", "API", "DNS", "ID", "TCP", "NAT", "shadowport", "Shadowport"];

    [Theory]
    [InlineData("ru-RU")]
    [InlineData("en-US")]
    public async Task Every_page_speaks_only_the_readers_language(string culture)
    {
        UseCulture(culture);
        var projectId = await UseNewProjectAsync(shadowport: true);
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var network = await Db.Networks.CreateAsync(Actor.System, projectId, new NetworkCreate
        {
            Name = "words-" + suffix, FirstSubnet = new SubnetCreate { Cidr = "10.91.0.0/24" },
        });
        var subnet = network.Subnets.Single();
        await Db.Ports.CreateAsync(Actor.System, projectId, new PortCreate { NetworkId = network.Id, Name = "vm-" + suffix });
        await Db.Ports.CreateAsync(Actor.System, projectId, new PortCreate { NetworkId = network.Id });
        var cluster = await Db.Clusters.CreateAsync(Services.GetRequiredService<CurrentProject>().Actor, projectId, new ClusterCreate { Name = "w" + suffix, Workers = 1, ExternalIp = false });
        await Db.RunClusterUntilAsync(cluster.Id, ClusterPhase.WaitingForAgents);
        string[] names = ["words-" + suffix, "vm-" + suffix, "w" + suffix, projectId];

        var wrong = new List<string>();
        // One page at a time: MudBlazor's providers allow one of them per renderer.
        async Task Read(string page, Func<IRenderedComponent<IComponent>> render)
        {
            var host = render();
            wrong.AddRange(Texts(host.Nodes).SelectMany(t => Offences(culture, t, names)).Select(o => $"{page}: {o}"));
            await DisposeComponentsAsync();
        }
        await Read("networks", () => Loaded(RenderWithProviders<NetworksPage>(), network.Name));
        await Read("network", () => Loaded(RenderWithProviders<NetworkPage>(p => p.Add(x => x.NetworkId, network.Id)), "10.91.0.0/24"));
        await Read("subnet", () => Loaded(RenderWithProviders<SubnetPage>(p => p.Add(x => x.NetworkId, network.Id).Add(x => x.SubnetId, subnet.Id)), "10.91.0.0/24"));
        await Read("ports", () => PortsTab(network.Id, subnet.Id, "vm-" + suffix));
        await Read("clusters", () => Loaded(RenderWithProviders<ClustersPage>(), cluster.Name));
        await Read("cluster", () => Loaded(RenderWithProviders<ClusterPage>(p => p.Add(x => x.ClusterId, cluster.Id)), "10.0.0.0/24"));
        await Read("wizard", () => Loaded(RenderWithProviders<ClusterWizard>(), "Kubernetes"));
        await Read("audit", () => Loaded(RenderWithProviders<AuditPage>(), cluster.Name));
        await SignInAsSupportAsync();
        await Read("support", () => NothingFound("no-such-" + suffix));
        await Read("support project", () => Loaded(RenderWithProviders<SupportProjectPage>(p => p.Add(x => x.ProjectId, projectId)), cluster.Name));

        wrong = wrong.Distinct().ToList();
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    [Theory]
    [InlineData("ru-RU", "Создан кластер", "Kubernetes {0}; мастеров: 1, рабочих узлов: 1; новая сеть {1}-net (10.0.0.0/24); без внешнего IP",
        "Создан порт", "система", "порт без имени")]
    [InlineData("en-US", "Cluster created", "Kubernetes {0}; masters: 1, workers: 1; new network {1}-net (10.0.0.0/24); no external IP",
        "Port created", "system", "unnamed port")]
    public async Task The_audit_trail_words_a_cluster_and_its_ports_in_the_readers_language(string culture, string created, string details,
        string portCreated, string system, string unnamedPort)
    {
        UseCulture(culture);
        var projectId = await UseNewProjectAsync(shadowport: true);
        var name = "a" + Guid.NewGuid().ToString("N")[..6];
        var cluster = await Db.Clusters.CreateAsync(Services.GetRequiredService<CurrentProject>().Actor, projectId, new ClusterCreate { Name = name, Workers = 1, ExternalIp = false });
        await Db.RunClusterUntilAsync(cluster.Id, ClusterPhase.WaitingForAgents);
        var actor = Services.GetRequiredService<CurrentProject>().Actor;
        var clusterNetwork = (await Db.Networks.ListAsync(actor, projectId)).Single(n => n.Name == name + "-net");
        var unnamed = await Db.Ports.CreateAsync(actor, projectId, new PortCreate { NetworkId = clusterNetwork.Id });

        var page = Loaded(RenderWithProviders<AuditPage>(), name + "-api");

        var rows = page.DataRows("audit-trail").Select(r => r.QuerySelectorAll("td").Select(c => c.Text()).ToArray()).ToList();
        var creation = Assert.Single(rows, r => r[2] == created);
        Assert.Equal((name, string.Format(details, cluster.KubernetesVersion, name)), (creation[3], creation[4]));
        var api = Assert.Single(rows, r => r[2] == portCreated && r[3] == name + "-api");
        Assert.Equal(system, api[1]);
        // A port without a name is called so, with its address beside it, never by its UUID.
        page.WaitForAssertion(() => Assert.Contains(page.DataRows("audit-trail"), r => r.TextContent.Contains(unnamedPort)));
        var port = Assert.Single(page.DataRows("audit-trail").Select(r => r.QuerySelectorAll("td").Select(c => c.Text()).ToArray()),
            r => r[2] == portCreated && r[3] == unnamedPort);
        Assert.Equal(unnamed.FixedIps.Single().IpAddress.ToString(), port[4]);
        Assert.DoesNotContain(unnamed.Id.ToString(), page.Markup);
    }

    /// <summary>The page once its data has arrived (the grids load after the first render).</summary>
    private static IRenderedComponent<IComponent> Loaded<T>(IRenderedComponent<T> page, string shows) where T : IComponent
    {
        page.WaitForAssertion(() => Assert.Contains(shows, page.Markup));
        return (IRenderedComponent<IComponent>)page;
    }

    private IRenderedComponent<IComponent> PortsTab(Guid networkId, Guid subnetId, string portName)
    {
        var page = Loaded(RenderWithProviders<SubnetPage>(p => p.Add(x => x.NetworkId, networkId).Add(x => x.SubnetId, subnetId)), "subnet-tabs");
        page.Press(() => page.FindAll("[data-testid='subnet-tabs'] .mud-tab")[1]);
        return Loaded(page, portName);
    }

    /// <summary>The support console after a search that found nothing: its answer quotes what was searched for.</summary>
    private IRenderedComponent<IComponent> NothingFound(string search)
    {
        var page = Loaded(RenderWithProviders<SupportPage>(), "support-search");
        page.Type("support-search", search);
        page.Press("support-search-button");
        return Loaded(page, "support-nothing");
    }

    /// <summary>What a reader sees or hears: text, and the labels, titles and placeholders of controls.</summary>
    private static IEnumerable<string> Texts(INodeList nodes)
    {
        foreach (var node in nodes)
        {
            if (node is IText text) yield return text.Data;
            if (node is IElement element)
            {
                // A command to paste into a shell is not prose: its words are the program's.
                if (element.LocalName is "script" or "style" or "code") continue;
                foreach (var name in (string[])["aria-label", "title", "placeholder", "alt"])
                {
                    if (element.GetAttribute(name) is { Length: > 0 } value) yield return value;
                }
            }
            foreach (var inner in Texts(node.ChildNodes)) yield return inner;
        }
    }

    private static IEnumerable<string> Offences(string culture, string text, string[] names)
    {
        if (culture.StartsWith("en"))
        {
            if (text.Contains('«') || text.Contains('»')) yield return $"guillemets in «{text.Trim()}»";
            yield break;
        }
        var plain = names.Aggregate(text, (t, name) => t.Replace(name, " "));
        foreach (Match word in Word().Matches(plain))
        {
            if (!Terms.Contains(word.Value)) yield return $"«{word.Value}» in «{text.Trim()}»";
        }
    }

    /// <summary>A word of Latin letters only, between spaces or punctuation: «10.0.0.1», «fa:16:3e:…» and «ext-net» are not words.</summary>
    [GeneratedRegex(@"(?<![\p{L}\p{N}@.:/_-])[A-Za-z]+(?![\p{L}\p{N}@.:/_-])")]
    private static partial Regex Word();
}
