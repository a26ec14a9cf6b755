using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Npgsql;
using Xunit.Sdk;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E.Tests;

/// <summary>The app with a one-second recheck interval (Portal:Auth:RecheckInterval), so that revocation is seen at once.</summary>
public sealed class RevocationAppFixture : PortalAppFixture
{
    public const string Name = "portal-app-revocation";

    public const string RecheckInterval = "00:00:01";

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Portal__SeedDemoData"] = "true",
        ["Portal__Auth__RecheckInterval"] = RecheckInterval,
    };
}

[CollectionDefinition(RevocationAppFixture.Name)]
public sealed class RevocationAppCollection : ICollectionFixture<RevocationAppFixture>;

/// <summary>
/// Access ends when the right ends (issue 15 §3), against the real app: a token stops working after a lockout, a ban,
/// a password or security-stamp change, removal from the project or the user's deletion; Keystone's token validation
/// and revocation; the token endpoint's time does not tell unknown users from known ones; links and redirects ignore
/// the Host header; a second instance accepts the first one's token and cookie; open tabs are re-checked.
/// </summary>
[Collection(RevocationAppFixture.Name)]
public sealed partial class RevocationTests(RevocationAppFixture app)
{
    /// <summary>How long a wait for an outcome may take (the app rechecks every second); never a pause.</summary>
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    public static TheoryData<string, string> RightEnds => new()
    {
        { "ban", "UPDATE users SET lockout_end = now() + interval '100 years' WHERE id = $1" },
        { "security stamp", "UPDATE users SET security_stamp = md5(random()::text) WHERE id = $1" },
        // As UserManager.ChangePasswordAsync does: a new hash (the support account's password) and a new stamp.
        {
            "password change",
            "UPDATE users SET password_hash = (SELECT password_hash FROM users WHERE normalized_user_name = 'SUPPORT@PORTAL.LOCAL'), " +
            "security_stamp = md5(random()::text) WHERE id = $1"
        },
        { "removal from the project", "DELETE FROM project_members WHERE user_id = $1" },
        { "deleted user", "DELETE FROM users WHERE id = $1" },
    };

    [Theory]
    [MemberData(nameof(RightEnds))]
    public async Task A_token_stops_working_when_its_users_right_ends(string change, string sql)
    {
        var email = await Accounts.NewCustomerAsync(app.DatabaseConnectionString, Accounts.StagingProjectId);
        using var http = ApiHttp.NewClient(app);
        var token = await ApiHttp.TokenAsync(http, email, Accounts.CustomerPassword, Accounts.StagingProjectId);
        Assert.Equal(HttpStatusCode.OK, (await ApiHttp.SendAsync(http, HttpMethod.Get, "/v2.0/networks", token)).Status);

        await ExecuteAsync(sql, UserId(email));
        await RefusedAsync(http, token, change);

        if (change == "password change")
        {
            var fresh = await ApiHttp.TokenAsync(http, email, Accounts.SupportPassword, Accounts.StagingProjectId);
            Assert.Equal(HttpStatusCode.OK, (await ApiHttp.SendAsync(http, HttpMethod.Get, "/v2.0/networks", fresh)).Status);
        }
    }

    [Fact]
    public async Task Five_wrong_passwords_lock_the_account_and_its_token_stops_working()
    {
        var email = await Accounts.NewCustomerAsync(app.DatabaseConnectionString, Accounts.StagingProjectId);
        using var http = ApiHttp.NewClient(app);
        var token = await ApiHttp.TokenAsync(http, email, Accounts.CustomerPassword, Accounts.StagingProjectId);
        for (var i = 0; i < 5; i++)
        {
            using var wrong = await http.PostAsync("/identity/v3/auth/tokens",
                ApiHttp.Body(ApiHttp.TokenRequest(email, "Wrong-password-1", Accounts.StagingProjectId)));
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }
        await RefusedAsync(http, token, "lockout");
        using var right = await http.PostAsync("/identity/v3/auth/tokens",
            ApiHttp.Body(ApiHttp.TokenRequest(email, Accounts.CustomerPassword, Accounts.StagingProjectId)));
        Assert.Equal(HttpStatusCode.Unauthorized, right.StatusCode);
    }

    [Fact]
    public async Task Delete_revokes_one_token_which_get_and_head_then_do_not_find()
    {
        var email = await Accounts.NewCustomerAsync(app.DatabaseConnectionString, Accounts.StagingProjectId);
        using var http = ApiHttp.NewClient(app);
        var caller = await ApiHttp.TokenAsync(http, email, Accounts.CustomerPassword, Accounts.StagingProjectId);
        var subject = await ApiHttp.TokenAsync(http, email, Accounts.CustomerPassword, Accounts.StagingProjectId);

        using (var get = await SendAsync(http, HttpMethod.Get, "/identity/v3/auth/tokens", caller, subject))
        {
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
            Assert.Equal(subject, get.Headers.GetValues("X-Subject-Token").Single());
            var body = JsonDocument.Parse(await get.Content.ReadAsStringAsync()).RootElement.GetProperty("token");
            Assert.Equal(UserId(email), body.GetProperty("user").GetProperty("id").GetString());
            Assert.Equal(Accounts.StagingProjectId, body.GetProperty("project").GetProperty("id").GetString());
            Assert.Single(body.GetProperty("audit_ids").EnumerateArray());
            Assert.Equal(2, body.GetProperty("catalog").GetArrayLength());
        }
        using (var noCatalog = await SendAsync(http, HttpMethod.Get, "/identity/v3/auth/tokens?nocatalog", caller, subject))
        {
            var body = JsonDocument.Parse(await noCatalog.Content.ReadAsStringAsync()).RootElement.GetProperty("token");
            Assert.False(body.TryGetProperty("catalog", out _));
        }
        using (var head = await SendAsync(http, HttpMethod.Head, "/identity/v3/auth/tokens", caller, subject))
        {
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        }

        using (var revoke = await SendAsync(http, HttpMethod.Delete, "/identity/v3/auth/tokens", caller, subject))
        {
            Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        }
        using (var get = await SendAsync(http, HttpMethod.Get, "/identity/v3/auth/tokens", caller, subject))
        {
            await AssertKeystoneErrorAsync(get, 404, $"Could not find token: {subject}.");
        }
        using (var head = await SendAsync(http, HttpMethod.Head, "/identity/v3/auth/tokens", caller, subject))
        {
            Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
        }
        using (var again = await SendAsync(http, HttpMethod.Delete, "/identity/v3/auth/tokens", caller, subject))
        {
            Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        }
        // This replica refuses the revoked token at once; the caller's other token still works.
        Assert.Equal(HttpStatusCode.Unauthorized, (await ApiHttp.SendAsync(http, HttpMethod.Get, "/v2.0/networks", subject)).Status);
        Assert.Equal(HttpStatusCode.OK, (await ApiHttp.SendAsync(http, HttpMethod.Get, "/v2.0/networks", caller)).Status);
        Assert.Equal(1L, await ScalarAsync("SELECT count(*) FROM revoked_tokens WHERE user_id = $1", UserId(email)));

        // A token revokes itself too, and is then refused as the caller.
        using (var self = await SendAsync(http, HttpMethod.Delete, "/identity/v3/auth/tokens", caller, caller))
        {
            Assert.Equal(HttpStatusCode.NoContent, self.StatusCode);
        }
        using (var after = await SendAsync(http, HttpMethod.Get, "/identity/v3/auth/tokens", caller, caller))
        {
            await AssertKeystoneErrorAsync(after, 401, "The request you have made requires authentication.");
        }
    }

    [Fact]
    public async Task Validation_answers_keystones_json_errors_never_a_redirect()
    {
        using var http = ApiHttp.NewClient(app);
        var customer = await ApiHttp.TokenAsync(http);
        var otherEmail = await Accounts.NewCustomerAsync(app.DatabaseConnectionString, Accounts.StagingProjectId);
        var other = await ApiHttp.TokenAsync(http, otherEmail, Accounts.CustomerPassword, Accounts.StagingProjectId);

        foreach (var method in new[] { HttpMethod.Get, HttpMethod.Delete })
        {
            using var anonymous = await SendAsync(http, method, "/identity/v3/auth/tokens", null, customer);
            await AssertKeystoneErrorAsync(anonymous, 401, "The request you have made requires authentication.");
            Assert.StartsWith("Keystone uri=", anonymous.Headers.WwwAuthenticate.ToString());
            using var garbage = await SendAsync(http, method, "/identity/v3/auth/tokens", "not-a-token", customer);
            await AssertKeystoneErrorAsync(garbage, 401, "The request you have made requires authentication.");
            using var missing = await SendAsync(http, method, "/identity/v3/auth/tokens", customer, null);
            await AssertKeystoneErrorAsync(missing, 404, "No token in the request");
            using var unknown = await SendAsync(http, method, "/identity/v3/auth/tokens", customer, "gAAAAABnot-a-token");
            await AssertKeystoneErrorAsync(unknown, 404, "Could not find token: gAAAAABnot-a-token.");
        }
        using (var foreign = await SendAsync(http, HttpMethod.Get, "/identity/v3/auth/tokens", customer, other))
        {
            await AssertKeystoneErrorAsync(foreign, 403, "You are not authorized to perform the requested action: identity:validate_token.");
        }
        using (var foreign = await SendAsync(http, HttpMethod.Delete, "/identity/v3/auth/tokens", customer, other))
        {
            await AssertKeystoneErrorAsync(foreign, 403, "You are not authorized to perform the requested action: identity:revoke_token.");
        }
        Assert.Equal(HttpStatusCode.OK, (await ApiHttp.SendAsync(http, HttpMethod.Get, "/v2.0/networks", other)).Status);
    }

    [Fact]
    public async Task Links_and_redirects_name_the_public_url_whatever_the_host_header()
    {
        const string evil = "evil.example";
        var email = await Accounts.NewCustomerAsync(app.DatabaseConnectionString, Accounts.StagingProjectId);
        using var http = ApiHttp.NewClient(app);

        using var issue = new HttpRequestMessage(HttpMethod.Post, "/identity/v3/auth/tokens")
        {
            Content = ApiHttp.Body(ApiHttp.TokenRequest(email, Accounts.CustomerPassword, Accounts.StagingProjectId)),
        };
        issue.Headers.Host = evil;
        using var issued = await http.SendAsync(issue);
        Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
        var token = issued.Headers.GetValues("X-Subject-Token").Single();
        var catalog = await issued.Content.ReadAsStringAsync();
        var urls = JsonDocument.Parse(catalog).RootElement.GetProperty("token").GetProperty("catalog").EnumerateArray()
            .SelectMany(s => s.GetProperty("endpoints").EnumerateArray()).Select(e => e.GetProperty("url").GetString()!).ToList();
        Assert.Equal([app.BaseUrl + "/networking", app.BaseUrl + "/identity/v3"], urls);

        foreach (var name in new[] { "a", "b" })
        {
            var (status, _) = await ApiHttp.SendAsync(http, HttpMethod.Post, "/v2.0/networks", token, JsonSerializer.Serialize(new { network = new { name } }));
            Assert.Equal(HttpStatusCode.Created, status);
        }
        foreach (var path in new[] { "/v2.0/", "/v2.0/networks?limit=1", "/identity/v3" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Add("X-Auth-Token", token);
            request.Headers.Host = evil;
            using var response = await http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.DoesNotContain(evil, text);
            Assert.Contains($"\"href\":\"{app.BaseUrl}/", text);
        }

        using var page = new HttpRequestMessage(HttpMethod.Get, "/networks");
        page.Headers.Host = evil;
        using var redirect = await http.SendAsync(page);
        Assert.Equal(HttpStatusCode.Redirect, redirect.StatusCode);
        Assert.Equal($"{app.BaseUrl}/login?ReturnUrl=%2Fnetworks", redirect.Headers.Location!.ToString());

        using var anonymous = new HttpRequestMessage(HttpMethod.Get, "/v2.0/networks");
        anonymous.Headers.Host = evil;
        using var challenge = await http.SendAsync(anonymous);
        Assert.Equal(HttpStatusCode.Unauthorized, challenge.StatusCode);
        Assert.Equal($"Keystone uri=\"{app.BaseUrl}/identity\"", challenge.Headers.WwwAuthenticate.ToString());
    }

    /// <summary>
    /// The second instance has its own home folder, so it cannot read Data Protection's default key folder
    /// (~/.aspnet/DataProtection-Keys) of the first: it can only accept their token and cookie through the keys in
    /// PostgreSQL.
    /// </summary>
    [Fact]
    public async Task A_second_instance_started_fresh_accepts_the_first_ones_token_and_cookie()
    {
        using var http = ApiHttp.NewClient(app);
        var token = await ApiHttp.TokenAsync(http);
        var cookies = new CookieContainer();
        using (var browser = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = new Uri(app.BaseUrl) })
        {
            await SignInAsync(browser, Accounts.Customer, Accounts.CustomerPassword);
        }
        var cookie = cookies.GetCookieHeader(new Uri(app.BaseUrl));
        Assert.Contains("portal.auth=", cookie);
        Assert.True(await ScalarAsync("SELECT count(*) FROM data_protection_keys") is long keys && keys >= 1);

        var home = Directory.CreateTempSubdirectory("portal-e2e-home-");
        var url = $"http://127.0.0.1:{PortalAppFixture.FreePort()}";
        try
        {
            await using var second = new PortalWebProcess(url, app.DatabaseConnectionString, new Dictionary<string, string>
            {
                ["HOME"] = home.FullName,
                ["Portal__Backend__Enabled"] = "false",
            });
            using var other = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false })
            {
                BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(30),
            };
            await WaitForAsync(other, second);

            var (status, _) = await ApiHttp.SendAsync(other, HttpMethod.Get, "/v2.0/networks", token);
            Assert.True(status == HttpStatusCode.OK, $"The second instance refused the first one's token: {status}\n{second.RecentLog()}");
            using var request = new HttpRequestMessage(HttpMethod.Get, "/networks");
            request.Headers.Add("Cookie", cookie);
            using var page = await other.SendAsync(request);
            Assert.True(page.StatusCode == HttpStatusCode.OK,
                $"The second instance refused the first one's cookie: {(int)page.StatusCode} {page.Headers.Location}\n{second.RecentLog()}");
        }
        finally
        {
            home.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task An_open_tab_of_a_user_who_is_locked_out_goes_to_login()
    {
        SetDefaultExpectTimeout(PortalAppFixture.Deadline);
        var email = await Accounts.NewCustomerAsync(app.DatabaseConnectionString, Accounts.StagingProjectId);
        await using var context = await app.NewContextAsync();
        var page = await context.NewPageAsync();
        try
        {
            await page.GotoAsync("/networks");
            await Accounts.SignInAsync(page, email, Accounts.CustomerPassword);
            await PortalAppFixture.ReadyAsync(page);
            await Expect(page).ToHaveURLAsync(new Regex("/networks$"));

            await ExecuteAsync("UPDATE users SET lockout_end = now() + interval '1 hour' WHERE id = $1", UserId(email));
            await page.WaitForURLAsync(new Regex("/login\\?ReturnUrl=%2Fnetworks$"));
            await Expect(page.Locator("[data-testid=login-form]")).ToBeVisibleAsync();
            // The cookie is refused too: opening the page again lands at the login page.
            await page.GotoAsync("/networks");
            await Expect(page).ToHaveURLAsync(new Regex("/login\\?ReturnUrl=%2Fnetworks$"));
        }
        catch (Exception e)
        {
            throw await FailedAsync(page, "locked-out-tab", e);
        }
    }

    [Fact]
    public async Task A_support_engineer_whose_role_is_removed_loses_the_open_support_page()
    {
        SetDefaultExpectTimeout(PortalAppFixture.Deadline);
        var email = await Accounts.NewSupportAsync(app.DatabaseConnectionString, Accounts.StagingProjectId);
        await using var context = await app.NewContextAsync();
        var page = await context.NewPageAsync();
        try
        {
            await page.GotoAsync("/support");
            await Accounts.SignInAsync(page, email, Accounts.CustomerPassword);
            await PortalAppFixture.ReadyAsync(page);
            await Expect(page.Locator("[data-testid=support-search]")).ToBeVisibleAsync();
            await Expect(page.Locator("[data-testid=nav-support]")).ToBeVisibleAsync();

            await ExecuteAsync("DELETE FROM user_roles WHERE user_id = $1", UserId(email));
            await Expect(page.Locator("[data-testid=forbidden]")).ToBeVisibleAsync();
            await Expect(page.Locator("[data-testid=support-search]")).ToHaveCountAsync(0);
            // The header's link to the support console goes with the role, without a reload.
            await Expect(page.Locator("[data-testid=nav-support]")).ToHaveCountAsync(0);
        }
        catch (Exception e)
        {
            throw await FailedAsync(page, "support-role-removed", e);
        }
    }

    private async Task<Exception> FailedAsync(IPage page, string name, Exception e)
    {
        var shot = Path.Combine(Path.GetTempPath(), $"portal-{name}-{DateTime.UtcNow:yyyyMMddHHmmss}.png");
        await page.ScreenshotAsync(new() { Path = shot, FullPage = true });
        return new XunitException($"{e.Message}\nScreenshot: {shot}\nApp log:\n{app.RecentLog()}");
    }

    /// <summary>Waits (bounded) until the token is refused; it must be accepted until then.</summary>
    private async Task RefusedAsync(HttpClient http, string token, string change)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < Deadline)
        {
            var (status, body) = await ApiHttp.SendAsync(http, HttpMethod.Get, "/v2.0/networks", token);
            if (status == HttpStatusCode.Unauthorized)
            {
                Assert.Equal("HTTPUnauthorized", body.GetProperty("NeutronError").GetProperty("type").GetString());
                return;
            }
            // Until the token's recheck sees the change it still authenticates; the services may already refuse the
            // call (a removed member or a deleted user is no member: 404), which ends the access sooner.
            Assert.True(status is HttpStatusCode.OK or HttpStatusCode.NotFound, $"{change}: {status} {body}");
            // Polling interval only; the deadline bounds the wait.
            await Task.Delay(100);
        }
        throw new XunitException($"The token still worked {Deadline.TotalSeconds:0} s after the {change}.\nApp log:\n{app.RecentLog()}");
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpMethod method, string path, string? caller, string? subject)
    {
        using var request = new HttpRequestMessage(method, path);
        if (caller is not null) request.Headers.Add("X-Auth-Token", caller);
        if (subject is not null) request.Headers.Add("X-Subject-Token", subject);
        return await http.SendAsync(request);
    }

    private static async Task AssertKeystoneErrorAsync(HttpResponseMessage response, int code, string message)
    {
        Assert.Equal(code, (int)response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal(code, error.GetProperty("code").GetInt32());
        Assert.Equal(message, error.GetProperty("message").GetString());
    }

    /// <summary>The test accounts' ids are their emails' local part (Accounts.NewCustomerAsync).</summary>
    private static string UserId(string email) => email[..email.IndexOf('@')];

    private async Task ExecuteAsync(string sql, params object[] args)
    {
        await using var connection = new NpgsqlConnection(app.DatabaseConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var arg in args) command.Parameters.Add(new NpgsqlParameter { Value = arg });
        Assert.True(await command.ExecuteNonQueryAsync() >= 1, $"Changed nothing: {sql}");
    }

    private async Task<object?> ScalarAsync(string sql, params object[] args)
    {
        await using var connection = new NpgsqlConnection(app.DatabaseConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var arg in args) command.Parameters.Add(new NpgsqlParameter { Value = arg });
        return await command.ExecuteScalarAsync();
    }

    /// <summary>Waits (bounded) until the instance answers its login page.</summary>
    private static async Task WaitForAsync(HttpClient http, PortalWebProcess process)
    {
        var clock = Stopwatch.StartNew();
        var last = "no answer yet";
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (process.HasExited) throw new XunitException($"The second instance exited with {process.ExitCode}.\n{process.RecentLog()}");
            try
            {
                using var response = await http.GetAsync("/login");
                if (response.StatusCode == HttpStatusCode.OK) return;
                last = $"HTTP {(int)response.StatusCode}";
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }
            // Polling interval only; the deadline bounds the wait.
            await Task.Delay(250);
        }
        throw new XunitException($"The second instance did not answer within 60 s (last: {last}).\n{process.RecentLog()}");
    }

    /// <summary>Posts the login form as a browser would, with its antiforgery token.</summary>
    private static async Task SignInAsync(HttpClient client, string email, string password)
    {
        var form = await client.GetStringAsync("/login");
        var token = TokenField().Match(form).Groups[1].Value;
        using var response = await client.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "login", ["__RequestVerificationToken"] = token, ["Input.Email"] = email, ["Input.Password"] = password,
        }));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();
}
