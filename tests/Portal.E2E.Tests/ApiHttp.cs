using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Portal.E2E.Tests;

/// <summary>Plain HTTP to the app's API: a client that follows no redirect, a Keystone token, JSON bodies.</summary>
public static class ApiHttp
{
    public static HttpClient NewClient(PortalAppFixture app) =>
        new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false })
        {
            BaseAddress = new Uri(app.BaseUrl), Timeout = TimeSpan.FromSeconds(30),
        };

    public static async Task<string> TokenAsync(HttpClient http, string user = Accounts.Customer, string password = Accounts.CustomerPassword,
        string projectId = Accounts.DemoProjectId)
    {
        using var issued = await http.PostAsync("/identity/v3/auth/tokens", Body(TokenRequest(user, password, projectId)));
        Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
        return issued.Headers.GetValues("X-Subject-Token").Single();
    }

    public static string TokenRequest(string user, string password, string projectId) => JsonSerializer.Serialize(new
    {
        auth = new
        {
            identity = new { methods = new[] { "password" }, password = new { user = new { name = user, domain = new { name = "Default" }, password } } },
            scope = new { project = new { id = projectId } },
        },
    });

    /// <summary>Sends a request with the token (when given) and returns the status and the parsed body (default when empty).</summary>
    public static async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(
        HttpClient http, HttpMethod method, string path, string? token, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = json is null ? null : Body(json) };
        if (token is not null) request.Headers.Add("X-Auth-Token", token);
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    public static StringContent Body(string json) => new(json, Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
}
