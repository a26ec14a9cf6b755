using System.Net;
using System.Text.Json;

namespace Portal.E2E.Tests;

/// <summary>
/// The API's answers to bad request bodies, exactly as Neutron's and Keystone's clients read them: malformed JSON, a
/// missing root key, values of the wrong type (named by their field), and the size cap. And the leniency Neutron has:
/// booleans and integers sent as strings.
/// </summary>
[Collection(PortalAppCollection.Name)]
public sealed class ApiErrorBodyTests(PortalAppFixture app)
{
    private const string NoSuchId = "3f1c0c8e-0000-4000-8000-00000000abcd";

    [Theory]
    [InlineData("POST", "/v2.0/networks", """{"network": {""", 400, "HTTPBadRequest", "Malformed request body: the body is not valid JSON.")]
    [InlineData("POST", "/v2.0/networks", "", 400, "HTTPBadRequest", "Malformed request body: the body is not valid JSON.")]
    [InlineData("POST", "/v2.0/networks", """{"networks": {"name": "x"}}""", 400, "HTTPBadRequest", "Malformed request body: 'networks' must be a list of objects (or send one object under 'network').")]
    [InlineData("POST", "/v2.0/ports", """{"ports": [{}, 7]}""", 400, "HTTPBadRequest", "Malformed request body: 'ports' must be a list of objects (or send one object under 'port').")]
    [InlineData("POST", "/v2.0/subnets", """{"subnets": []}""", 400, "BadRequest", "Resources required: the list 'subnets' is empty.")]
    [InlineData("POST", "/v2.0/networks", """{"network": "x"}""", 400, "HTTPBadRequest", "Malformed request body: expected an object with the key 'network'.")]
    [InlineData("POST", "/v2.0/networks", """[{"network": {}}]""", 400, "HTTPBadRequest", "Malformed request body: expected an object with the key 'network'.")]
    [InlineData("POST", "/v2.0/networks", """{"network": {"name": 5}}""", 400, "InvalidInput", "Invalid input for name. Reason: the value must be a string.")]
    [InlineData("POST", "/v2.0/networks", """{"network": {"mtu": "abc"}}""", 400, "InvalidInput", "Invalid input for mtu. Reason: the value must be an integer.")]
    [InlineData("POST", "/v2.0/networks", """{"network": {"mtu": 1400.5}}""", 400, "InvalidInput", "Invalid input for mtu. Reason: the value must be an integer.")]
    [InlineData("POST", "/v2.0/networks", """{"network": {"admin_state_up": "yes"}}""", 400, "InvalidInput", "Invalid input for admin_state_up. Reason: the value must be a boolean.")]
    [InlineData("POST", "/v2.0/networks", """{"network": {"router:external": 3}}""", 400, "InvalidInput", "Invalid input for router:external. Reason: the value must be a boolean.")]
    [InlineData("POST", "/v2.0/networks", """{"network": {"shared": "true"}}""", 403, "PolicyNotAuthorized", "(rule:create_network:shared) is disallowed by policy")]
    [InlineData("POST", "/v2.0/subnets", """{"subnet": {"network_id": 5}}""", 400, "InvalidInput", "Invalid input for network_id. Reason: the value must be a string.")]
    [InlineData("POST", "/v2.0/subnets", """{"subnet": {"cidr": "10.0.0.0/24"}}""", 400, "InvalidInput", "Invalid input for operation: network_id is required.")]
    [InlineData("POST", "/v2.0/subnets", """{"subnet": {"allocation_pools": {"start": "10.0.0.5"}}}""", 400, "InvalidInput", "Invalid input for allocation_pools. Reason: the value must be a list.")]
    [InlineData("POST", "/v2.0/subnets", """{"subnet": {"allocation_pools": [{"end": "10.0.0.9"}, 1]}}""", 400, "InvalidInput", "Invalid input for allocation_pools. Reason: the value must be a list of objects.")]
    [InlineData("POST", "/v2.0/subnets", """{"subnet": {"allocation_pools": [{"start": "10.0.0.5"}]}}""", 400, "InvalidInput", "Invalid input for allocation_pools. Reason: the value must be a list of objects with a string 'end'.")]
    [InlineData("POST", "/v2.0/subnets", """{"subnet": {"dns_nameservers": ["8.8.8.8", 1]}}""", 400, "InvalidInput", "Invalid input for dns_nameservers. Reason: the value must be a list of strings.")]
    [InlineData("POST", "/v2.0/subnets", """{"subnet": {"host_routes": [{"destination": "10.0.0.0/8", "nexthop": 5}]}}""", 400, "InvalidInput", "Invalid input for host_routes. Reason: the value must be a list of objects with a string 'nexthop'.")]
    [InlineData("POST", "/v2.0/subnets", """{"subnet": {"gateway_ip": 5}}""", 400, "InvalidInput", "Invalid input for gateway_ip. Reason: the value must be a string.")]
    [InlineData("POST", "/v2.0/ports", """{"port": {"fixed_ips": "x"}}""", 400, "InvalidInput", "Invalid input for fixed_ips. Reason: the value must be a list.")]
    [InlineData("POST", "/v2.0/ports", """{"port": {"fixed_ips": [5]}}""", 400, "InvalidInput", "Invalid input for fixed_ips. Reason: the value must be a list of objects.")]
    [InlineData("POST", "/v2.0/ports", """{"port": {"fixed_ips": [{"subnet_id": 5}]}}""", 400, "InvalidInput", "Invalid input for subnet_id. Reason: the value must be a string.")]
    [InlineData("POST", "/v2.0/ports", """{"port": {"device_owner": 5}}""", 400, "InvalidInput", "Invalid input for device_owner. Reason: the value must be a string.")]
    [InlineData("POST", "/v2.0/ports", """{"port": {"device_id": "vm-1"}}""", 403, "PolicyNotAuthorized", "(rule:create_port:device_id) is disallowed by policy")]
    [InlineData("PUT", "/v2.0/ports/" + NoSuchId, """{"port": {"mac_address": null}}""", 400, "HTTPBadRequest", "Changing mac_address or network_id of a port is not supported; create a new port.")]
    [InlineData("PUT", "/v2.0/networks/not-a-uuid", """{"network": 5}""", 404, "NetworkNotFound", "Network not-a-uuid could not be found.")]
    [InlineData("PUT", "/v2.0/networks/" + NoSuchId, """{"network": {"router:external": true}}""", 403, "PolicyNotAuthorized", "(rule:update_network:router:external) is disallowed by policy")]
    public async Task A_bad_body_gets_neutrons_error(string method, string path, string body, int status, string type, string message)
    {
        using var http = ApiHttp.NewClient(app);
        var token = await ApiHttp.TokenAsync(http);
        var (answered, json) = await ApiHttp.SendAsync(http, new HttpMethod(method), path, token, body);
        Assert.Equal((HttpStatusCode)status, answered);
        var error = json.GetProperty("NeutronError");
        Assert.Equal(type, error.GetProperty("type").GetString());
        Assert.Equal(message, error.GetProperty("message").GetString());
        Assert.Equal("", error.GetProperty("detail").GetString());
        Assert.Single(json.EnumerateObject());
    }

    [Fact]
    public async Task A_body_over_the_cap_is_refused_with_413()
    {
        using var http = ApiHttp.NewClient(app);
        var token = await ApiHttp.TokenAsync(http);
        var (status, json) = await ApiHttp.SendAsync(http, HttpMethod.Post, "/v2.0/networks", token,
            "{\"network\": {\"description\": \"" + new string('a', 1024 * 1024) + "\"}}");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Equal("RequestEntityTooLarge", json.GetProperty("NeutronError").GetProperty("type").GetString());
        Assert.Equal("Request body is larger than the limit of 1048576 bytes.", json.GetProperty("NeutronError").GetProperty("message").GetString());
    }

    [Fact]
    public async Task Booleans_and_integers_may_come_as_strings_and_unknown_attributes_are_refused()
    {
        using var http = ApiHttp.NewClient(app);
        var token = await ApiHttp.TokenAsync(http);
        var name = "lenient-" + Guid.NewGuid().ToString("N")[..8];
        var (refused, error) = await ApiHttp.SendAsync(http, HttpMethod.Post, "/v2.0/networks", token,
            $$$"""{"network": {"name": "{{{name}}}", "bogus_attr": 1, "x": [1]}}""");
        Assert.Equal(HttpStatusCode.BadRequest, refused);
        Assert.Equal("Unrecognized attribute(s) 'bogus_attr, x'", error.GetProperty("NeutronError").GetProperty("message").GetString());
        (refused, error) = await ApiHttp.SendAsync(http, HttpMethod.Post, "/v2.0/networks", token,
            $$$"""{"network": {"name": "{{{name}}}", "provider:network_type": "vlan"}}""");
        Assert.Equal(HttpStatusCode.Forbidden, refused);
        Assert.Equal("PolicyNotAuthorized", error.GetProperty("NeutronError").GetProperty("type").GetString());
        (refused, error) = await ApiHttp.SendAsync(http, HttpMethod.Post, "/v2.0/networks", token,
            $$$"""{"network": {"name": "{{{name}}}", "tenant_id": "0123456789abcdef0123456789abcdef"}}""");
        Assert.Equal(HttpStatusCode.Forbidden, refused);
        var (_, list) = await ApiHttp.SendAsync(http, HttpMethod.Get, $"/v2.0/networks?name={name}", token);
        Assert.Equal(0, list.GetProperty("networks").GetArrayLength());

        var (status, json) = await ApiHttp.SendAsync(http, HttpMethod.Post, "/v2.0/networks", token,
            $$$"""{"network": {"name": "{{{name}}}", "mtu": "1400", "admin_state_up": "False", "port_security_enabled": "true", "project_id": "{{{Accounts.DemoProjectId}}}"}}""");
        Assert.Equal(HttpStatusCode.Created, status);
        var network = json.GetProperty("network");
        Assert.Equal(name, network.GetProperty("name").GetString());
        Assert.Equal(1400, network.GetProperty("mtu").GetInt32());
        Assert.False(network.GetProperty("admin_state_up").GetBoolean());
        var id = network.GetProperty("id").GetString();

        var (updated, body) = await ApiHttp.SendAsync(http, HttpMethod.Put, "/v2.0/networks/" + id, token,
            """{"network": {"admin_state_up": " 1 ", "mtu": null}}""");
        Assert.Equal(HttpStatusCode.OK, updated);
        Assert.True(body.GetProperty("network").GetProperty("admin_state_up").GetBoolean());
        Assert.Equal(1400, body.GetProperty("network").GetProperty("mtu").GetInt32());
        var (readOnly, why) = await ApiHttp.SendAsync(http, HttpMethod.Put, "/v2.0/subnets/" + Guid.NewGuid(), token, """{"subnet": {"cidr": "10.0.0.0/24"}}""");
        Assert.Equal(HttpStatusCode.BadRequest, readOnly);
        Assert.Equal("Attribute 'cidr' cannot be set here: it is read-only.", why.GetProperty("NeutronError").GetProperty("message").GetString());

        Assert.Equal(HttpStatusCode.NoContent, (await ApiHttp.SendAsync(http, HttpMethod.Delete, "/v2.0/networks/" + id, token)).Status);
    }

    [Fact]
    public async Task A_subnets_gateway_is_the_default_when_absent_and_none_when_null()
    {
        using var http = ApiHttp.NewClient(app);
        var token = await ApiHttp.TokenAsync(http);
        var (_, network) = await ApiHttp.SendAsync(http, HttpMethod.Post, "/v2.0/networks", token,
            $$$"""{"network": {"name": "gw-{{{Guid.NewGuid().ToString("N")[..8]}}}"}}""");
        var networkId = network.GetProperty("network").GetProperty("id").GetString();

        var (status, auto) = await ApiHttp.SendAsync(http, HttpMethod.Post, "/v2.0/subnets", token,
            $$$"""{"subnet": {"network_id": "{{{networkId}}}", "cidr": "10.73.0.0/24", "ip_version": "4"}}""");
        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal("10.73.0.1", auto.GetProperty("subnet").GetProperty("gateway_ip").GetString());
        var (_, none) = await ApiHttp.SendAsync(http, HttpMethod.Post, "/v2.0/subnets", token,
            $$$"""{"subnet": {"network_id": "{{{networkId}}}", "cidr": "10.73.1.0/24", "gateway_ip": null}}""");
        Assert.Equal(JsonValueKind.Null, none.GetProperty("subnet").GetProperty("gateway_ip").ValueKind);
        Assert.Equal("10.73.1.1", none.GetProperty("subnet").GetProperty("allocation_pools")[0].GetProperty("start").GetString());

        var subnetId = auto.GetProperty("subnet").GetProperty("id").GetString();
        var (_, renamed) = await ApiHttp.SendAsync(http, HttpMethod.Put, "/v2.0/subnets/" + subnetId, token, """{"subnet": {"name": "renamed"}}""");
        Assert.Equal("10.73.0.1", renamed.GetProperty("subnet").GetProperty("gateway_ip").GetString());
        var (_, cleared) = await ApiHttp.SendAsync(http, HttpMethod.Put, "/v2.0/subnets/" + subnetId, token, """{"subnet": {"gateway_ip": null}}""");
        Assert.Equal(JsonValueKind.Null, cleared.GetProperty("subnet").GetProperty("gateway_ip").ValueKind);

        await ApiHttp.SendAsync(http, HttpMethod.Delete, "/v2.0/subnets/" + subnetId, token);
        await ApiHttp.SendAsync(http, HttpMethod.Delete, "/v2.0/subnets/" + none.GetProperty("subnet").GetProperty("id").GetString(), token);
        Assert.Equal(HttpStatusCode.NoContent, (await ApiHttp.SendAsync(http, HttpMethod.Delete, "/v2.0/networks/" + networkId, token)).Status);
    }

    [Theory]
    [InlineData("""{"auth": {""", 400, "Malformed request body: the body is not valid JSON.", "Bad Request")]
    [InlineData("""{"other": {}}""", 400, "Malformed request body: expected an object with the key 'auth'.", "Bad Request")]
    [InlineData("""{"auth": {"identity": {"methods": ["password"], "password": {}}}}""", 400, "Expecting to find user in password.", "Bad Request")]
    [InlineData("""{"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": 5, "password": "x"}}}}}""", 400,
        "Invalid input for name. Reason: the value must be a string.", "Bad Request")]
    [InlineData("""{"auth": {"identity": "password"}}""", 400, "Invalid input for identity. Reason: the value must be an object.", "Bad Request")]
    [InlineData("""{"auth": {"identity": {"methods": "password", "password": {"user": {"name": "x", "password": "y"}}}}}""", 401,
        "The request you have made requires authentication.", "Unauthorized")]
    public async Task A_bad_token_request_gets_keystones_error(string body, int status, string message, string title)
    {
        using var http = ApiHttp.NewClient(app);
        var (answered, json) = await ApiHttp.SendAsync(http, HttpMethod.Post, "/identity/v3/auth/tokens", null, body);
        Assert.Equal((HttpStatusCode)status, answered);
        var error = json.GetProperty("error");
        Assert.Equal(status, error.GetProperty("code").GetInt32());
        Assert.Equal(message, error.GetProperty("message").GetString());
        Assert.Equal(title, error.GetProperty("title").GetString());
    }
}
