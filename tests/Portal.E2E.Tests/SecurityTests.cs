using System.Net;
using System.Text.RegularExpressions;
using Npgsql;

namespace Portal.E2E.Tests;

/// <summary>
/// Sign-in and access rules over real HTTP against the real app (its own process and database): anonymous
/// requests go to the login page, customers cannot open the support console, another project's objects are
/// "not found", wrong passwords lock an account, and a form post without the antiforgery token is refused.
/// </summary>
[Collection(PortalAppCollection.Name)]
public sealed partial class SecurityTests(PortalAppFixture app)
{
    [Theory]
    [InlineData("/")]
    [InlineData("/networks")]
    [InlineData("/networks/3f1c0c8e-0000-4000-8000-000000000001")]
    [InlineData("/networks/3f1c0c8e-0000-4000-8000-000000000001/subnets/3f1c0c8e-0000-4000-8000-000000000002")]
    [InlineData("/audit")]
    [InlineData("/support")]
    [InlineData("/support/projects/0d0e0a0f5e1e4c3b9a7d6c5b4a392817")]
    public async Task Every_page_reached_anonymously_redirects_to_login(string path)
    {
        using var client = NewClient(out _);
        using var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal($"/login?ReturnUrl={Uri.EscapeDataString(path)}", response.Headers.Location!.PathAndQuery);
    }

    [Fact]
    public async Task An_anonymous_sign_out_or_circuit_start_is_sent_to_login_too()
    {
        using var client = NewClient(out _);
        using var logout = await client.PostAsync("/logout", new FormUrlEncodedContent([]));
        Assert.Equal(HttpStatusCode.Redirect, logout.StatusCode);
        Assert.StartsWith("/login", logout.Headers.Location!.PathAndQuery);
        using var negotiate = await client.PostAsync("/_blazor/negotiate?negotiateVersion=1", new StringContent(""));
        Assert.NotEqual(HttpStatusCode.OK, negotiate.StatusCode);
    }

    [Fact]
    public async Task A_customer_who_reaches_a_support_page_gets_403()
    {
        using var client = NewClient(out _);
        await SignInAsync(client, Accounts.Customer, Accounts.CustomerPassword);
        using var page = await client.GetAsync("/networks");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);

        foreach (var path in new[] { "/support", $"/support/projects/{Accounts.DemoProjectId}" })
        {
            using var response = await client.GetAsync(path);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Contains("Доступ запрещён", WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()));
        }
    }

    [Fact]
    public async Task Support_opens_the_console()
    {
        using var client = NewClient(out _);
        await SignInAsync(client, Accounts.Support, Accounts.SupportPassword);
        using var response = await client.GetAsync($"/support/projects/{Accounts.DemoProjectId}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Another_projects_network_and_subnet_are_not_found_and_nothing_of_them_shows()
    {
        // A customer of the staging project only; «default» 10.0.0.0/24 belongs to the demo project.
        var email = await Accounts.NewCustomerAsync(app.DatabaseConnectionString, Accounts.StagingProjectId);
        var (networkId, subnetId) = await DefaultNetworkAsync();
        using var client = NewClient(out _);
        await SignInAsync(client, email, Accounts.CustomerPassword);

        foreach (var path in new[] { $"/networks/{networkId}", $"/networks/{networkId}/subnets/{subnetId}" })
        {
            using var response = await client.GetAsync(path);
            var html = await response.Content.ReadAsStringAsync();
            Assert.Contains("data-testid=\"not-found\"", html);
            Assert.DoesNotContain("default-subnet", html);
            Assert.DoesNotContain("10.0.0.0/24", html);
        }
    }

    [Fact]
    public async Task Wrong_passwords_lock_the_account_and_then_even_the_right_one_is_refused()
    {
        var email = await Accounts.NewCustomerAsync(app.DatabaseConnectionString, Accounts.StagingProjectId);
        using var client = NewClient(out _);
        for (var i = 0; i < 5; i++)
        {
            var html = await PostLoginAsync(client, email, "Wrong-password-1");
            Assert.Contains(i < 4 ? "Неверный адрес электронной почты или пароль." : "заблокирована", html);
        }
        var after = await PostLoginAsync(client, email, Accounts.CustomerPassword);
        Assert.Contains("заблокирована", after);
        using var page = await client.GetAsync("/networks");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        await using var connection = new NpgsqlConnection(app.DatabaseConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT lockout_end > now() FROM users WHERE normalized_email = upper($1)", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = email });
        Assert.Equal(true, await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Antiforgery_rejects_a_forged_post()
    {
        using var client = NewClient(out _);
        // The login form without its token (as another site would post it): refused, nobody signed in.
        using var forged = await client.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "login", ["Input.Email"] = Accounts.Customer, ["Input.Password"] = Accounts.CustomerPassword,
        }));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        using var page = await client.GetAsync("/networks");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);

        // Signed in, a sign-out posted without the token is refused as well.
        await SignInAsync(client, Accounts.Customer, Accounts.CustomerPassword);
        using var logout = await client.PostAsync("/logout", new FormUrlEncodedContent([]));
        Assert.Equal(HttpStatusCode.BadRequest, logout.StatusCode);
        using var still = await client.GetAsync("/networks");
        Assert.Equal(HttpStatusCode.OK, still.StatusCode);
    }

    private HttpClient NewClient(out CookieContainer cookies)
    {
        cookies = new CookieContainer();
        var handler = new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false };
        return new HttpClient(handler) { BaseAddress = new Uri(app.BaseUrl), Timeout = TimeSpan.FromSeconds(30) };
    }

    private static async Task SignInAsync(HttpClient client, string email, string password)
    {
        var html = await PostLoginAsync(client, email, password, expectRedirect: true);
        Assert.Equal("", html);
    }

    /// <summary>Posts the login form as a browser would (with its antiforgery token); returns the page shown, or "" on a redirect.</summary>
    private static async Task<string> PostLoginAsync(HttpClient client, string email, string password, bool expectRedirect = false)
    {
        var form = await client.GetStringAsync("/login");
        var token = TokenField().Match(form).Groups[1].Value;
        using var response = await client.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "login", ["__RequestVerificationToken"] = token, ["Input.Email"] = email, ["Input.Password"] = password,
        }));
        if (expectRedirect)
        {
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            return "";
        }
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
    }

    private async Task<(Guid Network, Guid Subnet)> DefaultNetworkAsync()
    {
        await using var connection = new NpgsqlConnection(app.DatabaseConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT n.id, s.id FROM networks n JOIN subnets s ON s.network_id = n.id WHERE n.project_id = $1 AND n.name = 'default'", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = Accounts.DemoProjectId });
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        return (reader.GetGuid(0), reader.GetGuid(1));
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();
}
