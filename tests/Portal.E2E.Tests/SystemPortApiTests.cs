using System.Net;

namespace Portal.E2E.Tests;

/// <summary>
/// System ports (DHCP, router interface, …) are read-only to customers over the API: Neutron's policy error, and the
/// port stays as it was. A user's port on the same network can still be changed.
/// </summary>
[Collection(PortalAppCollection.Name)]
public sealed class SystemPortApiTests(PortalAppFixture app)
{
    [Fact]
    public async Task Updating_the_dhcp_port_is_refused_with_neutrons_policy_error_and_changes_nothing()
    {
        using var http = ApiHttp.NewClient(app);
        var token = await ApiHttp.TokenAsync(http);
        var (_, network) = await ApiHttp.SendAsync(http, HttpMethod.Post, "/v2.0/networks", token,
            $$$"""{"network": {"name": "sysport-{{{Guid.NewGuid().ToString("N")[..8]}}}"}}""");
        var networkId = network.GetProperty("network").GetProperty("id").GetString();
        var (created, _) = await ApiHttp.SendAsync(http, HttpMethod.Post, "/v2.0/subnets", token,
            $$$"""{"subnet": {"network_id": "{{{networkId}}}", "cidr": "10.74.0.0/24", "ip_version": 4, "enable_dhcp": true}}""");
        Assert.Equal(HttpStatusCode.Created, created);
        var (_, list) = await ApiHttp.SendAsync(http, HttpMethod.Get, $"/v2.0/ports?network_id={networkId}&device_owner=network:dhcp", token);
        var dhcp = Assert.Single(list.GetProperty("ports").EnumerateArray().ToList());
        var dhcpId = dhcp.GetProperty("id").GetString();

        foreach (var body in new[] { """{"port": {"name": "mine"}}""", """{"port": {"admin_state_up": false}}""" })
        {
            var (status, json) = await ApiHttp.SendAsync(http, HttpMethod.Put, "/v2.0/ports/" + dhcpId, token, body);
            Assert.Equal(HttpStatusCode.Forbidden, status);
            var error = json.GetProperty("NeutronError");
            Assert.Equal("PolicyNotAuthorized", error.GetProperty("type").GetString());
            Assert.StartsWith("rule:update_port is disallowed by policy", error.GetProperty("message").GetString());
            Assert.Contains("DHCP", error.GetProperty("message").GetString());
        }
        var (_, after) = await ApiHttp.SendAsync(http, HttpMethod.Get, "/v2.0/ports/" + dhcpId, token);
        Assert.Equal(dhcp.GetProperty("name").GetString(), after.GetProperty("port").GetProperty("name").GetString());
        Assert.True(after.GetProperty("port").GetProperty("admin_state_up").GetBoolean());

        var (_, port) = await ApiHttp.SendAsync(http, HttpMethod.Post, "/v2.0/ports", token, $$$"""{"port": {"network_id": "{{{networkId}}}"}}""");
        var portId = port.GetProperty("port").GetProperty("id").GetString();
        var (renamed, user) = await ApiHttp.SendAsync(http, HttpMethod.Put, "/v2.0/ports/" + portId, token, """{"port": {"name": "mine"}}""");
        Assert.Equal(HttpStatusCode.OK, renamed);
        Assert.Equal("mine", user.GetProperty("port").GetProperty("name").GetString());

        Assert.Equal(HttpStatusCode.NoContent, (await ApiHttp.SendAsync(http, HttpMethod.Delete, "/v2.0/ports/" + portId, token)).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await ApiHttp.SendAsync(http, HttpMethod.Delete, "/v2.0/networks/" + networkId, token)).Status);
    }
}
