using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Portal.Data.Entities;

namespace Portal.Web.Identity;

/// <summary>
/// Identity's cookie check (every <see cref="AccessOptions.RecheckInterval"/>: the user still exists and has the
/// security stamp the cookie was issued with), plus what Identity leaves out: a locked-out user's cookie is rejected
/// too. A cookie that passes is reissued with the user's roles as they are now.
/// </summary>
public sealed class PortalSecurityStampValidator(
    IOptions<SecurityStampValidatorOptions> options, SignInManager<PortalUser> signInManager, ILoggerFactory logger)
    : SecurityStampValidator<PortalUser>(options, signInManager, logger)
{
    protected override async Task<PortalUser?> VerifySecurityStamp(ClaimsPrincipal? principal)
    {
        var user = await base.VerifySecurityStamp(principal);
        return user is not null && !await SignInManager.UserManager.IsLockedOutAsync(user) ? user : null;
    }
}
