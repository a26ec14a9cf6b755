using Microsoft.AspNetCore.Identity;
using Portal.Data.Entities;
using Portal.Data.Services;
using Portal.Web.Identity;

namespace Portal.Web.Api;

/// <summary>
/// The part of Keystone v3 that OpenStack clients need to reach the network API: version discovery and
/// password authentication scoped to a project, token validation and revocation. Users are Portal's own (user name =
/// email, domain "Default").
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
        identity.MapMethods("/v3/auth/tokens", [HttpMethods.Get, HttpMethods.Head], ValidateAsync)
            .WithSummary("Validate a token (GET: its body, HEAD: the status only)")
            .WithDescription("X-Auth-Token: a valid token of the same user (may be the same token); X-Subject-Token: the token to validate. " +
                             "?nocatalog leaves the catalog out.")
            .Produces<TokenResponse>()
            .Produces<KeystoneErrorResponse>(StatusCodes.Status401Unauthorized)
            .Produces<KeystoneErrorResponse>(StatusCodes.Status403Forbidden)
            .Produces<KeystoneErrorResponse>(StatusCodes.Status404NotFound);
        identity.MapDelete("/v3/auth/tokens", RevokeAsync)
            .WithSummary("Revoke a token")
            .WithDescription("X-Auth-Token: a valid token of the same user (may be the same token); X-Subject-Token: the token to revoke. " +
                             "Every replica refuses it within Portal:Auth:RecheckInterval.")
            .Produces(StatusCodes.Status204NoContent)
            .Produces<KeystoneErrorResponse>(StatusCodes.Status401Unauthorized)
            .Produces<KeystoneErrorResponse>(StatusCodes.Status403Forbidden)
            .Produces<KeystoneErrorResponse>(StatusCodes.Status404NotFound);
        identity.MapGet("/v3/auth/catalog", CatalogAsync)
            .WithSummary("Show the service catalog of the token in X-Auth-Token")
            .Produces<CatalogResponse>()
            .Produces<KeystoneErrorResponse>(StatusCodes.Status401Unauthorized);
        identity.MapGet("/v3/auth/projects", ProjectsAsync)
            .WithSummary("List the projects the token's user can scope a token to")
            .Produces<ProjectsResponse>()
            .Produces<KeystoneErrorResponse>(StatusCodes.Status401Unauthorized);
    }

    public const string SubjectTokenHeader = "X-Subject-Token";

    private static async Task<IResult> CatalogAsync(HttpContext http, KeystoneTokens tokens)
    {
        if (await CallerAsync(http, tokens) is null) return Unauthorized();
        return TypedResults.Json(new CatalogResponse(Catalog(BaseUrl(http)), new KeystoneLinks(BaseUrl(http) + "/identity/v3/auth/catalog")),
            ApiJson.Context.CatalogResponse);
    }

    private static async Task<IResult> ProjectsAsync(HttpContext http, KeystoneTokens tokens, ProjectService projects)
    {
        if (await CallerAsync(http, tokens) is not { } caller) return Unauthorized();
        var baseUrl = BaseUrl(http);
        var memberOf = await projects.ListForUserAsync(caller.UserId, http.RequestAborted);
        var entries = memberOf.OrderBy(p => p.Name, StringComparer.Ordinal)
            .Select(p => new KeystoneProjectEntry(p.Id, p.Name, "", DomainId, DomainId, Enabled: true, IsDomain: false, [],
                new KeystoneLinks(baseUrl + "/identity/v3/projects/" + p.Id)))
            .ToList();
        return TypedResults.Json(new ProjectsResponse(entries, new KeystoneLinks(baseUrl + "/identity/v3/auth/projects")),
            ApiJson.Context.ProjectsResponse);
    }

    /// <summary>The token in <c>X-Auth-Token</c> when it is valid; otherwise null, with the 401's challenge header set.</summary>
    private static async Task<KeystoneToken?> CallerAsync(HttpContext http, KeystoneTokens tokens)
    {
        var caller = tokens.Read(http.Request.Headers[TokenAuthenticationHandler.Header].ToString());
        if (caller is not null && (await tokens.CheckAsync(caller, http.RequestAborted)).Valid) return caller;
        http.Response.Headers.WWWAuthenticate = Challenge(http.RequestServices.GetRequiredService<PublicUrl>(), http.Request);
        return null;
    }

    /// <summary>The public URL (never the request's Host header) and the path base the portal is served under.</summary>
    public static string BaseUrl(HttpContext http) => http.RequestServices.GetRequiredService<PublicUrl>().Origin + http.Request.PathBase;

    /// <summary>The <c>WWW-Authenticate</c> of a 401, naming where a token is issued, as Keystone's middleware does.</summary>
    public static string Challenge(PublicUrl publicUrl, HttpRequest request) => $"Keystone uri=\"{publicUrl.Origin}{request.PathBase}/identity\"";

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
        if (found is null || await users.IsLockedOutAsync(found))
        {
            DummyPassword.Verify(users.PasswordHasher, user.Password);
            return Unauthorized();
        }
        // Same checks as the login form: lockout after repeated failures counts API attempts too.
        var check = await signIn.CheckPasswordSignInAsync(found, user.Password, lockoutOnFailure: true);
        if (!check.Succeeded) return Unauthorized();

        var memberOf = await projects.ListForUserAsync(found.Id, http.RequestAborted);
        Project? scoped;
        if (project?.Id is { Length: > 0 }) scoped = memberOf.FirstOrDefault(p => p.Id == project.Id);
        else if (project?.Name is { Length: > 0 }) scoped = memberOf.FirstOrDefault(p => p.Name == project.Name);
        else scoped = await projects.CurrentForUserAsync(found.Id, http.RequestAborted) ?? memberOf.FirstOrDefault();
        if (scoped is null) return Unauthorized();

        var token = tokens.NewToken(found, scoped);
        var isSupport = await users.IsInRoleAsync(found, Roles.Support);
        http.Response.Headers[SubjectTokenHeader] = tokens.Issue(token);
        return TypedResults.Json(new TokenResponse(Body(http, token, isSupport, catalog: true)), ApiJson.Context.TokenResponse,
            statusCode: StatusCodes.Status201Created);
    }

    /// <summary>
    /// GET (Keystone's token body) and HEAD (status only) <c>/v3/auth/tokens</c>: whether the token in
    /// <c>X-Subject-Token</c> is valid, asked with a valid token of the same user in <c>X-Auth-Token</c>
    /// (Keystone's token_subject rule; the portal has no admin or service users).
    /// </summary>
    private static async Task<IResult> ValidateAsync(HttpContext http, KeystoneTokens tokens)
    {
        var head = HttpMethods.IsHead(http.Request.Method);
        var (subject, rights, refused) = await SubjectAsync(http, tokens, head ? "identity:check_token" : "identity:validate_token");
        if (refused is not null) return refused;
        http.Response.Headers[SubjectTokenHeader] = http.Request.Headers[SubjectTokenHeader].ToString();
        if (head) return TypedResults.Ok();
        return TypedResults.Json(new TokenResponse(Body(http, subject!, rights!.IsSupport, catalog: !http.Request.Query.ContainsKey("nocatalog"))),
            ApiJson.Context.TokenResponse);
    }

    /// <summary>DELETE <c>/v3/auth/tokens</c>: revokes the token in <c>X-Subject-Token</c> (the caller's own, or another of the same user's).</summary>
    private static async Task<IResult> RevokeAsync(HttpContext http, KeystoneTokens tokens)
    {
        var (subject, _, refused) = await SubjectAsync(http, tokens, "identity:revoke_token");
        if (refused is not null) return refused;
        await tokens.RevokeAsync(subject!, http.RequestAborted);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// The caller (401 unless <c>X-Auth-Token</c> is valid) and the subject token, in Keystone's order: an invalid subject
    /// is 404 "Could not find token", a valid one of another user 403.
    /// </summary>
    private static async Task<(KeystoneToken? Subject, TokenRights? Rights, IResult? Refused)> SubjectAsync(
        HttpContext http, KeystoneTokens tokens, string action)
    {
        var ct = http.RequestAborted;
        if (await CallerAsync(http, tokens) is not { } caller) return (null, null, Unauthorized());
        var value = http.Request.Headers[SubjectTokenHeader].ToString();
        if (value.Length == 0) return (null, null, NotFound("No token in the request"));
        var subject = tokens.Read(value);
        var rights = subject is null ? TokenRights.None : await tokens.CheckAsync(subject, ct);
        if (subject is null || !rights.Valid) return (null, null, NotFound($"Could not find token: {value}."));
        if (subject.UserId != caller.UserId)
            return (null, null, Error(StatusCodes.Status403Forbidden, $"You are not authorized to perform the requested action: {action}.", "Forbidden"));
        return (subject, rights, null);
    }

    private static IResult NotFound(string message) => Error(StatusCodes.Status404NotFound, message, "Not Found");

    private static IssuedToken Body(HttpContext http, KeystoneToken token, bool isSupport, bool catalog)
    {
        var baseUrl = BaseUrl(http);
        List<KeystoneRole> roles = [new("member", "member")];
        if (isSupport) roles.Add(new KeystoneRole(Roles.Support, Roles.Support));
        return new IssuedToken(
            Methods: ["password"],
            AuditIds: [token.AuditId],
            IssuedAt: Timestamp(token.IssuedAt),
            ExpiresAt: Timestamp(token.ExpiresAt),
            IsDomain: false,
            User: new KeystoneUser(token.UserId, token.UserName, PasswordExpiresAt: null, Domain()),
            Project: new KeystoneProject(token.ProjectId, token.ProjectName, Domain()),
            Roles: roles,
            Catalog: catalog ? Catalog(baseUrl) : null);
    }

    private static IReadOnlyList<KeystoneService> Catalog(string baseUrl) =>
        [Service("network", "neutron", baseUrl + ApiExtensions.NetworkingPath), Service("identity", "keystone", baseUrl + "/identity/v3")];

    private static bool IsDefaultDomain(KeystoneDomainInput? domain) =>
        (domain?.Id is null || string.Equals(domain.Id, DomainId, StringComparison.OrdinalIgnoreCase))
        && (domain?.Name is null || string.Equals(domain.Name, DomainName, StringComparison.OrdinalIgnoreCase));

    private static KeystoneDomain Domain() => new(DomainId, DomainName);

    private static KeystoneService Service(string type, string name, string url) =>
        new(type, type, name, [new KeystoneEndpoint(type + "-public", "public", "RegionOne", "RegionOne", url)]);

    public static string Timestamp(DateTimeOffset at) =>
        at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'.'ffffff'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
