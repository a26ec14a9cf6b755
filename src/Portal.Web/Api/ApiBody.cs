using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.Unicode;

namespace Portal.Web.Api;

/// <summary>
/// Reads a request body into its contract record, with a size cap. A body is one object under a root key (Neutron's
/// <c>{"network": {...}}</c>, Keystone's <c>{"auth": {...}}</c>); unknown fields are ignored, and malformed, oversized
/// or wrongly typed input becomes an <see cref="ApiException"/> with Neutron's type and message.
/// </summary>
public static class ApiBody
{
    public const int MaxBytes = 1024 * 1024;

    /// <summary>
    /// Kestrel's cap on an API request body: a body over <see cref="MaxBytes"/> but under this is read to its end and
    /// discarded before the 413 is sent, so that a client that sends the whole body before it reads the answer (as
    /// python-requests and HttpClient do) gets the 413 rather than a connection reset under its upload.
    /// </summary>
    public const long DrainBytes = 16 * 1024 * 1024;

    /// <param name="body">The envelope's metadata: its one property is the root key.</param>
    /// <param name="root">The object under the root key.</param>
    /// <param name="strict">Neutron's rule: an attribute the resource does not have is refused, not ignored.</param>
    public static async Task<T> ReadAsync<TBody, T>(HttpContext http, JsonTypeInfo<TBody> body, Func<TBody, T?> root, bool strict = false)
        where T : class
    {
        var bytes = await ReadCheckedAsync(http);
        var value = Parse(bytes, body, root);
        if (strict)
        {
            using var document = JsonDocument.Parse(bytes);
            RefuseUnknown<T>(document.RootElement, body.Options, body.Properties.Single().Name, many: false);
        }
        return value;
    }

    /// <summary>
    /// Neutron's refusal of attributes a resource does not have (<c>Unrecognized attribute(s) 'x'</c>, 400); the
    /// provider attributes, which only an administrator may set, are Neutron's policy refusal (403).
    /// </summary>
    private static void RefuseUnknown<T>(JsonElement body, JsonSerializerOptions options, string rootKey, bool many)
    {
        var known = Attributes.GetOrAdd(typeof(T), type => options.GetTypeInfo(type).Properties.Select(p => p.Name).ToHashSet(StringComparer.Ordinal));
        var root = body.GetProperty(rootKey);
        if (root.ValueKind != (many ? JsonValueKind.Array : JsonValueKind.Object)) return; // not a resource: nothing to check
        var resources = many ? root.EnumerateArray().ToList() : [root];
        var unknown = resources.SelectMany(r => r.EnumerateObject().Select(p => p.Name)).Where(k => !known.Contains(k)).Distinct().ToList();
        if (unknown.FirstOrDefault(k => k.StartsWith("provider:", StringComparison.Ordinal) || k == "segments") is { } adminOnly)
            throw new ApiException(403, "PolicyNotAuthorized", $"(rule:{adminOnly}) is disallowed by policy: only the cloud's administrators set provider attributes.");
        if (unknown.FirstOrDefault(ReadOnlyAttributes.Contains) is { } readOnly)
            throw new ApiException(400, "HTTPBadRequest", $"Attribute '{readOnly}' cannot be set here: it is read-only.");
        if (unknown.Count > 0) throw new ApiException(400, "HTTPBadRequest", $"Unrecognized attribute(s) '{string.Join(", ", unknown)}'");
    }

    /// <summary>Each input record's attribute names, read once from its metadata.</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Type, HashSet<string>> Attributes = new();

    /// <summary>Attributes Neutron answers but no request may set (or, like a subnet's cidr, set only at creation).</summary>
    private static readonly HashSet<string> ReadOnlyAttributes = new(StringComparer.Ordinal)
    {
        "id", "status", "created_at", "updated_at", "revision_number", "tenant_id", "project_id", "cidr", "ip_version",
        "network_id", "subnets", "ipv6_ra_mode", "ipv6_address_mode", "subnetpool_id",
    };

    /// <summary>
    /// A body that is one resource (<c>{"network": {...}}</c>) or Neutron's bulk form (<c>{"networks": [{...}, ...]}</c>,
    /// at most <see cref="MaxBulk"/> of them): exactly one of the two results is set.
    /// </summary>
    public static async Task<(T? One, IReadOnlyList<T>? Many)> ReadOneOrManyAsync<TOne, TMany, T>(HttpContext http,
        JsonTypeInfo<TOne> one, Func<TOne, T?> root, JsonTypeInfo<TMany> many, Func<TMany, IReadOnlyList<T>?> roots)
        where T : class
    {
        var bytes = await ReadCheckedAsync(http);
        var manyKey = many.Properties.Single().Name;
        // One parse of the body tells the form and checks the attributes; the records are then read from the bytes.
        using var document = JsonDocument.Parse(bytes);
        if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty(manyKey, out var given))
        {
            var single = Parse(bytes, one, root);
            RefuseUnknown<T>(document.RootElement, one.Options, one.Properties.Single().Name, many: false);
            return (single, null);
        }
        if (given.ValueKind != JsonValueKind.Array || given.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.Object))
            throw new ApiException(400, "HTTPBadRequest",
                $"Malformed request body: '{manyKey}' must be a list of objects (or send one object under '{one.Properties.Single().Name}').");
        // Counted before any entry is read.
        var count = given.GetArrayLength();
        if (count == 0) throw new ApiException(400, "BadRequest", $"Resources required: the list '{manyKey}' is empty.");
        if (count > MaxBulk)
            throw new ApiException(400, "BadRequest", $"A bulk request creates at most {MaxBulk} {manyKey}; this one has {count}.");
        RefuseUnknown<T>(document.RootElement, many.Options, manyKey, many: true);
        return (null, Parse(bytes, many, roots));
    }

    /// <summary>Resources of one bulk create: each is a full creation, so the list is capped.</summary>
    public const int MaxBulk = 100;

    private static async Task<byte[]> ReadCheckedAsync(HttpContext http)
    {
        var bytes = await ReadBytesAsync(http);
        // Validated whole before any field is converted, so that a malformed body is answered as one, whatever it holds.
        if (Check(bytes) is { } malformed) throw malformed;
        return bytes;
    }

    private static T Parse<TBody, T>(byte[] bytes, JsonTypeInfo<TBody> body, Func<TBody, T?> root)
        where T : class
    {
        var rootKey = body.Properties.Single().Name;
        TBody? envelope;
        try
        {
            envelope = JsonSerializer.Deserialize(bytes, body);
        }
        catch (InvalidFieldException e)
        {
            throw new ApiException(400, "InvalidInput", InvalidMessage(e.Field ?? FieldOf(e.Path), e.What));
        }
        catch (JsonException e) when (Depth(e.Path) > 1)
        {
            // Below the root every field is read by a converter of ApiConverters, except nested objects (Keystone's).
            throw new ApiException(400, "InvalidInput", InvalidMessage(FieldOf(e.Path), "an object"));
        }
        catch (JsonException)
        {
            throw MissingRoot(rootKey);
        }
        return (envelope is null ? null : root(envelope)) ?? throw MissingRoot(rootKey);
    }

    private static string InvalidMessage(string field, string what) => $"Invalid input for {field}. Reason: the value must be {what}.";

    private static async Task<byte[]> ReadBytesAsync(HttpContext http)
    {
        if (http.Request.ContentLength > MaxBytes) throw await TooLargeAsync(http);
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await http.Request.Body.ReadAsync(chunk, http.RequestAborted)) > 0)
        {
            if (buffer.Length + read > MaxBytes) throw await TooLargeAsync(http);
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    /// <summary>
    /// The whole body checked in one pass, before anything is read from it: UTF-8 and JSON syntax, no key twice in one
    /// object (which value would count is a guess, and a check and a write could each take another), and no string that
    /// is not Unicode text (an escaped lone surrogate such as <c>"\ud800"</c>, which no column can store).
    /// </summary>
    private static ApiException? Check(byte[] bytes)
    {
        if (!Utf8.IsValid(bytes)) return NotJson();
        var reader = new Utf8JsonReader(bytes);
        // The keys seen in each open object (null for an array), innermost last.
        var open = new Stack<HashSet<string>?>();
        var property = "";
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                        open.Push(new HashSet<string>(StringComparer.Ordinal));
                        break;
                    case JsonTokenType.StartArray:
                        open.Push(null);
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        open.Pop();
                        break;
                    case JsonTokenType.PropertyName:
                        if (Text(ref reader, always: true) is not { } key) return NotUnicode(property.Length > 0 ? property : "the body");
                        if (!open.Peek()!.Add(key)) return new ApiException(400, "HTTPBadRequest", $"Malformed request body: the key '{key}' appears twice in one object.");
                        property = key;
                        break;
                    case JsonTokenType.String:
                        // Only an escape can put NUL in a JSON string; no text column (and no user name) holds one.
                        switch (Text(ref reader, always: false))
                        {
                            case null: return NotUnicode(property);
                            case var text when text.Contains('\0'): return Invalid(property, "text without the NUL character (U+0000)");
                        }
                        break;
                }
            }
            return null;
        }
        catch (JsonException)
        {
            return NotJson();
        }
    }

    /// <summary>
    /// The string at the reader, or null when its escapes make no Unicode text (a lone surrogate). Unless
    /// <paramref name="always"/>, a string without escapes (valid UTF-8 already) is not decoded and answers "".
    /// </summary>
    private static string? Text(ref Utf8JsonReader reader, bool always)
    {
        if (!always && !reader.ValueIsEscaped) return "";
        try
        {
            return reader.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static ApiException NotJson() => new(400, "HTTPBadRequest", "Malformed request body: the body is not valid JSON.");

    private static ApiException NotUnicode(string field) => Invalid(field, "Unicode text (it holds a lone surrogate escape)");

    private static ApiException Invalid(string field, string what) => new(400, "InvalidInput", InvalidMessage(field, what));

    /// <summary>The last property of a path such as <c>$.subnet.allocation_pools[1]</c>: <c>allocation_pools</c>.</summary>
    private static string FieldOf(string? path)
    {
        var last = path is null ? "" : path[(path.LastIndexOf('.') + 1)..];
        var index = last.IndexOf('[');
        return index < 0 ? last : last[..index];
    }

    private static int Depth(string? path) => path?.Count(c => c == '.') ?? 0;

    private static ApiException MissingRoot(string root) =>
        new(400, "HTTPBadRequest", $"Malformed request body: expected an object with the key '{root}'.");

    /// <summary>The 413, once the rest of the body is read and discarded (up to <see cref="DrainBytes"/>; beyond, the connection closes after the answer).</summary>
    private static async Task<ApiException> TooLargeAsync(HttpContext http)
    {
        if (http.Request.ContentLength is not > DrainBytes)
        {
            try
            {
                await http.Request.Body.CopyToAsync(Stream.Null, http.RequestAborted);
                return TooLarge;
            }
            catch (BadHttpRequestException)
            {
                // Over Kestrel's cap too (a chunked body), or cut short: nothing more will be read from this connection.
            }
        }
        http.Response.Headers.Connection = "close";
        return TooLarge;
    }

    /// <summary>The 413's message, from ApiBody and from Kestrel's own cap alike.</summary>
    public static string TooLargeMessage => $"Request body is larger than the limit of {MaxBytes} bytes.";

    private static ApiException TooLarge => new(413, "RequestEntityTooLarge", TooLargeMessage);
}
