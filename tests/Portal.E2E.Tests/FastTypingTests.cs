using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Npgsql;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E.Tests;

/// <summary>
/// Issue 14 item 1: typing fast (10 ms a key) into every text field of every form while each round trip to the
/// server takes a few hundred milliseconds (a <see cref="SlowLink"/> between Chromium and the app), then reading
/// back what was saved. A field that re-renders with an older value while the user types loses or reorders keys.
/// </summary>
[Collection(PortalAppCollection.Name)]
public sealed class FastTypingTests(PortalAppFixture app)
{
    private const float Deadline = PortalAppFixture.Deadline;

    /// <summary>What a person fast at the keyboard manages; well under one server round trip over the slow link.</summary>
    private static readonly LocatorPressSequentiallyOptions Fast = new() { Delay = 10 };

    private static readonly TimeSpan OneWay = TimeSpan.FromMilliseconds(150);

    [Fact]
    public async Task Every_field_of_the_network_forms_keeps_every_key_typed_over_a_slow_link()
    {
        SetDefaultExpectTimeout(Deadline);
        await using var link = new SlowLink(new Uri(app.BaseUrl), OneWay);
        await using var context = await app.Browser.NewContextAsync(new() { BaseURL = link.Url, ViewportSize = new() { Width = 1300, Height = 900 } });
        context.SetDefaultTimeout(Deadline);
        var page = await context.NewPageAsync();
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var octet = 200 + Random.Shared.Next(0, 50);

        await page.GotoAsync("/culture?c=ru-RU&r=/networks");
        await TypeAsync(page.Locator("[data-testid=login-email]"), Accounts.Customer);
        await TypeAsync(page.Locator("[data-testid=login-password]"), Accounts.CustomerPassword);
        await page.Locator("[data-testid=login-submit]").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/networks$"));
        await OnTheLinkAsync(page, link, "/networks");
        await PortalAppFixture.ReadyAsync(page);

        var networkName = $"typed-network-name-{suffix}";
        var cidr = $"10.{octet}.16.0/24";
        await page.Locator("[data-testid=create-network]").ClickAsync();
        var dialog = page.Locator("[data-testid=network-dialog]");
        await Expect(dialog).ToBeVisibleAsync();
        await TypeAsync(dialog.Locator("[data-testid=network-name]"), networkName);
        await ReplaceAsync(dialog.Locator("[data-testid=network-mtu]"), "1442");
        await TypeAsync(dialog.Locator("[data-testid=subnet-name]"), $"typed-subnet-{suffix}");
        await ReplaceAsync(dialog.Locator("[data-testid=subnet-cidr]"), cidr);
        await dialog.Locator("[data-testid=gateway-mode]").GetByText("Указать адрес", new() { Exact = true }).ClickAsync();
        await TypeAsync(dialog.Locator("[data-testid=gateway-ip]"), $"10.{octet}.16.254");
        await dialog.Locator("[data-testid=pools-add]").ClickAsync();
        var pool = dialog.Locator("[data-testid=pools-row] input");
        await TypeAsync(pool.Nth(0), $"10.{octet}.16.10");
        await TypeAsync(pool.Nth(1), $"10.{octet}.16.200");
        await dialog.Locator("[data-testid=dns-add]").ClickAsync();
        await TypeAsync(dialog.Locator("[data-testid=dns-row] input"), "192.168.100.53");
        await dialog.Locator("[data-testid=routes-add]").ClickAsync();
        var route = dialog.Locator("[data-testid=routes-row] input");
        await TypeAsync(route.Nth(0), "172.31.128.0/17");
        await TypeAsync(route.Nth(1), $"10.{octet}.16.7");
        await Expect(page.Locator("[data-testid=save-network]")).ToBeEnabledAsync();
        await page.Locator("[data-testid=save-network]").ClickAsync();
        await ClosedAsync(dialog);

        await using var db = new NpgsqlConnection(app.DatabaseConnectionString);
        await db.OpenAsync();
        var saved = await RowAsync(db, """
            SELECT n.name, n.mtu::text, s.name, s.cidr::text, host(s.gateway_ip), host(s.dns_nameservers[1]),
                   (SELECT host(first_ip) || '-' || host(last_ip) FROM allocation_pools WHERE subnet_id = s.id),
                   (SELECT destination::text || ' via ' || host(next_hop) FROM subnet_routes WHERE subnet_id = s.id),
                   n.id::text, s.id::text
              FROM networks n JOIN subnets s ON s.network_id = n.id
             WHERE n.name LIKE '%' || $1 || '%' ORDER BY n.created_at DESC LIMIT 1
            """, suffix);
        Assert.Equal([networkName, "1442", $"typed-subnet-{suffix}", cidr, $"10.{octet}.16.254", "192.168.100.53",
            $"10.{octet}.16.10-10.{octet}.16.200", $"172.31.128.0/17 via 10.{octet}.16.7"], saved[..8]);
        var (networkId, firstSubnetId) = (saved[8], saved[9]);

        // «Добавить подсеть» on the network's page.
        var second = $"10.{octet}.32.0/20";
        await page.GotoAsync($"/networks/{networkId}");
        await PortalAppFixture.ReadyAsync(page);
        await page.Locator("[data-testid=add-subnet]").ClickAsync();
        var subnetDialog = page.Locator("[data-testid=subnet-dialog]");
        await Expect(subnetDialog).ToBeVisibleAsync();
        await TypeAsync(subnetDialog.Locator("[data-testid=subnet-name]"), $"second-subnet-{suffix}");
        await TypeAsync(subnetDialog.Locator("[data-testid=subnet-cidr]"), second);
        await subnetDialog.Locator("[data-testid=dns-add]").ClickAsync();
        await TypeAsync(subnetDialog.Locator("[data-testid=dns-row] input"), "10.10.10.10");
        await Expect(page.Locator("[data-testid=save-subnet]")).ToBeEnabledAsync();
        await page.Locator("[data-testid=save-subnet]").ClickAsync();
        await ClosedAsync(subnetDialog);
        Assert.Equal([$"second-subnet-{suffix}", second, "10.10.10.10"], await RowAsync(db,
            "SELECT name, cidr::text, host(dns_nameservers[1]) FROM subnets WHERE network_id = $1::uuid AND id <> $2::uuid", networkId, firstSubnetId));

        // The first subnet's edit dialog, then a port with a chosen address on its «Порты» tab.
        await page.GotoAsync($"/networks/{networkId}/subnets/{firstSubnetId}");
        await PortalAppFixture.ReadyAsync(page);
        await page.Locator("[data-testid=edit-subnet]").ClickAsync();
        await Expect(subnetDialog).ToBeVisibleAsync();
        await ReplaceAsync(subnetDialog.Locator("[data-testid=subnet-name]"), $"renamed-subnet-{suffix}");
        await page.Locator("[data-testid=save-subnet]").ClickAsync();
        await ClosedAsync(subnetDialog);
        Assert.Equal([$"renamed-subnet-{suffix}"], await RowAsync(db, "SELECT name FROM subnets WHERE id = $1::uuid", firstSubnetId));

        await page.Locator(".mud-tab").Nth(1).ClickAsync();
        await page.Locator("[data-testid=add-port]").ClickAsync();
        var portDialog = page.Locator("[data-testid=port-dialog]");
        await Expect(portDialog).ToBeVisibleAsync();
        await TypeAsync(portDialog.Locator("[data-testid=port-name]"), $"typed-port-name-{suffix}");
        await portDialog.Locator("[data-testid=ip-mode]").GetByText("Указать адрес", new() { Exact = true }).ClickAsync();
        await ReplaceAsync(portDialog.Locator("[data-testid=port-ip-input]"), $"10.{octet}.16.123");
        await TypeAsync(portDialog.Locator("[data-testid=port-dns]"), $"vm-{suffix}");
        await page.Locator("[data-testid=save-port]").ClickAsync();
        await ClosedAsync(portDialog);
        Assert.Equal([$"typed-port-name-{suffix}", $"10.{octet}.16.123", $"vm-{suffix}"], await RowAsync(db, """
            SELECT p.name, host(a.ip_address), p.dns_name FROM ports p JOIN ip_allocations a ON a.port_id = p.id
             WHERE a.subnet_id = $1::uuid AND p.device_owner = ''
            """, firstSubnetId));
    }

    /// <summary>
    /// A text field asks the browser to focus its input when its frame is clicked, a round trip later; the user who
    /// has by then clicked into the next field must keep typing there (their keys once went to the field before).
    /// The round trip is made longer than the typing into the second field, so the late call lands while they type.
    /// </summary>
    [Fact]
    public async Task Keys_typed_into_a_field_stay_there_when_the_field_clicked_before_is_focused_late()
    {
        SetDefaultExpectTimeout(Deadline);
        await using var link = new SlowLink(new Uri(app.BaseUrl), TimeSpan.FromMilliseconds(400));
        await using var context = await app.Browser.NewContextAsync(new() { BaseURL = link.Url, ViewportSize = new() { Width = 1300, Height = 900 } });
        context.SetDefaultTimeout(Deadline);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/culture?c=ru-RU&r=/networks");
        await page.Locator("[data-testid=login-email]").FillAsync(Accounts.Customer);
        await page.Locator("[data-testid=login-password]").FillAsync(Accounts.CustomerPassword);
        await page.Locator("[data-testid=login-submit]").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/networks$"));
        await OnTheLinkAsync(page, link, "/networks");
        await PortalAppFixture.ReadyAsync(page);
        await page.Locator("[data-testid=create-network]").ClickAsync();
        var dialog = page.Locator("[data-testid=network-dialog]");
        await Expect(dialog).ToBeVisibleAsync();

        var first = await InputAsync(dialog.Locator("[data-testid=network-name]"));
        var second = await InputAsync(dialog.Locator("[data-testid=subnet-name]"));
        await first.ClickAsync();
        await second.ClickAsync();
        // About 1.5 s of typing: the first field's focus call (two 400 ms legs and the server's turn) comes within it.
        const string typed = "subnet-typed-while-the-network-name-was-focused-late";
        await second.PressSequentiallyAsync(typed, new() { Delay = 30 });
        await Expect(second).ToHaveValueAsync(typed);
        await Expect(first).ToHaveValueAsync("");
    }

    [Fact]
    public async Task The_cluster_wizard_and_the_support_page_keep_every_key_typed_over_a_slow_link()
    {
        SetDefaultExpectTimeout(Deadline);
        await using var link = new SlowLink(new Uri(app.BaseUrl), OneWay);
        var projectId = Guid.NewGuid().ToString("N");
        await using var db = new NpgsqlConnection(app.DatabaseConnectionString);
        await db.OpenAsync();
        await using (var insert = new NpgsqlCommand("INSERT INTO projects (id, name, shadowport_enabled, created_at) VALUES ($1, $2, false, now())", db)
        {
            Parameters = { new() { Value = projectId }, new() { Value = "typing-" + projectId[..6] } },
        })
        {
            await insert.ExecuteNonQueryAsync();
        }
        var customer = await Accounts.NewCustomerAsync(app.DatabaseConnectionString, projectId);

        // Support: the search box and the reason of the shadowport change.
        await using (var supportContext = await app.Browser.NewContextAsync(new() { BaseURL = link.Url, ViewportSize = new() { Width = 1300, Height = 900 } }))
        {
            supportContext.SetDefaultTimeout(Deadline);
            var support = await supportContext.NewPageAsync();
            await support.GotoAsync("/culture?c=ru-RU&r=/support");
            await TypeAsync(support.Locator("[data-testid=login-email]"), Accounts.Support);
            await TypeAsync(support.Locator("[data-testid=login-password]"), Accounts.SupportPassword);
            await support.Locator("[data-testid=login-submit]").ClickAsync();
            await Expect(support).ToHaveURLAsync(new Regex("/support$"));
            await OnTheLinkAsync(support, link, "/support");
            await PortalAppFixture.ReadyAsync(support);
            await TypeAsync(support.Locator("[data-testid=support-search]"), projectId);
            await support.Locator("[data-testid=support-search-button]").ClickAsync();
            await support.Locator($"[data-testid=support-project-{projectId}]").ClickAsync();
            await PortalAppFixture.ReadyAsync(support);
            await support.Locator("[data-testid=shadowport-toggle]").ClickAsync();
            var reason = $"TICKET-{Random.Shared.Next(100_000, 999_999)}: typed key by key over a slow link";
            await TypeAsync(support.Locator("[data-testid=shadowport-reason]"), reason);
            await support.Locator("[data-testid=shadowport-save]").ClickAsync();
            await ClosedAsync(support.Locator("[data-testid=shadowport-dialog]"));
            Assert.Equal(["true", reason], await RowAsync(db, "SELECT shadowport_enabled::text, shadowport_reason FROM projects WHERE id = $1", projectId));
        }

        // The customer's cluster wizard: the name, the pod and service CIDRs; then the cluster is deleted again.
        await using var context = await app.Browser.NewContextAsync(new() { BaseURL = link.Url, ViewportSize = new() { Width = 1300, Height = 900 } });
        context.SetDefaultTimeout(Deadline);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/culture?c=ru-RU&r=/kubernetes/new");
        await TypeAsync(page.Locator("[data-testid=login-email]"), customer);
        await TypeAsync(page.Locator("[data-testid=login-password]"), Accounts.CustomerPassword);
        await page.Locator("[data-testid=login-submit]").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/kubernetes/new$"));
        await OnTheLinkAsync(page, link, "/kubernetes/new");
        await PortalAppFixture.ReadyAsync(page);
        var name = $"typed-cluster-{Guid.NewGuid().ToString("N")[..8]}";
        var (podCidr, serviceCidr) = ("10.144.0.0/16", "10.233.128.0/18");
        await TypeAsync(page.Locator("[data-testid=cluster-name]"), name);
        await page.Locator("[data-testid=wizard-next]").ClickAsync();
        await Expect(page.Locator("[data-testid=cluster-workers]")).ToBeVisibleAsync();
        await page.Locator("[data-testid=wizard-next]").ClickAsync();
        await Expect(page.Locator("[data-testid=new-network]")).ToContainTextAsync($"{name}-net");
        await ReplaceAsync(page.Locator("[data-testid=pod-cidr]"), podCidr);
        await ReplaceAsync(page.Locator("[data-testid=service-cidr]"), serviceCidr);
        await page.Locator("[data-testid=wizard-next]").ClickAsync();
        await Expect(page.Locator("[data-testid=cluster-review]")).ToContainTextAsync(podCidr);
        await page.Locator("[data-testid=wizard-create]").ClickAsync();
        await Expect(page.Locator("[data-testid=cluster-title]")).ToContainTextAsync(name);
        Assert.Equal([name, podCidr, serviceCidr], await RowAsync(db,
            "SELECT name, pod_cidr::text, service_cidr::text FROM clusters WHERE project_id = $1", projectId));

        await page.Locator("[data-testid=cluster-delete]").ClickAsync();
        await page.Locator(".mud-dialog").GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Удалить$") }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/kubernetes$"));
    }

    /// <summary>
    /// Waits for a saved dialog to close; if it stays open, fails with what it shows (a message at a field, the values
    /// the fields hold) and the app's recent log, so a refusal can be told from a slow round trip.
    /// </summary>
    private async Task ClosedAsync(ILocator dialog)
    {
        try
        {
            await Expect(dialog).ToBeHiddenAsync();
        }
        catch (PlaywrightException e)
        {
            var text = await dialog.InnerTextAsync(new() { Timeout = 5_000 }).ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : "(unreadable)");
            var values = await dialog.Locator("input").EvaluateAllAsync<string[]>("es => es.map(e => e.value)")
                .ContinueWith(t => t.IsCompletedSuccessfully ? string.Join(" | ", t.Result) : "(unreadable)");
            throw new Xunit.Sdk.XunitException($"The dialog stayed open after saving.{Environment.NewLine}It shows: {text}{Environment.NewLine}" +
                $"Its fields hold: {values}{Environment.NewLine}App log:{Environment.NewLine}{app.RecentLog()}{Environment.NewLine}{e.Message}");
        }
    }

    /// <summary>
    /// Opens the page again through the slow link: sign-in redirects to the app's public address, which is not the
    /// link's, and the circuit of a page there would not be slowed.
    /// </summary>
    private static async Task OnTheLinkAsync(IPage page, SlowLink link, string path)
    {
        await page.GotoAsync(path);
        Assert.StartsWith(link.Url + "/", page.Url);
    }

    /// <summary>The field's input: the element with the test id, or the input inside it.</summary>
    private static async Task<ILocator> InputAsync(ILocator field) =>
        await field.EvaluateAsync<bool>("e => e.matches('input, textarea')") ? field : field.Locator("input");

    /// <summary>Clicks into the field and types as a person does, key by key.</summary>
    private static async Task TypeAsync(ILocator field, string text)
    {
        var input = await InputAsync(field);
        await input.ClickAsync();
        await input.PressSequentiallyAsync(text, Fast);
    }

    /// <summary>Selects what the field holds (a default or a suggestion) and types over it.</summary>
    private static async Task ReplaceAsync(ILocator field, string text)
    {
        var input = await InputAsync(field);
        await input.ClickAsync();
        await input.PressAsync("Control+A");
        await input.PressSequentiallyAsync(text, Fast);
    }

    private static async Task<string[]> RowAsync(NpgsqlConnection db, string sql, params object[] args)
    {
        await using var command = new NpgsqlCommand(sql, db);
        foreach (var arg in args) command.Parameters.Add(new NpgsqlParameter { Value = arg });
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync(), "nothing was saved");
        return Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "(null)" : reader.GetString(i)).ToArray();
    }
}
