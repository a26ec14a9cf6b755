using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Localization;
using Microsoft.Extensions.Options;
using MudBlazor;
using MudBlazor.Services;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Data.Services;
using Portal.Web.Api;
using Portal.Web.Components;
using Portal.Web.Identity;

namespace Portal.Web;

public static class WebExtensions
{
    public static readonly CultureInfo[] Cultures = [new("ru-RU"), new("en-US")];

    public static IHostApplicationBuilder AddPortalWeb(this IHostApplicationBuilder builder)
    {
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddMudServices(o => o.SnackbarConfiguration.PositionClass = Defaults.Classes.Position.BottomRight);
        builder.Services.AddTransient<MudLocalizer, PortalMudLocalizer>();
        builder.Services.AddLocalization(o => o.ResourcesPath = "Resources");
        builder.Services.AddScoped<CurrentProject>();
        builder.Services.AddHttpContextAccessor();
        PublicUrl.Configured(builder.Configuration);
        builder.Services.AddSingleton<PublicUrl>();
        AddSignIn(builder);
        return builder;
    }

    /// <summary>
    /// Cookie sign-in with ASP.NET Core Identity (the user store is Portal.Data's). Every page needs a signed-in
    /// user (the fallback policy); anonymous requests are sent to /login. A signed-in user who lacks a role gets a
    /// real 403 (rendered by /status/403), not a redirect. A change to a user's rights reaches their cookies and open
    /// tabs within <see cref="AccessOptions.RecheckInterval"/>. The Data Protection keys that sign the cookies (and the
    /// API's tokens) are kept in PostgreSQL, shared by every replica and kept across restarts.
    /// </summary>
    private static void AddSignIn(IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<AccessOptions>().Bind(builder.Configuration.GetSection(AccessOptions.Section))
            .Validate(o => o.RecheckInterval > TimeSpan.Zero && o.RecheckInterval <= AccessOptions.MaxRecheckInterval,
                $"{AccessOptions.Section}:RecheckInterval must be more than zero and at most {AccessOptions.MaxRecheckInterval}.")
            .ValidateOnStart();
        services.AddDataProtection().SetApplicationName("Portal").PersistKeysToDbContext<PortalDbContext>();
        services.AddCascadingAuthenticationState();
        services.AddScoped<AuthenticationStateProvider, RevalidatingAuthenticationState>();
        services.AddAuthentication(IdentityConstants.ApplicationScheme).AddIdentityCookies();
        services.AddIdentityCore<PortalUser>().AddSignInManager();
        services.AddScoped<ISecurityStampValidator, PortalSecurityStampValidator>();
        services.AddOptions<SecurityStampValidatorOptions>()
            .Configure<IOptions<AccessOptions>>((o, access) => o.ValidationInterval = access.Value.RecheckInterval);
        services.ConfigureApplicationCookie(o =>
        {
            o.LoginPath = "/login";
            o.LogoutPath = "/logout";
            o.Cookie.Name = "portal.auth";
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.ExpireTimeSpan = TimeSpan.FromHours(8);
            o.SlidingExpiration = true;
            o.Events.OnRedirectToAccessDenied = context =>
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                return Task.CompletedTask;
            };
        });
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(Roles.Support, p => p.RequireRole(Roles.Support));
    }

    /// <summary>
    /// Applies migrations when Portal:MigrateOnStart is true and seeds the demo data when Portal:SeedDemoData is
    /// true; ./run sets both, production leaves migration to its deployment and seeds nothing.
    /// </summary>
    public static async Task PreparePortalDatabaseAsync(this WebApplication app)
    {
        if (app.Configuration.GetValue<bool>("Portal:MigrateOnStart"))
        {
            await app.Services.MigratePortalDatabaseAsync();
        }
        if (app.Configuration.GetValue<bool>("Portal:SeedDemoData"))
        {
            await app.Services.GetRequiredService<DemoData>().SeedAsync();
        }
    }

    public static WebApplication MapPortalWeb(this WebApplication app)
    {
        var publicUrl = app.Services.GetRequiredService<PublicUrl>();
        app.Use((context, next) =>
        {
            publicUrl.Apply(context.Request);
            return next(context);
        });
        app.UsePortalNetworkingPath();
        // Explicitly after the networking prefix is moved into the path base, so that routing sees the API's own paths.
        app.UseRouting();
        // In every environment: an exception in a page shows the app's own error page (/error), never a stack trace.
        app.UseExceptionHandler("/error", createScopeForErrors: true);
        // Inside it, and before the UI's sign-in and status pages: the API's errors stay the API's JSON.
        app.UsePortalApiErrors();
        // Russian unless the user chose English (?culture=en-US or the culture cookie); the browser's
        // Accept-Language is deliberately ignored, as the seed's users expect the Russian console.
        var localization = new RequestLocalizationOptions
        {
            DefaultRequestCulture = new RequestCulture(Cultures[0]),
            SupportedCultures = Cultures,
            SupportedUICultures = Cultures,
        };
        localization.RequestCultureProviders = localization.RequestCultureProviders
            .Where(p => p is not AcceptLanguageHeaderRequestCultureProvider).ToList();
        app.UseRequestLocalization(localization);
        app.UseStatusCodePagesWithReExecute("/status/{0}", createScopeForStatusCodePages: true);
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();
        app.MapStaticAssets().AllowAnonymous();
        app.MapPost("/logout", async ([FromForm] string? returnUrl, SignInManager<PortalUser> signIn) =>
        {
            await signIn.SignOutAsync();
            return Results.LocalRedirect("/login");
        });
        app.MapGet("/culture", (string? c, string? r, HttpContext http) =>
        {
            if (Cultures.FirstOrDefault(x => x.Name == c) is { } culture)
            {
                http.Response.Cookies.Append(CookieRequestCultureProvider.DefaultCookieName,
                    CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(culture)),
                    new CookieOptions { MaxAge = TimeSpan.FromDays(365), HttpOnly = true, SameSite = SameSiteMode.Lax, IsEssential = true });
            }
            return Results.LocalRedirect(LocalPathOrRoot(r));
        }).AllowAnonymous();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return app;
    }

    /// <summary>The longest return address the culture switch follows; a longer one goes to <c>/</c>.</summary>
    public const int MaxReturnPath = 2048;

    /// <summary>
    /// A return address that stays on this site: a path that starts with one <c>/</c> and no second <c>/</c> or
    /// <c>\</c> (which browsers read as another host), without control characters (the rules of ASP.NET Core's
    /// <c>LocalRedirect</c>, which throws on anything else), of a sane length. Anything else (an absolute URL,
    /// <c>//evil</c>, <c>/\evil</c>) is <c>/</c>.
    /// </summary>
    public static string LocalPathOrRoot(string? returnUrl) =>
        returnUrl is { Length: > 0 and <= MaxReturnPath } r && r[0] == '/' && (r.Length == 1 || r[1] is not ('/' or '\\'))
        && !r.Any(char.IsControl)
            ? r
            : "/";
}
