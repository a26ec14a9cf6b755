using Portal.Data.Services;
using Portal.Web.Components.Pages.Networks;
using Portal.Web.Components.Pages.Support;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests;

/// <summary>The support console (SupportPage, SupportProjectPage, ShadowportDialog) and the customer's side of shadowport.</summary>
public sealed class SupportConsoleTests(PortalDatabase db) : PortalTest(db)
{
    [Fact]
    public async Task Without_shadowport_the_customer_sees_the_option_disabled_with_how_to_ask_for_it()
    {
        UseCulture("ru-RU");
        Assert.False((await Db.Projects.GetAsync(Actor.System, ProjectId)).ShadowportEnabled); // no test of this database enables it
        var (host, _) = await OpenDialogAsync<CreateNetworkDialog>();

        host.WaitForAssertion(() =>
        {
            Assert.True(host.Field("services-access").IsDisabled());
            Assert.Contains($"Чтобы создать кластер без внешнего IP, напишите в техническую поддержку и укажите ID проекта: {ProjectId}",
                string.Join(" ", host.TestId("shadowport-hint").TextContent.Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries)));
            Assert.Equal($"mailto:support@portal.local?subject={Uri.EscapeDataString($"Shadowport для проекта {ProjectId}")}",
                host.TestId("shadowport-mailto").GetAttribute("href"));
        });
    }

    [Fact]
    public async Task Support_finds_a_project_by_its_id_and_by_a_part_of_its_name()
    {
        UseCulture("en-US");
        await SignInAsSupportAsync();
        var page = RenderWithProviders<SupportPage>();

        page.Type("support-search", DemoData.StagingProjectId);
        await page.PressAsync("support-search-button");
        page.WaitForAssertion(() => Assert.Single(page.TestIds($"support-project-{DemoData.StagingProjectId}")));

        page.Type("support-search", "stag");
        await page.PressAsync("support-search-button");
        page.WaitForAssertion(() => Assert.Equal("staging", page.TestId($"support-project-{DemoData.StagingProjectId}").TextContent.Trim()));

        page.Type("support-search", "no-such-project");
        await page.PressAsync("support-search-button");
        page.WaitForAssertion(() => Assert.Equal("No project matches “no-such-project”.", page.TestId("support-nothing").TextContent.Trim()));
    }

    [Fact]
    public async Task Support_enables_shadowport_only_with_a_reason_and_sees_it_in_the_history()
    {
        UseCulture("ru-RU");
        await SignInAsSupportAsync();
        var projectId = Guid.NewGuid().ToString("N");
        await Db.Projects.EnsureAsync(Actor.System, projectId, PortalDatabase.Unique("support"));
        var page = RenderWithProviders<SupportProjectPage>(p => p.Add(x => x.ProjectId, projectId));
        page.WaitForAssertion(() => Assert.Equal("выключен", page.TestId("shadowport-state").TextContent.Trim()));

        page.Press("shadowport-toggle"); // not awaited: its handler waits for the dialog to close
        page.WaitForAssertion(() => Assert.Single(page.TestIds("shadowport-dialog")));
        await page.PressAsync("shadowport-save");
        page.WaitForAssertion(() => Assert.Equal("Укажите причину — номер обращения.", page.Field("shadowport-reason").FieldError()));
        Assert.False((await Db.Projects.GetAsync(Actor.System, projectId)).ShadowportEnabled);

        page.Type("shadowport-reason", "TICKET-77");
        await page.PressAsync("shadowport-save");
        page.WaitForAssertion(() =>
        {
            Assert.Equal("включён", page.TestId("shadowport-state").TextContent.Trim());
            Assert.Contains("TICKET-77", page.TestId("shadowport-history").TextContent);
        });
        var project = await Db.Projects.GetAsync(Actor.System, projectId);
        Assert.True(project.ShadowportEnabled);
        Assert.Equal((DemoData.SupportEmail, "TICKET-77"), (project.ShadowportChangedBy, project.ShadowportReason));
    }

    [Fact]
    public async Task Support_sets_a_quota_and_a_limit_out_of_range_is_said_at_the_field_not_clamped()
    {
        UseCulture("ru-RU");
        await SignInAsSupportAsync();
        var projectId = Guid.NewGuid().ToString("N");
        await Db.Projects.EnsureAsync(Actor.System, projectId, PortalDatabase.Unique("quota"));
        var page = RenderWithProviders<SupportProjectPage>(p => p.Add(x => x.ProjectId, projectId));
        page.WaitForAssertion(() => Assert.Equal(["Сети", "Подсети", "Порты"],
            page.FindAll("[data-testid='support-quotas'] tbody tr td:first-child").Select(td => td.TextContent.Trim())));

        page.Press(() => page.Find("[data-testid='quota-ports'] [data-testid='quota-edit']"));
        page.WaitForAssertion(() => Assert.Single(page.TestIds("quota-dialog")));
        page.Type("quota-limit", "99999999999999999999999"); // more than a number field holds: no value, not «enter a limit»
        await page.PressAsync("quota-save");
        page.WaitForAssertion(() => Assert.Equal("Лимит — целое число от 0 до 1000000.", page.Field("quota-limit").FieldError()));

        page.Type("quota-limit", "2000000");
        await page.PressAsync("quota-save");
        page.WaitForAssertion(() => Assert.Equal("Лимит — целое число от 0 до 1000000.", page.Field("quota-limit").FieldError()));
        Assert.Equal(Quotas.Defaults[Quotas.Ports], (await Db.Projects.GetQuotaAsync(Actor.System, projectId, Quotas.Ports))!.Limit);

        page.Type("quota-limit", "7");
        await page.PressAsync("quota-save");
        page.WaitForAssertion(() => Assert.Equal("7", page.Find("[data-testid='quota-ports'] [data-testid='quota-limit-value']").TextContent.Trim()));
        Assert.Equal(7, (await Db.Projects.GetQuotaAsync(Actor.System, projectId, Quotas.Ports))!.Limit);
    }
}
