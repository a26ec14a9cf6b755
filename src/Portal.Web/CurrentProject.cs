using Portal.Data.Services;

namespace Portal.Web;

/// <summary>
/// The project every page works in. Until sign-in exists it is the demo project; sign-in will make it the
/// signed-in user's choice without any page changing.
/// </summary>
public sealed class CurrentProject
{
    public string Id => DemoData.DemoProjectId;
}
