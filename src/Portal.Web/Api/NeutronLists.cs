using System.Globalization;

namespace Portal.Web.Api;

/// <summary>One page of a Neutron collection, and the <c>{collection}_links</c> next link when there is more.</summary>
public sealed record NeutronPage<T>(IReadOnlyList<T> Items, IReadOnlyList<ApiLink>? Links);

/// <summary>
/// Neutron's list conventions shared by every collection: the <c>id</c> filter, <c>limit</c>/<c>marker</c> paging
/// in id order and the <c>{collection}_links</c> next link; plus the API's shared formats.
/// </summary>
public static class NeutronLists
{
    public const int MaxPageSize = 1000;

    public static NeutronPage<TOut> Page<T, TOut>(HttpContext http, string collection, IEnumerable<T> all, Func<T, Guid> id, Func<T, TOut> view)
    {
        var query = http.Request.Query;
        int? limit = null;
        if (query.TryGetValue("limit", out var l) && l.ToString().Length > 0)
        {
            if (!int.TryParse(l, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
            {
                throw new ApiException(400, "BadRequest", $"Bad limit request: Limit must be an integer 0 or greater and not '{l}'.");
            }
            limit = parsed == 0 ? null : Math.Min(parsed, MaxPageSize);
        }
        all = all.OrderBy(x => id(x).ToString(), StringComparer.Ordinal);
        if (query.TryGetValue("id", out var ids)) all = all.Where(x => ids.Contains(id(x).ToString()));
        if (query.TryGetValue("marker", out var marker) && marker.ToString().Length > 0)
        {
            var after = marker.ToString();
            all = all.Where(x => string.CompareOrdinal(id(x).ToString(), after) > 0);
        }
        var size = limit ?? MaxPageSize;
        var items = all.Take(size + 1).ToList();
        var page = items.Take(size).Select(view).ToList();
        if (items.Count <= size) return new NeutronPage<TOut>(page, null);
        // Neutron's next link: the same query with the last id of this page as the marker.
        var last = id(items[size - 1]).ToString();
        var next = query.Where(q => q.Key != "marker" && q.Key != "limit")
            .SelectMany(q => q.Value.Select(v => Uri.EscapeDataString(q.Key) + "=" + Uri.EscapeDataString(v ?? "")))
            .Append("limit=" + size).Append("marker=" + last);
        return new NeutronPage<TOut>(page, [new ApiLink("next", KeystoneEndpoints.BaseUrl(http) + "/v2.0/" + collection + "?" + string.Join("&", next))]);
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
