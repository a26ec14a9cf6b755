using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data.Entities;

namespace Portal.Data.Services;

/// <summary>
/// The embedded run's demo data: a customer with two projects (the first with «default» 10.0.0.0/24), a support
/// engineer, and the provider network ext-net. Production seeds nothing (Portal:SeedDemoData is off).
/// </summary>
public sealed class DemoData(ProjectService projects, NetworkService networks, IServiceScopeFactory scopes)
{
    public const string DemoProjectId = "0d0e0a0f5e1e4c3b9a7d6c5b4a392817";
    public const string StagingProjectId = "5e7a9e1b2c3d4e5f60718293a4b5c6d7";
    public const string CloudProjectId = "c10ad000000000000000000000000000";

    public const string CustomerId = "demo-customer";
    public const string CustomerEmail = "demo@portal.local";
    public const string CustomerPassword = "Demo-portal-2026";
    public const string SupportId = "demo-support";
    public const string SupportEmail = "support@portal.local";
    public const string SupportPassword = "Support-portal-2026";

    public async Task SeedAsync(CancellationToken ct = default)
    {
        await projects.EnsureAsync(Actor.System, CloudProjectId, "cloud", ct);
        await projects.EnsureAsync(Actor.System, DemoProjectId, "demo", ct);
        await projects.EnsureAsync(Actor.System, StagingProjectId, "staging", ct);
        var visible = await networks.ListAsync(Actor.System, DemoProjectId, ct);
        if (!visible.Any(n => n.External && n.Name == "ext-net"))
        {
            await networks.CreateProviderNetworkAsync(CloudProjectId, "ext-net",
                new SubnetCreate { Name = "ext-subnet", Cidr = "203.0.113.0/24", EnableDhcp = false }, ct);
        }
        if (!visible.Any(n => !n.External && n.Name == "default"))
        {
            await networks.CreateAsync(Actor.System, DemoProjectId, new NetworkCreate
            {
                Name = "default",
                InternetAccess = true,
                FirstSubnet = new SubnetCreate { Name = "default-subnet", Cidr = "10.0.0.0/24", DnsNameservers = ["8.8.8.8"] },
            }, ct);
        }

        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
        if (!await roles.RoleExistsAsync(Roles.Support)) Check(await roles.CreateAsync(new IdentityRole(Roles.Support)));
        await EnsureUserAsync(users, CustomerId, CustomerEmail, "Анна Петрова", CustomerPassword);
        await projects.AddMemberAsync(Actor.System, DemoProjectId, CustomerId, owner: true, ct);
        await projects.AddMemberAsync(Actor.System, StagingProjectId, CustomerId, owner: true, ct);
        var support = await EnsureUserAsync(users, SupportId, SupportEmail, "Служба поддержки", SupportPassword);
        if (!await users.IsInRoleAsync(support, Roles.Support)) Check(await users.AddToRoleAsync(support, Roles.Support));
    }

    private static async Task<PortalUser> EnsureUserAsync(UserManager<PortalUser> users, string id, string email, string name, string password)
    {
        if (await users.FindByIdAsync(id) is { } existing) return existing;
        var user = new PortalUser { Id = id, UserName = email, Email = email, EmailConfirmed = true, DisplayName = name };
        Check(await users.CreateAsync(user, password));
        return user;
    }

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded) throw new InvalidOperationException(string.Join("; ", result.Errors.Select(e => e.Description)));
    }
}
