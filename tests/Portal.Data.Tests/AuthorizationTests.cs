using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Errors;
using Portal.Data.Entities;
using Portal.Data.Services;

namespace Portal.Data.Tests;

/// <summary>
/// The services authorise every call against the database, whatever the front end believes: a user removed from a
/// project is refused by every kind of call (list, show, create, update, delete) as if the project did not exist, and
/// changes nothing; support actions need the support role as it is now.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class AuthorizationTests(DatabaseFixture db)
{
    private ClusterService Clusters => db.Services.GetRequiredService<ClusterService>();

    private async Task<(string Project, Actor Actor)> MemberProjectAsync(string name)
    {
        var user = await db.NewUserAsync(name);
        var project = await db.NewProjectAsync();
        await db.Projects.AddMemberAsync(Actor.System, project, user.Id, owner: true);
        return (project, new Actor(user.Id, user.Email!, "198.51.100.40", IsSupport: false));
    }

    private Task RemoveMemberAsync(string project, Actor actor) =>
        db.ScalarAsync("DELETE FROM project_members WHERE project_id = $1 AND user_id = $2", project, actor.UserId);

    [Fact]
    public async Task A_removed_member_is_refused_by_every_call_as_if_the_project_did_not_exist_and_nothing_changes()
    {
        var (project, actor) = await MemberProjectAsync("removed");
        var network = await db.Networks.CreateAsync(actor, project, new NetworkCreate
        {
            Name = "kept", FirstSubnet = new SubnetCreate { Name = "kept-subnet", Cidr = "10.60.0.0/24" },
        });
        var subnet = network.Subnets.Single();
        var port = await db.Ports.CreateAsync(actor, project, new PortCreate { NetworkId = network.Id, Name = "kept-port" });
        var cluster = await Clusters.CreateAsync(actor, project, new ClusterCreate { Name = "kept-cluster" });
        // While a member, every kind of call works.
        Assert.Equal("kept", (await db.Networks.GetAsync(actor, project, network.Id)).Name);
        Assert.Equal("kept-port", (await db.Ports.GetAsync(actor, project, port.Id)).Name);
        Assert.Single(await Clusters.ListAsync(actor, project));
        Assert.NotEmpty((await db.Audit.ListAsync(actor, project, new PageRequest(0, 10))).Items);
        var trail = await db.ScalarAsync("SELECT count(*) FROM audit_entries WHERE project_id = $1", project);

        await RemoveMemberAsync(project, actor);

        var page = new PageRequest(0, 10);
        var calls = new (string What, Func<Task> Call)[]
        {
            ("list networks", () => db.Networks.ListAsync(actor, project)),
            ("query networks", () => db.Networks.QueryAsync(actor, project, page)),
            ("show network", () => db.Networks.GetAsync(actor, project, network.Id)),
            ("create network", () => db.Networks.CreateAsync(actor, project, new NetworkCreate { Name = "new" })),
            ("update network", () => db.Networks.UpdateAsync(actor, project, network.Id, new NetworkUpdate { Name = "taken" })),
            ("delete network", () => db.Networks.DeleteAsync(actor, project, network.Id)),
            ("list subnets", () => db.Subnets.ListAsync(actor, project, network.Id)),
            ("list subnet rows", () => db.Subnets.ListRowsAsync(actor, project, network.Id)),
            ("project subnets", () => db.Subnets.ProjectSubnetsAsync(actor, project)),
            ("show subnet", () => db.Subnets.GetAsync(actor, project, subnet.Id)),
            ("availability", () => db.Subnets.GetAvailabilityAsync(actor, project, subnet.Id)),
            ("create subnet", () => db.Subnets.CreateAsync(actor, project, network.Id, new SubnetCreate { Cidr = "10.60.1.0/24" })),
            ("update subnet", () => db.Subnets.UpdateAsync(actor, project, subnet.Id, new SubnetUpdate { EnableDhcp = false })),
            ("delete subnet", () => db.Subnets.DeleteAsync(actor, project, subnet.Id)),
            ("list ports", () => db.Ports.ListAsync(actor, project, network.Id)),
            ("query ports", () => db.Ports.QueryAsync(actor, project, subnet.Id, page)),
            ("show port", () => db.Ports.GetAsync(actor, project, port.Id)),
            ("suggest address", () => db.Ports.SuggestAddressAsync(actor, project, subnet.Id)),
            // Both creation paths: the direct one (a subnet, no address) and the full one (an address).
            ("create port (direct)", () => db.Ports.CreateAsync(actor, project, new PortCreate
            {
                NetworkId = network.Id, FixedIps = [new FixedIpRequest(subnet.Id, null)],
            })),
            ("create port (full)", () => db.Ports.CreateAsync(actor, project, new PortCreate
            {
                NetworkId = network.Id, FixedIps = [new FixedIpRequest(null, "10.60.0.77")],
            })),
            ("update port", () => db.Ports.UpdateAsync(actor, project, port.Id, new PortUpdate { Name = "taken" })),
            ("disable ports", () => db.Ports.SetAdminStateAsync(actor, project, [port.Id], false)),
            ("delete port", () => db.Ports.DeleteAsync(actor, project, port.Id)),
            ("list clusters", () => Clusters.ListAsync(actor, project)),
            ("count clusters", () => Clusters.CountAsync(actor, project)),
            ("show cluster", () => Clusters.GetAsync(actor, project, cluster.Id)),
            ("plan cluster", () => Clusters.PlanAsync(actor, project, new ClusterCreate { Name = "other" })),
            ("create cluster", () => Clusters.CreateAsync(actor, project, new ClusterCreate { Name = "other" })),
            ("scale cluster", () => Clusters.ScaleAsync(actor, project, cluster.Id, 3)),
            ("check cluster network", () => Clusters.RequestNetworkCheckAsync(actor, project, cluster.Id)),
            ("delete cluster", () => Clusters.DeleteAsync(actor, project, cluster.Id)),
            ("show project", () => db.Projects.GetAsync(actor, project)),
            ("quotas", () => db.Projects.GetQuotasAsync(actor, project)),
            ("quota", () => db.Projects.GetQuotaAsync(actor, project, Quotas.Ports)),
            ("audit trail", () => db.Audit.ListAsync(actor, project, page)),
        };
        foreach (var (what, call) in calls)
        {
            var e = await Assert.ThrowsAsync<NeutronException>(call);
            Assert.True(e.StatusCode == 404, $"{what}: expected 404, got {e.StatusCode} {e.Type}");
        }
        // A bulk deletion reports each port it could not delete, as not found.
        var bulk = await db.Ports.DeleteManyAsync(actor, project, [port.Id]);
        Assert.Equal(0, bulk.Done);
        Assert.Equal(404, Assert.Single(bulk.Refused).StatusCode);

        Assert.Equal("kept", (await db.Networks.GetAsync(Actor.System, project, network.Id)).Name);
        var stored = await db.Subnets.GetAsync(Actor.System, project, subnet.Id);
        Assert.True(stored.EnableDhcp);
        var ports = await db.Ports.ListAsync(Actor.System, project, network.Id);
        Assert.Equal(["kept-port"], ports.Where(p => p.DeviceOwner == DeviceOwners.User).Select(p => p.Name));
        Assert.True(ports.Single(p => p.Id == port.Id).AdminStateUp);
        Assert.Single(await db.Networks.ListAsync(Actor.System, project), n => !n.External);
        var clusters = await Clusters.ListAsync(Actor.System, project);
        Assert.False(Assert.Single(clusters).DeleteRequested);
        Assert.Equal(2, clusters[0].Workers);
        Assert.Equal(trail, await db.ScalarAsync("SELECT count(*) FROM audit_entries WHERE project_id = $1", project));
    }

    [Fact]
    public async Task Only_the_system_actor_skips_the_checks_and_no_actor_built_from_claims_equals_it()
    {
        var project = await db.NewProjectAsync();
        var network = await db.Networks.CreateAsync(Actor.System, project, new NetworkCreate { Name = "sys" });
        var lookalike = new Actor(Actor.System.UserId, Actor.System.Name, Actor.System.Address, Actor.System.IsSupport);
        Assert.NotEqual(Actor.System, lookalike);
        Assert.False(lookalike.IsSystem);

        await Errors.ExpectAsync(() => db.Networks.GetAsync(lookalike, project, network.Id), "NetworkNotFound", 404);
        await Errors.ExpectAsync(() => db.Networks.ListAsync(lookalike, project), "ProjectNotFound", 404, project);
        await Errors.ExpectAsync(() => db.Support.SearchAsync(lookalike, project), "Forbidden", 403);
        Assert.Equal("sys", (await db.Networks.GetAsync(Actor.System, project, network.Id)).Name);
    }

    [Fact]
    public async Task Support_actions_need_the_support_role_as_it_is_now_not_as_the_sign_in_said()
    {
        var (project, owner) = await MemberProjectAsync("owner");
        var engineer = await db.NewUserAsync("engineer");
        var support = new Actor(engineer.Id, engineer.Email!, "192.0.2.77", IsSupport: true);
        // The sign-in says support, the database does not: refused.
        await Errors.ExpectAsync(() => db.Support.SearchAsync(support, project), "Forbidden", 403);
        await Errors.ExpectAsync(() => db.Support.GetAsync(support, project), "Forbidden", 403);
        await Errors.ExpectAsync(() => db.Support.SetShadowportAsync(support, project, true, "T-7"), "Forbidden", 403);
        await Errors.ExpectAsync(() => db.Audit.ListAsync(support, project, new PageRequest(0, 10)), "ProjectNotFound", 404, project);

        var role = (string)(await db.ScalarAsync("SELECT id FROM roles WHERE name = $1", Roles.Support))!;
        await db.ScalarAsync("INSERT INTO user_roles (user_id, role_id) VALUES ($1, $2)", engineer.Id, role);
        Assert.Contains(await db.Support.SearchAsync(support, project), p => p.Id == project);
        await db.Support.SetShadowportAsync(support, project, true, "T-8");
        Assert.Equal("shadowport.enable", (await db.Audit.ListAsync(support, project, new PageRequest(0, 10))).Items[0].Action);
        Assert.Equal(0, await Clusters.CountAsync(support, project));

        // The role is taken away: the next call is refused, and a customer who only claims the role never gets in.
        await db.ScalarAsync("DELETE FROM user_roles WHERE user_id = $1", engineer.Id);
        await Errors.ExpectAsync(() => db.Support.SetShadowportAsync(support, project, false, "T-9"), "Forbidden", 403);
        await Errors.ExpectAsync(() => db.Support.GetAsync(support, project), "Forbidden", 403);
        await Errors.ExpectAsync(() => db.Audit.ListAsync(support, project, new PageRequest(0, 10)), "ProjectNotFound", 404, project);
        await Errors.ExpectAsync(() => db.Support.SearchAsync(owner with { IsSupport = true }, project), "Forbidden", 403);
        Assert.True((await db.Projects.GetAsync(owner, project)).ShadowportEnabled);
    }
}
