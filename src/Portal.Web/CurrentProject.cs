using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Portal.Data.Entities;
using Portal.Data.Services;

namespace Portal.Web;

/// <summary>
/// The signed-in user and the project every page works in — the one place pages ask. Loaded once per circuit
/// (MainLayout renders the page only after <see cref="LoadAsync"/>): the project is the user's last choice in
/// the header while they are still a member of it, else their first project.
/// </summary>
public sealed class CurrentProject(ProjectService projects, AuthenticationStateProvider authentication, IHttpContextAccessor http)
{
    private Project? _project;

    /// <summary>The signed-in user as the services see them; before loading, nobody (every service call is refused).</summary>
    public Actor Actor { get; private set; } = new("", "", null, false);

    public IReadOnlyList<Project> Mine { get; private set; } = [];

    public bool Loaded { get; private set; }

    public bool HasProject => _project is not null;

    /// <summary>The current project as loaded with the user (for the header; pages that need fresh state use <see cref="GetAsync"/>).</summary>
    public Project? Current => _project;

    /// <summary>The current project's id; pages are only rendered when there is one.</summary>
    public string Id => _project?.Id ?? throw new InvalidOperationException("The signed-in user has no project.");

    public async Task LoadAsync(CancellationToken ct = default)
    {
        if (Loaded) return;
        await ReadAsync(ct);
    }

    /// <summary>
    /// Loads again, after the signed-in user or their projects changed. What was loaded stays until the new state is
    /// read: the page goes on rendering meanwhile.
    /// </summary>
    public Task ReloadAsync(CancellationToken ct = default) => ReadAsync(ct);

    private async Task ReadAsync(CancellationToken ct)
    {
        var user = (await authentication.GetAuthenticationStateAsync()).User;
        var userId = user.FindFirstValue(ClaimTypes.NameIdentifier) ?? "";
        // The address of the request that opened the page or the circuit; it goes into the audit trail. A reload after a
        // change notification has no request, and keeps the address it had.
        var address = http.HttpContext?.Connection.RemoteIpAddress?.ToString() ?? Actor.Address;
        var mine = await projects.ListForUserAsync(userId, ct);
        var current = await projects.CurrentForUserAsync(userId, ct);
        Actor = new Actor(userId, user.Identity?.Name ?? "", address, user.IsInRole(Roles.Support));
        Mine = mine;
        _project = current;
        Loaded = true;
    }

    /// <summary>The current project as stored now (its shadowport state may have changed since loading).</summary>
    public Task<Project> GetAsync(CancellationToken ct = default) => projects.GetAsync(Actor, Id, ct);

    /// <summary>Makes another of the user's projects the current one; the caller reloads the page.</summary>
    public Task SwitchAsync(string projectId, CancellationToken ct = default) => projects.SetCurrentAsync(Actor.UserId, projectId, ct);
}
