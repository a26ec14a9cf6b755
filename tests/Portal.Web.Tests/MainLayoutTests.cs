using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data.Services;
using Portal.Web.Components.Layout;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests;

/// <summary>The header (MainLayout.razor): its project selector follows the user's memberships without a reload.</summary>
public sealed class MainLayoutTests(PortalDatabase db) : PortalTest(db)
{
    [Fact]
    public async Task A_project_the_user_joins_appears_in_the_open_selector()
    {
        UseCulture("ru-RU");
        var projectId = await UseNewProjectAsync();
        var userId = "user-" + projectId[..12];
        var joined = Guid.NewGuid().ToString("N");
        var joinedName = PortalDatabase.Unique("joined");
        await Db.Projects.EnsureAsync(Actor.System, joined, joinedName);
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        var layout = Render<MainLayout>(p => p.Add(x => x.Body, (RenderFragment)(b => b.AddContent(0, "body"))));
        layout.WaitForAssertion(() => Assert.Contains("body", layout.Markup));

        await using (await RunChangeFeedAsync())
        {
            await Db.Projects.AddMemberAsync(Actor.System, joined, userId, owner: false);
            var current = Services.GetRequiredService<CurrentProject>();
            layout.WaitForAssertion(() => Assert.Contains(joined, current.Mine.Select(p => p.Id)));
        }
        // The feed's re-render may replace the button's handler as it is clicked: Press finds it again then.
        ((IRenderedComponent<IComponent>)layout).Press(() => layout.Find("[data-testid=project-selector] button"));
        layout.WaitForAssertion(() => Assert.Single(layout.FindAll($"[data-testid=project-{joinedName}]")));
    }
}
