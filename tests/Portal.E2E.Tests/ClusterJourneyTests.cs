using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E.Tests;

/// <summary>
/// A customer creates a Kubernetes cluster with an automatic network in a real browser, watches it reach
/// «Работает» without reloading (the app's own workers provision it, with simulated nodes), finds its ports on
/// the subnet card, and deletes it — the cluster and its network go.
/// </summary>
[Collection(PortalAppCollection.Name)]
public sealed class ClusterJourneyTests(PortalAppFixture app, ITestOutputHelper output)
{
    [Fact]
    public async Task A_customer_creates_a_cluster_with_a_new_network_sees_it_running_and_its_ports_then_deletes_it()
    {
        SetDefaultExpectTimeout(PortalAppFixture.Deadline);
        var customer = await Accounts.NewCustomerAsync(app.DatabaseConnectionString, Accounts.StagingProjectId);
        var name = "e2e-" + Guid.NewGuid().ToString("N")[..6];
        await using var context = await app.NewContextAsync();
        var page = await context.NewPageAsync();
        var step = "";
        try
        {
            step = "1. open the wizard from «Kubernetes»";
            output.WriteLine(step);
            await page.GotoAsync("/kubernetes");
            await Accounts.SignInAsync(page, customer, Accounts.CustomerPassword);
            await PortalAppFixture.ReadyAsync(page);
            await Expect(page).ToHaveURLAsync(new Regex("/kubernetes$"));
            await page.Locator("[data-testid=create-cluster]").ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex("/kubernetes/new$"));
            await PortalAppFixture.ReadyAsync(page);

            step = "2. a bad name is refused before the next step; a good one passes";
            output.WriteLine(step);
            await page.Locator("[data-testid=cluster-name]").FillAsync("Bad_Name");
            await page.Locator("[data-testid=wizard-next]").ClickAsync();
            await Expect(page.Locator("[data-testid=cluster-wizard]")).ToContainTextAsync("не подходит для имени кластера");
            await page.Locator("[data-testid=cluster-name]").FillAsync(name);
            await page.Locator("[data-testid=wizard-next]").ClickAsync();
            await Expect(page.Locator("[data-testid=cluster-workers]")).ToBeVisibleAsync();
            await page.Locator("[data-testid=wizard-next]").ClickAsync();

            step = "3. the network step: a new network, with its /24 named";
            output.WriteLine(step);
            await Expect(page.Locator("[data-testid=cluster-network]")).ToBeVisibleAsync();
            if (await page.Locator("[data-testid=new-network]").CountAsync() == 0)
            {
                await page.Locator("[data-testid=cluster-network]").ClickAsync();
                await page.Locator(".mud-popover-open .mud-list-item", new() { HasText = "Создать новую сеть" }).ClickAsync();
            }
            await Expect(page.Locator("[data-testid=new-network]")).ToContainTextAsync($"{name}-net");
            await Expect(page.Locator("[data-testid=external-ip]")).ToBeCheckedAsync();
            await page.Locator("[data-testid=wizard-next]").ClickAsync();

            step = "4. the review names what will be created; «Создать»";
            output.WriteLine(step);
            await Expect(page.Locator("[data-testid=cluster-review-objects]")).ToContainTextAsync($"{name}-net");
            await page.Locator("[data-testid=wizard-create]").ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex("/kubernetes/[0-9a-f-]{36}$"));
            await PortalAppFixture.ReadyAsync(page);

            step = "5. the phase reaches «Работает» without a reload; nodes have addresses and pod CIDRs";
            output.WriteLine(step);
            await Expect(page.Locator("[data-testid=cluster-title]")).ToContainTextAsync(name);
            await Expect(page.Locator("[data-testid=cluster-phase]")).ToHaveTextAsync("Работает");
            var nodes = page.Locator("[data-testid=cluster-nodes]");
            await Expect(nodes).ToContainTextAsync($"{name}-master-1");
            await Expect(nodes).ToContainTextAsync($"{name}-node-2");
            await Expect(nodes).ToContainTextAsync("10.100.");
            await Expect(page.Locator("[data-testid=cluster-endpoint]")).ToContainTextAsync("203.0.113.");
            await Expect(page.Locator("[data-testid=cluster-events]")).ToContainTextAsync("Кластер работает");

            step = "6. the cluster's ports are on the subnet card's «Порты» tab, labelled";
            output.WriteLine(step);
            await page.GotoAsync("/networks");
            await PortalAppFixture.ReadyAsync(page);
            await page.Locator("[data-testid=network-link]", new() { HasText = $"{name}-net" }).ClickAsync();
            await page.Locator("[data-testid=subnet-link]").First.ClickAsync();
            await Expect(page.Locator("[data-testid=subnet-title]")).ToBeVisibleAsync();
            await page.Locator(".mud-tab").Nth(1).ClickAsync();
            var ports = page.Locator("[data-testid=ports-grid]");
            await Expect(ports).ToContainTextAsync($"{name}-master-1");
            await Expect(ports).ToContainTextAsync($"{name}-api");
            await Expect(ports).ToContainTextAsync("Kubernetes");

            step = "7. delete the cluster: back on the list, saying so; the cluster and its network go";
            output.WriteLine(step);
            await page.GotoAsync("/kubernetes");
            await PortalAppFixture.ReadyAsync(page);
            await page.Locator("[data-testid=clusters] a", new() { HasTextString = name }).ClickAsync();
            await PortalAppFixture.ReadyAsync(page);
            await page.Locator("[data-testid=cluster-delete]").ClickAsync();
            var confirm = page.Locator(".mud-dialog");
            await confirm.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Удалить$") }).ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex("/kubernetes$"));
            // The deletion may finish at once, so «удалён» can join the first message: find the request's among them.
            await Expect(page.Locator(".mud-snackbar", new() { HasText = $"Удаление кластера «{name}» запрошено." })).ToHaveCountAsync(1);
            await Expect(page.Locator("[data-testid=clusters] a", new() { HasTextString = name })).ToHaveCountAsync(0);
            await page.GotoAsync("/networks");
            await PortalAppFixture.ReadyAsync(page);
            await Expect(page.Locator("[data-testid=network-link]", new() { HasText = $"{name}-net" })).ToHaveCountAsync(0);
        }
        catch (Exception e)
        {
            var shot = Path.Combine(Path.GetTempPath(), $"portal-cluster-journey-{DateTime.UtcNow:yyyyMMddHHmmss}.png");
            await page.ScreenshotAsync(new() { Path = shot, FullPage = true });
            throw new Xunit.Sdk.XunitException($"Failed at step «{step}»: {e.Message}\nScreenshot: {shot}\nApp log:\n{app.RecentLog()}");
        }
    }
}
