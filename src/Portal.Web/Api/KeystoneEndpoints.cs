using Microsoft.AspNetCore.Identity;
using Portal.Data.Entities;
using Portal.Data.Services;

namespace Portal.Web.Api;

/// <summary>
/// The part of Keystone v3 that OpenStack clients need to reach the network API: version discovery and
/// password authentication scoped to a project. Users are Portal's own (user name = email, domain "Default").
/// </summary>
public static class KeystoneEndpoints
{
    private const string DomainId = "default";
    private const string DomainName = "Default";

    public static void MapKeystone(this IEndpointRouteBuilder app)
    {
        var identity = app.MapGroup("/identity").AllowAnonymous().DisableAntiforgery().WithTags("Identity");
        identity.MapGet("/", (HttpContext http) =>
                TypedResults.Json(new VersionsResponse(new KeystoneVersions([Version(http)])), ApiJson.Context.VersionsResponse,
                    statusCode: StatusCodes.Status300MultipleChoices))
            .WithSummary("List the identity API's versions").Produces<VersionsResponse>(StatusCodes.Status300MultipleChoices);
        identity.MapGet("/v3", (HttpContext http) => TypedResults.Json(new VersionResponse(Version(http)), ApiJson.Context.VersionResponse))
            .WithSummary("Show the identity API v3").Produces<VersionResponse>();
        identity.MapPost("/v3/auth/tokens", IssueAsync)
            .WithSummary("Issue a token (password authentication, scoped to a project)")
            .WithDescription("The token is the response's X-Subject-Token header; requests to /v2.0 send it as X-Auth-Token.")
            .Accepts<TokenRequest>("application/json")
            .Produces<TokenResponse>(StatusCodes.Status201Created)
            .Produces<KeystoneErrorResponse>(StatusCodes.Status400BadRequest)
            .Produces<KeystoneErrorResponse>(StatusCodes.Status401Unauthorized)
            .Produces<KeystoneErrorResponse>(StatusCodes.Status413PayloadTooLarge);
    }

    public static string BaseUrl(HttpContext http) => $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}";

    private static KeystoneVersion Version(HttpContext http) => new(
        Id: "v3.14",
        Status: "stable",
        Updated: "2020-04-07T00:00:00Z",
        Links: [new ApiLink("self", BaseUrl(http) + "/identity/v3/")],
        MediaTypes: [new KeystoneMediaType("application/json", "application/vnd.openstack.identity-v3+json")]);

    private static IResult Error(int code, string message, string title) =>
        TypedResults.Json(new KeystoneErrorResponse(new KeystoneError(code, message, title)), ApiJson.Context.KeystoneErrorResponse, statusCode: code);

    private static IResult Unauthorized() => Error(StatusCodes.Status401Unauthorized, "The request you have made requires authentication.", "Unauthorized");

    private static IResult BadRequest(string message) => Error(StatusCodes.Status400BadRequest, message, "Bad Request");

    private static async Task<IResult> IssueAsync(
        HttpContext http, UserManager<PortalUser> users, SignInManager<PortalUser> signIn, ProjectService projects, KeystoneTokens tokens)
    {
        TokenAuth auth;
        try
        {
            auth = await ApiBody.ReadAsync(http, ApiJson.Context.TokenRequest, r => r.Auth);
        }
        catch (ApiException e)
        {
            return e.StatusCode == 400 ? BadRequest(e.Message) : Error(e.StatusCode, e.Message, "Request Entity Too Large");
        }

        if (auth.Identity?.Methods?.Contains("password") != true) return Unauthorized();
        if (auth.Identity.Password?.User is not { } user) return BadRequest("Expecting to find user in password.");
        var project = auth.Scope?.Project;
        if (!IsDefaultDomain(user.Domain) || !IsDefaultDomain(project?.Domain)) return Unauthorized();
        if (string.IsNullOrEmpty(user.Password)) return Unauthorized();

        var found = user.Id is { Length: > 0 } ? await users.FindByIdAsync(user.Id)
            : user.Name is { Length: > 0 } ? await users.FindByNameAsync(user.Name.Trim())
            : null;
        if (found is null) return Unauthorized();
        // Same checks as the login form: lockout after repeated failures counts API attempts too.
        var check = await signIn.CheckPasswordSignInAsync(found, user.Password, lockoutOnFailure: true);
        if (!check.Succeeded) return Unauthorized();

        var memberOf = await projects.ListForUserAsync(found.Id, http.RequestAborted);
        Project? scoped;
        if (project?.Id is { Length: > 0 }) scoped = memberOf.FirstOrDefault(p => p.Id == project.Id);
        else if (project?.Name is { Length: > 0 }) scoped = memberOf.FirstOrDefault(p => p.Name == project.Name);
        else scoped = await projects.CurrentForUserAsync(found.Id, http.RequestAborted) ?? memberOf.FirstOrDefault();
        if (scoped is null) return Unauthorized();

        var isSupport = await users.IsInRoleAsync(found, Roles.Support);
        var userName = found.UserName ?? found.Email ?? found.Id;
        var auditId = Convert.ToBase64String(Guid.NewGuid().ToByteArray())[..22].Replace('+', '-').Replace('/', '_');
        var (token, expires) = tokens.Issue(new KeystoneToken(found.Id, userName, scoped.Id, scoped.Name, isSupport, auditId));
        var issued = expires - KeystoneTokens.Lifetime;
        var baseUrl = BaseUrl(http);

        List<KeystoneRole> roles = [new("member", "member")];
        if (isSupport) roles.Add(new KeystoneRole(Roles.Support, Roles.Support));
        var body = new IssuedToken(
            Methods: ["password"],
            AuditIds: [auditId],
            IssuedAt: Timestamp(issued),
            ExpiresAt: Timestamp(expires),
            IsDomain: false,
            User: new KeystoneUser(found.Id, userName, PasswordExpiresAt: null, Domain()),
            Project: new KeystoneProject(scoped.Id, scoped.Name, Domain()),
            Roles: roles,
            Catalog: [Service("network", "neutron", baseUrl), Service("identity", "keystone", baseUrl + "/identity/v3")]);
        http.Response.Headers["X-Subject-Token"] = token;
        return TypedResults.Json(new TokenResponse(body), ApiJson.Context.TokenResponse, statusCode: StatusCodes.Status201Created);
    }

    private static bool IsDefaultDomain(KeystoneDomainInput? domain) =>
        (domain?.Id is null || string.Equals(domain.Id, DomainId, StringComparison.OrdinalIgnoreCase))
        && (domain?.Name is null || string.Equals(domain.Name, DomainName, StringComparison.OrdinalIgnoreCase));

    private static KeystoneDomain Domain() => new(DomainId, DomainName);

    private static KeystoneService Service(string type, string name, string url) =>
        new(type, type, name, [new KeystoneEndpoint(type + "-public", "public", "RegionOne", "RegionOne", url)]);

    public static string Timestamp(DateTimeOffset at) =>
        at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'.'ffffff'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
