using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E.Tests;

/// <summary>
/// Tables with row actions at the screen sizes people use (issue 14, item 5): every cell of a row, the action icons'
/// included, shares the row's top and bottom border, and the icons are on screen without scrolling the table sideways.
/// </summary>
[Collection(PortalAppCollection.Name)]
public sealed class LayoutTests(PortalAppFixture app, ITestOutputHelper output)
{
    [Theory]
    [InlineData("ru-RU", 1280, 800)]
    [InlineData("ru-RU", 1920, 1080)]
    [InlineData("en-US", 1280, 800)]
    [InlineData("en-US", 1920, 1080)]
    public async Task Row_actions_line_up_with_their_rows_and_fit_the_table(string culture, int width, int height)
    {
        SetDefaultExpectTimeout(PortalAppFixture.Deadline);
        await using var context = await app.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.SetViewportSizeAsync(width, height);
        await page.GotoAsync($"/culture?c={culture}&r=/networks");
        await Accounts.SignInAsync(page, Accounts.Customer, Accounts.CustomerPassword);
        await PortalAppFixture.ReadyAsync(page);
        await Expect(page.Locator("[data-testid=delete-network]").First).ToBeVisibleAsync();
        await CheckAsync(page, "[data-testid=networks-grid]", "[data-testid=delete-network]", $"{culture} {width}×{height} «networks»");

        await page.Locator("[data-testid=network-link]").First.ClickAsync();
        await Expect(page.Locator("[data-testid=delete-subnet]").First).ToBeVisibleAsync();
        await CheckAsync(page, "table:has([data-testid=delete-subnet])", "[data-testid=delete-subnet]", $"{culture} {width}×{height} network's subnets");

        await page.Locator("[data-testid=subnet-link]").First.ClickAsync();
        await page.Locator("[data-testid=subnet-tabs] .mud-tab").Nth(1).ClickAsync();
        await Expect(page.Locator("[data-testid=delete-port]").First).ToBeVisibleAsync();
        await CheckAsync(page, "[data-testid=ports-grid]", "[data-testid=delete-port]", $"{culture} {width}×{height} subnet's ports");
    }

    /// <summary>
    /// Every row of the table: the cells' top and bottom edges against the row's, and the action icon inside what the
    /// table's scroll container shows.
    /// </summary>
    private async Task CheckAsync(IPage page, string table, string action, string where)
    {
        var problems = await page.EvaluateAsync<string[]>("""
            ([table, action]) => {
              const root = document.querySelector(table);
              const problems = [];
              for (const row of root.querySelectorAll('tbody tr')) {
                const r = row.getBoundingClientRect();
                for (const cell of row.querySelectorAll('td')) {
                  const c = cell.getBoundingClientRect();
                  if (Math.abs(c.top - r.top) > 0.5 || Math.abs(c.bottom - r.bottom) > 0.5)
                    problems.push(`cell ${cell.cellIndex} spans ${c.top}–${c.bottom}, its row ${r.top}–${r.bottom}`);
                }
              }
              const icon = root.querySelector(action).getBoundingClientRect();
              const scroller = root.querySelector('.mud-table-container') ?? root.closest('.mud-table-container') ?? root;
              const visible = scroller.getBoundingClientRect();
              if (icon.right > visible.right + 0.5) problems.push(`the action icon ends at ${icon.right}, the table's visible part at ${visible.right}`);
              return problems;
            }
            """, new[] { table, action });
        output.WriteLine($"{where}: {(problems.Length == 0 ? "lined up" : string.Join("; ", problems))}");
        if (problems.Length > 0)
        {
            var shot = Path.Combine(Path.GetTempPath(), $"portal-layout-{DateTime.UtcNow:yyyyMMddHHmmss}.png");
            await page.ScreenshotAsync(new() { Path = shot, FullPage = true });
            Assert.Fail($"{where}: {string.Join("; ", problems)}\nScreenshot: {shot}");
        }
    }
}
