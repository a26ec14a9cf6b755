using Portal.Data.Entities;
using Portal.Data.Services;

namespace Portal.Web;

/// <summary>
/// The project every page works in — the one place pages ask. Until sign-in exists it is the demo project;
/// sign-in will make it the signed-in user's choice without any page changing.
/// </summary>
public sealed class CurrentProject(ProjectService projects)
{
    public string Id => DemoData.DemoProjectId;

    public Task<Project> GetAsync(CancellationToken ct = default) => projects.GetAsync(Id, ct);
}
