using System.Globalization;
using System.Security.Claims;
using Bunit.TestDoubles;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;
using Portal.Data.Entities;
using Portal.Data.Services;

namespace Portal.Web.Tests.Infrastructure;

/// <summary>
/// A bUnit context wired as the app wires itself (WebExtensions.AddPortalWeb): MudBlazor with the app's
/// <see cref="PortalMudLocalizer"/>, the UI resources, <see cref="CurrentProject"/>, and the real service classes on
/// the test database. JS interop is loose: MudBlazor's JS calls (focus, resize observers) answer with defaults.
/// </summary>
[Collection(PortalDatabaseCollection.Name)]
public abstract class PortalTest : BunitContext, IAsyncLifetime
{
    private readonly CultureInfo _culture = CultureInfo.CurrentCulture;
    private readonly CultureInfo _uiCulture = CultureInfo.CurrentUICulture;
    private bool _disposedAsync;

    protected PortalTest(PortalDatabase db)
    {
        Db = db;
        JSInterop.Mode = JSRuntimeMode.Loose;
        // Only a ceiling for WaitFor*, not a timing assertion: bUnit re-renders the whole host (a 20-row grid, popovers) as
        // markup on every render, which on a busy 2-core machine can take seconds for a page to settle.
        DefaultWaitTimeout = TimeSpan.FromSeconds(30);
        Services.AddMudServices();
        Services.AddTransient<MudLocalizer, PortalMudLocalizer>();
        Services.AddLocalization(o => o.ResourcesPath = "Resources");
        Services.AddSingleton(Missing);
        Services.AddTransient(typeof(Microsoft.Extensions.Localization.IStringLocalizer<>), typeof(StrictLocalizer<>));
        // The real services (as AddPortalData registers them), shared with the tests that arrange data through them.
        Services.AddSingleton(db.Projects);
        Services.AddSingleton(db.Networks);
        Services.AddSingleton(db.Subnets);
        Services.AddSingleton(db.Ports);
        Services.AddSingleton(db.Feed);
        Services.AddSingleton(db.Services.GetRequiredService<SupportService>());
        Services.AddSingleton(db.Services.GetRequiredService<AuditService>());
        Services.AddSingleton(db.Clusters);
        Services.AddSingleton(db.Services.GetRequiredService<Portal.Backend.Agents.AgentServer>());
        Services.AddSingleton(TimeProvider.System);
        Services.AddSingleton<Microsoft.Extensions.Configuration.IConfiguration>(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build());
        Services.AddScoped<CurrentProject>();
        Services.AddSingleton<Microsoft.AspNetCore.Http.IHttpContextAccessor, Microsoft.AspNetCore.Http.HttpContextAccessor>();
        // Signed in as the demo customer (DemoData), whose current project is the demo project.
        Authorization = AddAuthorization();
        Authorization.SetAuthorized(DemoData.CustomerEmail);
        Authorization.SetClaims(new Claim(ClaimTypes.NameIdentifier, DemoData.CustomerId));
    }

    protected BunitAuthorizationContext Authorization { get; }

    /// <summary>Signs the test in as the demo support engineer instead (before the first render).</summary>
    protected Task SignInAsSupportAsync()
    {
        Authorization.SetAuthorized(DemoData.SupportEmail);
        Authorization.SetRoles(Roles.Support);
        Authorization.SetClaims(new Claim(ClaimTypes.NameIdentifier, DemoData.SupportId));
        return Services.GetRequiredService<CurrentProject>().ReloadAsync();
    }

    protected PortalDatabase Db { get; }

    /// <summary>
    /// Signs in a new customer whose only project is new too (with shadowport when asked), so what the wizard
    /// finds — networks, subnets, clusters — is only what the test made.
    /// </summary>
    protected async Task<string> UseNewProjectAsync(bool shadowport = false)
    {
        var projectId = Guid.NewGuid().ToString("N");
        await Db.Projects.EnsureAsync(Actor.System, projectId, PortalDatabase.Unique("k8s"));
        var userId = "user-" + projectId[..12];
        var email = userId + "@test.local";
        using (var scope = Db.Services.CreateScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
            var created = await users.CreateAsync(new PortalUser { Id = userId, UserName = email, Email = email, EmailConfirmed = true, DisplayName = userId });
            Assert.True(created.Succeeded, string.Join("; ", created.Errors.Select(e => e.Description)));
        }
        await Db.Projects.AddMemberAsync(Actor.System, projectId, userId, owner: true);
        if (shadowport)
        {
            await Db.Services.GetRequiredService<SupportService>().SetShadowportAsync(
                new Actor(DemoData.SupportId, DemoData.SupportEmail, null, true), projectId, true, "TEST-1");
        }
        Authorization.SetAuthorized(email);
        Authorization.SetClaims(new Claim(ClaimTypes.NameIdentifier, userId));
        await Services.GetRequiredService<CurrentProject>().ReloadAsync();
        return projectId;
    }

    protected static string ProjectId => PortalDatabase.ProjectId;

    /// <summary>Switches the test to a language (both cultures, as the app's request localisation does).</summary>
    protected static void UseCulture(string name)
    {
        CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo(name);
        CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(name);
    }

    /// <summary>Renders a page or component under the popover, dialog and snackbar providers, as MainLayout does.</summary>
    protected IRenderedComponent<Providers> RenderWithProviders<TComponent>(Action<ComponentParameterCollectionBuilder<TComponent>>? parameters = null)
        where TComponent : IComponent =>
        Render<Providers>(p => p.AddChildContent<TComponent>(parameters ?? (_ => { })));

    /// <summary>Opens a dialog through <see cref="IDialogService"/>, as the pages do; its markup is in the returned host.</summary>
    protected async Task<(IRenderedComponent<Providers> Host, IDialogReference Dialog)> OpenDialogAsync<TDialog>(
        DialogParameters<TDialog>? parameters = null) where TDialog : IComponent
    {
        var host = Render<Providers>();
        var dialogs = Services.GetRequiredService<IDialogService>();
        var reference = await host.InvokeAsync(() => dialogs.ShowAsync<TDialog>("dialog", parameters ?? [],
            new DialogOptions { MaxWidth = MaxWidth.Medium, FullWidth = true }));
        return (host, reference);
    }

    /// <summary>
    /// Runs the change feed (the publisher's NOTIFYs and the listener), as the app's host does, until the result is
    /// disposed: for the tests of pages that follow changes without a reload.
    /// </summary>
    protected async Task<IAsyncDisposable> RunChangeFeedAsync()
    {
        var services = Db.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().ToList();
        foreach (var service in services) await service.StartAsync(CancellationToken.None);
        return new Stopper(services);
    }

    private sealed class Stopper(List<Microsoft.Extensions.Hosting.IHostedService> services) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            foreach (var service in services) await service.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>Loads the signed-in user and their project, as MainLayout does before it renders a page.</summary>
    public virtual Task InitializeAsync() => Services.GetRequiredService<CurrentProject>().LoadAsync();

    // MudBlazor registers services that can only be disposed asynchronously, while xUnit 2 disposes a test class with
    // Dispose() after IAsyncLifetime.DisposeAsync(): the context is disposed asynchronously here, and Dispose() then
    // has nothing left to do.
    async Task IAsyncLifetime.DisposeAsync()
    {
        CultureInfo.CurrentCulture = _culture;
        CultureInfo.CurrentUICulture = _uiCulture;
        _disposedAsync = true;
        await base.DisposeAsync();
        Assert.True(Missing.Names.Count == 0,
            $"The page asked for UI texts that Ui.resx does not have (shown as their bare names): {string.Join(", ", Missing.Names)}");
    }

    /// <summary>The UI texts the test's components asked for and did not find (<see cref="StrictLocalizer{T}"/>).</summary>
    protected MissingResources Missing { get; } = new();

    protected override void Dispose(bool disposing)
    {
        if (!_disposedAsync) base.Dispose(disposing);
    }
}

/// <summary>The providers MainLayout puts around every page, then the content under test.</summary>
public sealed class Providers : ComponentBase
{
    [Parameter] public RenderFragment? ChildContent { get; set; }

    protected override void BuildRenderTree(RenderTreeBuilder builder)
    {
        builder.OpenComponent<MudPopoverProvider>(0);
        builder.CloseComponent();
        builder.OpenComponent<MudDialogProvider>(1);
        builder.CloseComponent();
        builder.OpenComponent<MudSnackbarProvider>(2);
        builder.CloseComponent();
        builder.AddContent(3, ChildContent);
    }
}
