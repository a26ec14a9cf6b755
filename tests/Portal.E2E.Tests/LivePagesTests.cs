using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Npgsql;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E.Tests;

/// <summary>
/// Pages follow what happens to them (issue 14, item 3): a project change made by support (shadowport, a quota, a
/// member removed) reaches a customer's open page; a page that is still starting takes no click it would drop; the subnet card's tab survives a reload and Back.
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
        await using var browsers = await TwoBrowsersAsync();
        var (customerPage, supportPage) = (browsers.Customer, browsers.Support);
        await RunAsync(customerPage, culture, async step =>
        {
            step("1. the customer's wizard, on the network step: no shadowport, the switch disabled, the way to ask");
            await SignInAtAsync(customerPage, culture, "/kubernetes/new", customer, Accounts.CustomerPassword);
            await customerPage.Locator("[data-testid=cluster-name]").PressSequentiallyAsync("live-" + Guid.NewGuid().ToString("N")[..6]);
            await customerPage.Locator("[data-testid=wizard-next]").ClickAsync();
            await Expect(customerPage.Locator("[data-testid=cluster-workers]")).ToBeVisibleAsync();
            await customerPage.Locator("[data-testid=wizard-next]").ClickAsync();
            var externalIp = customerPage.Locator("[data-testid=external-ip]");
            await Expect(externalIp).ToBeDisabledAsync();
            await Expect(customerPage.Locator("[data-testid=shadowport-hint]")).ToContainTextAsync($"{t.ShadowportAsk} {projectId}");

            step("2. support enables shadowport for the project, in another browser");
            await SignInAtAsync(supportPage, culture, $"/support/projects/{projectId}", Accounts.Support, Accounts.SupportPassword);
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
            await SignInAtAsync(page, culture, "/networks", customer, Accounts.CustomerPassword);
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
            await SignInAtAsync(page, culture, "/networks", Accounts.Customer, Accounts.CustomerPassword);
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

    [Theory]
    [InlineData("ru-RU", "Квота на сети исчерпана")]
    [InlineData("en-US", "The quota for networks is used up")]
    public async Task A_quota_support_changes_reaches_the_customers_open_networks_page_without_a_reload(string culture, string exhausted)
    {
        SetDefaultExpectTimeout(PortalAppFixture.Deadline);
        var projectId = await NewProjectAsync();
        var customer = await Accounts.NewCustomerAsync(app.DatabaseConnectionString, projectId);
        await using var browsers = await TwoBrowsersAsync();
        var (customerPage, supportPage) = (browsers.Customer, browsers.Support);
        await RunAsync(customerPage, culture, async step =>
        {
            step("1. the customer's «Сети»: the project has room, «Создать сеть» is enabled");
            await SignInAtAsync(customerPage, culture, "/networks", customer, Accounts.CustomerPassword);
            var create = customerPage.Locator("[data-testid=create-network]");
            await Expect(create).ToBeEnabledAsync();

            step("2. support sets the networks quota to 0, typing it over the old limit");
            await SignInAtAsync(supportPage, culture, $"/support/projects/{projectId}", Accounts.Support, Accounts.SupportPassword);
            await SetQuotaAsync(supportPage, "networks", "0");

            step("3. the customer's open page refuses new networks and says why, without a reload");
            await Expect(create).ToBeDisabledAsync();
            await create.Locator("..").HoverAsync(new() { Force = true });
            await Expect(customerPage.Locator(".mud-tooltip.mud-popover-open")).ToContainTextAsync(exhausted);

            step("4. raised again to 5: the button is back, and the support trail records both changes");
            await SetQuotaAsync(supportPage, "networks", "5");
            await Expect(create).ToBeEnabledAsync();
            await Expect(supportPage.Locator("[data-testid=audit-trail] tbody tr.mud-table-row")).ToHaveCountAsync(2);
        }, supportPage);
    }

    [Theory]
    [InlineData("ru-RU")]
    [InlineData("en-US")]
    public async Task A_member_support_removes_is_moved_out_of_the_project_on_their_open_page(string culture)
    {
        SetDefaultExpectTimeout(PortalAppFixture.Deadline);
        var first = await NewProjectAsync("live-a-");
        var second = await NewProjectAsync("live-b-");
        var customer = await Accounts.NewCustomerAsync(app.DatabaseConnectionString, first);
        await AddMemberAsync(second, customer);
        await using var browsers = await TwoBrowsersAsync();
        var (customerPage, supportPage) = (browsers.Customer, browsers.Support);
        await RunAsync(customerPage, culture, async step =>
        {
            step("1. the customer works in the first of their two projects");
            await SignInAtAsync(customerPage, culture, "/networks", customer, Accounts.CustomerPassword);
            var header = customerPage.Locator("[data-testid=project-selector]");
            await Expect(header).ToContainTextAsync("live-a-");

            step("2. support removes them from it, after a confirmation");
            await SignInAtAsync(supportPage, culture, $"/support/projects/{first}", Accounts.Support, Accounts.SupportPassword);
            var chip = supportPage.Locator("[data-testid=support-member]", new() { HasText = customer });
            await chip.Locator(".mud-chip-close-button").ClickAsync();
            await supportPage.Locator(".mud-message-box .mud-button-filled, .mud-dialog-actions button").Last.ClickAsync();
            await Expect(chip).ToHaveCountAsync(0);

            step("3. the customer's open page starts again in the project they still have, without a reload by them");
            await Expect(header).ToContainTextAsync("live-b-");
            await Expect(customerPage.Locator("[data-testid=networks-grid]")).ToBeVisibleAsync();
        }, supportPage);
    }

    /// <summary>The customer's browser and support's, each a context of its own (cookies apart), closed together.</summary>
    private sealed record Browsers(IBrowserContext CustomerContext, IBrowserContext SupportContext, IPage Customer, IPage Support)
        : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await CustomerContext.DisposeAsync();
            await SupportContext.DisposeAsync();
        }
    }

    private async Task<Browsers> TwoBrowsersAsync()
    {
        var customer = await app.NewContextAsync();
        var support = await app.NewContextAsync();
        return new Browsers(customer, support, await customer.NewPageAsync(), await support.NewPageAsync());
    }

    /// <summary>Opens <paramref name="path"/> in the culture, signs in on the way and waits until the page is interactive.</summary>
    private static async Task SignInAtAsync(IPage page, string culture, string path, string user, string password)
    {
        await page.GotoAsync($"/culture?c={culture}&r={path}");
        await Accounts.SignInAsync(page, user, password);
        await PortalAppFixture.ReadyAsync(page);
    }

    /// <summary>Opens the quota's dialog on the support page, types the limit key by key over the old one, and saves.</summary>
    private static async Task SetQuotaAsync(IPage supportPage, string resource, string limit)
    {
        var row = supportPage.Locator($"[data-testid=quota-{resource}]");
        await row.Locator("[data-testid=quota-edit]").ClickAsync();
        var field = supportPage.Locator("[data-testid=quota-dialog] input");
        await field.ClickAsync();
        await field.PressAsync("Control+a");
        await field.PressSequentiallyAsync(limit);
        await supportPage.Locator("[data-testid=quota-save]").ClickAsync();
        await Expect(supportPage.Locator("[data-testid=quota-dialog]")).ToHaveCountAsync(0);
        await Expect(row.Locator("[data-testid=quota-limit-value]")).ToHaveTextAsync(limit);
    }

    /// <summary>A project of the test's own, without shadowport and with the default quotas, so what support changes is seen only here.</summary>
    private async Task<string> NewProjectAsync(string prefix = "live-")
    {
        var id = Guid.NewGuid().ToString("N");
        await using var connection = new NpgsqlConnection(app.DatabaseConnectionString);
        await connection.OpenAsync();
        await using var batch = new NpgsqlBatch(connection);
        foreach (var sql in new[]
                 {
                     "INSERT INTO projects (id, name, shadowport_enabled, created_at) VALUES ($1, $2, false, now())",
                     "INSERT INTO quotas (project_id, resource, \"limit\") VALUES ($1, 'networks', 100), ($1, 'subnets', 100), ($1, 'ports', 500)",
                     "SELECT portal_quota_set(project_id, resource, \"limit\") FROM quotas WHERE project_id = $1",
                 })
        {
            var command = new NpgsqlBatchCommand(sql) { Parameters = { new() { Value = id } } };
            if (sql.Contains("$2")) command.Parameters.Add(new() { Value = prefix + id[..6] });
            batch.BatchCommands.Add(command);
        }
        await batch.ExecuteNonQueryAsync();
        return id;
    }

    private async Task AddMemberAsync(string projectId, string email)
    {
        await using var connection = new NpgsqlConnection(app.DatabaseConnectionString);
        await connection.OpenAsync();
        await using var insert = new NpgsqlCommand(
            "INSERT INTO project_members (project_id, user_id, is_owner, added_at) SELECT $1, id, false, now() FROM users WHERE email = $2",
            connection)
        {
            Parameters = { new() { Value = projectId }, new() { Value = email } },
        };
        Assert.Equal(1, await insert.ExecuteNonQueryAsync());
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
