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
