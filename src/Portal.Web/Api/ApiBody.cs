using System.Text.Json;
using System.Text.Json.Nodes;

namespace Portal.Web.Api;

/// <summary>Reads a JSON request body with a size cap; malformed or oversized input becomes a Neutron-style error.</summary>
public static class ApiBody
{
    public const int MaxBytes = 1024 * 1024;

    public static async Task<JsonObject> ReadObjectAsync(HttpContext http, string root)
    {
        if (http.Request.ContentLength > MaxBytes) throw TooLarge();
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await http.Request.Body.ReadAsync(chunk, http.RequestAborted)) > 0)
        {
            if (buffer.Length + read > MaxBytes) throw TooLarge();
            buffer.Write(chunk, 0, read);
        }
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(buffer.ToArray());
        }
        catch (JsonException)
        {
            throw new ApiException(400, "HTTPBadRequest", "Malformed request body: the body is not valid JSON.");
        }
        if (node is not JsonObject body || body[root] is not JsonObject inner)
        {
            throw new ApiException(400, "HTTPBadRequest", $"Malformed request body: expected an object with the key '{root}'.");
        }
        return inner;
    }

    public static string? String(JsonObject o, string key) => Get(o, key, JsonValueKind.String, "a string")?.GetValue<string>();

    public static bool? Bool(JsonObject o, string key)
    {
        var node = o[key];
        if (node is null) return null;
        return node.GetValueKind() switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            // Neutron converts "true"/"false" (and "1"/"0") as well; some clients send strings.
            JsonValueKind.String => node.GetValue<string>().Trim().ToLowerInvariant() switch
            {
                "true" or "1" => true,
                "false" or "0" => false,
                _ => throw Invalid(key, "a boolean"),
            },
            _ => throw Invalid(key, "a boolean"),
        };
    }

    public static int? Int(JsonObject o, string key)
    {
        var node = o[key];
        if (node is null) return null;
        // Neutron converts numeric strings too (openstackclient sends --mtu as a string).
        return node.GetValueKind() switch
        {
            JsonValueKind.Number when node.AsValue().TryGetValue<int>(out var i) => i,
            JsonValueKind.String when int.TryParse(node.GetValue<string>(), System.Globalization.NumberStyles.AllowLeadingSign,
                System.Globalization.CultureInfo.InvariantCulture, out var s) => s,
            _ => throw Invalid(key, "an integer"),
        };
    }

    /// <summary>A list of strings (<c>dns_nameservers</c>); null when the key is absent.</summary>
    public static IReadOnlyList<string>? StringList(JsonObject o, string key) =>
        List(o, key)?.Select(n => n?.GetValueKind() == JsonValueKind.String ? n.GetValue<string>() : throw Invalid(key, "a list of strings")).ToList();

    /// <summary>A list of objects (<c>allocation_pools</c>, <c>host_routes</c>, <c>fixed_ips</c>); null when the key is absent.</summary>
    public static IReadOnlyList<JsonObject>? ObjectList(JsonObject o, string key) =>
        List(o, key)?.Select(n => n as JsonObject ?? throw Invalid(key, "a list of objects")).ToList();

    /// <summary>A string field of an object inside a list, required.</summary>
    public static string Required(JsonObject o, string list, string key) =>
        o[key] is { } n && n.GetValueKind() == JsonValueKind.String ? n.GetValue<string>() : throw Invalid(list, $"a list of objects with a string '{key}'");

    private static JsonArray? List(JsonObject o, string key)
    {
        var node = o[key];
        if (node is null) return null;
        return node as JsonArray ?? throw Invalid(key, "a list");
    }

    private static JsonNode? Get(JsonObject o, string key, JsonValueKind kind, string what)
    {
        var node = o[key];
        if (node is null) return null;
        return node.GetValueKind() == kind ? node : throw Invalid(key, what);
    }

    private static ApiException Invalid(string key, string what) =>
        new(400, "InvalidInput", $"Invalid input for {key}. Reason: the value must be {what}.");

    private static ApiException TooLarge() =>
        new(413, "RequestEntityTooLarge", $"Request body is larger than the limit of {MaxBytes} bytes.");
}
