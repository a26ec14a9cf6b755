using System.Text.Json;
using System.Text.Json.Nodes;

namespace Portal.Web.Api;

/// <summary>
/// Neutron's <c>fields</c> query parameter (the <c>fields</c> extension): <c>?fields=id&amp;fields=name</c> answers each
/// resource with only those attributes, on a show and on a list alike; a name no resource has is left out, as Neutron
/// does. The <c>{collection}_links</c> of a list stay.
/// </summary>
public static class NeutronFields
{
    public static async ValueTask<object?> Filter(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var result = await next(context);
        var http = context.HttpContext;
        if (!HttpMethods.IsGet(http.Request.Method) || !http.Request.Query.TryGetValue("fields", out var asked)) return result;
        if (result is not (IValueHttpResult { Value: { } value } and IStatusCodeHttpResult { StatusCode: null or < 300 } status)) return result;
        var fields = asked.SelectMany(f => (f ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .ToHashSet(StringComparer.Ordinal);
        if (fields.Count == 0) return result;
        if (JsonSerializer.SerializeToNode(value, value.GetType(), ApiJson.Context) is not JsonObject body) return result;
        foreach (var (key, node) in body.ToList())
        {
            if (key.EndsWith("_links", StringComparison.Ordinal)) continue;
            switch (node)
            {
                case JsonObject resource:
                    Keep(resource, fields);
                    break;
                case JsonArray resources:
                    foreach (var resource in resources.OfType<JsonObject>()) Keep(resource, fields);
                    break;
            }
        }
        return TypedResults.Json(body, ApiJson.Context.JsonObject, statusCode: status.StatusCode);
    }

    private static void Keep(JsonObject resource, HashSet<string> fields)
    {
        foreach (var key in resource.Select(p => p.Key).Where(k => !fields.Contains(k)).ToList()) resource.Remove(key);
    }
}
