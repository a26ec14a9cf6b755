using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;

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

    /// <summary>Where the catalog puts the networking API: its version document, with <c>/v2.0</c> under it.</summary>
    public const string NetworkingPath = "/networking";

    /// <summary>
    /// The networking endpoint of the catalog: <c>GET /networking</c> answers Neutron's version document, and
    /// <c>/networking/v2.0/…</c> is the API at <c>/v2.0/…</c> (the prefix moves into the path base, so its links keep it).
    /// Runs before routing (MapPortalWeb calls it, then UseRouting).
    /// </summary>
    public static WebApplication UsePortalNetworkingPath(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            var request = context.Request;
            if (!request.Path.StartsWithSegments(NetworkingPath, out var rest)) return next(context);
            request.PathBase = request.PathBase.Add(NetworkingPath);
            request.Path = rest;
            if (rest.HasValue && rest != "/") return next(context);
            if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
            {
                context.Response.Headers.Allow = "GET, HEAD";
                return WriteErrorAsync(context, 405, "HTTPMethodNotAllowed", $"The method {request.Method} is not allowed for this resource.");
            }
            var self = KeystoneEndpoints.BaseUrl(context) + "/v2.0/";
            return context.Response.WriteAsJsonAsync(new NetworkVersionsResponse([new NetworkVersion("v2.0", "CURRENT", [new ApiLink("self", self)])]),
                ApiJson.Context.NetworkVersionsResponse);
        });
        return app;
    }

    private static bool IsApi(HttpRequest request) =>
        request.Path.StartsWithSegments("/v2.0") || request.Path.StartsWithSegments("/identity")
        || request.PathBase.Value?.EndsWith(NetworkingPath, StringComparison.Ordinal) == true;

    private static bool IsKeystone(PathString path) => path.StartsWithSegments("/identity");

    /// <summary>
    /// The API's own error answers, ahead of the UI's middleware (MapPortalWeb calls it inside its exception handler,
    /// before sign-in and the status pages): a path no
    /// endpoint has is 404, a method or content type an endpoint does not take is 405 or 415, a body over
    /// <see cref="ApiBody.MaxBytes"/> is 413, and any exception is logged and answered 500 — all as Neutron's (or, under
    /// <c>/identity</c>, Keystone's) JSON, in every environment, so that no stack trace, exception type or SQL text, no
    /// UI page and no sign-in redirect ever reaches an API client.
    /// </summary>
    public static WebApplication UsePortalApiErrors(this WebApplication app)
    {
        app.UseWhen(c => IsApi(c.Request), api => api.Use(GuardAsync));
        return app;
    }

    private static async Task GuardAsync(HttpContext context, RequestDelegate next)
    {
        // Kestrel's own cap as well as ApiBody's, for a body that anything else reads; above ApiBody's, so that it can
        // read an oversized body to its end before it answers 413.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = ApiBody.DrainBytes;
        var request = context.Request;
        // Routing has chosen (WebApplication routes first); an unmatched request would otherwise meet the UI's sign-in.
        switch (context.GetEndpoint())
        {
            case null:
                await WriteErrorAsync(context, 404, "HTTPNotFound", "The resource could not be found.");
                return;
            case { DisplayName: MethodNotAllowed } refusal:
                await refusal.RequestDelegate!(context); // sets the status and the Allow header, writes no body
                await WriteErrorAsync(context, 405, "HTTPMethodNotAllowed", $"The method {request.Method} is not allowed for this resource.");
                return;
            case { DisplayName: UnsupportedMediaType }:
                await WriteErrorAsync(context, 415, "HTTPUnsupportedMediaType",
                    $"The request media type {request.ContentType} is not supported by this server; send application/json.");
                return;
        }
        try
        {
            await next(context);
        }
        catch (BadHttpRequestException e) when (!context.Response.HasStarted)
        {
            // Kestrel's refusals of the request itself (a body over the cap, a body cut short).
            if (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
                await WriteErrorAsync(context, 413, "RequestEntityTooLarge", ApiBody.TooLargeMessage);
            else
                await WriteErrorAsync(context, 400, "HTTPBadRequest", "Malformed request: the request could not be read.");
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away: nobody to answer.
        }
        catch (Exception e) when (!context.Response.HasStarted)
        {
            context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Portal.Web.Api")
                .LogError(e, "{Method} {Path} failed", request.Method, request.Path);
            await WriteErrorAsync(context, 500, "HTTPInternalServerError", "Request Failed: internal server error while processing your request.");
        }
    }

    private const string MethodNotAllowed = "405 HTTP Method Not Supported";
    private const string UnsupportedMediaType = "415 HTTP Unsupported Media Type";

    private static Task WriteErrorAsync(HttpContext context, int status, string type, string message)
    {
        context.Response.StatusCode = status;
        return IsKeystone(context.Request.Path)
            ? context.Response.WriteAsJsonAsync(new KeystoneErrorResponse(new KeystoneError(status, message, KeystoneTitle(status))),
                ApiJson.Context.KeystoneErrorResponse)
            : context.Response.WriteAsJsonAsync(NeutronErrorResults.Body(type, message), ApiJson.Context.NeutronErrorResponse);
    }

    private static string KeystoneTitle(int status) => status switch
    {
        404 => "Not Found",
        405 => "Method Not Allowed",
        413 => "Request Entity Too Large",
        415 => "Unsupported Media Type",
        400 => "Bad Request",
        _ => "Internal Server Error",
    };

    public static WebApplication MapPortalApi(this WebApplication app)
    {
        // The UI re-executes error statuses as its /status pages; API errors keep their JSON bodies.
        app.UseWhen(c => IsApi(c.Request), api => api.Use((context, next) =>
        {
            if (context.Features.Get<IStatusCodePagesFeature>() is { } pages) pages.Enabled = false;
            return next(context);
        }));

        app.MapKeystone();

        var policy = new AuthorizationPolicyBuilder(TokenAuthenticationHandler.SchemeName).RequireAuthenticatedUser().Build();
        var v2 = app.MapGroup("/v2.0").RequireAuthorization(policy).DisableAntiforgery()
            .AddEndpointFilter(NeutronErrorResults.Filter)
            .AddEndpointFilter(NeutronFields.Filter)
            .WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status401Unauthorized, typeof(NeutronErrorResponse), ["application/json"]));
        v2.MapGet("/", (HttpContext http) => TypedResults.Json(new ResourceListResponse(
            [
                Resource(http, "network", "networks"),
                Resource(http, "subnet", "subnets"),
                Resource(http, "port", "ports"),
                Resource(http, "network_ip_availability", "network-ip-availabilities"),
            ]), ApiJson.Context.ResourceListResponse))
            .WithTags("Networking API").WithSummary("List the resources of the networking API").Produces<ResourceListResponse>();
        v2.MapGet("/extensions", () => TypedResults.Json(new ExtensionListResponse(NeutronExtensions.All), ApiJson.Context.ExtensionListResponse))
            .WithTags("Networking API").WithSummary("List the API extensions Portal implements").Produces<ExtensionListResponse>();
        v2.MapGet("/extensions/{alias}", (string alias) => NeutronExtensions.Find(alias) is { } extension
                ? TypedResults.Json(new ExtensionResponse(extension), ApiJson.Context.ExtensionResponse)
                : NeutronErrorResults.Error(404, "HTTPNotFound", $"Extension with alias {alias} does not exist"))
            .WithTags("Networking API").WithSummary("Show an API extension").Produces<ExtensionResponse>().ProducesNeutronErrors(404);
        v2.MapNeutronNetworks();
        v2.MapNeutronSubnets();
        v2.MapNeutronPorts();
        v2.MapNeutronIpAvailabilities();
        v2.MapNeutronRouters();
        v2.MapNeutronTags();
        // Anything else under /v2.0 is Neutron's 404 or 405, not the UI's page: UsePortalApiErrors.
        app.MapPortalApiDocument();
        return app;
    }

    private static NeutronResource Resource(HttpContext http, string name, string collection) =>
        new(name, collection, [new ApiLink("self", KeystoneEndpoints.BaseUrl(http) + "/v2.0/" + collection)]);
}
