using System.Text.Json.Nodes;
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
        var identity = app.MapGroup("/identity").AllowAnonymous().DisableAntiforgery();
        identity.MapGet("/", (HttpContext http) => Results.Json(new JsonObject
        {
            ["versions"] = new JsonObject { ["values"] = new JsonArray(Version(http)) },
        }, statusCode: StatusCodes.Status300MultipleChoices));
        identity.MapGet("/v3", (HttpContext http) => Results.Json(new JsonObject { ["version"] = Version(http) }));
        identity.MapPost("/v3/auth/tokens", IssueAsync);
    }

    public static string BaseUrl(HttpContext http) => $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}";

    private static JsonObject Version(HttpContext http) => new()
    {
        ["id"] = "v3.14",
        ["status"] = "stable",
        ["updated"] = "2020-04-07T00:00:00Z",
        ["links"] = new JsonArray(new JsonObject { ["rel"] = "self", ["href"] = BaseUrl(http) + "/identity/v3/" }),
        ["media-types"] = new JsonArray(new JsonObject
        {
            ["base"] = "application/json", ["type"] = "application/vnd.openstack.identity-v3+json",
        }),
    };

    private static IResult Unauthorized() => Results.Json(new JsonObject
    {
        ["error"] = new JsonObject
        {
            ["code"] = 401, ["message"] = "The request you have made requires authentication.", ["title"] = "Unauthorized",
        },
    }, statusCode: StatusCodes.Status401Unauthorized);

    private static IResult BadRequest(string message) => Results.Json(new JsonObject
    {
        ["error"] = new JsonObject { ["code"] = 400, ["message"] = message, ["title"] = "Bad Request" },
    }, statusCode: StatusCodes.Status400BadRequest);

    private static async Task<IResult> IssueAsync(
        HttpContext http, UserManager<PortalUser> users, SignInManager<PortalUser> signIn, ProjectService projects, KeystoneTokens tokens)
    {
        JsonObject auth;
        try
        {
            auth = await ApiBody.ReadObjectAsync(http, "auth");
        }
        catch (ApiException e)
        {
            return e.StatusCode == 400 ? BadRequest(e.Message) : Results.Json(new JsonObject
            {
                ["error"] = new JsonObject { ["code"] = e.StatusCode, ["message"] = e.Message, ["title"] = "Request Entity Too Large" },
            }, statusCode: e.StatusCode);
        }

        var methods = auth["identity"]?["methods"] as JsonArray;
        if (methods is null || !methods.Any(m => m?.GetValueKind() == System.Text.Json.JsonValueKind.String && m.GetValue<string>() == "password"))
        {
            return Unauthorized();
        }
        if (auth["identity"]?["password"]?["user"] is not JsonObject user) return BadRequest("Expecting to find user in password.");
        string? name, id, password, domainId, domainName;
        string? projectId, projectName, projectDomainId, projectDomainName;
        try
        {
            name = ApiBody.String(user, "name");
            id = ApiBody.String(user, "id");
            password = ApiBody.String(user, "password");
            var domain = user["domain"] as JsonObject;
            domainId = domain is null ? null : ApiBody.String(domain, "id");
            domainName = domain is null ? null : ApiBody.String(domain, "name");
            var project = auth["scope"]?["project"] as JsonObject;
            projectId = project is null ? null : ApiBody.String(project, "id");
            projectName = project is null ? null : ApiBody.String(project, "name");
            var projectDomain = project?["domain"] as JsonObject;
            projectDomainId = projectDomain is null ? null : ApiBody.String(projectDomain, "id");
            projectDomainName = projectDomain is null ? null : ApiBody.String(projectDomain, "name");
        }
        catch (ApiException e)
        {
            return BadRequest(e.Message);
        }
        if (!IsDefaultDomain(domainId, domainName) || !IsDefaultDomain(projectDomainId, projectDomainName)) return Unauthorized();
        if (string.IsNullOrEmpty(password)) return Unauthorized();

        var found = id is { Length: > 0 } ? await users.FindByIdAsync(id)
            : name is { Length: > 0 } ? await users.FindByNameAsync(name.Trim())
            : null;
        if (found is null) return Unauthorized();
        // Same checks as the login form: lockout after repeated failures counts API attempts too.
        var check = await signIn.CheckPasswordSignInAsync(found, password, lockoutOnFailure: true);
        if (!check.Succeeded) return Unauthorized();

        var memberOf = await projects.ListForUserAsync(found.Id, http.RequestAborted);
        Project? scoped;
        if (projectId is { Length: > 0 }) scoped = memberOf.FirstOrDefault(p => p.Id == projectId);
        else if (projectName is { Length: > 0 }) scoped = memberOf.FirstOrDefault(p => p.Name == projectName);
        else scoped = await projects.CurrentForUserAsync(found.Id, http.RequestAborted) ?? memberOf.FirstOrDefault();
        if (scoped is null) return Unauthorized();

        var isSupport = await users.IsInRoleAsync(found, Roles.Support);
        var userName = found.UserName ?? found.Email ?? found.Id;
        var auditId = Convert.ToBase64String(Guid.NewGuid().ToByteArray())[..22].Replace('+', '-').Replace('/', '_');
        var (token, expires) = tokens.Issue(new KeystoneToken(found.Id, userName, scoped.Id, scoped.Name, isSupport, auditId));
        var issued = expires - KeystoneTokens.Lifetime;
        var baseUrl = BaseUrl(http);

        var roles = new JsonArray(new JsonObject { ["id"] = "member", ["name"] = "member" });
        if (isSupport) roles.Add(new JsonObject { ["id"] = Roles.Support, ["name"] = Roles.Support });
        var body = new JsonObject
        {
            ["token"] = new JsonObject
            {
                ["methods"] = new JsonArray("password"),
                ["audit_ids"] = new JsonArray(auditId),
                ["issued_at"] = Timestamp(issued),
                ["expires_at"] = Timestamp(expires),
                ["is_domain"] = false,
                ["user"] = new JsonObject
                {
                    ["id"] = found.Id, ["name"] = userName, ["password_expires_at"] = null, ["domain"] = Domain(),
                },
                ["project"] = new JsonObject { ["id"] = scoped.Id, ["name"] = scoped.Name, ["domain"] = Domain() },
                ["roles"] = roles,
                ["catalog"] = new JsonArray(
                    Service("network", "neutron", baseUrl),
                    Service("identity", "keystone", baseUrl + "/identity/v3")),
            },
        };
        http.Response.Headers["X-Subject-Token"] = token;
        return Results.Json(body, statusCode: StatusCodes.Status201Created);
    }

    private static bool IsDefaultDomain(string? id, string? name) =>
        (id is null || string.Equals(id, DomainId, StringComparison.OrdinalIgnoreCase))
        && (name is null || string.Equals(name, DomainName, StringComparison.OrdinalIgnoreCase));

    private static JsonObject Domain() => new() { ["id"] = DomainId, ["name"] = DomainName };

    private static JsonObject Service(string type, string name, string url) => new()
    {
        ["id"] = type,
        ["type"] = type,
        ["name"] = name,
        ["endpoints"] = new JsonArray(new JsonObject
        {
            ["id"] = type + "-public", ["interface"] = "public", ["region"] = "RegionOne", ["region_id"] = "RegionOne", ["url"] = url,
        }),
    };

    public static string Timestamp(DateTimeOffset at) =>
        at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'.'ffffff'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
