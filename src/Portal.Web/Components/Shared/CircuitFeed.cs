using System.Globalization;
using Portal.Data.ChangeFeed;

namespace Portal.Web.Components.Shared;

/// <summary>Subscribes a component of a circuit (a page, the layout) to a project's changes.</summary>
internal static class CircuitFeed
{
    /// <summary>
    /// Notifications arrive on the listener's thread, which knows nothing of the user's language, so the handler runs
    /// with the culture of the circuit captured here, on the circuit's dispatcher (<paramref name="invokeAsync"/>).
    /// </summary>
    public static IDisposable Subscribe(ChangeFeed feed, string projectId, Func<Func<Task>, Task> invokeAsync, Func<ChangeEvent, Task> handler)
    {
        var culture = CultureInfo.CurrentCulture;
        var uiCulture = CultureInfo.CurrentUICulture;
        return feed.Subscribe(projectId, async e =>
        {
            CultureInfo.CurrentCulture = culture;
            CultureInfo.CurrentUICulture = uiCulture;
            await invokeAsync(() => handler(e));
        });
    }
}
