using Portal.Core.Errors;
using Portal.Core.Ip;

namespace Portal.Web.Components.Shared;

/// <summary>Errors from the service layer, kept per Neutron field so a form shows each next to its input.</summary>
public sealed class FieldErrors
{
    private readonly Dictionary<string, string> _byField = new();

    /// <summary>The error of no particular field, shown above the form's buttons.</summary>
    public string? General { get; private set; }

    public bool Has(string field) => _byField.ContainsKey(field);

    public string? For(string field) => _byField.GetValueOrDefault(field);

    /// <summary>Files the error under its field when the form has that field, otherwise as the general error.</summary>
    public void Set(NeutronException e, params string[] formFields)
    {
        Clear();
        if (e.Field is { } field && formFields.Contains(field)) _byField[field] = e.LocalizedMessage;
        else General = e.LocalizedMessage;
    }

    public void Clear(string field) => _byField.Remove(field);

    public void Clear()
    {
        _byField.Clear();
        General = null;
    }
}

/// <summary>
/// A service-layer check as a MudBlazor <c>Validation</c> rule: the field shows the check's message (in the user's
/// language) for as long as the value fails it, while typing and after blur, the same words a save would answer.
/// </summary>
public static class FieldRules
{
    /// <summary>An IP address field: empty is left to the form (optional, or required elsewhere), else it must parse.</summary>
    public static readonly Func<string, string?> Address = Of<string>(text =>
    {
        if (!string.IsNullOrWhiteSpace(text)) IpMath.ParseAddress(text);
    });

    public static Func<T, string?> Of<T>(Action<T> check) => value =>
    {
        try
        {
            check(value);
            return null;
        }
        catch (NeutronException e)
        {
            return e.LocalizedMessage;
        }
    };
}
