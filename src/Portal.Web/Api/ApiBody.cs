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

    /// <param name="body">The envelope's metadata: its one property is the root key.</param>
    /// <param name="root">The object under the root key.</param>
    public static async Task<T> ReadAsync<TBody, T>(HttpContext http, JsonTypeInfo<TBody> body, Func<TBody, T?> root)
        where T : class
    {
        var rootKey = body.Properties.Single().Name;
        var bytes = await ReadBytesAsync(http);
        // Validated whole before any field is converted, so that a malformed body is answered as one, whatever it holds.
        if (!IsJson(bytes)) throw new ApiException(400, "HTTPBadRequest", "Malformed request body: the body is not valid JSON.");
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
        if (http.Request.ContentLength > MaxBytes) throw TooLarge();
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await http.Request.Body.ReadAsync(chunk, http.RequestAborted)) > 0)
        {
            if (buffer.Length + read > MaxBytes) throw TooLarge();
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private static bool IsJson(byte[] bytes)
    {
        if (!Utf8.IsValid(bytes)) return false;
        var reader = new Utf8JsonReader(bytes);
        try
        {
            while (reader.Read())
            {
            }
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

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

    private static ApiException TooLarge() =>
        new(413, "RequestEntityTooLarge", $"Request body is larger than the limit of {MaxBytes} bytes.");
}
