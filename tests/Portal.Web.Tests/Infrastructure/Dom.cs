using AngleSharp.Dom;
using Bunit.Rendering;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;

namespace Portal.Web.Tests.Infrastructure;

/// <summary>Finding things the way the components mark them: data-testid hooks, MudBlazor's field errors, facts lists.</summary>
public static class Dom
{
    public static IElement TestId(this IRenderedComponent<IComponent> host, string testId) => host.Find($"[data-testid='{testId}']");

    public static IReadOnlyList<IElement> TestIds(this IRenderedComponent<IComponent> host, string testId) =>
        host.FindAll($"[data-testid='{testId}']");

    /// <summary>The &lt;input&gt; of a MudTextField/MudNumericField/MudSwitch: its data-testid lands there.</summary>
    public static IElement Field(this IRenderedComponent<IComponent> host, string testId) => host.Find($"input[data-testid='{testId}']");

    /// <summary>Types into a field as a user does (MudBlazor's Immediate fields listen to oninput).</summary>
    public static void Type(this IRenderedComponent<IComponent> host, string testId, string text) =>
        host.Do(() => host.Field(testId), e => e.Input(text));

    /// <summary>Types into the element <paramref name="find"/> finds.</summary>
    public static void Type(this IRenderedComponent<IComponent> host, Func<IElement> find, string text) => host.Do(find, e => e.Input(text));

    /// <summary>Sets a field that reports on change (MudNumericField, MudSwitch).</summary>
    public static void Set(this IRenderedComponent<IComponent> host, string testId, object value) =>
        host.Do(() => host.Field(testId), e => e.Change(value));

    public static void Press(this IRenderedComponent<IComponent> host, string testId) => host.Do(() => host.TestId(testId), e => e.Click());

    public static void Press(this IRenderedComponent<IComponent> host, Func<IElement> find) => host.Do(find, e => e.Click());

    /// <summary>Clicks and waits for the click handler to finish, e.g. a save that calls the service.</summary>
    public static async Task PressAsync(this IRenderedComponent<IComponent> host, string testId)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await host.TestId(testId).ClickAsync(new MouseEventArgs());
                return;
            }
            catch (UnknownEventHandlerIdException) when (attempt < 10)
            {
            }
        }
    }

    /// <summary>
    /// Acts on an element. A page that finishes loading re-renders, which gives its elements new event handler ids;
    /// an element found just before that is found again, as a user's next keystroke would reach the new one.
    /// </summary>
    public static void Do(this IRenderedComponent<IComponent> host, Func<IElement> find, Action<IElement> act)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                // Find and click on the renderer's dispatcher, so no render can replace the element in between.
                host.InvokeAsync(() => act(find())).GetAwaiter().GetResult();
                return;
            }
            catch (Exception e) when (IsStaleHandler(e) && attempt < 20)
            {
                // The element was re-rendered between finding and clicking; let the render finish, then find it again.
                Thread.Sleep(25);
            }
        }
    }

    private static bool IsStaleHandler(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            if (x is UnknownEventHandlerIdException) return true;
        }
        return e is AggregateException a && a.InnerExceptions.Any(IsStaleHandler);
    }

    /// <summary>The error MudBlazor shows under a field, or null.</summary>
    public static string? FieldError(this IElement input) =>
        input.Closest(".mud-input-control")?.QuerySelector(".mud-input-helper-text.mud-input-error")?.TextContent.Trim();

    /// <summary>The helper text under a field, or null.</summary>
    public static string? FieldHelper(this IElement input) =>
        input.Closest(".mud-input-control")?.QuerySelector(".mud-input-helper-text")?.TextContent.Trim();

    public static bool IsDisabled(this IElement element) => element.HasAttribute("disabled");

    /// <summary>A &lt;dl class="facts"&gt; as label → value, whitespace collapsed.</summary>
    public static Dictionary<string, string> Facts(this IElement dl) =>
        dl.QuerySelectorAll("dt").ToDictionary(dt => Text(dt), dt => Text(dt.NextElementSibling!));

    public static string Text(this IElement element) => string.Join(' ', element.TextContent.Split((char[])[' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries));

    /// <summary>The rows of a MudDataGrid/MudTable body that hold data (not the "no records" or loading rows).</summary>
    public static IReadOnlyList<IElement> DataRows(this IRenderedComponent<IComponent> host, string gridTestId) =>
        host.FindAll($"[data-testid='{gridTestId}'] tbody tr.mud-table-row").Where(r => r.QuerySelector("td[colspan]") is null).ToList();
}
