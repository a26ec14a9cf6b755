using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace Portal.Web.Api;

/// <summary>One page of a Neutron collection, and the <c>{collection}_links</c> next link when there is more.</summary>
public sealed record NeutronPage<T>(IReadOnlyList<T> Items, IReadOnlyList<ApiLink>? Links);

/// <summary>
/// Neutron's list conventions shared by every collection: a filter on every scalar attribute of the answer
/// (<c>?status=DOWN&amp;ip_version=6</c>, repeatable; anything else is refused, as with Neutron's filter-validation),
/// <c>sort_key</c>/<c>sort_dir</c> (any scalar attribute, id last), <c>limit</c>/<c>marker</c> paging with the
/// <c>{collection}_links</c> next link; plus the API's shared formats.
/// </summary>
public static class NeutronLists
{
    public const int MaxPageSize = 1000;

    /// <summary>Query parameters that are not attribute filters.</summary>
    private static readonly HashSet<string> Parameters = new(StringComparer.Ordinal)
    {
        "fields", "limit", "marker", "page_reverse", "sort_key", "sort_dir", "tags", "tags-any", "not-tags", "not-tags-any", "changed_since",
    };

    /// <param name="handled">Filters the caller has applied itself (e.g. a port's <c>fixed_ips</c>).</param>
    public static NeutronPage<TOut> Page<T, TOut>(HttpContext http, string collection, IEnumerable<T> all, Func<T, Guid> id, Func<T, TOut> view,
        params string[] handled)
    {
        var query = http.Request.Query;
        var size = PageSize(http);
        var info = (JsonTypeInfo<TOut>)ApiJson.Context.GetTypeInfo(typeof(TOut))!;
        var attributes = info.Properties.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        // Each answer is made (and read as JSON) only when a filter or a sort key needs its attributes; a plain page
        // sorts the ids and makes the answers of that page alone.
        var byAttribute = query.Keys.Any(k => !Parameters.Contains(k) && !handled.Contains(k)) || query.ContainsKey("sort_key") || query.ContainsKey("changed_since");
        var rows = byAttribute
            ? all.Select(x => (Id: id(x).ToString(), View: new Lazy<TOut>(view(x)))).Select(r => (r.Id, r.View, Json: JsonSerializer.SerializeToNode(r.View.Value, info)!.AsObject())).ToList()
            : all.Select(x => (Id: id(x).ToString(), View: new Lazy<TOut>(() => view(x)), Json: (JsonObject)null!)).ToList();

        foreach (var (key, values) in query)
        {
            if (Parameters.Contains(key) || handled.Contains(key)) continue;
            if (!attributes.Contains(key)) throw new ApiException(400, "HTTPBadRequest", $"{key} is invalid attribute for filtering");
            var wanted = values.Select(v => v ?? "").ToList();
            rows = rows.Where(r => Scalar(r.Json[key], key) is { } value && wanted.Any(w => Matches(value, w, key))).ToList();
        }

        // standard-attr-timestamp: what changed at or after a time.
        if (query.TryGetValue("changed_since", out var since) && attributes.Contains("updated_at"))
        {
            if (!DateTimeOffset.TryParse(since.ToString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var from))
                throw new ApiException(400, "InvalidInput", $"Invalid input for changed_since. Reason: '{since}' is not a time (e.g. 2026-12-04T10:00:00Z).");
            var text = Time(from);
            rows = rows.Where(r => string.CompareOrdinal(r.Json["updated_at"]?.GetValue<string>(), text) >= 0).ToList();
        }

        var keys = query.TryGetValue("sort_key", out var sortKeys) ? sortKeys.Select(k => k ?? "").ToList() : [];
        var dirs = query.TryGetValue("sort_dir", out var sortDirs) ? sortDirs.Select(d => d ?? "").ToList() : [];
        if (dirs.Count > keys.Count || (dirs.Count > 0 && dirs.Count != keys.Count))
            throw new ApiException(400, "HTTPBadRequest", "The number of sort_keys and sort_dirs must be same");
        foreach (var key in keys.Where(k => !attributes.Contains(k)))
            throw new ApiException(400, "HTTPBadRequest", $"{key} is invalid attribute for sort_keys");
        foreach (var dir in dirs.Where(d => d is not ("asc" or "desc")))
            throw new ApiException(400, "HTTPBadRequest", $"{dir} is invalid value for sort_dirs, valid values are 'asc' and 'desc'");
        var order = keys.Select((k, i) => (Key: k, Descending: i < dirs.Count && dirs[i] == "desc")).ToList();
        rows.Sort((a, b) =>
        {
            foreach (var (key, descending) in order)
            {
                var c = Compare(a.Json[key], b.Json[key]);
                if (c != 0) return descending ? -c : c;
            }
            return string.CompareOrdinal(a.Id, b.Id);
        });

        if (query.TryGetValue("marker", out var marker) && marker.ToString().Length > 0)
        {
            var at = rows.FindIndex(r => r.Id == marker.ToString());
            // A marker no longer in the list (deleted meanwhile) pages on from its place in id order, as before.
            rows = at >= 0 ? rows.Skip(at + 1).ToList() : rows.Where(r => string.CompareOrdinal(r.Id, marker.ToString()) > 0).ToList();
        }
        var page = rows.Take(size).Select(r => r.View.Value).ToList();
        return new NeutronPage<TOut>(page, rows.Count > size ? NextLink(http, collection, size, rows[size - 1].Id) : null);
    }

    /// <summary>The page size a list asks for: <c>limit</c> (0 or none: <see cref="MaxPageSize"/>, which also caps it).</summary>
    public static int PageSize(HttpContext http)
    {
        if (!http.Request.Query.TryGetValue("limit", out var l) || l.ToString().Length == 0) return MaxPageSize;
        if (!int.TryParse(l, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
        {
            throw new ApiException(400, "BadRequest", $"Bad limit request: Limit must be an integer 0 or greater and not '{l}'.");
        }
        return parsed == 0 ? MaxPageSize : Math.Min(parsed, MaxPageSize);
    }

    /// <summary>Neutron's next link: the same query with the last id of this page as the marker.</summary>
    public static IReadOnlyList<ApiLink> NextLink(HttpContext http, string collection, int size, string last)
    {
        var next = http.Request.Query.Where(q => q.Key != "marker" && q.Key != "limit")
            .SelectMany(q => q.Value.Select(v => Uri.EscapeDataString(q.Key) + "=" + Uri.EscapeDataString(v ?? "")))
            .Append("limit=" + size).Append("marker=" + last);
        return [new ApiLink("next", KeystoneEndpoints.BaseUrl(http) + "/v2.0/" + collection + "?" + string.Join("&", next))];
    }

    /// <summary>An attribute's value as a filter compares it: a string, a number or a boolean (null is matched by no filter).</summary>
    private static string? Scalar(JsonNode? node, string key) => node switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>() ? "true" : "false",
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.ToJsonString(),
        _ => throw new ApiException(400, "HTTPBadRequest", $"{key} is invalid attribute for filtering"),
    };

    private static bool Matches(string value, string wanted, string key) =>
        value is "true" or "false" ? string.Equals(value, wanted, StringComparison.OrdinalIgnoreCase)
        : key == "mac_address" ? string.Equals(value, wanted, StringComparison.OrdinalIgnoreCase)
        : value == wanted;

    private static int Compare(JsonNode? a, JsonNode? b)
    {
        if (a is null || b is null) return (a is null ? 0 : 1) - (b is null ? 0 : 1);
        if (a is JsonValue va && b is JsonValue vb)
        {
            if (va.GetValueKind() == JsonValueKind.Number && vb.GetValueKind() == JsonValueKind.Number)
                return decimal.Parse(va.ToJsonString(), CultureInfo.InvariantCulture).CompareTo(decimal.Parse(vb.ToJsonString(), CultureInfo.InvariantCulture));
            if (va.GetValueKind() == JsonValueKind.String && vb.GetValueKind() == JsonValueKind.String)
                return string.CompareOrdinal(va.GetValue<string>(), vb.GetValue<string>());
        }
        return string.CompareOrdinal(a.ToJsonString(), b.ToJsonString());
    }

    /// <summary>
    /// A create may name its project (<c>tenant_id</c> / <c>project_id</c>, as the SDK and Terraform do); only the
    /// token's own may be named: another is Neutron's policy refusal, as for any non-admin.
    /// </summary>
    public static void CheckOwnProject(HttpContext http, string? tenantId, string? projectId, string action)
    {
        var own = http.User.ProjectId();
        foreach (var (key, value) in new[] { ("tenant_id", tenantId), ("project_id", projectId) })
        {
            if (value is { Length: > 0 } && !string.Equals(value, own, StringComparison.OrdinalIgnoreCase))
                throw new ApiException(403, "PolicyNotAuthorized", $"(rule:{action}:{key}) is disallowed by policy: resources are made in the token's project.");
        }
    }

    /// <summary>
    /// Neutron's <c>If-Match: revision_number=N</c> (the standard-attr-revisions extension): the revision a change is
    /// meant for, or null without one. Other entity tags are not Neutron's and are ignored.
    /// </summary>
    public static long? IfRevision(HttpContext http)
    {
        long? wanted = null;
        foreach (var entry in http.Request.Headers.IfMatch.SelectMany(v => (v ?? "").Split(',')).Select(v => v.Trim()))
        {
            if (!entry.StartsWith("revision_number=", StringComparison.Ordinal)) continue;
            var text = entry["revision_number=".Length..];
            wanted = long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
                ? n
                : throw new ApiException(400, "InvalidInput", $"Invalid input for If-Match. Reason: revision_number must be a whole number, not '{text}'.");
        }
        return wanted;
    }

    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
