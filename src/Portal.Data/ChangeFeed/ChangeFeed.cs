using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Portal.Data.ChangeFeed;

/// <summary>
/// Something in a project changed: <see cref="Table"/> is the table written ("networks", "subnets", "ports", ...),
/// or <see cref="ResyncTable"/> when the feed may have missed changes and a subscriber should reload everything.
/// </summary>
public sealed record ChangeEvent(string Table, string ProjectId)
{
    /// <summary>The table of a synthetic event that means "changes may have been missed: reload".</summary>
    public const string ResyncTable = "*";

    public bool IsResync => Table == ResyncTable;
}

/// <summary>
/// Fans out the database's change notifications (DESIGN.md §3 "Change feed") to in-process subscribers, by
/// project. <see cref="ChangeFeedListener"/> feeds it from PostgreSQL's LISTEN/NOTIFY, so a write on any replica,
/// or by the backend, reaches every replica's open pages. Events say only which table of which project changed,
/// and only after the writing transaction committed; subscribers re-read what they show.
/// </summary>
public sealed class ChangeFeed(ILogger<ChangeFeed>? logger = null)
{
    private readonly ILogger _logger = logger ?? NullLogger<ChangeFeed>.Instance;
    private readonly Lock _lock = new();
    // Copy-on-write arrays: Publish takes a snapshot without holding the lock while handlers run.
    private readonly Dictionary<string, Subscription[]> _byProject = new(StringComparer.Ordinal);

    /// <summary>
    /// What concerns one user rather than one project (which projects they are a member of) is announced under this
    /// key in place of a project id: a project the user has just joined is not one their pages follow yet.
    /// </summary>
    public static string UserScope(string userId) => "user/" + userId;

    /// <summary>
    /// Calls <paramref name="handler"/> for each change in <paramref name="projectId"/> until the returned
    /// handle is disposed. Handlers are invoked from the listener's thread; they should hand work off quickly
    /// (a Blazor component: <c>InvokeAsync</c>). A handler's exception is logged and affects nobody else.
    /// </summary>
    public IDisposable Subscribe(string projectId, Func<ChangeEvent, Task> handler)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(projectId);
        ArgumentNullException.ThrowIfNull(handler);
        var subscription = new Subscription(this, projectId, handler);
        lock (_lock)
        {
            _byProject[projectId] = _byProject.TryGetValue(projectId, out var existing) ? [.. existing, subscription] : [subscription];
        }
        return subscription;
    }

    /// <summary>Projects that have at least one subscriber now.</summary>
    internal IReadOnlyList<string> SubscribedProjects()
    {
        lock (_lock)
        {
            return [.. _byProject.Keys];
        }
    }

    /// <summary>Invokes the handlers subscribed to the event's project; never throws because of a handler.</summary>
    internal void Publish(ChangeEvent e)
    {
        Subscription[]? targets;
        lock (_lock)
        {
            _byProject.TryGetValue(e.ProjectId, out targets);
        }
        if (targets is null) return;
        foreach (var subscription in targets)
        {
            if (subscription.IsDisposed) continue;
            _ = InvokeAsync(subscription, e);
        }
    }

    private async Task InvokeAsync(Subscription subscription, ChangeEvent e)
    {
        try
        {
            await subscription.Handler(e);
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "Change feed handler failed for {Table} in project {ProjectId}", e.Table, e.ProjectId);
        }
    }

    private void Remove(Subscription subscription)
    {
        lock (_lock)
        {
            if (!_byProject.TryGetValue(subscription.ProjectId, out var existing)) return;
            var remaining = Array.FindAll(existing, s => !ReferenceEquals(s, subscription));
            if (remaining.Length == 0) _byProject.Remove(subscription.ProjectId);
            else _byProject[subscription.ProjectId] = remaining;
        }
    }

    private sealed class Subscription(ChangeFeed feed, string projectId, Func<ChangeEvent, Task> handler) : IDisposable
    {
        private int _disposed;

        public string ProjectId { get; } = projectId;
        public Func<ChangeEvent, Task> Handler { get; } = handler;
        public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) feed.Remove(this);
        }
    }
}
