using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace Portal.E2E.Tests.Fuzz;

/// <summary>One operation of the API as its OpenAPI document describes it.</summary>
/// <param name="Responses">Each documented status code and the schema of its body (null: no body).</param>
public sealed record ApiOperation(HttpMethod Method, string Path, JsonObject? RequestSchema, IReadOnlyDictionary<int, JsonObject?> Responses)
{
    public bool HasId => Path.Contains("{id}", StringComparison.Ordinal);
    public bool IsKeystone => Path.StartsWith("/identity", StringComparison.Ordinal);
    public override string ToString() => $"{Method} {Path}";
}

/// <summary>
/// The app's OpenAPI document (/openapi/v1.json), read into operations, with each response checked against the schema
/// it documents. The schemas are evaluated by JsonSchema.Net: the document's components become the <c>$defs</c> of
/// one self-contained schema per response.
/// </summary>
public sealed class OpenApiDocument
{
    private readonly JsonObject _schemas;
    private readonly Dictionary<string, JsonSchema> _compiled = new(StringComparer.Ordinal);

    private OpenApiDocument(JsonObject document)
    {
        _schemas = document["components"]?["schemas"]?.AsObject() ?? [];
        var operations = new List<ApiOperation>();
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                var request = operation!["requestBody"]?["content"]?["application/json"]?["schema"]?.AsObject();
                var responses = new Dictionary<int, JsonObject?>();
                foreach (var (code, response) in operation["responses"]!.AsObject())
                {
                    responses[int.Parse(code)] = response!["content"]?["application/json"]?["schema"]?.AsObject();
                }
                operations.Add(new ApiOperation(new HttpMethod(method.ToUpperInvariant()), path, request, responses));
            }
        }
        Operations = operations;
    }

    public IReadOnlyList<ApiOperation> Operations { get; }

    public static async Task<OpenApiDocument> LoadAsync(HttpClient http)
    {
        var text = await http.GetStringAsync("/openapi/v1.json");
        return new OpenApiDocument(JsonNode.Parse(text)!.AsObject());
    }

    /// <summary>The schema a reference names (<c>#/components/schemas/X</c>), or the schema itself when it is no reference.</summary>
    public JsonObject Resolve(JsonObject schema)
    {
        for (var hops = 0; schema["$ref"] is JsonValue reference && hops < 32; hops++)
        {
            var name = reference.GetValue<string>().Split('/')[^1];
            schema = _schemas[name]?.AsObject() ?? throw new InvalidOperationException($"The document has no schema {name}.");
        }
        return schema;
    }

    /// <summary>Null when <paramref name="body"/> matches <paramref name="schema"/>; else what does not.</summary>
    public string? Mismatch(JsonObject schema, JsonElement body)
    {
        var key = schema.ToJsonString();
        if (!_compiled.TryGetValue(key, out var compiled))
        {
            var whole = new JsonObject
            {
                ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
                ["$defs"] = JsonNode.Parse(_schemas.ToJsonString().Replace("#/components/schemas/", "#/$defs/", StringComparison.Ordinal)),
            };
            foreach (var (name, value) in JsonNode.Parse(key.Replace("#/components/schemas/", "#/$defs/", StringComparison.Ordinal))!.AsObject())
            {
                whole[name] = value?.DeepClone();
            }
            compiled = JsonSchema.FromText(whole.ToJsonString());
            _compiled[key] = compiled;
        }
        var result = compiled.Evaluate(body, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (result.IsValid) return null;
        var errors = (result.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"))
            .Take(5);
        return string.Join("; ", errors);
    }
}
