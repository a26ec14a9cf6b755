using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Npgsql;

namespace Portal.E2E.Tests;

/// <summary>
/// Issue 15's hostile input, sent as an attacker would, to the real app in Development (the collection's app) and in
/// Production (<see cref="ProductionApp"/>): each gets a clear 4xx as Neutron's or Keystone's JSON, never a 5xx, a
/// stack trace, the UI's page or a sign-in redirect; the UI answers with its own pages.
/// </summary>
[Collection(PortalAppCollection.Name)]
public sealed partial class HostileInputTests(PortalAppFixture development, HostileInputTests.ProductionApp production)
    : IClassFixture<HostileInputTests.ProductionApp>
{
    private HttpClient Client(string environment) => ClientFor(environment == "Production" ? production.BaseUrl : development.BaseUrl);

    private static HttpClient ClientFor(string baseUrl) =>
        new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(60) };

    [Theory]
    [InlineData("Development")]
    [InlineData("Production")]
    public async Task Duplicate_json_keys_are_refused_with_400(string environment)
    {
        using var http = Client(environment);
        var token = await ApiHttp.TokenAsync(http);
        var name = "dup-" + Guid.NewGuid().ToString("N")[..8];
        var (status, json) = await ApiHttp.SendAsync(http, HttpMethod.Post, "/v2.0/networks", token,
            $$$"""{"network": {"name": "{{{name}}}", "name": "{{{name}}}-b"}}""");
        AssertNeutron(status, json, 400, "HTTPBadRequest", "Malformed request body: the key 'name' appears twice in one object.");
        Assert.DoesNotContain(name, (await ApiHttp.SendAsync(http, HttpMethod.Get, "/v2.0/networks", token)).Body.GetRawText());

        // Keystone's body too, at any depth.
        var request = ApiHttp.TokenRequest(Accounts.Customer, Accounts.CustomerPassword, Accounts.DemoProjectId)
            .Replace("\"methods\":[\"password\"]", "\"methods\":[\"password\"],\"methods\":[\"token\"]");
        Assert.Contains("\"methods\":[\"token\"]", request);
        var (tokenStatus, keystone) = await ApiHttp.SendAsync(http, HttpMethod.Post, "/identity/v3/auth/tokens", null, request);
        AssertKeystone(tokenStatus, keystone, 400, "Malformed request body: the key 'methods' appears twice in one object.");
    }

    [Theory]
    [InlineData("Development")]
    [InlineData("Production")]
    public async Task An_invalid_utf8_byte_is_refused_with_400(string environment)
    {
        using var http = Client(environment);
        var token = await ApiHttp.TokenAsync(http);
        byte[] body = [.. "{\"network\": {\"name\": \"a"u8, 0xff, .. "b\"}}"u8];
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v2.0/networks") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add("X-Auth-Token", token);
        using var response = await http.SendAsync(request);
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        AssertNeutron(response.StatusCode, json, 400, "HTTPBadRequest", "Malformed request body: the body is not valid JSON.");
    }

    [Theory]
    [InlineData("Development")]
    [InlineData("Production")]
    public async Task A_lone_surrogate_is_refused_naming_its_field(string environment)
    {
        using var http = Client(environment);
        var token = await ApiHttp.TokenAsync(http);
        var (status, json) = await ApiHttp.SendAsync(http, HttpMethod.Post, "/v2.0/networks", token, """{"network": {"name": "x\ud800y"}}""");
        AssertNeutron(status, json, 400, "InvalidInput", "Invalid input for name. Reason: the value must be Unicode text (it holds a lone surrogate escape).");
        // A proper pair is text like any other.
        var (created, network) = await ApiHttp.SendAsync(http, HttpMethod.Post, "/v2.0/networks", token,
            $$$"""{"network": {"name": "pair-{{{Guid.NewGuid().ToString("N")[..6]}}}-\ud83d\ude00"}}""");
        Assert.Equal(HttpStatusCode.Created, created);
        Assert.EndsWith("😀", network.GetProperty("network").GetProperty("name").GetString());
        await ApiHttp.SendAsync(http, HttpMethod.Delete, "/v2.0/networks/" + network.GetProperty("network").GetProperty("id").GetString(), token);
    }

    [Theory]
    [InlineData("Development")]
    [InlineData("Production")]
    public async Task A_nul_in_the_token_requests_user_name_is_refused_with_400(string environment)
    {
        using var http = Client(environment);
        var request = ApiHttp.TokenRequest("demo\0@portal.local", "x", Accounts.DemoProjectId);
        Assert.Contains("\\u0000", request);
        var (status, json) = await ApiHttp.SendAsync(http, HttpMethod.Post, "/identity/v3/auth/tokens", null, request);
        AssertKeystone(status, json, 400, "Invalid input for name. Reason: the value must be text without the NUL character (U+0000).");
    }

    [Theory]
    [InlineData("Development", "/%5Cevil", "/")]
    [InlineData("Production", "/%5Cevil", "/")]
    [InlineData("Production", "//evil.example", "/")]
    [InlineData("Production", "/%2F/evil.example", "/")]
    [InlineData("Production", "https%3A%2F%2Fevil.example%2F", "/")]
    [InlineData("Production", "/%0d%0aSet-Cookie:x=1", "/")]
    [InlineData("Production", "", "/")]
    [InlineData("Production", "/networks%3Fx%3D1", "/networks?x=1")]
    [InlineData("Development", "/%255Cevil", "/%5Cevil")]
    public async Task The_culture_switch_redirects_only_to_a_local_path(string environment, string r, string location)
    {
        using var http = Client(environment);
        using var response = await http.GetAsync("/culture?c=en-US&r=" + r);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(location, response.Headers.Location?.OriginalString);
        // No sign-in is needed, and no culture (or a wrong one) is no error either.
        using var bare = await http.GetAsync("/culture?r=" + r);
        Assert.Equal(HttpStatusCode.Redirect, bare.StatusCode);
        Assert.Equal(location, bare.Headers.Location?.OriginalString);
    }

    [Theory]
    [InlineData("Development")]
    [InlineData("Production")]
    public async Task A_very_long_return_path_goes_to_the_root(string environment)
    {
        using var http = Client(environment);
        using var response = await http.GetAsync("/culture?c=ru-RU&r=/" + new string('a', 5000));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location?.OriginalString);
    }

    [Theory]
    [InlineData("Development")]
    [InlineData("Production")]
    public async Task Unknown_routes_wrong_methods_and_content_types_get_the_apis_json(string environment)
    {
        using var http = Client(environment);
        var token = await ApiHttp.TokenAsync(http);

        var (status, json) = await ApiHttp.SendAsync(http, HttpMethod.Get, "/v2.0/no-such-resource", token);
        AssertNeutron(status, json, 404, "HTTPNotFound", "The resource could not be found.");
        (status, json) = await ApiHttp.SendAsync(http, HttpMethod.Get, "/identity/v3/no-such-resource", null);
        AssertKeystone(status, json, 404, "The resource could not be found.");

        using (var delete = new HttpRequestMessage(HttpMethod.Delete, "/v2.0/networks"))
        {
            delete.Headers.Add("X-Auth-Token", token);
            using var response = await http.SendAsync(delete);
            AssertNeutron(response.StatusCode, await JsonAsync(response), 405, "HTTPMethodNotAllowed", "The method DELETE is not allowed for this resource.");
            Assert.Contains("POST", response.Content.Headers.Allow);
        }
        (status, json) = await ApiHttp.SendAsync(http, HttpMethod.Put, "/identity/v3/auth/tokens", null, "{}");
        AssertKeystone(status, json, 405, "The method PUT is not allowed for this resource.");

        foreach (var path in new[] { "/v2.0/networks", "/identity/v3/auth/tokens" })
        {
            using var plain = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent("{}", Encoding.UTF8, "text/plain") };
            plain.Headers.Add("X-Auth-Token", token);
            using var response = await http.SendAsync(plain);
            const string message = "The request media type text/plain; charset=utf-8 is not supported by this server; send application/json.";
            if (path.StartsWith("/v2.0", StringComparison.Ordinal)) AssertNeutron(response.StatusCode, await JsonAsync(response), 415, "HTTPUnsupportedMediaType", message);
            else AssertKeystone(response.StatusCode, await JsonAsync(response), 415, message);
        }

        (status, json) = await ApiHttp.SendAsync(http, HttpMethod.Post, "/v2.0/ports", token, "{\"port\": {\"name\": \"" + new string('a', 2 * 1024 * 1024) + "\"}}");
        AssertNeutron(status, json, 413, "RequestEntityTooLarge", "Request body is larger than the limit of 1048576 bytes.");
        (status, json) = await ApiHttp.SendAsync(http, HttpMethod.Post, "/identity/v3/auth/tokens", null, "{\"auth\": \"" + new string('a', 2 * 1024 * 1024) + "\"}");
        AssertKeystone(status, json, 413, "Request body is larger than the limit of 1048576 bytes.");
    }

    [Theory]
    [InlineData("Development")]
    [InlineData("Production")]
    public async Task Thousands_of_allocation_pools_are_refused_at_once(string environment)
    {
        using var http = Client(environment);
        var token = await ApiHttp.TokenAsync(http);
        var networkId = await NetworkAsync(http, token);
        // 22,500 one-address pools, just under the 1 MB cap: the body, accepted in 8.6 s before.
        var pools = string.Join(",", Enumerable.Range(0, 22_500).Select(i =>
            $$$"""{"start":"10.{{{96 + i / 2500}}}.{{{i / 10 % 250}}}.{{{i % 10 * 9 + 2}}}","end":"10.{{{96 + i / 2500}}}.{{{i / 10 % 250}}}.{{{i % 10 * 9 + 2}}}"}"""));
        var (status, json) = await ApiHttp.SendAsync(http, HttpMethod.Post, "/v2.0/subnets", token,
            $$$"""{"subnet":{"network_id":"{{{networkId}}}","cidr":"10.96.0.0/11","allocation_pools":[{{{pools}}}]}}""");
        AssertNeutron(status, json, 400, "InvalidInput", "At most 64 allocation pools are allowed per subnet; 22500 given.");
        var (_, subnets) = await ApiHttp.SendAsync(http, HttpMethod.Get, "/v2.0/subnets?network_id=" + networkId, token);
        Assert.Equal(0, subnets.GetProperty("subnets").GetArrayLength());
        await ApiHttp.SendAsync(http, HttpMethod.Delete, "/v2.0/networks/" + networkId, token);
    }

    [Theory]
    [InlineData("Development")]
    [InlineData("Production")]
    public async Task A_thousand_fixed_ips_on_a_port_are_refused_at_once(string environment)
    {
        using var http = Client(environment);
        var token = await ApiHttp.TokenAsync(http);
        var networkId = await NetworkAsync(http, token);
        var (_, subnet) = await ApiHttp.SendAsync(http, HttpMethod.Post, "/v2.0/subnets", token,
            $$$"""{"subnet":{"network_id":"{{{networkId}}}","cidr":"10.97.0.0/20","enable_dhcp":false}}""");
        var subnetId = subnet.GetProperty("subnet").GetProperty("id").GetString();
        var fixedIps = string.Join(",", Enumerable.Repeat($$$"""{"subnet_id":"{{{subnetId}}}"}""", 1_000));
        var (status, json) = await ApiHttp.SendAsync(http, HttpMethod.Post, "/v2.0/ports", token,
            $$$"""{"port":{"network_id":"{{{networkId}}}","fixed_ips":[{{{fixedIps}}}]}}""");
        AssertNeutron(status, json, 400, "InvalidInput", "Exceeded maximum amount of fixed ips per port: at most 5 addresses are allowed; 1000 given.");
        var (_, ports) = await ApiHttp.SendAsync(http, HttpMethod.Get, "/v2.0/ports?network_id=" + networkId, token);
        Assert.Equal(0, ports.GetProperty("ports").GetArrayLength());
        await ApiHttp.SendAsync(http, HttpMethod.Delete, "/v2.0/subnets/" + subnetId, token);
        await ApiHttp.SendAsync(http, HttpMethod.Delete, "/v2.0/networks/" + networkId, token);
    }

    [Theory]
    [InlineData("Development")]
    [InlineData("Production")]
    public async Task Many_filter_values_in_a_list_query_are_answered_or_refused_with_a_4xx(string environment)
    {
        using var http = Client(environment);
        var token = await ApiHttp.TokenAsync(http);
        string Ids(int count) => string.Join("&", Enumerable.Range(0, count).Select(i => $"id={i:x8}-0000-4000-8000-000000000000"));

        // As many as the request line holds are one cheap filter; more are Kestrel's 414 before the app reads anything.
        var (status, json) = await ApiHttp.SendAsync(http, HttpMethod.Get, "/v2.0/ports?" + Ids(150) + "&fields=id&fields=name&sort_key=name", token);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(0, json.GetProperty("ports").GetArrayLength());
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v2.0/ports?" + Ids(2_000));
        request.Headers.Add("X-Auth-Token", token);
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestUriTooLong, response.StatusCode);
    }

    /// <summary>
    /// A server fault (here: tables the app needs renamed away for the length of the test, which runs alone in its
    /// collection) is answered 500 — as Neutron's or Keystone's JSON on the API and as the app's own error page in the
    /// UI — without a stack trace, an exception type or SQL text, in both environments.
    /// </summary>
    [Theory]
    [InlineData("Development")]
    [InlineData("Production")]
    public async Task A_server_fault_shows_the_apps_error_page_or_the_apis_json_never_a_stack_trace(string environment)
    {
        var database = environment == "Production" ? production.DatabaseConnectionString : development.DatabaseConnectionString;
        using var http = Client(environment);
        var token = await ApiHttp.TokenAsync(http);
        var (form, cookies) = await LoginFormAsync(http);

        await RenameAsync(database, "networks", "networks_away", "users", "users_away");
        try
        {
            using (var list = new HttpRequestMessage(HttpMethod.Get, "/v2.0/networks"))
            {
                list.Headers.Add("X-Auth-Token", token);
                using var response = await http.SendAsync(list);
                var text = await response.Content.ReadAsStringAsync();
                AssertNoInternals(text);
                AssertNeutron(response.StatusCode, JsonDocument.Parse(text).RootElement, 500, "HTTPInternalServerError",
                    "Request Failed: internal server error while processing your request.");
            }

            var (status, keystone) = await ApiHttp.SendAsync(http, HttpMethod.Post, "/identity/v3/auth/tokens", null,
                ApiHttp.TokenRequest(Accounts.Customer, Accounts.CustomerPassword, Accounts.DemoProjectId));
            AssertNoInternals(keystone.GetRawText());
            AssertKeystone(status, keystone, 500, "Request Failed: internal server error while processing your request.");

            // The sign-in form reads the users table: the exception is the UI's, and its page is the app's own.
            using var signIn = new HttpRequestMessage(HttpMethod.Post, "/login") { Content = new FormUrlEncodedContent(form) };
            signIn.Headers.Add("Cookie", cookies);
            using var page = await http.SendAsync(signIn);
            var html = await page.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.InternalServerError, page.StatusCode);
            Assert.Contains("data-testid=\"status\" data-status=\"500\"", html);
            AssertNoInternals(html);
        }
        finally
        {
            await RenameAsync(database, "networks_away", "networks", "users_away", "users");
        }
    }

    private static async Task<(Dictionary<string, string> Form, string Cookies)> LoginFormAsync(HttpClient http)
    {
        using var page = await http.GetAsync("/login");
        var html = await page.Content.ReadAsStringAsync();
        var antiforgery = AntiforgeryField().Match(html);
        Assert.True(antiforgery.Success, "The sign-in page has no antiforgery token.");
        var cookies = string.Join("; ", page.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]));
        return (new Dictionary<string, string>
        {
            ["_handler"] = "login", ["__RequestVerificationToken"] = WebUtility.HtmlDecode(antiforgery.Groups[1].Value),
            ["Input.Email"] = Accounts.Customer, ["Input.Password"] = Accounts.CustomerPassword,
        }, cookies);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();

    private static async Task RenameAsync(string connectionString, params string[] fromTo)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        for (var i = 0; i < fromTo.Length; i += 2)
        {
            await using var rename = new NpgsqlCommand($"ALTER TABLE {fromTo[i]} RENAME TO {fromTo[i + 1]}", connection);
            await rename.ExecuteNonQueryAsync();
        }
    }

    private static void AssertNoInternals(string text)
    {
        foreach (var leak in new[] { "Exception", "   at ", "Npgsql", "SELECT", "relation ", ".cs:line" })
        {
            Assert.DoesNotContain(leak, text, StringComparison.Ordinal);
        }
    }

    private static async Task<string> NetworkAsync(HttpClient http, string token)
    {
        var (status, json) = await ApiHttp.SendAsync(http, HttpMethod.Post, "/v2.0/networks", token,
            $$$"""{"network": {"name": "hostile-{{{Guid.NewGuid().ToString("N")[..8]}}}"}}""");
        Assert.Equal(HttpStatusCode.Created, status);
        return json.GetProperty("network").GetProperty("id").GetString()!;
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private static void AssertNeutron(HttpStatusCode status, JsonElement json, int code, string type, string message)
    {
        Assert.True((int)status == code, $"HTTP {(int)status} instead of {code}: {json}");
        var error = json.GetProperty("NeutronError");
        Assert.Equal(type, error.GetProperty("type").GetString());
        Assert.Equal(message, error.GetProperty("message").GetString());
        Assert.Equal("", error.GetProperty("detail").GetString());
        Assert.Single(json.EnumerateObject());
    }

    private static void AssertKeystone(HttpStatusCode status, JsonElement json, int code, string message)
    {
        Assert.True((int)status == code, $"HTTP {(int)status} instead of {code}: {json}");
        var error = json.GetProperty("error");
        Assert.Equal(code, error.GetProperty("code").GetInt32());
        Assert.Equal(message, error.GetProperty("message").GetString());
        Assert.Single(json.EnumerateObject());
    }

    /// <summary>
    /// The real app in Production (no developer exception page, the exception handler as deployed) on a fresh,
    /// seeded database of its own; the collection's <see cref="PortalAppFixture"/> is the Development one.
    /// </summary>
    public sealed class ProductionApp : PortalAppFixture
    {
        protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
        {
            ["Portal__SeedDemoData"] = "true", ["ASPNETCORE_ENVIRONMENT"] = "Production",
        };
    }
}
