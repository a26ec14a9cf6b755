using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E.Tests;

/// <summary>
/// Issue 14 item 2: an invalid CIDR typed key by key shows its message at the field while it is invalid and after
/// Tab, and the host-bits message's suggestion is what its button applies.
/// </summary>
[Collection(PortalAppCollection.Name)]
public sealed class FieldValidationTests(PortalAppFixture app)
{
    private static readonly LocatorPressSequentiallyOptions Typing = new() { Delay = 40 };

    [Theory]
    [InlineData("ru-RU", "пересекается с подсетью", "— не адрес сети. Возможно, вы имели в виду", "Использовать", "Взять следующий свободный блок:")]
    [InlineData("en-US", "overlaps with another subnet", "is not a network address. Did you mean", "Use", "Use the next free block,")]
    public async Task Add_subnet_shows_every_invalid_cidr_typed_key_by_key(string culture, string overlaps, string hostBits, string use, string nextFree)
    {
        SetDefaultExpectTimeout(PortalAppFixture.Deadline);
        var octet = 150 + Random.Shared.Next(0, 50);
        await using var context = await app.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync($"/culture?c={culture}&r=/networks");
        await Accounts.SignInAsync(page, Accounts.Customer, Accounts.CustomerPassword);
        await PortalAppFixture.ReadyAsync(page);

        // A network with 10.x.0.0/24, made through the form as a user would.
        await page.Locator("[data-testid=create-network]").ClickAsync();
        var networkDialog = page.Locator("[data-testid=network-dialog]");
        var networkName = $"validation-{Guid.NewGuid().ToString("N")[..8]}";
        await networkDialog.Locator("[data-testid=network-name]").FillAsync(networkName);
        await networkDialog.Locator("[data-testid=subnet-cidr]").FillAsync($"10.{octet}.0.0/24");
        await page.Locator("[data-testid=save-network]").ClickAsync();
        await Expect(networkDialog).ToBeHiddenAsync();
        await page.Locator("[data-testid=network-link]", new() { HasText = networkName }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/networks/[0-9a-f-]{36}$"));
        await PortalAppFixture.ReadyAsync(page);

        await page.Locator("[data-testid=add-subnet]").ClickAsync();
        var dialog = page.Locator("[data-testid=subnet-dialog]");
        var cidr = dialog.Locator("[data-testid=subnet-cidr]");
        var error = dialog.Locator(".mud-input-control", new() { Has = page.Locator("[data-testid=subnet-cidr]") }).Locator(".mud-input-helper-text.mud-input-error");
        var save = page.Locator("[data-testid=save-subnet]");

        // Overlap with the network's own subnet, typed key by key: the message shows while typing and after Tab.
        await cidr.ClickAsync();
        await cidr.PressSequentiallyAsync($"10.{octet}.0.128/25", Typing);
        await Expect(error).ToContainTextAsync(overlaps);
        await cidr.PressAsync("Tab");
        await Expect(error).ToContainTextAsync($"10.{octet}.0.128/25 {overlaps}");
        await Expect(save).ToBeDisabledAsync();
        // The next free block is offered, named, and applied as named.
        var nextFreeButton = dialog.Locator("[data-testid=use-suggestion]");
        await Expect(nextFreeButton).ToContainTextAsync(nextFree);
        var offered = Regex.Match(await nextFreeButton.InnerTextAsync(), @"\d+\.\d+\.\d+\.\d+/\d+").Value;
        await Expect(dialog.Locator("[data-testid=use-normalized]")).ToHaveCountAsync(0);

        // Host bits: the message names the normalised CIDR, and the one button applies exactly that.
        await cidr.ClickAsync();
        await cidr.PressAsync("Control+A");
        await cidr.PressAsync("Backspace");
        await cidr.PressSequentiallyAsync($"10.{octet}.7.5/24", Typing);
        await Expect(error).ToContainTextAsync($"10.{octet}.7.5/24 {hostBits} 10.{octet}.7.0/24?");
        await cidr.PressAsync("Tab");
        await Expect(error).ToContainTextAsync($"{hostBits} 10.{octet}.7.0/24?");
        var normalized = dialog.Locator("[data-testid=use-normalized]");
        await Expect(normalized).ToHaveTextAsync($"{use} 10.{octet}.7.0/24");
        await Expect(nextFreeButton).ToHaveCountAsync(0);
        await Expect(save).ToBeDisabledAsync();
        await normalized.ClickAsync();
        await Expect(cidr).ToHaveValueAsync($"10.{octet}.7.0/24");
        await Expect(error).ToHaveCountAsync(0);
        await Expect(save).ToBeEnabledAsync();

        // An invalid value after a valid one shows its message again (it used to show only once per dialog).
        await cidr.ClickAsync();
        await cidr.PressAsync("End");
        await cidr.PressAsync("Backspace");
        await cidr.PressAsync("Backspace");
        await cidr.PressSequentiallyAsync("33", Typing);
        await Expect(error).ToBeVisibleAsync();
        await cidr.PressAsync("Tab");
        await Expect(error).ToBeVisibleAsync();
        await Expect(save).ToBeDisabledAsync();

        // The next free block applies exactly the block it names.
        await cidr.FillAsync("");
        await Expect(nextFreeButton).ToBeVisibleAsync();
        offered = Regex.Match(await nextFreeButton.InnerTextAsync(), @"\d+\.\d+\.\d+\.\d+/\d+").Value;
        await nextFreeButton.ClickAsync();
        await Expect(cidr).ToHaveValueAsync(offered);
        await Expect(save).ToBeEnabledAsync();
    }

    [Theory]
    [InlineData("ru-RU", "Укажите имя.", "MTU должен быть от 68 до 9000, указано 40.", "Указать адрес", "10.0.0.999")]
    [InlineData("en-US", "Enter a name.", "MTU must be between 68 and 9000; got 40.", "Specific address", "10.0.0.999")]
    public async Task Network_name_mtu_and_port_address_show_their_messages_while_invalid(
        string culture, string nameRequired, string mtuOutOfRange, string specifyAddress, string badAddress)
    {
        SetDefaultExpectTimeout(PortalAppFixture.Deadline);
        await using var context = await app.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync($"/culture?c={culture}&r=/networks");
        await Accounts.SignInAsync(page, Accounts.Customer, Accounts.CustomerPassword);
        await PortalAppFixture.ReadyAsync(page);

        await page.Locator("[data-testid=create-network]").ClickAsync();
        var dialog = page.Locator("[data-testid=network-dialog]");
        var name = dialog.Locator("[data-testid=network-name]");
        await name.ClickAsync();
        await name.PressSequentiallyAsync("ab", Typing);
        await name.PressAsync("Backspace");
        await name.PressAsync("Backspace");
        await Expect(ErrorAt(dialog, "network-name")).ToHaveTextAsync(nameRequired);
        await name.PressAsync("Tab");
        await Expect(ErrorAt(dialog, "network-name")).ToHaveTextAsync(nameRequired);
        await name.PressSequentiallyAsync("x", Typing);
        await Expect(ErrorAt(dialog, "network-name")).ToHaveCountAsync(0);

        var mtu = dialog.Locator("[data-testid=network-mtu]");
        await mtu.ClickAsync();
        await mtu.PressAsync("Control+A");
        await mtu.PressSequentiallyAsync("40", Typing);
        await mtu.PressAsync("Tab");
        await Expect(ErrorAt(dialog, "network-mtu")).ToHaveTextAsync(mtuOutOfRange);
        await page.Locator(".mud-dialog").GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^(Отмена|Cancel)$") }).ClickAsync();
        await Expect(dialog).ToBeHiddenAsync();

        // A port's chosen address on the demo network's subnet: a typed non-address says so at the field.
        await page.Locator("[data-testid=network-link]", new() { HasText = "default" }).First.ClickAsync();
        await PortalAppFixture.ReadyAsync(page);
        await page.Locator("[data-testid=subnet-link]").First.ClickAsync();
        await PortalAppFixture.ReadyAsync(page);
        await page.Locator(".mud-tab").Nth(1).ClickAsync();
        await page.Locator("[data-testid=add-port]").ClickAsync();
        var portDialog = page.Locator("[data-testid=port-dialog]");
        await portDialog.Locator("[data-testid=ip-mode]").GetByText(specifyAddress, new() { Exact = true }).ClickAsync();
        var ip = portDialog.Locator("[data-testid=port-ip-input]");
        await ip.ClickAsync();
        await ip.PressAsync("Control+A");
        await ip.PressSequentiallyAsync(badAddress, Typing);
        await Expect(ErrorAt(portDialog, "port-ip-input")).ToContainTextAsync(badAddress);
        await ip.PressAsync("Tab");
        await Expect(ErrorAt(portDialog, "port-ip-input")).ToContainTextAsync(badAddress);
    }

    /// <summary>The message MudBlazor shows under the field with that test id.</summary>
    private static ILocator ErrorAt(ILocator dialog, string testId) =>
        dialog.Locator(".mud-input-control", new() { Has = dialog.Page.Locator($"[data-testid={testId}]") })
            .Locator(".mud-input-helper-text.mud-input-error");
}
