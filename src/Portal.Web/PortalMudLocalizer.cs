using Microsoft.Extensions.Localization;
using MudBlazor;

namespace Portal.Web;

/// <summary>
/// Gives MudBlazor's own texts (pager, grid) in the UI's language from our resources ("Mud.&lt;key&gt;");
/// a key we do not translate falls back to MudBlazor's English.
/// </summary>
internal sealed class PortalMudLocalizer(IStringLocalizer<Ui> ui) : MudLocalizer
{
    public override LocalizedString this[string key]
    {
        get
        {
            var text = ui["Mud." + key];
            return text.ResourceNotFound ? new LocalizedString(key, key, resourceNotFound: true) : new LocalizedString(key, text.Value);
        }
    }
}
