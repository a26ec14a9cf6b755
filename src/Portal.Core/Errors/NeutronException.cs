using System.Globalization;
using System.Resources;

namespace Portal.Core.Errors;

/// <summary>
/// An error a user can act on, named after Neutron's error types so API clients see familiar names.
/// The text is looked up per culture at the moment it is shown, so one error reads in Russian in the
/// panel and in English in an API client.
/// </summary>
public class NeutronException : Exception
{
    private static readonly ResourceManager Resources =
        new("Portal.Core.Resources.Messages", typeof(NeutronException).Assembly);

    public NeutronException(string type, int statusCode, string messageKey, string? field, params object?[] args)
        : this(type, statusCode, messageKey, null, field, args)
    {
    }

    private NeutronException(string type, int statusCode, string messageKey, long? count, string? field, object?[] args)
        : base(Format(FormKey(messageKey, count, CultureInfo.InvariantCulture), CultureInfo.InvariantCulture, args))
    {
        Type = type;
        StatusCode = statusCode;
        MessageKey = messageKey;
        Count = count;
        Field = field;
        Args = args;
    }

    /// <summary>
    /// An error whose wording follows a count («порт … удалите его», «порты … удалите их»): its text is the
    /// <c>.One</c>, <c>.Few</c> or <c>.Many</c> form of <paramref name="messageKey"/>, picked in the reader's culture.
    /// </summary>
    public static NeutronException Counted(string type, int statusCode, string messageKey, long count, string? field, params object?[] args) =>
        new(type, statusCode, messageKey, count, field, args);

    /// <summary>Neutron's error type, e.g. <c>InvalidInput</c> or <c>IpAddressAlreadyAllocated</c>.</summary>
    public string Type { get; }

    /// <summary>The HTTP status Neutron answers with for this type.</summary>
    public int StatusCode { get; }

    public string MessageKey { get; }

    /// <summary>The input field the error concerns (Neutron's attribute name), so a form can show it in place.</summary>
    public string? Field { get; }

    public IReadOnlyList<object?> Args { get; }

    /// <summary>What the wording counts (see <see cref="Counted"/>), or null for a message of one form.</summary>
    public long? Count { get; }

    public string Localize(CultureInfo culture) => Format(FormKey(MessageKey, Count, culture), culture, Args.ToArray());

    public string LocalizedMessage => Localize(CultureInfo.CurrentUICulture);

    public static string Text(string key, CultureInfo culture) =>
        Resources.GetString(key, culture) ?? throw new InvalidOperationException($"Missing message resource '{key}'.");

    private static string FormKey(string key, long? count, CultureInfo culture) =>
        count is { } n ? $"{key}.{Plural.Form(n, culture)}" : key;

    private static string Format(string key, CultureInfo culture, object?[] args)
    {
        var template = Text(key, culture);
        var localizedArgs = args.Select(a => a is ILocalizable t ? t.Localize(culture) : a).ToArray();
        return string.Format(culture, template, localizedArgs);
    }
}

/// <summary>A message argument that renders itself per culture, localised together with its message.</summary>
public interface ILocalizable
{
    string Localize(CultureInfo culture);
}

/// <summary>A message argument that is itself a resource (e.g. the name of a resource kind).</summary>
public sealed record LocalizedText(string Key) : ILocalizable
{
    public string Localize(CultureInfo culture) => NeutronException.Text(Key, culture);

    public override string ToString() => Localize(CultureInfo.CurrentUICulture);
}
