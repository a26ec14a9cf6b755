using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Npgsql;

namespace Portal.E2E.Tests;

/// <summary>
/// The OpenStack-compatible API checked with the real client, Debian's python3-openstackclient (./test installs
/// it): Keystone v3 password authentication scoped to a project, then Neutron's network, subnet and port commands. Plus the
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
        // Created, changed (network set), deleted: updates are audited too.
        Assert.Equal(3L, (long)(await audit.ExecuteScalarAsync())!);
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
            Assert.Equal(app.BaseUrl + "/networking", body.GetProperty("catalog").EnumerateArray()
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
    public async Task Subnets_and_ports_through_the_client_with_neutrons_errors()
    {
        const string user = Accounts.Customer, password = Accounts.CustomerPassword, project = Accounts.DemoProjectId;
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var network = Json(await RunOkAsync(user, password, project, "network", "create", "cli-net-" + suffix, "-f", "json"));
        var networkId = network.GetProperty("id").GetString()!;

        var subnetName = "cli-sub-" + suffix;
        var created = Json(await RunOkAsync(user, password, project, "subnet", "create", "--network", networkId,
            "--subnet-range", "10.71.0.0/24", "--allocation-pool", "start=10.71.0.10,end=10.71.0.100",
            "--dns-nameserver", "8.8.8.8", "--gateway", "none", subnetName, "-f", "json"));
        var subnetId = created.GetProperty("id").GetString()!;
        var subnet = Json(await RunOkAsync(user, password, project, "subnet", "show", subnetName, "-f", "json"));
        Assert.Equal(subnetId, subnet.GetProperty("id").GetString());
        Assert.Equal("10.71.0.0/24", subnet.GetProperty("cidr").GetString());
        Assert.Equal(JsonValueKind.Null, subnet.GetProperty("gateway_ip").ValueKind);
        var pool = Assert.Single(subnet.GetProperty("allocation_pools").EnumerateArray());
        Assert.Equal("10.71.0.10", pool.GetProperty("start").GetString());
        Assert.Equal("10.71.0.100", pool.GetProperty("end").GetString());
        Assert.Equal("8.8.8.8", Assert.Single(subnet.GetProperty("dns_nameservers").EnumerateArray()).GetString());
        Assert.Equal(networkId, subnet.GetProperty("network_id").GetString());

        var overlap = await RunAsync(user, password, project, "subnet", "create", "--network", networkId,
            "--subnet-range", "10.71.0.128/25", "cli-overlap-" + suffix);
        Assert.NotEqual(0, overlap.ExitCode);
        Assert.Contains($"10.71.0.128/25 overlaps with another subnet of this network: “{subnetName}” (10.71.0.0/24).", overlap.StdErr);

        var portName = "cli-port-" + suffix;
        var port = Json(await RunOkAsync(user, password, project, "port", "create", "--network", networkId,
            "--fixed-ip", $"subnet={subnetName},ip-address=10.71.0.20", portName, "-f", "json"));
        var portId = port.GetProperty("id").GetString()!;
        var ports = Json(await RunOkAsync(user, password, project, "port", "list", "--network", networkId, "-f", "json"));
        var listed = ports.EnumerateArray().Single(p => p.GetProperty("ID").GetString() == portId);
        Assert.Equal(portName, listed.GetProperty("Name").GetString());
        Assert.Contains("10.71.0.20", listed.GetProperty("Fixed IP Addresses").GetRawText());
        Assert.Contains(subnetId, listed.GetProperty("Fixed IP Addresses").GetRawText());

        var taken = await RunAsync(user, password, project, "port", "create", "--network", networkId,
            "--fixed-ip", $"subnet={subnetName},ip-address=10.71.0.20", portName + "-b");
        Assert.NotEqual(0, taken.ExitCode);
        Assert.Contains($"IP address 10.71.0.20 is already allocated in subnet “{subnetName}”.", taken.StdErr);

        var networkInUse = await RunAsync(user, password, project, "network", "delete", networkId);
        Assert.NotEqual(0, networkInUse.ExitCode);
        Assert.Contains($"still in use on the network: port “{portName}” (10.71.0.20). Delete it first.", networkInUse.StdErr);
        var subnetInUse = await RunAsync(user, password, project, "subnet", "delete", subnetId);
        Assert.NotEqual(0, subnetInUse.ExitCode);
        Assert.Contains($"Subnet “{subnetName}” has an allocated address: port “{portName}” (10.71.0.20). Delete this port first.", subnetInUse.StdErr);

        await RunOkAsync(user, password, project, "port", "set", "--name", portName + "-renamed", "--disable", portId);
        var renamed = Json(await RunOkAsync(user, password, project, "port", "show", portId, "-f", "json"));
        Assert.Equal(portName + "-renamed", renamed.GetProperty("name").GetString());
        Assert.False(renamed.GetProperty("admin_state_up").GetBoolean());

        // A second address, then back to one: the client sends the whole new list (PUT fixed_ips).
        await RunOkAsync(user, password, project, "port", "set", "--fixed-ip", $"subnet={subnetName},ip-address=10.71.0.21", portId);
        var twoAddresses = Json(await RunOkAsync(user, password, project, "port", "show", portId, "-f", "json")).GetProperty("fixed_ips").GetRawText();
        Assert.Contains("10.71.0.20", twoAddresses);
        Assert.Contains("10.71.0.21", twoAddresses);
        await RunOkAsync(user, password, project, "port", "unset", "--fixed-ip", $"subnet={subnetName},ip-address=10.71.0.20", portId);
        var oneAddress = Json(await RunOkAsync(user, password, project, "port", "show", portId, "-f", "json")).GetProperty("fixed_ips").GetRawText();
        Assert.DoesNotContain("10.71.0.20", oneAddress);
        Assert.Contains("10.71.0.21", oneAddress);

        await RunOkAsync(user, password, project, "port", "delete", portId);
        await RunOkAsync(user, password, project, "subnet", "delete", subnetId);
        await RunOkAsync(user, password, project, "network", "delete", networkId);

        await using var db = new NpgsqlConnection(app.DatabaseConnectionString);
        await db.OpenAsync();
        await using var audit = new NpgsqlCommand(
            "SELECT count(*) FROM audit_entries WHERE object_id = ANY($1) AND actor = $2 AND address IS NOT NULL", db);
        audit.Parameters.Add(new NpgsqlParameter { Value = new[] { subnetId, portId } });
        audit.Parameters.Add(new NpgsqlParameter { Value = user });
        // The subnet and the port each created and deleted, and the port changed three times (port set, set, unset):
        // updates are audited too.
        Assert.Equal(7L, (long)(await audit.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task Network_ip_availability_counts_the_pools_and_their_allocations()
    {
        const string user = Accounts.Customer, password = Accounts.CustomerPassword, project = Accounts.DemoProjectId;
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var networkId = Json(await RunOkAsync(user, password, project, "network", "create", "cli-ipa-" + suffix, "-f", "json"))
            .GetProperty("id").GetString()!;
        // 50 addresses in the pool; DHCP takes one, the port another.
        var subnetId = Json(await RunOkAsync(user, password, project, "subnet", "create", "--network", networkId,
            "--subnet-range", "10.72.0.0/24", "--allocation-pool", "start=10.72.0.11,end=10.72.0.60", "cli-ipa-sub-" + suffix, "-f", "json"))
            .GetProperty("id").GetString()!;
        var portId = Json(await RunOkAsync(user, password, project, "port", "create", "--network", networkId, "cli-ipa-port-" + suffix, "-f", "json"))
            .GetProperty("id").GetString()!;

        using var http = new HttpClient { BaseAddress = new Uri(app.BaseUrl), Timeout = TimeSpan.FromSeconds(30) };
        string token;
        using (var issued = await http.PostAsync("/identity/v3/auth/tokens", JsonBody(TokenRequest(user, password))))
        {
            token = issued.Headers.GetValues("X-Subject-Token").Single();
        }
        using (var request = new HttpRequestMessage(HttpMethod.Get, "/v2.0/network-ip-availabilities/" + networkId))
        {
            request.Headers.Add("X-Auth-Token", token);
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = Json(await response.Content.ReadAsStringAsync()).GetProperty("network_ip_availability");
            Assert.Equal(networkId, body.GetProperty("network_id").GetString());
            Assert.Equal("cli-ipa-" + suffix, body.GetProperty("network_name").GetString());
            Assert.Equal(50, body.GetProperty("total_ips").GetInt64());
            Assert.Equal(2, body.GetProperty("used_ips").GetInt64());
            var subnet = Assert.Single(body.GetProperty("subnet_ip_availability").EnumerateArray());
            Assert.Equal(subnetId, subnet.GetProperty("subnet_id").GetString());
            Assert.Equal("10.72.0.0/24", subnet.GetProperty("cidr").GetString());
            Assert.Equal(4, subnet.GetProperty("ip_version").GetInt32());
            Assert.Equal(50, subnet.GetProperty("total_ips").GetInt64());
            Assert.Equal(2, subnet.GetProperty("used_ips").GetInt64());
        }
        using (var request = new HttpRequestMessage(HttpMethod.Get, "/v2.0/"))
        {
            request.Headers.Add("X-Auth-Token", token);
            using var response = await http.SendAsync(request);
            var collections = Json(await response.Content.ReadAsStringAsync()).GetProperty("resources").EnumerateArray()
                .Select(r => r.GetProperty("collection").GetString()).ToList();
            Assert.Equal(["networks", "subnets", "ports", "network-ip-availabilities"], collections);
        }

        await RunOkAsync(user, password, project, "port", "delete", portId);
        await RunOkAsync(user, password, project, "network", "delete", networkId);
    }

    [Fact]
    public async Task Enable_shadow_port_needs_shadowport_on_the_project_and_cannot_be_turned_off()
    {
        var projectId = Guid.NewGuid().ToString("N");
        await SqlAsync(
            $"INSERT INTO projects (id, name, shadowport_enabled, created_at) VALUES ('{projectId}', 'cli-shadow', false, now())",
            $"INSERT INTO quotas (project_id, resource, \"limit\") VALUES ('{projectId}', 'networks', 10), ('{projectId}', 'subnets', 10), ('{projectId}', 'ports', 10)",
            $"SELECT portal_quota_set('{projectId}', r, 10) FROM (VALUES ('networks'), ('subnets'), ('ports')) AS q(r)");
        var user = await Accounts.NewCustomerAsync(app.DatabaseConnectionString, projectId);
        using var http = new HttpClient { BaseAddress = new Uri(app.BaseUrl), Timeout = TimeSpan.FromSeconds(30) };
        string token;
        using (var issued = await http.PostAsync("/identity/v3/auth/tokens", JsonBody(TokenRequest(user, Accounts.CustomerPassword, projectId))))
        {
            Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
            token = issued.Headers.GetValues("X-Subject-Token").Single();
        }
        async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpMethod method, string path, string? json = null)
        {
            using var request = new HttpRequestMessage(method, path) { Content = json is null ? null : JsonBody(json) };
            request.Headers.Add("X-Auth-Token", token);
            using var response = await http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            return (response.StatusCode, text.Length == 0 ? default : Json(text));
        }

        var refused = await SendAsync(HttpMethod.Post, "/v2.0/networks", """{"network": {"name": "sp", "enable_shadow_port": true}}""");
        Assert.Equal(HttpStatusCode.Conflict, refused.Status);
        Assert.Contains(projectId, refused.Body.GetProperty("NeutronError").GetProperty("message").GetString());
        Assert.Empty((await SendAsync(HttpMethod.Get, "/v2.0/networks?name=sp")).Body.GetProperty("networks").EnumerateArray());

        await SqlAsync($"UPDATE projects SET shadowport_enabled = true WHERE id = '{projectId}'");
        var created = await SendAsync(HttpMethod.Post, "/v2.0/networks", """{"network": {"name": "sp", "enable_shadow_port": true}}""");
        Assert.Equal(HttpStatusCode.Created, created.Status);
        var id = created.Body.GetProperty("network").GetProperty("id").GetString();
        Assert.True(created.Body.GetProperty("network").GetProperty("enable_shadow_port").GetBoolean());

        var off = await SendAsync(HttpMethod.Put, $"/v2.0/networks/{id}", """{"network": {"enable_shadow_port": false}}""");
        Assert.Equal(HttpStatusCode.Conflict, off.Status);
        Assert.True((await SendAsync(HttpMethod.Get, $"/v2.0/networks/{id}")).Body.GetProperty("network").GetProperty("enable_shadow_port").GetBoolean());
    }

    private async Task SqlAsync(params string[] statements)
    {
        await using var db = new NpgsqlConnection(app.DatabaseConnectionString);
        await db.OpenAsync();
        await using var batch = new NpgsqlBatch(db);
        foreach (var sql in statements) batch.BatchCommands.Add(new NpgsqlBatchCommand(sql));
        await batch.ExecuteNonQueryAsync();
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

    [Fact]
    public async Task A_token_revoked_with_the_client_no_longer_opens_the_api()
    {
        var user = await Accounts.NewCustomerAsync(app.DatabaseConnectionString, Accounts.DemoProjectId);
        var issued = Json(await RunOkAsync(user, Accounts.CustomerPassword, Accounts.DemoProjectId, "token", "issue", "-f", "json"));
        var token = issued.GetProperty("id").GetString()!;
        Assert.Equal(Accounts.DemoProjectId, issued.GetProperty("project_id").GetString());
        using var http = new HttpClient { BaseAddress = new Uri(app.BaseUrl), Timeout = TimeSpan.FromSeconds(30) };
        async Task<HttpStatusCode> ListWithAsync(string t)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/v2.0/networks") { Headers = { { "X-Auth-Token", t } } };
            using var response = await http.SendAsync(request);
            return response.StatusCode;
        }
        Assert.Equal(HttpStatusCode.OK, await ListWithAsync(token));

        await RunOkAsync(user, Accounts.CustomerPassword, Accounts.DemoProjectId, "token", "revoke", token);

        Assert.Equal(HttpStatusCode.Unauthorized, await ListWithAsync(token));
        // The client signs in again with a fresh token of its own: revoking one token ends only that one.
        Assert.Equal(JsonValueKind.Array, Json(await RunOkAsync(user, Accounts.CustomerPassword, Accounts.DemoProjectId, "network", "list", "-f", "json")).ValueKind);
    }

    private static string TokenRequest(string user, string password, string projectId = Accounts.DemoProjectId) => JsonSerializer.Serialize(new
    {
        auth = new
        {
            identity = new { methods = new[] { "password" }, password = new { user = new { name = user, domain = new { name = "Default" }, password } } },
            scope = new { project = new { id = projectId } },
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

    [Fact]
    public async Task Ports_without_addresses_slaac_subnets_and_tags_through_the_client()
    {
        var (user, password, project) = (Accounts.Customer, Accounts.CustomerPassword, Accounts.DemoProjectId);
        var name = "cli-v6-" + Guid.NewGuid().ToString("N")[..8];
        var network = Json(await RunOkAsync(user, password, project, "network", "create", "--tag", "blue", name, "-f", "json"));
        var networkId = network.GetProperty("id").GetString()!;
        Assert.Contains("blue", network.GetProperty("tags").GetRawText());
        var tagged = Json(await RunOkAsync(user, password, project, "network", "list", "--tags", "blue", "-f", "json"));
        Assert.Contains(tagged.EnumerateArray(), n => n.GetProperty("ID").GetString() == networkId);

        var bare = Json(await RunOkAsync(user, password, project, "port", "create", "--network", networkId, "--no-fixed-ip", name + "-bare", "-f", "json"));
        Assert.Equal("[]", bare.GetProperty("fixed_ips").GetRawText().Replace(" ", ""));

        var subnet = Json(await RunOkAsync(user, password, project, "subnet", "create", "--network", networkId, "--ip-version", "6",
            "--ipv6-ra-mode", "slaac", "--ipv6-address-mode", "slaac", "--subnet-range", "2001:db8:84::/64", name + "-slaac", "-f", "json"));
        Assert.Equal("slaac", subnet.GetProperty("ipv6_address_mode").GetString());
        var slaac = Json(await RunOkAsync(user, password, project, "port", "create", "--network", networkId, "--mac-address", "fa:16:3e:12:34:56",
            name + "-slaac", "-f", "json"));
        Assert.Contains("2001:db8:84:0:f816:3eff:fe12:3456", slaac.GetProperty("fixed_ips").GetRawText());

        var wrongModes = await RunAsync(user, password, project, "subnet", "create", "--network", networkId, "--ip-version", "6",
            "--ipv6-ra-mode", "slaac", "--ipv6-address-mode", "dhcpv6-stateful", "--subnet-range", "2001:db8:85::/64", name + "-bad");
        Assert.NotEqual(0, wrongModes.ExitCode);
        Assert.Contains("If both attributes are set, they must be the same value", wrongModes.StdErr);

        foreach (var port in new[] { bare, slaac }) await RunOkAsync(user, password, project, "port", "delete", port.GetProperty("id").GetString()!);
        await RunOkAsync(user, password, project, "network", "delete", networkId);
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
