using System.Globalization;
using System.Text.Json;

namespace Portal.Data.Services;

/// <summary>One changed attribute of an update, under Neutron's attribute name, with its value before and after.</summary>
public sealed record AuditChange(string Field, string? From, string? To);

/// <summary>
/// What an update entry in the trail says (<c>network.update</c>, <c>subnet.update</c>, <c>port.update</c>), stored as
/// data as <see cref="ClusterAuditDetails"/> is: the attributes that changed, each from → to, so the console words it
/// in the reader's language. Values are invariant text: <c>true</c>/<c>false</c>, numbers, addresses, lists joined
/// by ", ", null for none.
/// </summary>
public sealed record ChangeAuditDetails(IReadOnlyList<AuditChange> Changes)
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public string ToJson() => JsonSerializer.Serialize(this, Options);

    /// <summary>The details of an update entry, or null when they are not such data.</summary>
    public static ChangeAuditDetails? Parse(string details)
    {
        try
        {
            return JsonSerializer.Deserialize<ChangeAuditDetails>(details, Options) is { Changes: not null } d ? d : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Collects the attributes whose value differs; the others are left out.</summary>
    internal sealed class Builder
    {
        private readonly List<AuditChange> _changes = [];

        public bool Any => _changes.Count > 0;

        public Builder Add(string field, string? from, string? to)
        {
            if (!string.Equals(from, to, StringComparison.Ordinal)) _changes.Add(new AuditChange(field, from, to));
            return this;
        }

        public Builder Add(string field, bool from, bool to) => Add(field, Text(from), Text(to));

        public Builder Add(string field, int from, int to) =>
            Add(field, from.ToString(CultureInfo.InvariantCulture), to.ToString(CultureInfo.InvariantCulture));

        public Builder Add<T>(string field, IEnumerable<T> from, IEnumerable<T> to) => Add(field, List(from), List(to));

        public ChangeAuditDetails Build() => new(_changes.ToList());

        private static string Text(bool value) => value ? "true" : "false";

        private static string? List<T>(IEnumerable<T> items) =>
            string.Join(", ", items.Select(i => Convert.ToString(i, CultureInfo.InvariantCulture))) is { Length: > 0 } s ? s : null;
    }
}
