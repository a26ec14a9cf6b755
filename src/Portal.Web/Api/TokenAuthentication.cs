using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Portal.Data.Entities;
using Portal.Data.Services;

namespace Portal.Web.Api;

/// <summary>
/// The API's authentication scheme: a Keystone token in <c>X-Auth-Token</c>. A missing or invalid token is
/// answered with 401 and Neutron's error body, never a redirect to the login page.
/// </summary>
public sealed class TokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    KeystoneTokens tokens, PublicUrl publicUrl)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "KeystoneToken";
    public const string Header = "X-Auth-Token";
    public const string ProjectIdClaim = "portal:project_id";
    public const string ProjectNameClaim = "portal:project_name";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var value = Request.Headers[Header].ToString();
        if (value.Length == 0) return AuthenticateResult.NoResult();
        var token = tokens.Read(value);
        if (token is null) return AuthenticateResult.Fail("Invalid or expired token.");
        // Stateless tokens, but their user's rights are checked again (lockout, security stamp, membership, revocation).
        var rights = await tokens.CheckAsync(token, Context.RequestAborted);
        if (!rights.Valid) return AuthenticateResult.Fail("The token was revoked, or its user lost the right to use it.");

        List<Claim> claims =
        [
            new(ClaimTypes.NameIdentifier, token.UserId),
            new(ClaimTypes.Name, token.UserName),
            new(ProjectIdClaim, token.ProjectId),
            new(ProjectNameClaim, token.ProjectName),
        ];
        if (rights.IsSupport) claims.Add(new Claim(ClaimTypes.Role, Roles.Support));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = KeystoneEndpoints.Challenge(publicUrl, Request);
        await Response.WriteAsJsonAsync(NeutronErrorResults.Body("HTTPUnauthorized", "The request you have made requires authentication."),
            ApiJson.Context.NeutronErrorResponse);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        await Response.WriteAsJsonAsync(NeutronErrorResults.Body("HTTPForbidden", "Access was denied to this resource."),
            ApiJson.Context.NeutronErrorResponse);
    }
}

/// <summary>The caller of an API request, read from the token's claims.</summary>
public static class ApiCaller
{
    public static string ProjectId(this ClaimsPrincipal user) =>
        user.FindFirstValue(TokenAuthenticationHandler.ProjectIdClaim) ?? throw new InvalidOperationException("No project in the token.");

    public static Actor Actor(this HttpContext http) => new(
        http.User.FindFirstValue(ClaimTypes.NameIdentifier) ?? "",
        http.User.FindFirstValue(ClaimTypes.Name) ?? "",
        http.Connection.RemoteIpAddress?.ToString(),
        http.User.IsInRole(Roles.Support));
}
