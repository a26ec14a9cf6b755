using System.Net;
using System.Text.Json;

namespace Portal.E2E.Tests;

/// <summary>
/// The API behaves as Neutron's does where clients (the SDK, the CLI, Terraform, tempest) rely on it: over plain HTTP,
/// as those clients send it.
/// </summary>
[Collection(PortalAppCollection.Name)]
public sealed class NeutronConformanceTests(PortalAppFixture app)
{
    [Fact]
    public async Task Fields_limit_every_resource_of_a_show_and_a_list_to_the_attributes_asked_for()
    {
        using var http = ApiHttp.NewClient(app);
        var token = await ApiHttp.TokenAsync(http);
        var networkId = await NetworkAsync(http, token, "fields");
        await SubnetAsync(http, token, networkId, "10.76.0.0/24");

        var (_, list) = await ApiHttp.SendAsync(http, HttpMethod.Get, "/v2.0/networks?fields=id&fields=name", token);
        var networks = list.GetProperty("networks").EnumerateArray().ToList();
        Assert.NotEmpty(networks);
        Assert.All(networks, n => Assert.Equal(["id", "name"], n.EnumerateObject().Select(p => p.Name).Order()));

        var (_, shown) = await ApiHttp.SendAsync(http, HttpMethod.Get, $"/v2.0/networks/{networkId}?fields=subnets&fields=mtu", token);
        Assert.Equal(["mtu", "subnets"], shown.GetProperty("network").EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(1, shown.GetProperty("network").GetProperty("subnets").GetArrayLength());

        var (_, subnets) = await ApiHttp.SendAsync(http, HttpMethod.Get, $"/v2.0/subnets?network_id={networkId}&fields=cidr", token);
        Assert.Equal("10.76.0.0/24", Assert.Single(subnets.GetProperty("subnets").EnumerateArray().ToList()).GetProperty("cidr").GetString());
        Assert.Single(subnets.GetProperty("subnets")[0].EnumerateObject());

        // Without fields, a whole network.
        var (_, whole) = await ApiHttp.SendAsync(http, HttpMethod.Get, $"/v2.0/networks/{networkId}", token);
        Assert.True(whole.GetProperty("network").EnumerateObject().Count() > 10);
        await DeleteNetworkAsync(http, token, networkId);
    }

    [Fact]
    public async Task A_port_needs_no_subnet_and_an_empty_fixed_ips_takes_no_address()
    {
        using var http = ApiHttp.NewClient(app);
        var token = await ApiHttp.TokenAsync(http);
        var networkId = await NetworkAsync(http, token, "bare");

        var (status, bare) = await ApiHttp.SendAsync(http, HttpMethod.Post, "/v2.0/ports", token, $$$"""{"port": {"network_id": "{{{networkId}}}"}}""");
        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal(0, bare.GetProperty("port").GetProperty("fixed_ips").GetArrayLength());
        var bareId = bare.GetProperty("port").GetProperty("id").GetString();

        var subnetId = await SubnetAsync(http, token, networkId, "10.77.0.0/24");
        (status, var none) = await ApiHttp.SendAsync(http, HttpMethod.Post, "/v2.0/ports", token,
            $$$"""{"port": {"network_id": "{{{networkId}}}", "fixed_ips": []}}""");
        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal(0, none.GetProperty("port").GetProperty("fixed_ips").GetArrayLength());
        (status, var automatic) = await ApiHttp.SendAsync(http, HttpMethod.Post, "/v2.0/ports", token, $$$"""{"port": {"network_id": "{{{networkId}}}"}}""");
        Assert.Equal(HttpStatusCode.Created, status);
        var address = Assert.Single(automatic.GetProperty("port").GetProperty("fixed_ips").EnumerateArray().ToList());
        Assert.Equal(subnetId, address.GetProperty("subnet_id").GetString());

        // The address-less ports are real ports: listed, shown, deleted.
        var (_, listed) = await ApiHttp.SendAsync(http, HttpMethod.Get, $"/v2.0/ports?network_id={networkId}&fields=id", token);
        var ids = listed.GetProperty("ports").EnumerateArray().Select(p => p.GetProperty("id").GetString()).ToList();
        Assert.Contains(bareId, ids);
        Assert.Contains(none.GetProperty("port").GetProperty("id").GetString(), ids);
        Assert.Equal(HttpStatusCode.NoContent, (await ApiHttp.SendAsync(http, HttpMethod.Delete, "/v2.0/ports/" + bareId, token)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await ApiHttp.SendAsync(http, HttpMethod.Get, "/v2.0/ports/" + bareId, token)).Status);
        await DeleteNetworkAsync(http, token, networkId);
    }

    [Fact]
    public async Task An_automatic_port_on_a_dual_stack_network_takes_an_address_of_each_version()
    {
        using var http = ApiHttp.NewClient(app);
        var token = await ApiHttp.TokenAsync(http);
        var networkId = await NetworkAsync(http, token, "dual");
        var v4 = await SubnetAsync(http, token, networkId, "10.78.0.0/24");
        var v6 = await SubnetAsync(http, token, networkId, "2001:db8:78::/64", 6);

        var (status, port) = await ApiHttp.SendAsync(http, HttpMethod.Post, "/v2.0/ports", token, $$$"""{"port": {"network_id": "{{{networkId}}}"}}""");
        Assert.Equal(HttpStatusCode.Created, status);
        var subnets = port.GetProperty("port").GetProperty("fixed_ips").EnumerateArray().Select(f => f.GetProperty("subnet_id").GetString()).Order();
        Assert.Equal(new[] { v4, v6 }.Order(), subnets);
        await DeleteNetworkAsync(http, token, networkId);
    }

    [Fact]
    public async Task Bulk_creates_make_every_resource_or_none()
    {
        using var http = ApiHttp.NewClient(app);
        var token = await ApiHttp.TokenAsync(http);
        var tag = Guid.NewGuid().ToString("N")[..8];
        var (status, networks) = await ApiHttp.SendAsync(http, HttpMethod.Post, "/v2.0/networks", token,
            $$$"""{"networks": [{"name": "bulk-a-{{{tag}}}"}, {"name": "bulk-b-{{{tag}}}", "mtu": 1400}]}""");
        Assert.Equal(HttpStatusCode.Created, status);
        var ids = networks.GetProperty("networks").EnumerateArray().Select(n => n.GetProperty("id").GetString()!).ToList();
        Assert.Equal(2, ids.Count);
        Assert.Equal(1400, networks.GetProperty("networks")[1].GetProperty("mtu").GetInt32());

        (status, var subnets) = await ApiHttp.SendAsync(http, HttpMethod.Post, "/v2.0/subnets", token,
            $$$"""{"subnets": [{"network_id": "{{{ids[0]}}}", "cidr": "10.79.0.0/24", "ip_version": 4}, {"network_id": "{{{ids[1]}}}", "cidr": "10.79.1.0/24", "ip_version": 4}]}""");
        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal(["10.79.0.0/24", "10.79.1.0/24"], subnets.GetProperty("subnets").EnumerateArray().Select(s => s.GetProperty("cidr").GetString()));

        (status, var ports) = await ApiHttp.SendAsync(http, HttpMethod.Post, "/v2.0/ports", token,
            $$$"""{"ports": [{"network_id": "{{{ids[0]}}}", "name": "p1"}, {"network_id": "{{{ids[1]}}}", "name": "p2"}]}""");
        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal(["p1", "p2"], ports.GetProperty("ports").EnumerateArray().Select(p => p.GetProperty("name").GetString()));

        // The second port asks for an address the first takes: neither port is left behind, and the error is the refusal's.
        (status, var refused) = await ApiHttp.SendAsync(http, HttpMethod.Post, "/v2.0/ports", token,
            $$$"""{"ports": [{"network_id": "{{{ids[0]}}}", "name": "q1", "fixed_ips": [{"ip_address": "10.79.0.50"}]}, {"network_id": "{{{ids[0]}}}", "name": "q2", "fixed_ips": [{"ip_address": "10.79.0.50"}]}]}""");
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Equal("IpAddressAlreadyAllocated", refused.GetProperty("NeutronError").GetProperty("type").GetString());
        var (_, left) = await ApiHttp.SendAsync(http, HttpMethod.Get, $"/v2.0/ports?network_id={ids[0]}&device_owner=", token);
        Assert.Equal(["p1"], left.GetProperty("ports").EnumerateArray().Select(p => p.GetProperty("name").GetString()));

        // A bulk list has a limit: 100 resources (ApiBody.MaxBulk).
        var many = string.Join(", ", Enumerable.Range(0, 101).Select(i => $$$"""{"name": "n{{{i}}}"}"""));
        (status, _) = await ApiHttp.SendAsync(http, HttpMethod.Post, "/v2.0/networks", token, $$"""{"networks": [{{many}}]}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);

        foreach (var id in ids) await DeleteNetworkAsync(http, token, id);
    }

    [Fact]
    public async Task The_catalogs_network_endpoint_answers_neutrons_version_document_and_serves_the_api_under_it()
    {
        using var http = ApiHttp.NewClient(app);
        var token = await ApiHttp.TokenAsync(http);
        var (_, catalog) = await ApiHttp.SendAsync(http, HttpMethod.Get, "/identity/v3/auth/catalog", token);
        var network = catalog.GetProperty("catalog").EnumerateArray().Single(s => s.GetProperty("type").GetString() == "network");
        var url = new Uri(network.GetProperty("endpoints")[0].GetProperty("url").GetString()!);
        Assert.Equal("/networking", url.AbsolutePath);

        foreach (var root in new[] { "/networking", "/networking/" })
        {
            var (status, versions) = await ApiHttp.SendAsync(http, HttpMethod.Get, root, null);
            Assert.Equal(HttpStatusCode.OK, status);
            var version = Assert.Single(versions.GetProperty("versions").EnumerateArray().ToList());
            Assert.Equal("v2.0", version.GetProperty("id").GetString());
            Assert.Equal("CURRENT", version.GetProperty("status").GetString());
            Assert.EndsWith("/networking/v2.0/", version.GetProperty("links")[0].GetProperty("href").GetString());
        }
        var (listed, networks) = await ApiHttp.SendAsync(http, HttpMethod.Get, "/networking/v2.0/networks?limit=1", token);
        Assert.Equal(HttpStatusCode.OK, listed);
        Assert.Contains("/networking/v2.0/networks?", networks.GetProperty("networks_links")[0].GetProperty("href").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, (await ApiHttp.SendAsync(http, HttpMethod.Get, "/networking/v2.0/networks", null)).Status);

        // What does not exist is the API's 404, never the UI's sign-in.
        foreach (var path in new[] { "/networking/nothing", "/networking/v2.0/nothing", "/v2.0/nothing" })
        {
            var (status, error) = await ApiHttp.SendAsync(http, HttpMethod.Get, path, token);
            Assert.Equal(HttpStatusCode.NotFound, status);
            Assert.Equal("HTTPNotFound", error.GetProperty("NeutronError").GetProperty("type").GetString());
        }
    }

    [Fact]
    public async Task Keystone_answers_the_catalog_the_projects_and_unknown_paths_in_json()
    {
        using var http = ApiHttp.NewClient(app);
        var token = await ApiHttp.TokenAsync(http);
        var (status, catalog) = await ApiHttp.SendAsync(http, HttpMethod.Get, "/identity/v3/auth/catalog", token);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["identity", "network"], catalog.GetProperty("catalog").EnumerateArray().Select(s => s.GetProperty("type").GetString()).Order());

        (status, var projects) = await ApiHttp.SendAsync(http, HttpMethod.Get, "/identity/v3/auth/projects", token);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["demo", "staging"], projects.GetProperty("projects").EnumerateArray().Select(p => p.GetProperty("name").GetString()));
        Assert.Contains(projects.GetProperty("projects").EnumerateArray(), p => p.GetProperty("id").GetString() == Accounts.DemoProjectId);

        foreach (var path in new[] { "/identity/v3/auth/catalog", "/identity/v3/auth/projects" })
        {
            (status, var refused) = await ApiHttp.SendAsync(http, HttpMethod.Get, path, "not-a-token");
            Assert.Equal(HttpStatusCode.Unauthorized, status);
            Assert.Equal(401, refused.GetProperty("error").GetProperty("code").GetInt32());
        }
        (status, var missing) = await ApiHttp.SendAsync(http, HttpMethod.Get, "/identity/v3/users", token);
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal(404, missing.GetProperty("error").GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task Revision_numbers_start_at_one_count_each_change_and_if_match_guards_an_update()
    {
        using var http = ApiHttp.NewClient(app);
        var token = await ApiHttp.TokenAsync(http);
        var networkId = await NetworkAsync(http, token, "rev");
        await SubnetAsync(http, token, networkId, "10.80.0.0/24");
        var (_, created) = await ApiHttp.SendAsync(http, HttpMethod.Post, "/v2.0/ports", token, $$$"""{"port": {"network_id": "{{{networkId}}}"}}""");
        var portId = created.GetProperty("port").GetProperty("id").GetString();
        Assert.Equal(1, created.GetProperty("port").GetProperty("revision_number").GetInt64());

        foreach (var (path, root) in new[] { ($"/v2.0/networks/{networkId}", "network"), ($"/v2.0/ports/{portId}", "port") })
        {
            var (_, shown) = await ApiHttp.SendAsync(http, HttpMethod.Get, path, token);
            var revision = shown.GetProperty(root).GetProperty("revision_number").GetInt64();
            var (_, again) = await ApiHttp.SendAsync(http, HttpMethod.Get, path, token);
            Assert.Equal(revision, again.GetProperty(root).GetProperty("revision_number").GetInt64());

            var (status, renamed) = await SendIfMatchAsync(http, path, token, $$$"""{"{{{root}}}": {"name": "a"}}""", $"revision_number={revision}");
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal(revision + 1, renamed.GetProperty(root).GetProperty("revision_number").GetInt64());

            // Meant for the revision before: refused, and nothing changes.
            (status, var refused) = await SendIfMatchAsync(http, path, token, $$$"""{"{{{root}}}": {"name": "b"}}""", $"revision_number={revision}");
            Assert.Equal(HttpStatusCode.PreconditionFailed, status);
            Assert.Equal("RevisionNumberConstraintFailed", refused.GetProperty("NeutronError").GetProperty("type").GetString());
            var (_, after) = await ApiHttp.SendAsync(http, HttpMethod.Get, path, token);
            Assert.Equal("a", after.GetProperty(root).GetProperty("name").GetString());
            Assert.Equal(revision + 1, after.GetProperty(root).GetProperty("revision_number").GetInt64());
        }
        await DeleteNetworkAsync(http, token, networkId);
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> SendIfMatchAsync(HttpClient http, string path, string token, string json, string ifMatch)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, path) { Content = ApiHttp.Body(json) };
        request.Headers.Add("X-Auth-Token", token);
        request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        using var response = await http.SendAsync(request);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    [Fact]
    public async Task A_networks_internet_access_is_listed_as_its_router_read_only()
    {
        using var http = ApiHttp.NewClient(app);
        var token = await ApiHttp.TokenAsync(http);
        var (_, networks) = await ApiHttp.SendAsync(http, HttpMethod.Get, "/v2.0/networks?fields=id&fields=name&fields=router:external", token);
        var extNet = networks.GetProperty("networks").EnumerateArray().Single(n => n.GetProperty("router:external").GetBoolean()).GetProperty("id").GetString();

        var (status, routers) = await ApiHttp.SendAsync(http, HttpMethod.Get, "/v2.0/routers", token);
        Assert.Equal(HttpStatusCode.OK, status);
        var router = routers.GetProperty("routers").EnumerateArray().Single(r => r.GetProperty("name").GetString() == "default-router");
        Assert.Equal(extNet, router.GetProperty("external_gateway_info").GetProperty("network_id").GetString());
        var id = router.GetProperty("id").GetString();
        (status, var shown) = await ApiHttp.SendAsync(http, HttpMethod.Get, "/v2.0/routers/" + id, token);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(id, shown.GetProperty("router").GetProperty("id").GetString());

        Assert.Equal(HttpStatusCode.NotFound, (await ApiHttp.SendAsync(http, HttpMethod.Get, "/v2.0/routers/" + Guid.NewGuid(), token)).Status);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await ApiHttp.SendAsync(http, HttpMethod.Post, "/v2.0/routers", token, """{"router": {}}""")).Status);
    }

    [Fact]
    public async Task Ports_keep_descriptions_port_security_address_pairs_and_dhcp_options()
    {
        using var http = ApiHttp.NewClient(app);
        var token = await ApiHttp.TokenAsync(http);
        var (_, created) = await ApiHttp.SendAsync(http, HttpMethod.Post, "/v2.0/networks", token,
            $$$"""{"network": {"name": "attrs-{{{Guid.NewGuid().ToString("N")[..8]}}}", "port_security_enabled": false}}""");
        var networkId = created.GetProperty("network").GetProperty("id").GetString()!;
        Assert.False(created.GetProperty("network").GetProperty("port_security_enabled").GetBoolean());
        var subnetId = await SubnetAsync(http, token, networkId, "10.81.0.0/24");
        (_, var subnet) = await ApiHttp.SendAsync(http, HttpMethod.Put, "/v2.0/subnets/" + subnetId, token, """{"subnet": {"description": "db tier"}}""");
        Assert.Equal("db tier", subnet.GetProperty("subnet").GetProperty("description").GetString());

        // A port inherits the network's port security, and pairs need it.
        var (status, insecure) = await ApiHttp.SendAsync(http, HttpMethod.Post, "/v2.0/ports", token,
            $$$"""{"port": {"network_id": "{{{networkId}}}", "description": "plain"}}""");
        Assert.Equal(HttpStatusCode.Created, status);
        Assert.False(insecure.GetProperty("port").GetProperty("port_security_enabled").GetBoolean());
        Assert.Equal("plain", insecure.GetProperty("port").GetProperty("description").GetString());
        (status, var refused) = await ApiHttp.SendAsync(http, HttpMethod.Post, "/v2.0/ports", token,
            $$$"""{"port": {"network_id": "{{{networkId}}}", "allowed_address_pairs": [{"ip_address": "10.81.0.200"}]}}""");
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Equal("AddressPairAndPortSecurityRequired", refused.GetProperty("NeutronError").GetProperty("type").GetString());

        (status, var port) = await ApiHttp.SendAsync(http, HttpMethod.Post, "/v2.0/ports", token, $$$"""
            {"port": {"network_id": "{{{networkId}}}", "port_security_enabled": true,
                      "allowed_address_pairs": [{"ip_address": "10.81.0.200"}, {"ip_address": "10.81.9.0/24", "mac_address": "fa:16:3e:00:00:99"}],
                      "extra_dhcp_opts": [{"opt_name": "bootfile-name", "opt_value": "pxelinux.0"}, {"opt_name": "tftp-server", "opt_value": "10.81.0.9"}]}}
            """);
        Assert.Equal(HttpStatusCode.Created, status);
        var body = port.GetProperty("port");
        var portId = body.GetProperty("id").GetString()!;
        var mac = body.GetProperty("mac_address").GetString();
        Assert.Equal([("10.81.0.200", mac), ("10.81.9.0/24", "fa:16:3e:00:00:99")],
            body.GetProperty("allowed_address_pairs").EnumerateArray().Select(p => (p.GetProperty("ip_address").GetString(), p.GetProperty("mac_address").GetString())));

        // DHCP options merge: a null value removes one; pairs are replaced whole.
        (status, var updated) = await ApiHttp.SendAsync(http, HttpMethod.Put, "/v2.0/ports/" + portId, token,
            """{"port": {"extra_dhcp_opts": [{"opt_name": "tftp-server", "opt_value": null}, {"opt_name": "bootfile-name", "opt_value": "grub.efi"}], "allowed_address_pairs": []}}""");
        Assert.Equal(HttpStatusCode.OK, status);
        var (_, shown) = await ApiHttp.SendAsync(http, HttpMethod.Get, "/v2.0/ports/" + portId, token);
        var options = shown.GetProperty("port").GetProperty("extra_dhcp_opts").EnumerateArray().ToList();
        Assert.Equal("grub.efi", Assert.Single(options).GetProperty("opt_value").GetString());
        Assert.Equal(0, shown.GetProperty("port").GetProperty("allowed_address_pairs").GetArrayLength());
        Assert.Equal(updated.GetProperty("port").GetProperty("revision_number").GetInt64(), shown.GetProperty("port").GetProperty("revision_number").GetInt64());
        await DeleteNetworkAsync(http, token, networkId);
    }

    [Fact]
    public async Task Tags_are_replaced_added_checked_removed_and_filter_lists()
    {
        using var http = ApiHttp.NewClient(app);
        var token = await ApiHttp.TokenAsync(http);
        var networkId = await NetworkAsync(http, token, "tags");
        await SubnetAsync(http, token, networkId, "10.82.0.0/24");
        var ports = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            var (_, port) = await ApiHttp.SendAsync(http, HttpMethod.Post, "/v2.0/ports", token, $$$"""{"port": {"network_id": "{{{networkId}}}"}}""");
            ports.Add(port.GetProperty("port").GetProperty("id").GetString()!);
        }
        var (status, replaced) = await ApiHttp.SendAsync(http, HttpMethod.Put, $"/v2.0/ports/{ports[0]}/tags", token, """{"tags": ["web", "prod", "web"]}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["web", "prod"], replaced.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(HttpStatusCode.Created, (await ApiHttp.SendAsync(http, HttpMethod.Put, $"/v2.0/ports/{ports[1]}/tags/web", token)).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await ApiHttp.SendAsync(http, HttpMethod.Get, $"/v2.0/ports/{ports[1]}/tags/web", token)).Status);
        (status, var missing) = await ApiHttp.SendAsync(http, HttpMethod.Get, $"/v2.0/ports/{ports[1]}/tags/prod", token);
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("TagNotFound", missing.GetProperty("NeutronError").GetProperty("type").GetString());

        async Task<List<string?>> ListAsync(string filter)
        {
            var (_, list) = await ApiHttp.SendAsync(http, HttpMethod.Get, $"/v2.0/ports?network_id={networkId}&device_owner=&fields=id&{filter}", token);
            return list.GetProperty("ports").EnumerateArray().Select(p => p.GetProperty("id").GetString()).Order().ToList();
        }
        Assert.Equal(ports.Order(), await ListAsync("tags=web"));
        Assert.Equal([ports[0]], await ListAsync("tags=web,prod"));
        Assert.Equal([ports[0]], await ListAsync("tags-any=prod&tags-any=nothing"));
        Assert.Equal([ports[1]], await ListAsync("not-tags=web,prod"));
        Assert.DoesNotContain(ports[0], await ListAsync("not-tags-any=prod"));
        var (_, shown) = await ApiHttp.SendAsync(http, HttpMethod.Get, $"/v2.0/ports/{ports[0]}", token);
        Assert.Equal(["web", "prod"], shown.GetProperty("port").GetProperty("tags").EnumerateArray().Select(t => t.GetString()));

        (status, var comma) = await ApiHttp.SendAsync(http, HttpMethod.Put, $"/v2.0/networks/{networkId}/tags", token, """{"tags": ["a,b"]}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("InvalidInput", comma.GetProperty("NeutronError").GetProperty("type").GetString());
        Assert.Equal(HttpStatusCode.NoContent, (await ApiHttp.SendAsync(http, HttpMethod.Delete, $"/v2.0/ports/{ports[0]}/tags/prod", token)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await ApiHttp.SendAsync(http, HttpMethod.Delete, $"/v2.0/ports/{ports[0]}/tags/prod", token)).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await ApiHttp.SendAsync(http, HttpMethod.Delete, $"/v2.0/ports/{ports[0]}/tags", token)).Status);
        var (_, cleared) = await ApiHttp.SendAsync(http, HttpMethod.Get, $"/v2.0/ports/{ports[0]}/tags", token);
        Assert.Equal(0, cleared.GetProperty("tags").GetArrayLength());
        await DeleteNetworkAsync(http, token, networkId);
    }

    [Fact]
    public async Task Lists_filter_on_every_attribute_sort_and_refuse_what_is_not_an_attribute()
    {
        using var http = ApiHttp.NewClient(app);
        var token = await ApiHttp.TokenAsync(http);
        var networkId = await NetworkAsync(http, token, "filters");
        var v4 = await SubnetAsync(http, token, networkId, "10.83.0.0/24");
        var v6 = await SubnetAsync(http, token, networkId, "2001:db8:83::/64", 6);
        async Task<List<string?>> IdsAsync(string path)
        {
            var (status, list) = await ApiHttp.SendAsync(http, HttpMethod.Get, path, token);
            Assert.True(status == HttpStatusCode.OK, $"{path}: {status} {list}");
            return list.EnumerateObject().First().Value.EnumerateArray().Select(e => e.GetProperty("id").GetString()).ToList();
        }
        Assert.Equal([v6], await IdsAsync($"/v2.0/subnets?network_id={networkId}&ip_version=6"));
        Assert.Equal([v4], await IdsAsync($"/v2.0/subnets?network_id={networkId}&ip_version=4&enable_dhcp=True"));
        Assert.Empty(await IdsAsync($"/v2.0/networks?id={networkId}&status=DOWN"));
        Assert.Equal([networkId], await IdsAsync($"/v2.0/networks?id={networkId}&status=ACTIVE&admin_state_up=true"));
        Assert.Equal([v6, v4], await IdsAsync($"/v2.0/subnets?network_id={networkId}&sort_key=ip_version&sort_dir=desc"));
        Assert.Equal([v4, v6], await IdsAsync($"/v2.0/subnets?network_id={networkId}&sort_key=cidr&sort_dir=asc"));

        foreach (var path in new[] { "/v2.0/networks?bogus=1", "/v2.0/subnets?sort_key=bogus", "/v2.0/ports?sort_key=name&sort_dir=up",
                     "/v2.0/subnets?sort_key=name&sort_key=cidr&sort_dir=asc" })
        {
            var (status, error) = await ApiHttp.SendAsync(http, HttpMethod.Get, path, token);
            Assert.True(status == HttpStatusCode.BadRequest, $"{path}: {status}");
            Assert.Equal("HTTPBadRequest", error.GetProperty("NeutronError").GetProperty("type").GetString());
        }
        await DeleteNetworkAsync(http, token, networkId);
    }

    [Fact]
    public async Task A_port_list_pages_by_marker_in_id_order_with_filters_as_neutron_does()
    {
        using var http = ApiHttp.NewClient(app);
        var token = await ApiHttp.TokenAsync(http);
        var networkId = await NetworkAsync(http, token, "paging");
        var subnetId = await SubnetAsync(http, token, networkId, "10.84.0.0/24");
        var (_, bulk) = await ApiHttp.SendAsync(http, HttpMethod.Post, "/v2.0/ports", token, $$$"""
            {"ports": [{"network_id": "{{{networkId}}}", "name": "a"}, {"network_id": "{{{networkId}}}", "name": "b", "admin_state_up": false},
                       {"network_id": "{{{networkId}}}", "name": "c", "fixed_ips": [{"ip_address": "10.84.0.99"}]}]}
            """);
        var made = bulk.GetProperty("ports").EnumerateArray().Select(p => p.GetProperty("id").GetString()!).Order(StringComparer.Ordinal).ToList();

        // Every page of one, by the next links, gives each port once, in id order.
        var seen = new List<string>();
        string? next = $"/v2.0/ports?network_id={networkId}&device_owner=&limit=1";
        while (next is not null)
        {
            var (status, page) = await ApiHttp.SendAsync(http, HttpMethod.Get, next, token);
            Assert.Equal(HttpStatusCode.OK, status);
            seen.AddRange(page.GetProperty("ports").EnumerateArray().Select(p => p.GetProperty("id").GetString()!));
            next = page.TryGetProperty("ports_links", out var links) ? new Uri(links[0].GetProperty("href").GetString()!).PathAndQuery : null;
            Assert.True(seen.Count <= made.Count, "the next links go on past the last port");
        }
        Assert.Equal(made, seen);

        // Sorted pages follow the sort order across their markers, names descending, then created_at ascending.
        async Task<List<string>> PagedNamesAsync(string sort)
        {
            var names = new List<string>();
            string? link = $"/v2.0/ports?network_id={networkId}&device_owner=&limit=1&{sort}";
            while (link is not null && names.Count <= 3)
            {
                var (_, page) = await ApiHttp.SendAsync(http, HttpMethod.Get, link, token);
                names.AddRange(page.GetProperty("ports").EnumerateArray().Select(p => p.GetProperty("name").GetString()!));
                link = page.TryGetProperty("ports_links", out var links) ? new Uri(links[0].GetProperty("href").GetString()!).PathAndQuery : null;
            }
            return names;
        }
        Assert.Equal(["c", "b", "a"], await PagedNamesAsync("sort_key=name&sort_dir=desc"));
        Assert.Equal(["a", "b", "c"], await PagedNamesAsync("sort_key=name"));
        Assert.Equal(3, (await PagedNamesAsync("sort_key=created_at&sort_dir=asc")).Distinct().Count());

        async Task<List<string>> NamesAsync(string filter)
        {
            var (_, list) = await ApiHttp.SendAsync(http, HttpMethod.Get, $"/v2.0/ports?network_id={networkId}&{filter}", token);
            return list.GetProperty("ports").EnumerateArray().Select(p => p.GetProperty("name").GetString()!).Order(StringComparer.Ordinal).ToList();
        }
        Assert.Equal(["c"], await NamesAsync("fixed_ips=ip_address=10.84.0.99"));
        Assert.Equal(["a", "b", "c"], await NamesAsync($"fixed_ips=subnet_id={subnetId}&device_owner="));
        Assert.Equal(["b"], await NamesAsync("admin_state_up=false"));
        Assert.Equal(["a", "c"], await NamesAsync("name=a&name=c"));
        Assert.Empty(await NamesAsync("id=not-a-uuid"));
        await DeleteNetworkAsync(http, token, networkId);
    }

    private static async Task<string> NetworkAsync(HttpClient http, string token, string prefix)
    {
        var (status, network) = await ApiHttp.SendAsync(http, HttpMethod.Post, "/v2.0/networks", token,
            $$$"""{"network": {"name": "{{{prefix}}}-{{{Guid.NewGuid().ToString("N")[..8]}}}"}}""");
        Assert.Equal(HttpStatusCode.Created, status);
        return network.GetProperty("network").GetProperty("id").GetString()!;
    }

    private static async Task<string> SubnetAsync(HttpClient http, string token, string networkId, string cidr, int version = 4)
    {
        var (status, subnet) = await ApiHttp.SendAsync(http, HttpMethod.Post, "/v2.0/subnets", token,
            $$$"""{"subnet": {"network_id": "{{{networkId}}}", "cidr": "{{{cidr}}}", "ip_version": {{{version}}}}}""");
        Assert.True(status == HttpStatusCode.Created, $"{status}: {subnet}");
        return subnet.GetProperty("subnet").GetProperty("id").GetString()!;
    }

    /// <summary>Deletes the network's own ports (Neutron refuses a network in use), then the network.</summary>
    private static async Task DeleteNetworkAsync(HttpClient http, string token, string networkId)
    {
        var (_, ports) = await ApiHttp.SendAsync(http, HttpMethod.Get, $"/v2.0/ports?network_id={networkId}&device_owner=", token);
        foreach (var port in ports.GetProperty("ports").EnumerateArray()) await DeleteAsync(http, token, "ports", port.GetProperty("id").GetString()!);
        await DeleteAsync(http, token, "networks", networkId);
    }

    private static async Task DeleteAsync(HttpClient http, string token, string collection, string id)
    {
        var (status, body) = await ApiHttp.SendAsync(http, HttpMethod.Delete, $"/v2.0/{collection}/{id}", token);
        Assert.True(status == HttpStatusCode.NoContent, $"{status}: {(body.ValueKind == JsonValueKind.Undefined ? "" : body.ToString())}");
    }
}
