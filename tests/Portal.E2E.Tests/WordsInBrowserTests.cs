using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E.Tests;

/// <summary>
/// What only the browser shows of the console's words: the layout around the pages (app bar, menu) and the labels
/// screen readers announce, on every customer page, in each language. The pages' own texts are Web.Tests' WordsTests.
/// </summary>
[Collection(PortalAppCollection.Name)]
public sealed partial class WordsInBrowserTests(PortalAppFixture app)
{
    /// <summary>Terms a Russian reader of a cloud console reads as they are (as in Web.Tests' WordsTests).</summary>
    private static readonly HashSet<string> Terms =
        ["DHCP", "CIDR", "IP", "MAC", "MTU", "Kubernetes", "API", "DNS", "ID", "TCP", "NAT", "shadowport", "Shadowport"];

    /// <summary>The layout's text, the wizard's, and every control's label outside the tables of data (their names are the data's).</summary>
    private const string ReadTexts = """
        () => {
          const out = [];
          for (const el of document.querySelectorAll('.mud-appbar, .mud-drawer, [data-testid=cluster-wizard]')) out.push(el.innerText);
          for (const el of document.querySelectorAll('[aria-label], [title], [placeholder]')) {
            if (el.closest('tbody, code')) continue;
            for (const a of ['aria-label', 'title', 'placeholder']) { const v = el.getAttribute(a); if (v) out.push(v); }
          }
          return out;
        }
        """;

    [Theory]
    [InlineData("ru-RU")]
    [InlineData("en-US")]
    public async Task The_layout_and_labels_speak_only_the_readers_language(string culture)
    {
        SetDefaultExpectTimeout(PortalAppFixture.Deadline);
        await using var context = await app.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync($"/culture?c={culture}&r=/networks");
        await Accounts.SignInAsync(page, Accounts.Customer, Accounts.CustomerPassword);
        await PortalAppFixture.ReadyAsync(page);
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", culture[..2]);

        var wrong = new List<string>();
        foreach (var path in new[] { "/networks", "/kubernetes", "/kubernetes/new", "/audit" })
        {
            await page.GotoAsync(path);
            await PortalAppFixture.ReadyAsync(page);
            await Expect(page.Locator(".mud-drawer")).ToBeVisibleAsync();
            foreach (var text in await page.EvaluateAsync<string[]>(ReadTexts))
            {
                wrong.AddRange(Offences(culture, text).Select(o => $"{path}: {o}"));
            }
        }
        if (wrong.Count > 0)
        {
            var shot = Path.Combine(Path.GetTempPath(), $"portal-words-{culture}-{DateTime.UtcNow:yyyyMMddHHmmss}.png");
            await page.ScreenshotAsync(new() { Path = shot, FullPage = true });
            wrong.Add("Screenshot: " + shot);
        }
        Assert.True(wrong.Count == 0, string.Join("\n", wrong.Distinct()));
    }

    /// <summary>The demo project's name, which the app bar shows: the data's word, not the console's.</summary>
    private const string ProjectName = "demo";

    private static IEnumerable<string> Offences(string culture, string text)
    {
        if (!culture.StartsWith("ru")) return text.Contains('«') || text.Contains('»') ? [$"guillemets in «{text.Trim()}»"] : [];
        return Word().Matches(text.Replace(ProjectName, " ")).Where(w => !Terms.Contains(w.Value)).Select(w => $"«{w.Value}» in «{text.Trim()}»");
    }

    [GeneratedRegex(@"(?<![\p{L}\p{N}@.:/_-])[A-Za-z]+(?![\p{L}\p{N}@.:/_-])")]
    private static partial Regex Word();
}
