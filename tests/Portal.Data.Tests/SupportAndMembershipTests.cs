using Portal.Data.Services;

namespace Portal.Data.Tests;

/// <summary>Projects and their members, and the support console's actions with their audit trail.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class SupportAndMembershipTests(DatabaseFixture db)
{
    private static Actor Customer(Entities.PortalUser user) => new(user.Id, user.Email!, "198.51.100.7", IsSupport: false);

    [Fact]
    public async Task A_user_works_in_their_own_projects_and_the_choice_is_remembered()
    {
        var user = await db.NewUserAsync("ann");
        var first = await db.NewProjectAsync();
        var second = await db.NewProjectAsync();
        var foreign = await db.NewProjectAsync();
        Assert.Null(await db.Projects.CurrentForUserAsync(user.Id));

        await db.Projects.AddMemberAsync(Actor.System, first, user.Id, owner: true);
        await db.Projects.AddMemberAsync(Actor.System, second, user.Id, owner: false);
        Assert.Equal(new[] { first, second }.Order(), (await db.Projects.ListForUserAsync(user.Id)).Select(p => p.Id).Order());

        await db.Projects.SetCurrentAsync(user.Id, second);
        Assert.Equal(second, (await db.Projects.CurrentForUserAsync(user.Id))!.Id);
        await Errors.ExpectAsync(() => db.Projects.SetCurrentAsync(user.Id, foreign), "ProjectNotFound", 404, foreign);
        Assert.Equal(second, (await db.Projects.CurrentForUserAsync(user.Id))!.Id);
    }

    [Fact]
    public async Task Support_finds_a_project_by_exact_id_or_by_a_fragment_of_its_name()
    {
        var owner = await db.NewUserAsync("owner");
        var project = await db.NewProjectAsync();
        await db.Projects.AddMemberAsync(Actor.System, project, owner.Id, owner: true);
        var name = "test-" + project[..6];

        var byId = await db.Support.SearchAsync(DatabaseFixture.SupportEngineer, "  " + project.ToUpperInvariant() + " ");
        Assert.Equal(project, byId.First().Id);
        Assert.Equal(owner.Email, byId.First().Owner);
        Assert.Contains(await db.Support.SearchAsync(DatabaseFixture.SupportEngineer, name[2..8]), p => p.Id == project);
        Assert.DoesNotContain(await db.Support.SearchAsync(DatabaseFixture.SupportEngineer, project[..10]), p => p.Id == project);
    }

    [Fact]
    public async Task Customers_cannot_use_the_support_console()
    {
        var user = await db.NewUserAsync("eve");
        var project = await db.NewProjectAsync();
        await db.Projects.AddMemberAsync(Actor.System, project, user.Id, owner: true);

        await Errors.ExpectAsync(() => db.Support.SearchAsync(Customer(user), project), "Forbidden", 403);
        await Errors.ExpectAsync(() => db.Support.GetAsync(Customer(user), project), "Forbidden", 403);
        await Errors.ExpectAsync(() => db.Support.SetShadowportAsync(Customer(user), project, true, "T-1"), "Forbidden", 403);
        Assert.False((await db.Projects.GetAsync(Actor.System, project)).ShadowportEnabled);
    }

    [Fact]
    public async Task Shadowport_needs_a_reason_and_every_switch_is_in_the_history_and_the_audit_trail()
    {
        var owner = await db.NewUserAsync("olga");
        var project = await db.NewProjectAsync();
        await db.Projects.AddMemberAsync(Actor.System, project, owner.Id, owner: true);
        var support = DatabaseFixture.SupportEngineer;

        await Errors.ExpectAsync(() => db.Support.SetShadowportAsync(support, project, true, "   "), "InvalidInput", 400);
        Assert.False((await db.Projects.GetAsync(Actor.System, project)).ShadowportEnabled);

        await db.Support.SetShadowportAsync(support, project, true, "TICKET-41");
        await db.Support.SetShadowportAsync(support, project, false, "TICKET-42");
        var details = await db.Support.GetAsync(support, project);
        Assert.False(details.Project.ShadowportEnabled);
        Assert.Equal(["TICKET-42", "TICKET-41"], details.ShadowportHistory.Select(c => c.Reason));
        Assert.Equal([false, true], details.ShadowportHistory.Select(c => c.Enabled));
        Assert.Equal(owner.Email, details.Owner!.Email);

        var trail = await db.Audit.ListAsync(Customer(owner), project, new PageRequest(0, 10));
        Assert.Equal(["shadowport.disable", "shadowport.enable"], trail.Items.Select(e => e.Action));
        Assert.All(trail.Items, e => Assert.Equal(("support@test", "192.0.2.10"), (e.Actor, e.Address)));

        var stranger = await db.NewUserAsync("mallory");
        await Errors.ExpectAsync(() => db.Audit.ListAsync(Customer(stranger), project, new PageRequest(0, 10)), "ProjectNotFound", 404, project);
    }

    [Fact]
    public async Task Support_sets_a_quota_within_its_range_and_the_trail_says_from_what_to_what()
    {
        var owner = await db.NewUserAsync("quinn");
        var project = await db.NewProjectAsync();
        await db.Projects.AddMemberAsync(Actor.System, project, owner.Id, owner: true);
        var support = DatabaseFixture.SupportEngineer;

        await Errors.ExpectAsync(() => db.Projects.SetQuotaAsync(Customer(owner), project, Quotas.Networks, 1000), "Forbidden", 403);
        await Errors.ExpectAsync(() => db.Projects.SetQuotaAsync(support, project, Quotas.Networks, -1), "InvalidInput", 400);
        await Errors.ExpectAsync(() => db.Projects.SetQuotaAsync(support, project, Quotas.Networks, ProjectService.MaxQuotaLimit + 1), "InvalidInput", 400);
        await Errors.ExpectAsync(() => db.Projects.SetQuotaAsync(support, project, "routers", 5), "InvalidInput", 400);
        Assert.Equal(Quotas.Defaults[Quotas.Networks], (await db.Projects.GetQuotaAsync(support, project, Quotas.Networks))!.Limit);

        await db.Projects.SetQuotaAsync(support, project, Quotas.Networks, 3);
        await db.Projects.SetQuotaAsync(support, project, Quotas.Networks, 3); // the limit it has: no second entry

        Assert.Equal(new QuotaView(Quotas.Networks, 3, 0), await db.Projects.GetQuotaAsync(Customer(owner), project, Quotas.Networks));
        var entry = Assert.Single((await db.Audit.ListAsync(Customer(owner), project, new PageRequest(0, 10))).Items);
        Assert.Equal(("quota.update", "support@test", "192.0.2.10"), (entry.Action, entry.Actor, entry.Address));
        Assert.Equal([new AuditChange("quota.networks", Quotas.Defaults[Quotas.Networks].ToString(), "3")], ChangeAuditDetails.Parse(entry.Details)!.Changes);
    }

    [Fact]
    public async Task Support_removes_a_member_but_not_the_owner_and_the_removed_member_loses_the_project()
    {
        var owner = await db.NewUserAsync("rita");
        var member = await db.NewUserAsync("sam");
        var project = await db.NewProjectAsync();
        var support = DatabaseFixture.SupportEngineer;
        await db.Projects.AddMemberAsync(Actor.System, project, owner.Id, owner: true);
        await db.Projects.AddMemberAsync(support, project, member.Id, owner: false);
        Assert.Equal(project, (await db.Projects.GetAsync(Customer(member), project)).Id);

        await Errors.ExpectAsync(() => db.Projects.RemoveMemberAsync(Customer(owner), project, member.Id), "Forbidden", 403);
        await Errors.ExpectAsync(() => db.Projects.RemoveMemberAsync(support, project, owner.Id), "Conflict", 409);
        await db.Projects.RemoveMemberAsync(support, project, member.Id);
        await Errors.ExpectAsync(() => db.Projects.RemoveMemberAsync(support, project, member.Id), "MemberNotFound", 404);

        await Errors.ExpectAsync(() => db.Projects.GetAsync(Customer(member), project), "ProjectNotFound", 404, project);
        var members = (await db.Support.GetAsync(support, project)).Members.Select(m => m.Email).ToList();
        Assert.Contains(owner.Email, members);
        Assert.DoesNotContain(member.Email, members);
        var trail = await db.Audit.ListAsync(Customer(owner), project, new PageRequest(0, 10));
        Assert.Equal([("member.remove", member.Email!), ("member.add", member.Email!)], trail.Items.Select(e => (e.Action, e.ObjectName)));
    }
}
