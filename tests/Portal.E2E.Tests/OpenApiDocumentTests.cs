using System.Net;
using System.Text.Json;

namespace Portal.E2E.Tests;

/// <summary>
/// The API's OpenAPI document (/openapi/v1.json) and its reference page (/scalar), both anonymous: every endpoint is
/// listed with its request and response records, and the documented fields are the ones the API sends.
/// </summary>
[Collection(PortalAppCollection.Name)]
public sealed class OpenApiDocumentTests(PortalAppFixture app)
{
    [Fact]
    public async Task The_document_lists_every_endpoint_of_the_api_and_no_page_of_the_ui()
    {
        var document = await DocumentAsync();
        var paths = document.GetProperty("paths").EnumerateObject()
            .ToDictionary(p => p.Name, p => p.Value.EnumerateObject().Select(m => m.Name).Order().ToList());

        string[] crud = ["delete", "get", "put"];
        Assert.Equal(["delete", "get", "head", "post"], paths["/identity/v3/auth/tokens"]);
        foreach (var collection in new[] { "networks", "subnets", "ports" })
        {
            Assert.Equal(["get", "post"], paths[$"/v2.0/{collection}"]);
            Assert.Equal(crud, paths[$"/v2.0/{collection}/{{id}}"]);
        }
        Assert.Equal(["get"], paths["/v2.0/network-ip-availabilities"]);
        Assert.Equal(["get"], paths["/v2.0/network-ip-availabilities/{id}"]);
        Assert.All(paths.Keys, p => Assert.True(p.StartsWith("/v2.0", StringComparison.Ordinal) || p.StartsWith("/identity", StringComparison.Ordinal), p));
    }

    [Fact]
    public async Task Each_endpoint_declares_its_request_and_response_records_and_neutrons_errors()
    {
        var document = await DocumentAsync();
        var paths = document.GetProperty("paths");

        var create = paths.GetProperty("/v2.0/networks").GetProperty("post");
        Assert.Equal("NetworkRequest", SchemaName(create.GetProperty("requestBody")));
        Assert.Equal("NetworkResponse", SchemaName(create.GetProperty("responses").GetProperty("201")));
        Assert.Equal("NeutronErrorResponse", SchemaName(create.GetProperty("responses").GetProperty("400")));
        Assert.Equal("NeutronErrorResponse", SchemaName(create.GetProperty("responses").GetProperty("401")));
        Assert.Equal("NetworkListResponse", SchemaName(paths.GetProperty("/v2.0/networks").GetProperty("get").GetProperty("responses").GetProperty("200")));
        Assert.Equal("SubnetCreateRequest", SchemaName(paths.GetProperty("/v2.0/subnets").GetProperty("post").GetProperty("requestBody")));
        Assert.Equal("SubnetUpdateRequest", SchemaName(paths.GetProperty("/v2.0/subnets/{id}").GetProperty("put").GetProperty("requestBody")));
        Assert.Equal("PortCreateRequest", SchemaName(paths.GetProperty("/v2.0/ports").GetProperty("post").GetProperty("requestBody")));
        Assert.Equal("PortResponse", SchemaName(paths.GetProperty("/v2.0/ports/{id}").GetProperty("get").GetProperty("responses").GetProperty("200")));
        Assert.Equal("IpAvailabilityResponse",
            SchemaName(paths.GetProperty("/v2.0/network-ip-availabilities/{id}").GetProperty("get").GetProperty("responses").GetProperty("200")));
        var token = paths.GetProperty("/identity/v3/auth/tokens").GetProperty("post");
        Assert.Equal("TokenRequest", SchemaName(token.GetProperty("requestBody")));
        Assert.Equal("TokenResponse", SchemaName(token.GetProperty("responses").GetProperty("201")));
        Assert.Equal("KeystoneErrorResponse", SchemaName(token.GetProperty("responses").GetProperty("401")));

        var schemas = document.GetProperty("components").GetProperty("schemas");
        Assert.Equal(["NeutronError"], Properties(schemas, "NeutronErrorResponse"));
        Assert.Equal(["detail", "message", "type"], Properties(schemas, "NeutronError").Order());
        Assert.Contains("router:external", Properties(schemas, "NetworkInput"));
        Assert.Contains("allocation_pools", Properties(schemas, "SubnetCreateInput"));
        Assert.Contains("fixed_ips", Properties(schemas, "PortCreateInput"));
        Assert.Equal("integer", schemas.GetProperty("BigInteger").GetProperty("type").GetString());
    }

    [Fact]
    public async Task The_documented_fields_are_the_ones_the_api_sends()
    {
        var document = await DocumentAsync();
        var schemas = document.GetProperty("components").GetProperty("schemas");
        using var http = ApiHttp.NewClient(app);
        var token = await ApiHttp.TokenAsync(http);
        var suffix = Guid.NewGuid().ToString("N")[..8];

        var (_, network) = await ApiHttp.SendAsync(http, HttpMethod.Post, "/v2.0/networks", token, $$$"""{"network": {"name": "doc-{{{suffix}}}"}}""");
        var networkId = network.GetProperty("network").GetProperty("id").GetString();
        var (_, subnet) = await ApiHttp.SendAsync(http, HttpMethod.Post, "/v2.0/subnets", token,
            $$$"""{"subnet": {"network_id": "{{{networkId}}}", "cidr": "10.74.0.0/24", "dns_nameservers": ["8.8.8.8"], "host_routes": [{"destination": "10.0.0.0/8", "nexthop": "10.74.0.1"}]}}""");
        var subnetId = subnet.GetProperty("subnet").GetProperty("id").GetString();
        var (_, port) = await ApiHttp.SendAsync(http, HttpMethod.Post, "/v2.0/ports", token, $$$"""{"port": {"network_id": "{{{networkId}}}"}}""");
        var portId = port.GetProperty("port").GetProperty("id").GetString();

        AssertDocumented(schemas, "NetworkResponse", network);
        AssertDocumented(schemas, "SubnetResponse", subnet);
        AssertDocumented(schemas, "PortResponse", port);
        AssertDocumented(schemas, "NetworkListResponse", (await ApiHttp.SendAsync(http, HttpMethod.Get, "/v2.0/networks?limit=1", token)).Body);
        AssertDocumented(schemas, "SubnetListResponse", (await ApiHttp.SendAsync(http, HttpMethod.Get, "/v2.0/subnets?network_id=" + networkId, token)).Body);
        AssertDocumented(schemas, "PortListResponse", (await ApiHttp.SendAsync(http, HttpMethod.Get, "/v2.0/ports?limit=1", token)).Body);
        AssertDocumented(schemas, "IpAvailabilityResponse",
            (await ApiHttp.SendAsync(http, HttpMethod.Get, "/v2.0/network-ip-availabilities/" + networkId, token)).Body);
        AssertDocumented(schemas, "IpAvailabilityListResponse",
            (await ApiHttp.SendAsync(http, HttpMethod.Get, "/v2.0/network-ip-availabilities", token)).Body);
        AssertDocumented(schemas, "NeutronErrorResponse", (await ApiHttp.SendAsync(http, HttpMethod.Get, "/v2.0/ports/nope", token)).Body);
        AssertDocumented(schemas, "VersionResponse", (await ApiHttp.SendAsync(http, HttpMethod.Get, "/identity/v3", null)).Body);
        AssertDocumented(schemas, "TokenResponse", (await ApiHttp.SendAsync(http, HttpMethod.Post, "/identity/v3/auth/tokens", null,
            ApiHttp.TokenRequest(Accounts.Customer, Accounts.CustomerPassword, Accounts.DemoProjectId))).Body);

        await ApiHttp.SendAsync(http, HttpMethod.Delete, "/v2.0/ports/" + portId, token);
        await ApiHttp.SendAsync(http, HttpMethod.Delete, "/v2.0/subnets/" + subnetId, token);
        Assert.Equal(HttpStatusCode.NoContent, (await ApiHttp.SendAsync(http, HttpMethod.Delete, "/v2.0/networks/" + networkId, token)).Status);
    }

    [Fact]
    public async Task The_reference_page_is_served_anonymously_over_the_document()
    {
        using var http = new HttpClient { BaseAddress = new Uri(app.BaseUrl), Timeout = TimeSpan.FromSeconds(30) };
        using var page = await http.GetAsync("/scalar");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("/scalar/", page.RequestMessage!.RequestUri!.AbsolutePath);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("openapi/v1.json", html);
        Assert.Contains("<title>Portal API reference</title>", html);
    }

    private async Task<JsonElement> DocumentAsync()
    {
        using var http = ApiHttp.NewClient(app);
        using var response = await http.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    /// <summary>The component a request body or response refers to.</summary>
    private static string SchemaName(JsonElement bodyOrResponse) =>
        bodyOrResponse.GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString()!
            .Split('/').Last();

    private static List<string> Properties(JsonElement schemas, string name) =>
        schemas.GetProperty(name).GetProperty("properties").EnumerateObject().Select(p => p.Name).ToList();

    /// <summary>
    /// Every field of a body is a property of its schema, and every required property is in the body; nested objects
    /// and lists of objects are checked against the schemas they refer to.
    /// </summary>
    private static void AssertDocumented(JsonElement schemas, string name, JsonElement body)
    {
        var schema = schemas.GetProperty(name);
        Assert.Equal(JsonValueKind.Object, body.ValueKind);
        var properties = schema.GetProperty("properties");
        foreach (var field in body.EnumerateObject())
        {
            Assert.True(properties.TryGetProperty(field.Name, out var property), $"{name} does not document '{field.Name}'.");
            if (Reference(property) is { } nested && field.Value.ValueKind == JsonValueKind.Object) AssertDocumented(schemas, nested, field.Value);
            if (property.TryGetProperty("items", out var items) && Reference(items) is { } entry && field.Value.ValueKind == JsonValueKind.Array)
            {
                foreach (var value in field.Value.EnumerateArray()) AssertDocumented(schemas, entry, value);
            }
        }
        if (schema.TryGetProperty("required", out var required))
        {
            foreach (var field in required.EnumerateArray()) Assert.True(body.TryGetProperty(field.GetString()!, out _), $"{name} requires '{field}', not sent.");
        }
    }

    /// <summary>The schema a property refers to, directly or as the non-null half of a nullable one.</summary>
    private static string? Reference(JsonElement property)
    {
        if (property.TryGetProperty("$ref", out var direct)) return direct.GetString()!.Split('/').Last();
        if (!property.TryGetProperty("oneOf", out var oneOf)) return null;
        return oneOf.EnumerateArray().Select(Reference).FirstOrDefault(r => r is not null);
    }
}
