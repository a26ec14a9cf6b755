using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Npgsql;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E.Tests;

/// <summary>
/// Pages follow what happens to them (issue 14, item 3): a project change made by support reaches a customer's open
/// wizard; a page that is still starting takes no click it would drop; the subnet card's tab survives a reload and Back.
/// </summary>
[Collection(PortalAppCollection.Name)]
public sealed class LivePagesTests(PortalAppFixture app, ITestOutputHelper output)
{
    private sealed record Texts(string Culture, string ShadowportAsk, string On, string CreateNetwork, string Information, string Ports);

    private static Texts For(string culture) => culture switch
    {
        "ru-RU" => new(culture, "Чтобы создать кластер без внешнего IP, напишите в техническую поддержку и укажите ID проекта:",
            "включён", "Создать сеть", "Информация", "Порты"),
        _ => new(culture, "To create a cluster without an external IP, write to technical support and give the project ID:",
            "on", "Create network", "Information", "Ports"),
    };

    [Theory]
    [InlineData("ru-RU")]
    [InlineData("en-US")]
    public async Task Shadowport_enabled_by_support_reaches_the_customers_open_wizard_without_a_reload(string culture)
    {
        SetDefaultExpectTimeout(PortalAppFixture.Deadline);
        var t = For(culture);
        var projectId = await NewProjectAsync();
        var customer = await Accounts.NewCustomerAsync(app.DatabaseConnectionString, projectId);
        await using var customerContext = await app.NewContextAsync();
        await using var supportContext = await app.NewContextAsync();
        var customerPage = await customerContext.NewPageAsync();
        var supportPage = await supportContext.NewPageAsync();
        await RunAsync(customerPage, culture, async step =>
        {
            step("1. the customer's wizard, on the network step: no shadowport, the switch disabled, the way to ask");
            await customerPage.GotoAsync($"/culture?c={culture}&r=/kubernetes/new");
            await Accounts.SignInAsync(customerPage, customer, Accounts.CustomerPassword);
            await PortalAppFixture.ReadyAsync(customerPage);
            await customerPage.Locator("[data-testid=cluster-name]").PressSequentiallyAsync("live-" + Guid.NewGuid().ToString("N")[..6]);
            await customerPage.Locator("[data-testid=wizard-next]").ClickAsync();
            await Expect(customerPage.Locator("[data-testid=cluster-workers]")).ToBeVisibleAsync();
            await customerPage.Locator("[data-testid=wizard-next]").ClickAsync();
            var externalIp = customerPage.Locator("[data-testid=external-ip]");
            await Expect(externalIp).ToBeDisabledAsync();
            await Expect(customerPage.Locator("[data-testid=shadowport-hint]")).ToContainTextAsync($"{t.ShadowportAsk} {projectId}");

            step("2. support enables shadowport for the project, in another browser");
            await supportPage.GotoAsync($"/culture?c={culture}&r=/support/projects/{projectId}");
            await Accounts.SignInAsync(supportPage, Accounts.Support, Accounts.SupportPassword);
            await PortalAppFixture.ReadyAsync(supportPage);
            await supportPage.Locator("[data-testid=shadowport-toggle]").ClickAsync();
            var ticket = "LIVE-" + Random.Shared.Next(1000, 9999);
            await supportPage.Locator("[data-testid=shadowport-reason]").PressSequentiallyAsync(ticket);
            await supportPage.Locator("[data-testid=shadowport-save]").ClickAsync();
            await Expect(supportPage.Locator("[data-testid=shadowport-state]")).ToHaveTextAsync(t.On);

            step("3. the customer's open wizard offers the switch, and the hint is gone, without a reload");
            await Expect(externalIp).ToBeEnabledAsync();
            await Expect(customerPage.Locator("[data-testid=shadowport-hint]")).ToHaveCountAsync(0);
            await externalIp.ClickAsync();
            await Expect(externalIp).Not.ToBeCheckedAsync();
        }, supportPage);
    }

    [Theory]
    [InlineData("ru-RU")]
    [InlineData("en-US")]
    public async Task A_click_while_the_page_is_starting_is_held_off_then_taken(string culture)
    {
        SetDefaultExpectTimeout(PortalAppFixture.Deadline);
        var t = For(culture);
        var customer = await Accounts.NewCustomerAsync(app.DatabaseConnectionString, Accounts.DemoProjectId);
        await using var context = await app.NewContextAsync();
        var page = await context.NewPageAsync();
        await RunAsync(page, culture, async step =>
        {
            step("1. signed in; the next page's circuit is held back, as on a slow connection");
            await page.GotoAsync($"/culture?c={culture}&r=/networks");
            await Accounts.SignInAsync(page, customer, Accounts.CustomerPassword);
            await PortalAppFixture.ReadyAsync(page);
            var circuit = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            await page.RouteAsync(new Regex("/_blazor/negotiate"), async route =>
            {
                await circuit.Task;
                await route.ContinueAsync();
            });

            step("2. the prerendered page shows «" + t.CreateNetwork + "», but a click there does not reach it yet");
            await page.GotoAsync("/networks");
            var create = page.Locator("[data-testid=create-network]");
            await Expect(create).ToHaveTextAsync(t.CreateNetwork);
            Assert.Equal("false", await page.Locator("#portal-interactive").GetAttributeAsync("data-ready"));
            Assert.False(await create.EvaluateAsync<bool>(
                "b => { const r = b.getBoundingClientRect(); return b.contains(document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2)); }"),
                "A click on the button before the circuit is up would reach a button without a handler.");

            step("3. clicked while starting, the button opens the dialog once the page is interactive");
            var click = create.ClickAsync();
            circuit.SetResult();
            await click;
            await Expect(page.Locator("[data-testid=network-dialog]")).ToBeVisibleAsync();
            await Expect(page.Locator(".mud-dialog-title")).ToHaveTextAsync(t.CreateNetwork);
        });
    }

    [Theory]
    [InlineData("ru-RU")]
    [InlineData("en-US")]
    public async Task The_subnet_cards_tab_is_in_the_address_so_reload_and_back_keep_it(string culture)
    {
        SetDefaultExpectTimeout(PortalAppFixture.Deadline);
        var t = For(culture);
        await using var context = await app.NewContextAsync();
        var page = await context.NewPageAsync();
        await RunAsync(page, culture, async step =>
        {
            step("1. the demo network's subnet card opens on «" + t.Information + "»");
            await page.GotoAsync($"/culture?c={culture}&r=/networks");
            await Accounts.SignInAsync(page, Accounts.Customer, Accounts.CustomerPassword);
            await PortalAppFixture.ReadyAsync(page);
            await page.Locator("[data-testid=network-link]", new() { HasTextRegex = new Regex("^default$") }).ClickAsync();
            await page.Locator("[data-testid=subnet-link]").First.ClickAsync();
            var active = page.Locator("[data-testid=subnet-tabs] .mud-tab.mud-tab-active");
            await Expect(active).ToHaveTextAsync(t.Information);
            var card = page.Url;

            step("2. «" + t.Ports + "» is in the address");
            await page.Locator("[data-testid=subnet-tabs] .mud-tab", new() { HasText = t.Ports }).ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex(Regex.Escape(card) + "\\?tab=ports$"));
            await Expect(page.Locator("[data-testid=ports-grid]")).ToBeVisibleAsync();

            step("3. a reload comes back on «" + t.Ports + "»");
            await page.ReloadAsync();
            await PortalAppFixture.ReadyAsync(page);
            await Expect(active).ToHaveTextAsync(t.Ports);
            await Expect(page.Locator("[data-testid=ports-grid]")).ToBeVisibleAsync();

            step("4. Back returns to «" + t.Information + "»");
            await page.GoBackAsync();
            await Expect(page).ToHaveURLAsync(card);
            await Expect(active).ToHaveTextAsync(t.Information);
            await Expect(page.Locator("[data-testid=subnet-info]")).ToBeVisibleAsync();
        });
    }

    /// <summary>A project of the test's own, without shadowport, so what support changes is seen only here.</summary>
    private async Task<string> NewProjectAsync()
    {
        var id = Guid.NewGuid().ToString("N");
        await using var connection = new NpgsqlConnection(app.DatabaseConnectionString);
        await connection.OpenAsync();
        await using var insert = new NpgsqlCommand(
            "INSERT INTO projects (id, name, shadowport_enabled, created_at) VALUES ($1, $2, false, now())", connection)
        {
            Parameters = { new() { Value = id }, new() { Value = "live-" + id[..6] } },
        };
        await insert.ExecuteNonQueryAsync();
        return id;
    }

    /// <summary>Runs the steps; on failure says which step, with screenshots of the pages and the app's log.</summary>
    private async Task RunAsync(IPage page, string culture, Func<Action<string>, Task> steps, IPage? other = null)
    {
        var step = "";
        try
        {
            await steps(s =>
            {
                step = s;
                output.WriteLine($"[{culture}] {s}");
            });
        }
        catch (Exception e)
        {
            var shots = new List<string>();
            foreach (var (p, i) in new[] { page, other }.OfType<IPage>().Select((p, i) => (p, i)))
            {
                var shot = Path.Combine(Path.GetTempPath(), $"portal-live-{culture}-{i}-{DateTime.UtcNow:yyyyMMddHHmmss}.png");
                await p.ScreenshotAsync(new() { Path = shot, FullPage = true });
                shots.Add(shot);
            }
            throw new Xunit.Sdk.XunitException(
                $"[{culture}] failed at step «{step}»: {e.Message}\nScreenshots: {string.Join(", ", shots)}\nApp log:\n{app.RecentLog()}");
        }
    }
}
