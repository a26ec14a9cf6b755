using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E.Tests;

/// <summary>
/// The support console in a real browser: a customer sees the shadowport option disabled with the way to ask
/// for it; support finds the project by its ID and enables shadowport with a ticket number; the customer's
/// option becomes available.
/// </summary>
[Collection(PortalAppCollection.Name)]
public sealed class SupportJourneyTests(PortalAppFixture app, ITestOutputHelper output)
{
    [Fact]
    public async Task Support_enables_shadowport_by_project_id_and_the_customer_can_use_it()
    {
        SetDefaultExpectTimeout(PortalAppFixture.Deadline);
        var customer = await Accounts.NewCustomerAsync(app.DatabaseConnectionString, Accounts.StagingProjectId);
        var ticket = "TICKET-" + Random.Shared.Next(1000, 9999);
        await using var customerContext = await app.NewContextAsync();
        await using var supportContext = await app.NewContextAsync();
        var customerPage = await customerContext.NewPageAsync();
        var supportPage = await supportContext.NewPageAsync();
        var step = "";
        try
        {
            step = "1. the customer's option is disabled, with the way to ask support";
            output.WriteLine(step);
            await customerPage.GotoAsync("/networks");
            await Accounts.SignInAsync(customerPage, customer, Accounts.CustomerPassword);
            await PortalAppFixture.ReadyAsync(customerPage);
            await customerPage.Locator("[data-testid=create-network]").ClickAsync();
            await Expect(customerPage.Locator("[data-testid=services-access]")).ToBeDisabledAsync();
            var hint = customerPage.Locator("[data-testid=shadowport-hint]");
            await Expect(hint).ToContainTextAsync(
                $"Чтобы создать кластер без внешнего IP, напишите в техническую поддержку и укажите ID проекта: {Accounts.StagingProjectId}");
            var mailto = await customerPage.Locator("[data-testid=shadowport-mailto]").GetAttributeAsync("href");
            Assert.Matches(new Regex($"^mailto:[^?]+\\?subject=.*{Accounts.StagingProjectId}$"), mailto);

            step = "2. support finds the project by its ID";
            output.WriteLine(step);
            await supportPage.GotoAsync("/support");
            await Accounts.SignInAsync(supportPage, Accounts.Support, Accounts.SupportPassword);
            await PortalAppFixture.ReadyAsync(supportPage);
            await Expect(supportPage).ToHaveURLAsync(new Regex("/support$"));
            await supportPage.Locator("[data-testid=support-search]").FillAsync(Accounts.StagingProjectId);
            await supportPage.Locator("[data-testid=support-search-button]").ClickAsync();
            await supportPage.Locator($"[data-testid=support-project-{Accounts.StagingProjectId}]").ClickAsync();
            await Expect(supportPage.Locator("[data-testid=support-project-title]")).ToHaveTextAsync("staging");
            await Expect(supportPage.Locator("[data-testid=shadowport-state]")).ToContainTextAsync("выключен");

            step = "3. enabling needs a reason; with the ticket number it is enabled and in the history";
            output.WriteLine(step);
            await supportPage.Locator("[data-testid=shadowport-toggle]").ClickAsync();
            await supportPage.Locator("[data-testid=shadowport-save]").ClickAsync();
            await Expect(supportPage.Locator("[data-testid=shadowport-dialog]")).ToContainTextAsync("Укажите причину — номер обращения.");
            await supportPage.Locator("[data-testid=shadowport-reason]").FillAsync(ticket);
            await supportPage.Locator("[data-testid=shadowport-save]").ClickAsync();
            await Expect(supportPage.Locator("[data-testid=shadowport-state]")).ToContainTextAsync("включён");
            await Expect(supportPage.Locator("[data-testid=shadowport-history]")).ToContainTextAsync(ticket);
            await Expect(supportPage.Locator("[data-testid=audit-trail]")).ToContainTextAsync(Accounts.Support);

            step = "4. the customer's option is now available";
            output.WriteLine(step);
            await customerPage.ReloadAsync();
            await PortalAppFixture.ReadyAsync(customerPage);
            await customerPage.Locator("[data-testid=create-network]").ClickAsync();
            await Expect(customerPage.Locator("[data-testid=services-access]")).ToBeEnabledAsync();
            await Expect(customerPage.Locator("[data-testid=shadowport-hint]")).ToHaveCountAsync(0);
        }
        catch (Exception e)
        {
            var shot = Path.Combine(Path.GetTempPath(), $"portal-support-journey-{DateTime.UtcNow:yyyyMMddHHmmss}.png");
            await supportPage.ScreenshotAsync(new() { Path = shot, FullPage = true });
            throw new Xunit.Sdk.XunitException($"Failed at step «{step}»: {e.Message}\nScreenshot: {shot}\nApp log:\n{app.RecentLog()}");
        }
    }
}
