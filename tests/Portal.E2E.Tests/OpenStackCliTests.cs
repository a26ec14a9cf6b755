using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Npgsql;

namespace Portal.E2E.Tests;

/// <summary>
/// The OpenStack-compatible API checked with the real client, Debian's python3-openstackclient (./test installs
/// it): Keystone v3 password authentication scoped to a project, then Neutron's network commands. Plus the
/// API's error bodies over plain HTTP.
/// </summary>
[Collection(PortalAppCollection.Name)]
public sealed class OpenStackCliTests(PortalAppFixture app)
{
    private const string OpenStack = "/usr/bin/openstack";
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Network_create_list_show_set_and_delete_through_the_client()
    {
        var name = "cli-" + Guid.NewGuid().ToString("N")[..8];
        var created = Json(await RunOkAsync(Accounts.Customer, Accounts.CustomerPassword, Accounts.DemoProjectId,
            "network", "create", name, "-f", "json"));
        var id = created.GetProperty("id").GetString()!;
        Assert.Equal(name, created.GetProperty("name").GetString());
        Assert.Equal(Accounts.DemoProjectId, created.GetProperty("project_id").GetString());
        Assert.Equal("ACTIVE", created.GetProperty("status").GetString());
        Assert.Equal(1500, created.GetProperty("mtu").GetInt32());

        var list = Json(await RunOkAsync(Accounts.Customer, Accounts.CustomerPassword, Accounts.DemoProjectId, "network", "list", "-f", "json"));
        var names = list.EnumerateArray().ToDictionary(n => n.GetProperty("ID").GetString()!, n => n.GetProperty("Name").GetString());
        Assert.Equal(name, names[id]);
        Assert.Contains("ext-net", names.Values);
        Assert.Contains("default", names.Values);

        await RunOkAsync(Accounts.Customer, Accounts.CustomerPassword, Accounts.DemoProjectId,
            "network", "set", "--name", name + "-b", "--mtu", "1400", id);
        var shown = Json(await RunOkAsync(Accounts.Customer, Accounts.CustomerPassword, Accounts.DemoProjectId,
            "network", "show", name + "-b", "-f", "json"));
        Assert.Equal(id, shown.GetProperty("id").GetString());
        Assert.Equal(1400, shown.GetProperty("mtu").GetInt32());
        Assert.False(shown.GetProperty("router:external").GetBoolean());
        Assert.False(shown.GetProperty("shared").GetBoolean());

        await RunOkAsync(Accounts.Customer, Accounts.CustomerPassword, Accounts.DemoProjectId, "network", "delete", id);
        var gone = await RunAsync(Accounts.Customer, Accounts.CustomerPassword, Accounts.DemoProjectId, "network", "show", id, "-f", "json");
        Assert.NotEqual(0, gone.ExitCode);
        Assert.Contains($"No Network found for {id}", gone.StdErr);

        await using var db = new NpgsqlConnection(app.DatabaseConnectionString);
        await db.OpenAsync();
        await using var audit = new NpgsqlCommand(
            "SELECT count(*) FROM audit_entries WHERE object_id = $1 AND actor = $2 AND address IS NOT NULL", db);
        audit.Parameters.Add(new NpgsqlParameter { Value = id });
        audit.Parameters.Add(new NpgsqlParameter { Value = Accounts.Customer });
        Assert.Equal(2L, (long)(await audit.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task Another_projects_network_is_not_found()
    {
        var name = "cli-staging-" + Guid.NewGuid().ToString("N")[..8];
        var created = Json(await RunOkAsync(Accounts.Customer, Accounts.CustomerPassword, Accounts.StagingProjectId,
            "network", "create", name, "-f", "json"));
        var id = created.GetProperty("id").GetString()!;
        Assert.Equal(Accounts.StagingProjectId, created.GetProperty("project_id").GetString());

        var outsider = await Accounts.NewCustomerAsync(app.DatabaseConnectionString, Accounts.DemoProjectId);
        var show = await RunAsync(outsider, Accounts.CustomerPassword, Accounts.DemoProjectId, "network", "show", id, "-f", "json");
        Assert.NotEqual(0, show.ExitCode);
        Assert.Contains($"No Network found for {id}", show.StdErr);
        var delete = await RunAsync(outsider, Accounts.CustomerPassword, Accounts.DemoProjectId, "network", "delete", id);
        Assert.NotEqual(0, delete.ExitCode);

        // Nor can a user scope a token to a project they are not a member of.
        var scoped = await RunAsync(outsider, Accounts.CustomerPassword, Accounts.StagingProjectId, "network", "list", "-f", "json");
        Assert.NotEqual(0, scoped.ExitCode);
        Assert.Contains("The request you have made requires authentication", scoped.StdErr);

        await RunOkAsync(Accounts.Customer, Accounts.CustomerPassword, Accounts.StagingProjectId, "network", "delete", id);
    }

    [Fact]
    public async Task Creating_a_network_over_the_quota_prints_neutrons_over_quota_message()
    {
        var projectId = Guid.NewGuid().ToString("N");
        await using (var db = new NpgsqlConnection(app.DatabaseConnectionString))
        {
            await db.OpenAsync();
            await using var batch = new NpgsqlBatch(db);
            batch.BatchCommands.Add(new NpgsqlBatchCommand(
                $"INSERT INTO projects (id, name, shadowport_enabled, created_at) VALUES ('{projectId}', 'cli-quota', false, now())"));
            batch.BatchCommands.Add(new NpgsqlBatchCommand(
                $"INSERT INTO quotas (project_id, resource, \"limit\") VALUES ('{projectId}', 'networks', 1), ('{projectId}', 'subnets', 10), ('{projectId}', 'ports', 10)"));
            batch.BatchCommands.Add(new NpgsqlBatchCommand(
                $"SELECT portal_quota_set('{projectId}', r, l) FROM (VALUES ('networks', 1), ('subnets', 10), ('ports', 10)) AS q(r, l)"));
            await batch.ExecuteNonQueryAsync();
        }
        var user = await Accounts.NewCustomerAsync(app.DatabaseConnectionString, projectId);

        await RunOkAsync(user, Accounts.CustomerPassword, projectId, "network", "create", "first", "-f", "json");
        var over = await RunAsync(user, Accounts.CustomerPassword, projectId, "network", "create", "second", "-f", "json");
        Assert.NotEqual(0, over.ExitCode);
        Assert.Contains("Quota exceeded for networks", over.StdErr, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("409", over.StdErr);
    }

    [Fact]
    public async Task The_api_answers_json_errors_never_redirects()
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false })
        {
            BaseAddress = new Uri(app.BaseUrl), Timeout = TimeSpan.FromSeconds(30),
        };

        using (var anonymous = await http.GetAsync("/v2.0/networks"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            Assert.Equal("HTTPUnauthorized", Json(await anonymous.Content.ReadAsStringAsync()).GetProperty("NeutronError").GetProperty("type").GetString());
        }
        using (var forged = new HttpRequestMessage(HttpMethod.Get, "/v2.0/networks"))
        {
            forged.Headers.Add("X-Auth-Token", "not-a-token");
            using var response = await http.SendAsync(forged);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        using (var wrong = await http.PostAsync("/identity/v3/auth/tokens", JsonBody(TokenRequest(Accounts.Customer, "wrong-password"))))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
            var error = Json(await wrong.Content.ReadAsStringAsync()).GetProperty("error");
            Assert.Equal(401, error.GetProperty("code").GetInt32());
            Assert.Equal("Unauthorized", error.GetProperty("title").GetString());
        }

        string token;
        using (var issued = await http.PostAsync("/identity/v3/auth/tokens", JsonBody(TokenRequest(Accounts.Customer, Accounts.CustomerPassword))))
        {
            Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
            token = issued.Headers.GetValues("X-Subject-Token").Single();
            var body = Json(await issued.Content.ReadAsStringAsync()).GetProperty("token");
            Assert.Equal(Accounts.DemoProjectId, body.GetProperty("project").GetProperty("id").GetString());
            Assert.Equal(app.BaseUrl, body.GetProperty("catalog").EnumerateArray()
                .Single(s => s.GetProperty("type").GetString() == "network").GetProperty("endpoints")[0].GetProperty("url").GetString());
        }

        using (var malformed = new HttpRequestMessage(HttpMethod.Post, "/v2.0/networks") { Content = JsonBody("{\"network\": {") })
        {
            malformed.Headers.Add("X-Auth-Token", token);
            using var response = await http.SendAsync(malformed);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("HTTPBadRequest", Json(await response.Content.ReadAsStringAsync()).GetProperty("NeutronError").GetProperty("type").GetString());
        }
        using (var missing = new HttpRequestMessage(HttpMethod.Get, "/v2.0/networks/3f1c0c8e-0000-4000-8000-000000000001"))
        {
            missing.Headers.Add("X-Auth-Token", token);
            using var response = await http.SendAsync(missing);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            var error = Json(await response.Content.ReadAsStringAsync()).GetProperty("NeutronError");
            Assert.Equal("NetworkNotFound", error.GetProperty("type").GetString());
            Assert.Equal("Network 3f1c0c8e-0000-4000-8000-000000000001 could not be found.", error.GetProperty("message").GetString());
        }
        using (var paged = new HttpRequestMessage(HttpMethod.Get, "/v2.0/networks?limit=1"))
        {
            paged.Headers.Add("X-Auth-Token", token);
            using var response = await http.SendAsync(paged);
            var body = Json(await response.Content.ReadAsStringAsync());
            Assert.Single(body.GetProperty("networks").EnumerateArray());
            var next = body.GetProperty("networks_links")[0];
            Assert.Equal("next", next.GetProperty("rel").GetString());
            Assert.Contains("marker=" + body.GetProperty("networks")[0].GetProperty("id").GetString(), next.GetProperty("href").GetString());
        }
    }

    [Fact]
    public async Task Wrong_passwords_through_the_api_lock_the_account_like_the_login_form()
    {
        var user = await Accounts.NewCustomerAsync(app.DatabaseConnectionString, Accounts.DemoProjectId);
        using var http = new HttpClient { BaseAddress = new Uri(app.BaseUrl), Timeout = TimeSpan.FromSeconds(30) };
        for (var i = 0; i < 5; i++)
        {
            using var wrong = await http.PostAsync("/identity/v3/auth/tokens", JsonBody(TokenRequest(user, "wrong-password")));
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }
        using var locked = await http.PostAsync("/identity/v3/auth/tokens", JsonBody(TokenRequest(user, Accounts.CustomerPassword)));
        Assert.Equal(HttpStatusCode.Unauthorized, locked.StatusCode);
    }

    private static string TokenRequest(string user, string password) => JsonSerializer.Serialize(new
    {
        auth = new
        {
            identity = new { methods = new[] { "password" }, password = new { user = new { name = user, domain = new { name = "Default" }, password } } },
            scope = new { project = new { id = Accounts.DemoProjectId } },
        },
    });

    private static StringContent JsonBody(string json) => new(json, Encoding.UTF8, new MediaTypeHeaderValue("application/json"));

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();

    private sealed record CliResult(int ExitCode, string StdOut, string StdErr);

    private async Task<string> RunOkAsync(string user, string password, string projectId, params string[] args)
    {
        var result = await RunAsync(user, password, projectId, args);
        Assert.True(result.ExitCode == 0,
            $"openstack {string.Join(' ', args)} exited with {result.ExitCode}:{Environment.NewLine}{result.StdErr}{Environment.NewLine}App log:{Environment.NewLine}{app.RecentLog(60)}");
        return result.StdOut;
    }

    private async Task<CliResult> RunAsync(string user, string password, string projectId, params string[] args)
    {
        if (!File.Exists(OpenStack))
        {
            throw new InvalidOperationException(
                $"These tests run Debian's OpenStack client at {OpenStack}, which is missing: apt-get install python3-openstackclient (./test installs it when run as root).");
        }
        var start = new ProcessStartInfo(OpenStack) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("OS_", StringComparison.Ordinal)).ToList()) start.Environment.Remove(key);
        start.Environment["OS_AUTH_URL"] = app.BaseUrl + "/identity/v3";
        start.Environment["OS_IDENTITY_API_VERSION"] = "3";
        start.Environment["OS_USERNAME"] = user;
        start.Environment["OS_PASSWORD"] = password;
        start.Environment["OS_PROJECT_ID"] = projectId;
        start.Environment["OS_USER_DOMAIN_NAME"] = "Default";
        start.Environment["OS_PROJECT_DOMAIN_NAME"] = "Default";
        start.Environment["HOME"] = Path.GetTempPath();

        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start openstack.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(CommandTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"openstack {string.Join(' ', args)} did not finish within {CommandTimeout.TotalSeconds:0} s.");
        }
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }
}
