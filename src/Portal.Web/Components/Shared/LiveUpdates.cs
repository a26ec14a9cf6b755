using System.Globalization;
using Portal.Data.ChangeFeed;

namespace Portal.Web.Components.Shared;

public static class LiveUpdates
{
    /// <summary>
    /// Subscribes a component to its project's changes. Notifications arrive on the listener's thread, which
    /// knows nothing of the user's language, so the handler runs with the culture of the circuit captured here.
    /// </summary>
    public static IDisposable SubscribeForCircuit(this ChangeFeed feed, string projectId, Func<ChangeEvent, Task> handler)
    {
        var culture = CultureInfo.CurrentCulture;
        var uiCulture = CultureInfo.CurrentUICulture;
        return feed.Subscribe(projectId, async e =>
        {
            CultureInfo.CurrentCulture = culture;
            CultureInfo.CurrentUICulture = uiCulture;
            await handler(e);
        });
    }
}
