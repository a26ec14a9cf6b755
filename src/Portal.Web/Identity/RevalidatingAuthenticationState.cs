using System.Data.Common;
using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Portal.Data.Entities;

namespace Portal.Web.Identity;

/// <summary>
/// A circuit's sign-in, checked again every <see cref="AccessOptions.RecheckInterval"/> (ASP.NET Core's
/// revalidating provider, as in the Blazor Identity template): a user who was deleted, locked out or given a new
/// security stamp (a password change) is signed out of the open tab, which then goes to /login; a user whose roles
/// changed goes on with the roles they have now, so a support engineer whose role was removed loses the support pages.
/// </summary>
public sealed class RevalidatingAuthenticationState(
    ILoggerFactory loggerFactory, IServiceScopeFactory scopes, IOptions<IdentityOptions> identity, IOptions<AccessOptions> access)
    : RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    private readonly ILogger _logger = loggerFactory.CreateLogger<RevalidatingAuthenticationState>();

    protected override TimeSpan RevalidationInterval => access.Value.RecheckInterval;

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState state, CancellationToken ct)
    {
        try
        {
            return await ValidateAsync(state.User);
        }
        catch (DbException e)
        {
            // The database is away for a moment: the tab keeps its sign-in until the next check can be made.
            _logger.LogWarning(e, "Could not check the sign-in of a circuit; checking again in {Interval}.", RevalidationInterval);
            return true;
        }
    }

    private async Task<bool> ValidateAsync(ClaimsPrincipal principal)
    {
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var claims = identity.Value.ClaimsIdentity;
        var user = await users.GetUserAsync(principal);
        if (user is null) return false;
        if (users.SupportsUserSecurityStamp && principal.FindFirstValue(claims.SecurityStampClaimType) != await users.GetSecurityStampAsync(user))
            return false;
        if (await users.IsLockedOutAsync(user)) return false;

        var roles = await users.GetRolesAsync(user);
        if (!roles.ToHashSet(StringComparer.Ordinal).SetEquals(principal.FindAll(claims.RoleClaimType).Select(c => c.Value)))
        {
            var now = await scope.ServiceProvider.GetRequiredService<IUserClaimsPrincipalFactory<PortalUser>>().CreateAsync(user);
            SetAuthenticationState(Task.FromResult(new AuthenticationState(now)));
        }
        return true;
    }
}
