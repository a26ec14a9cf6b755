using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E.Tests;

/// <summary>
/// The whole «Сети» journey in a real browser against the real app and database: open the networks list,
/// create a network with a subnet, add a second subnet and be refused an overlapping one, read the subnet's
/// card, add a port with a chosen address and delete it again — once in Russian, once in English.
/// </summary>
[Collection(PortalAppCollection.Name)]
public sealed partial class NetworksJourneyTests(PortalAppFixture app, ITestOutputHelper output)
{
    private const float Deadline = PortalAppFixture.Deadline;

    private static readonly object OctetLock = new();
    private static readonly HashSet<int> UsedOctets = [];

    [Theory]
    [InlineData("ru-RU")]
    [InlineData("en-US")]
    public async Task Networks_subnets_and_ports_journey(string culture)
    {
        var t = UiText.For(culture);
        var net = $"10.{NewOctet()}";
        var networkName = $"e2e-{t.HtmlLang}-{Guid.NewGuid().ToString("N")[..8]}";
        var firstCidr = $"{net}.0.0/24";
        var secondCidr = $"{net}.1.0/24";
        var overlappingCidr = $"{net}.0.128/25";
        var portIp = $"{net}.0.50";

        SetDefaultExpectTimeout(Deadline);
        await using var context = await app.NewContextAsync();
        var page = await context.NewPageAsync();
        var browserErrors = new List<string>();
        page.Console += (_, m) => { if (m.Type == "error") lock (browserErrors) browserErrors.Add("console: " + m.Text); };
        page.PageError += (_, e) => { lock (browserErrors) browserErrors.Add("page error: " + e); };

        var step = "";
        try
        {
            step = "1. open the networks page (sign in first)";
            output.WriteLine(step);
            await page.GotoAsync($"/culture?c={culture}&r=/networks");
            await Expect(page).ToHaveURLAsync(new Regex("/login\\?ReturnUrl=%2Fnetworks$"));
            await Accounts.SignInAsync(page, Accounts.Customer, Accounts.CustomerPassword);
            await ReadyAsync(page);
            await Expect(page).ToHaveURLAsync(new Regex("/networks$"));
            await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", t.HtmlLang);
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = t.Networks, Exact = true })).ToBeVisibleAsync();
            await Expect(page.Locator("[data-testid=networks-grid]")).ToBeVisibleAsync();
            await Expect(page.Locator("[data-testid=create-network]")).ToHaveTextAsync(t.CreateNetwork);

            step = $"2. create network {networkName} with subnet {firstCidr}, see it in the list and open it";
            output.WriteLine(step);
            await page.Locator("[data-testid=create-network]").ClickAsync();
            var networkDialog = page.Locator("[data-testid=network-dialog]");
            await Expect(networkDialog).ToBeVisibleAsync();
            await Expect(page.Locator(".mud-dialog .mud-dialog-title")).ToHaveTextAsync(t.CreateNetwork);
            await page.Locator("[data-testid=network-name]").FillAsync(networkName);
            await Expect(page.Locator("[data-testid=with-subnet]")).ToBeCheckedAsync();
            await page.Locator("[data-testid=network-dialog] [data-testid=subnet-cidr]").FillAsync(firstCidr);
            // The helper under the field is computed on the server: it proves the server has the typed CIDR.
            await Expect(page.Locator("[data-testid=network-dialog] [data-testid=cidr-helper]")).ToContainTextAsync($"{net}.0.0 – {net}.0.255");
            await Expect(page.Locator("[data-testid=save-network]")).ToBeEnabledAsync();
            await page.Locator("[data-testid=save-network]").ClickAsync();
            await Expect(networkDialog).ToBeHiddenAsync();
            await Expect(Snackbar(page, networkName, t.NetworkCreated)).ToBeVisibleAsync();
            var networkRow = page.Locator("[data-testid=networks-grid] tr").Filter(new()
            {
                Has = page.Locator("[data-testid=network-link]", new() { HasText = networkName }),
            });
            await Expect(networkRow).ToHaveCountAsync(1);
            await Expect(networkRow).ToContainTextAsync(firstCidr);
            await networkRow.Locator("[data-testid=network-link]").ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex("/networks/[0-9a-f-]{36}$"));
            await ReadyAsync(page);
            await Expect(page.Locator("[data-testid=network-title]")).ToHaveTextAsync(networkName);
            var subnetsTable = page.Locator("[data-testid=subnets-table]");
            await Expect(subnetsTable).ToContainTextAsync(firstCidr);

            step = $"3. add subnet {secondCidr}, then be refused the overlapping {overlappingCidr}";
            output.WriteLine(step);
            var subnetDialog = page.Locator("[data-testid=subnet-dialog]");
            var cidrInput = subnetDialog.Locator("[data-testid=subnet-cidr]");
            var saveSubnet = page.Locator("[data-testid=save-subnet]");
            await Expect(page.Locator("[data-testid=add-subnet]")).ToHaveTextAsync(t.AddSubnet);
            await page.Locator("[data-testid=add-subnet]").ClickAsync();
            await Expect(subnetDialog).ToBeVisibleAsync();
            await cidrInput.FillAsync(secondCidr);
            await Expect(subnetDialog.Locator("[data-testid=cidr-helper]")).ToContainTextAsync($"{net}.1.0 – {net}.1.255");
            await Expect(saveSubnet).ToBeEnabledAsync();
            await saveSubnet.ClickAsync();
            await Expect(subnetDialog).ToBeHiddenAsync();
            await Expect(Snackbar(page, secondCidr, t.SubnetAdded)).ToBeVisibleAsync();
            await Expect(subnetsTable.Locator("[data-testid=subnet-link]")).ToHaveCountAsync(2);
            await Expect(subnetsTable).ToContainTextAsync(secondCidr);

            await page.Locator("[data-testid=add-subnet]").ClickAsync();
            await Expect(subnetDialog).ToBeVisibleAsync();
            await cidrInput.FillAsync(overlappingCidr);
            // MudTextField renders ErrorText in the helper line of the same input control, under the field.
            var cidrError = subnetDialog.Locator(".mud-input-control", new() { Has = page.Locator("[data-testid=subnet-cidr]") }).Locator(".mud-input-helper-text.mud-input-error");
            await Expect(cidrError).ToContainTextAsync(t.OverlapsSubnet);
            // The first subnet has no name, so the message names it by its CIDR, once.
            await Expect(cidrError).ToContainTextAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, t.OverlapFormat, overlappingCidr, firstCidr));
            await Expect(saveSubnet).ToBeDisabledAsync();
            await page.Locator(".mud-dialog").GetByRole(AriaRole.Button, new() { Name = t.Cancel, Exact = true }).ClickAsync();
            await Expect(subnetDialog).ToBeHiddenAsync();
            await Expect(subnetsTable.Locator("[data-testid=subnet-link]")).ToHaveCountAsync(2);

            step = $"4. open subnet {firstCidr} and read its information";
            output.WriteLine(step);
            await subnetsTable.Locator("[data-testid=subnet-link]", new() { HasTextRegex = new Regex($"^{Regex.Escape(firstCidr)}$") }).ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex("/networks/[0-9a-f-]{36}/subnets/[0-9a-f-]{36}$"));
            await ReadyAsync(page);
            await Expect(page.Locator("[data-testid=subnet-title]")).ToHaveTextAsync(firstCidr);
            var tabs = page.Locator(".mud-tab");
            await Expect(tabs.Nth(0)).ToHaveTextAsync(t.Information);
            await Expect(tabs.Nth(1)).ToHaveTextAsync(t.Ports);
            var info = page.Locator("[data-testid=subnet-info]");
            await Expect(info).ToBeVisibleAsync();
            await Expect(info.Locator("dt", new() { HasTextString = "CIDR" }).Locator("xpath=following-sibling::dd[1]")).ToHaveTextAsync(firstCidr);
            await Expect(info.Locator("dt", new() { HasTextRegex = new Regex($"^{t.Gateway}$") }).Locator("xpath=following-sibling::dd[1]")).ToHaveTextAsync($"{net}.0.1");
            await Expect(info.Locator("dt", new() { HasTextString = t.AllocationPools }).Locator("xpath=following-sibling::dd[1]")).ToHaveTextAsync($"{net}.0.2–{net}.0.254");
            var freeRanges = page.Locator("[data-testid=free-ranges]");
            await Expect(freeRanges).ToContainTextAsync(t.Free);
            await Expect(freeRanges).ToContainTextAsync(new Regex($@"{Regex.Escape(net)}\.0\.\d+–{Regex.Escape(net)}\.0\.254"));

            step = $"5. add port vm-1 with address {portIp} on the ports tab";
            output.WriteLine(step);
            await tabs.Nth(1).ClickAsync();
            var portsGrid = page.Locator("[data-testid=ports-grid]");
            await Expect(portsGrid).ToBeVisibleAsync();
            await Expect(page.Locator("[data-testid=add-port]")).ToHaveTextAsync(t.AddPort);
            await page.Locator("[data-testid=add-port]").ClickAsync();
            var portDialog = page.Locator("[data-testid=port-dialog]");
            await Expect(portDialog).ToBeVisibleAsync();
            await page.Locator("[data-testid=port-name]").FillAsync("vm-1");
            await page.Locator("[data-testid=ip-mode]").GetByText(t.SpecificAddress, new() { Exact = true }).ClickAsync();
            var ipInput = page.Locator("[data-testid=port-ip-input]");
            await Expect(ipInput).ToBeVisibleAsync();
            await ipInput.FillAsync(portIp);
            await Expect(ipInput).ToHaveValueAsync(portIp);
            await page.Locator("[data-testid=save-port]").ClickAsync();
            await Expect(portDialog).ToBeHiddenAsync();
            await Expect(Snackbar(page, portIp, t.PortAdded)).ToBeVisibleAsync();
            var portRow = portsGrid.Locator("tr").Filter(new()
            {
                Has = page.Locator("[data-testid=port-ip]", new() { HasTextRegex = new Regex($"^{Regex.Escape(portIp)}$") }),
            });
            await Expect(portRow).ToHaveCountAsync(1);
            await Expect(portRow).ToContainTextAsync("vm-1");
            await Expect(portRow.Locator("[data-testid=port-mac]")).ToHaveTextAsync(MacRegex());

            step = "6. delete the port (confirming) and see it gone";
            output.WriteLine(step);
            await portRow.Locator("[data-testid=delete-port]").ClickAsync();
            var messageBox = page.Locator(".mud-dialog").Filter(new() { HasText = t.DeletePortQuestion });
            await Expect(messageBox).ToBeVisibleAsync();
            await Expect(messageBox).ToContainTextAsync(string.Format(t.NamedPort, "vm-1", portIp));
            await messageBox.GetByRole(AriaRole.Button, new() { Name = t.Delete, Exact = true }).ClickAsync();
            await Expect(messageBox).ToBeHiddenAsync();
            await Expect(Snackbar(page, string.Format(t.NamedPort, "vm-1", portIp), t.PortDeleted)).ToBeVisibleAsync();
            await Expect(portRow).ToHaveCountAsync(0);
            await Expect(portsGrid.Locator("[data-testid=port-ip]", new() { HasTextString = portIp })).ToHaveCountAsync(0);
        }
        catch (Exception e)
        {
            throw new JourneyFailedException(await DescribeFailureAsync(page, culture, step, e, browserErrors), e);
        }
    }

    /// <summary>The page is prerendered first; clicks only work once the circuit is interactive.</summary>
    private static Task ReadyAsync(IPage page) => PortalAppFixture.ReadyAsync(page);

    /// <summary>The snackbar that contains every one of the texts (earlier ones may still be showing).</summary>
    private static ILocator Snackbar(IPage page, params string[] texts) =>
        texts.Aggregate(page.Locator(".mud-snackbar"), (l, text) => l.Filter(new() { HasText = text }));

    /// <summary>A second octet no other test of this run uses, so their networks never overlap.</summary>
    private static int NewOctet()
    {
        lock (OctetLock)
        {
            while (true)
            {
                var octet = Random.Shared.Next(20, 250);
                if (UsedOctets.Add(octet)) return octet;
            }
        }
    }

    private async Task<string> DescribeFailureAsync(IPage page, string culture, string step, Exception e, List<string> browserErrors)
    {
        var message = new StringBuilder();
        message.AppendLine($"[{culture}] step «{step}» failed: {e.Message}");
        message.AppendLine($"URL: {page.Url}");
        try
        {
            var folder = Path.Combine(AppContext.BaseDirectory, "screenshots");
            Directory.CreateDirectory(folder);
            var path = Path.Combine(folder, $"{nameof(Networks_subnets_and_ports_journey)}-{culture}.png");
            await page.ScreenshotAsync(new() { Path = path, FullPage = true, Timeout = Deadline });
            message.AppendLine($"Screenshot: {path}");
        }
        catch (Exception shot)
        {
            message.AppendLine($"Screenshot failed: {shot.Message}");
        }
        lock (browserErrors)
        {
            if (browserErrors.Count > 0) message.AppendLine("Browser errors:").AppendLine(string.Join(Environment.NewLine, browserErrors));
        }
        message.AppendLine("App log (most recent lines):").AppendLine(app.RecentLog());
        output.WriteLine(message.ToString());
        return message.ToString();
    }

    [GeneratedRegex("^fa:16:3e(:[0-9a-f]{2}){3}$")]
    private static partial Regex MacRegex();
}

public sealed class JourneyFailedException(string message, Exception inner) : Exception(message, inner);
