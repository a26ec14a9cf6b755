using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Playwright;
using Npgsql;

namespace Portal.E2E.Tests;

/// <summary>
/// The real Portal, as a child process, on a fresh database of the PostgreSQL server that ./test provides
/// (ConnectionStrings__Portal names a server whose user may create databases), plus Debian's Chromium driven
/// by Playwright. One per test collection; every test opens its own browser context.
/// </summary>
public class PortalAppFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    /// <summary>Deadline for the app to answer GET / with 200 (migrations and seeding run before it listens).</summary>
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(60);

    private string _adminConnectionString = "";
    private string _database = "";
    private PortalWebProcess? _app;
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public string BaseUrl { get; private set; } = "";

    /// <summary>The app's own database, for tests that arrange or check rows directly.</summary>
    public string DatabaseConnectionString { get; private set; } = "";

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("Fixture not initialised.");

    /// <summary>The app's configuration (environment variables) beside its database.</summary>
    protected virtual IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string> { ["Portal__SeedDemoData"] = "true" };

    public async Task InitializeAsync()
    {
        _adminConnectionString = Environment.GetEnvironmentVariable("ConnectionStrings__Portal") is { Length: > 0 } cs
            ? cs
            : throw new InvalidOperationException(
                "The browser tests need a real PostgreSQL: run ./test, or set ConnectionStrings__Portal to a server where the user may create databases " +
                "(e.g. Host=127.0.0.1;Port=55433;Username=portal;Database=postgres).");
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException(
                $"The browser tests drive Debian's Chromium at {ChromiumPath}, which is missing: apt-get install chromium (./test installs it when run as root).");
        }

        _database = "portal_e2e_" + Guid.NewGuid().ToString("N")[..12];
        await using (var admin = new NpgsqlConnection(_adminConnectionString))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {_database}", admin);
            await create.ExecuteNonQueryAsync();
        }
        var appConnectionString = new NpgsqlConnectionStringBuilder(_adminConnectionString) { Database = _database }.ConnectionString;
        DatabaseConnectionString = appConnectionString;

        try
        {
            BaseUrl = $"http://127.0.0.1:{FreePort()}";
            _app = new PortalWebProcess(BaseUrl, appConnectionString, Settings);
            await WaitForAppAsync();
            await LaunchBrowserAsync();
        }
        catch
        {
            // xunit does not dispose a fixture whose initialisation failed: stop the app and drop the database here.
            await DisposeAsync();
            throw;
        }
    }

    private async Task LaunchBrowserAsync()
    {
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
            ],
        });
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null) await _browser.DisposeAsync();
        _browser = null;
        _playwright?.Dispose();
        _playwright = null;

        if (_app is not null) await _app.DisposeAsync();
        _app = null;

        if (_database.Length > 0)
        {
            NpgsqlConnection.ClearAllPools();
            await using var admin = new NpgsqlConnection(_adminConnectionString);
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_database} WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
            _database = "";
        }
    }

    /// <summary>Deadline for any one wait in a browser test (element, navigation, server round trip); never a pause.</summary>
    public const float Deadline = 30_000;

    /// <summary>A fresh browser context (its own cookies) on the app, with the tests' deadline for every wait.</summary>
    public async Task<IBrowserContext> NewContextAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseUrl,
            ViewportSize = new ViewportSize { Width = 1300, Height = 900 },
        });
        context.SetDefaultTimeout(Deadline);
        context.SetDefaultNavigationTimeout(Deadline);
        return context;
    }

    /// <summary>Waits until the page's circuit is interactive (MainLayout's marker), so clicks reach their handlers.</summary>
    public static Task ReadyAsync(IPage page) =>
        page.WaitForSelectorAsync("#portal-interactive[data-ready=true]", new() { State = WaitForSelectorState.Attached, Timeout = Deadline });

    /// <summary>The app's most recent stdout/stderr lines, for failure messages.</summary>
    public string RecentLog(int lines = 150) => _app?.RecentLog(lines) ?? "";

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task WaitForAppAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var deadline = Stopwatch.StartNew();
        string last = "no answer yet";
        while (deadline.Elapsed < StartDeadline)
        {
            if (_app!.HasExited)
            {
                throw new InvalidOperationException(
                    $"Portal.Web exited with code {_app.ExitCode} before answering {BaseUrl}/.{Environment.NewLine}App log:{Environment.NewLine}{RecentLog()}");
            }
            try
            {
                using var response = await http.GetAsync(BaseUrl + "/");
                if (response.StatusCode == HttpStatusCode.OK) return;
                last = $"HTTP {(int)response.StatusCode}";
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }
            catch (TaskCanceledException)
            {
                last = "request timed out";
            }
            // Polling interval only; the deadline above is what bounds the wait.
            await Task.Delay(250);
        }
        throw new InvalidOperationException(
            $"Portal.Web did not answer GET {BaseUrl}/ with 200 within {StartDeadline.TotalSeconds:0} s (last: {last}).{Environment.NewLine}App log:{Environment.NewLine}{RecentLog()}");
    }
}

[CollectionDefinition(Name)]
public sealed class PortalAppCollection : ICollectionFixture<PortalAppFixture>
{
    public const string Name = "portal-app";
}
