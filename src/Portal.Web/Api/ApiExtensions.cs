using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Diagnostics;

namespace Portal.Web.Api;

/// <summary>
/// The OpenStack-compatible HTTP API: Keystone v3 tokens under <c>/identity</c> and Neutron under <c>/v2.0</c>.
/// It authenticates with <c>X-Auth-Token</c> (not the UI's cookie), answers JSON errors (never a redirect or the
/// UI's status pages) and takes no antiforgery token.
/// </summary>
public static class ApiExtensions
{
    public static IHostApplicationBuilder AddPortalApi(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<KeystoneTokens>();
        builder.Services.AddAuthentication()
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, TokenAuthenticationHandler>(TokenAuthenticationHandler.SchemeName, null);
        builder.AddPortalApiDocument();
        return builder;
    }

    private static bool IsApi(PathString path) => path.StartsWithSegments("/v2.0") || path.StartsWithSegments("/identity");

    public static WebApplication MapPortalApi(this WebApplication app)
    {
        // The UI re-executes error statuses as its /status pages; API errors keep their JSON bodies.
        app.UseWhen(c => IsApi(c.Request.Path), api => api.Use((context, next) =>
        {
            if (context.Features.Get<IStatusCodePagesFeature>() is { } pages) pages.Enabled = false;
            return next(context);
        }));

        app.MapKeystone();

        var policy = new AuthorizationPolicyBuilder(TokenAuthenticationHandler.SchemeName).RequireAuthenticatedUser().Build();
        var v2 = app.MapGroup("/v2.0").RequireAuthorization(policy).DisableAntiforgery()
            .AddEndpointFilter(NeutronErrorResults.Filter)
            .WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status401Unauthorized, typeof(NeutronErrorResponse), ["application/json"]));
        v2.MapGet("/", (HttpContext http) => TypedResults.Json(new ResourceListResponse(
            [
                Resource(http, "network", "networks"),
                Resource(http, "subnet", "subnets"),
                Resource(http, "port", "ports"),
                Resource(http, "network_ip_availability", "network-ip-availabilities"),
            ]), ApiJson.Context.ResourceListResponse))
            .WithTags("Networking API").WithSummary("List the resources of the networking API").Produces<ResourceListResponse>();
        // No Neutron extensions are offered; clients look some up (port create asks for tag-ports-during-bulk-creation).
        v2.MapGet("/extensions", () => TypedResults.Json(new ExtensionListResponse([]), ApiJson.Context.ExtensionListResponse))
            .WithTags("Networking API").WithSummary("List the API extensions (none)").Produces<ExtensionListResponse>();
        v2.MapGet("/extensions/{alias}", (string alias) =>
                NeutronErrorResults.Error(404, "HTTPNotFound", $"Extension with alias {alias} does not exist"))
            .WithTags("Networking API").WithSummary("Show an API extension (none exists)").ProducesNeutronErrors(404);
        v2.MapNeutronNetworks();
        v2.MapNeutronSubnets();
        v2.MapNeutronPorts();
        v2.MapNeutronIpAvailabilities();
        // Anything else under /v2.0 is Neutron's 404, not the UI's page.
        v2.MapFallback(() => NeutronErrorResults.Error(404, "HTTPNotFound", "The resource could not be found.")).ExcludeFromDescription();
        app.MapPortalApiDocument();
        return app;
    }

    private static NeutronResource Resource(HttpContext http, string name, string collection) =>
        new(name, collection, [new ApiLink("self", KeystoneEndpoints.BaseUrl(http) + "/v2.0/" + collection)]);
}
