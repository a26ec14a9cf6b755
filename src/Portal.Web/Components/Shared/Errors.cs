using Portal.Core.Errors;

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
