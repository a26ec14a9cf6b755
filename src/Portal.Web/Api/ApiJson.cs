using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Portal.Web.Api;

/// <summary>
/// The API's JSON: the contract records' metadata generated at build time, Neutron's snake_case names, and the
/// converters that keep Neutron's leniency and its error messages (<see cref="ApiConverters"/>).
/// </summary>
public static class ApiJson
{
    /// <summary>
    /// The minimal APIs' options, which the OpenAPI document describes types with: the contract records' metadata and
    /// the wire's names. Without the wire's converters, which would hide the plain types they read.
    /// </summary>
    public static void ConfigureDocument(JsonSerializerOptions options)
    {
        options.TypeInfoResolverChain.Insert(0, ApiJsonContext.Default);
        Configure(options);
    }

    /// <summary>Serializes and reads the API's bodies.</summary>
    public static ApiJsonContext Context { get; } = new(Wire());

    private static void Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.NumberHandling = JsonNumberHandling.Strict;
        // Written straight to the response, never into a page: "«»" and "<" stay readable, as ASP.NET Core writes them.
        options.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
    }

    private static JsonSerializerOptions Wire()
    {
        var options = new JsonSerializerOptions();
        Configure(options);
        options.Converters.Add(new ApiConverters.LenientBoolean());
        options.Converters.Add(new ApiConverters.LenientInt32());
        options.Converters.Add(new ApiConverters.StrictString());
        options.Converters.Add(new ApiConverters.BigIntegerNumber());
        return options;
    }
}

[JsonSerializable(typeof(NetworkRequest))]
[JsonSerializable(typeof(NetworkBulkRequest))]
[JsonSerializable(typeof(SubnetBulkRequest))]
[JsonSerializable(typeof(PortBulkRequest))]
[JsonSerializable(typeof(NetworkResponse))]
[JsonSerializable(typeof(NetworkListResponse))]
[JsonSerializable(typeof(SubnetCreateRequest))]
[JsonSerializable(typeof(SubnetUpdateRequest))]
[JsonSerializable(typeof(SubnetResponse))]
[JsonSerializable(typeof(SubnetListResponse))]
[JsonSerializable(typeof(PortCreateRequest))]
[JsonSerializable(typeof(PortUpdateRequest))]
[JsonSerializable(typeof(PortResponse))]
[JsonSerializable(typeof(PortListResponse))]
[JsonSerializable(typeof(RouterResponse))]
[JsonSerializable(typeof(RouterListResponse))]
[JsonSerializable(typeof(IpAvailabilityResponse))]
[JsonSerializable(typeof(IpAvailabilityListResponse))]
[JsonSerializable(typeof(ResourceListResponse))]
[JsonSerializable(typeof(NetworkVersionsResponse))]
[JsonSerializable(typeof(ExtensionListResponse))]
[JsonSerializable(typeof(ExtensionResponse))]
[JsonSerializable(typeof(TagsRequest))]
[JsonSerializable(typeof(TagsResponse))]
[JsonSerializable(typeof(NeutronErrorResponse))]
[JsonSerializable(typeof(TokenRequest))]
[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(VersionsResponse))]
[JsonSerializable(typeof(CatalogResponse))]
[JsonSerializable(typeof(ProjectsResponse))]
[JsonSerializable(typeof(VersionResponse))]
[JsonSerializable(typeof(KeystoneErrorResponse))]
[JsonSerializable(typeof(System.Text.Json.Nodes.JsonObject))]
public sealed partial class ApiJsonContext : JsonSerializerContext;
