using Portal.Data.Entities;

namespace Portal.Data.Services;

/// <summary>The embedded run's demo data: a customer project with «default» 10.0.0.0/24, and the provider network ext-net.</summary>
public sealed class DemoData(ProjectService projects, NetworkService networks)
{
    public const string DemoProjectId = "0d0e0a0f5e1e4c3b9a7d6c5b4a392817";
    public const string CloudProjectId = "c10ad000000000000000000000000000";

    public async Task SeedAsync(CancellationToken ct = default)
    {
        await projects.EnsureAsync(CloudProjectId, "cloud", ct);
        await projects.EnsureAsync(DemoProjectId, "demo", ct);
        var visible = await networks.ListAsync(DemoProjectId, ct);
        if (!visible.Any(n => n.External && n.Name == "ext-net"))
        {
            await networks.CreateProviderNetworkAsync(CloudProjectId, "ext-net",
                new SubnetCreate { Name = "ext-subnet", Cidr = "203.0.113.0/24", EnableDhcp = false }, ct);
        }
        if (!visible.Any(n => !n.External && n.Name == "default"))
        {
            await networks.CreateAsync(DemoProjectId, new NetworkCreate
            {
                Name = "default",
                InternetAccess = true,
                FirstSubnet = new SubnetCreate { Name = "default-subnet", Cidr = "10.0.0.0/24", DnsNameservers = ["8.8.8.8"] },
            }, ct);
        }
    }
}
