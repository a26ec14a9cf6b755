using Microsoft.Playwright;
using Npgsql;

namespace Portal.E2E.Tests;

/// <summary>The demo accounts ./run seeds (DemoData), and users made for a test from them.</summary>
public static class Accounts
{
    public const string Customer = "demo@portal.local";
    public const string CustomerPassword = "Demo-portal-2026";
    public const string Support = "support@portal.local";
    public const string SupportPassword = "Support-portal-2026";
    public const string DemoProjectId = "0d0e0a0f5e1e4c3b9a7d6c5b4a392817";
    public const string StagingProjectId = "5e7a9e1b2c3d4e5f60718293a4b5c6d7";

    /// <summary>Signs in through the login form; the page then shows <paramref name="then"/> (a local path).</summary>
    public static async Task SignInAsync(IPage page, string email, string password)
    {
        await page.Locator("[data-testid=login-email]").FillAsync(email);
        await page.Locator("[data-testid=login-password]").FillAsync(password);
        await page.Locator("[data-testid=login-submit]").ClickAsync();
    }

    /// <summary>
    /// A new customer with the demo customer's password (the stored hash is copied: there is no sign-up page),
    /// a member of <paramref name="projectId"/> only. Tests that lock an account or work in another project
    /// use one, so the demo accounts stay as the other tests expect them.
    /// </summary>
    public static async Task<string> NewCustomerAsync(string connectionString, string projectId)
    {
        var id = "e2e-" + Guid.NewGuid().ToString("N")[..12];
        var email = id + "@portal.local";
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(Command("""
            INSERT INTO users (id, display_name, user_name, normalized_user_name, email, normalized_email, email_confirmed,
                               password_hash, security_stamp, concurrency_stamp, phone_number_confirmed, two_factor_enabled,
                               lockout_enabled, access_failed_count)
            SELECT $1, $1, $2, upper($2), $2, upper($2), true, password_hash, md5(random()::text), md5(random()::text),
                   false, false, true, 0
              FROM users WHERE normalized_user_name = upper($3)
            """, id, email, Customer));
        batch.BatchCommands.Add(Command("INSERT INTO project_members (project_id, user_id, is_owner, added_at) VALUES ($1, $2, false, now())", projectId, id));
        await batch.ExecuteNonQueryAsync();
        return email;
    }

    /// <summary>A new support engineer: a customer of <paramref name="projectId"/> who also has the support role.</summary>
    public static async Task<string> NewSupportAsync(string connectionString, string projectId)
    {
        var email = await NewCustomerAsync(connectionString, projectId);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "INSERT INTO user_roles (user_id, role_id) SELECT u.id, r.id FROM users u, roles r WHERE u.normalized_email = upper($1) AND r.name = 'support'",
            connection);
        command.Parameters.Add(new NpgsqlParameter { Value = email });
        Assert.Equal(1, await command.ExecuteNonQueryAsync());
        return email;
    }

    private static NpgsqlBatchCommand Command(string sql, params object[] args)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var arg in args) command.Parameters.Add(new NpgsqlParameter { Value = arg });
        return command;
    }
}
