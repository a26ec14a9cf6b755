using Microsoft.AspNetCore.Components;
using Portal.Data.ChangeFeed;

namespace Portal.Web.Components.Shared;

/// <summary>
/// A page (or a part of one) that shows its project's rows and follows their changes without a reload
/// (DESIGN.md §3 "Change feed"). It reads what it shows with <see cref="LoadAsync"/> whenever its parameters are
/// set, then subscribes, once for its lifetime, to its project's changes; after each change to one of
/// <see cref="FollowedTables"/>, or a resync, it reads again with <see cref="ReloadAsync"/> and renders.
/// </summary>
public abstract class LiveComponent : ComponentBase, IDisposable
{
    private IDisposable? _subscription;

    [Inject] private ChangeFeed Feed { get; set; } = null!;

    [Inject] protected CurrentProject Project { get; set; } = null!;

    /// <summary>The tables whose changes alter what the component shows; empty: every table.</summary>
    protected virtual IReadOnlyCollection<string> FollowedTables => [];

    /// <summary>Reads what the component shows for its parameters (a page's route values).</summary>
    protected virtual Task LoadAsync() => Task.CompletedTask;

    /// <summary>Reads it again after a change; by default as <see cref="LoadAsync"/> does.</summary>
    protected virtual Task ReloadAsync() => LoadAsync();

    protected sealed override async Task OnParametersSetAsync()
    {
        await LoadAsync();
        // Subscribing needs the project; a circuit whose project was not read yet reads it first.
        if (_subscription is null && Project.Current is null) await Project.ReloadAsync();
        _subscription ??= Subscribe();
    }

    private IDisposable Subscribe() => CircuitFeed.Subscribe(Feed, Project.Id, InvokeAsync, async e =>
    {
        if (!e.IsResync && FollowedTables.Count > 0 && !FollowedTables.Contains(e.Table)) return;
        await ReloadAsync();
        StateHasChanged();
    });

    public void Dispose() => _subscription?.Dispose();
}
