using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Npgsql;
using Portal.Data;
using Portal.Data.Services;
using Portal.UiBench;

// UI speed benchmark (issue: Networks UI). Seeds 1,000 networks and 50,000 ports in one subnet, runs the
// published web app, and drives Chromium: time from a click to the first page of rows rendered, for the
// network list and the «Порты» tab; then the server memory that each open circuit costs.
// Times are taken in the page (click event → rows in the DOM).
// Usage: bench/ui-run (starts its own PostgreSQL), or ConnectionStrings__Portal=... Portal.UiBench <published-web-dir>
var server = Environment.GetEnvironmentVariable("ConnectionStrings__Portal")
             ?? throw new InvalidOperationException("Set ConnectionStrings__Portal to a server where the user may create databases.");
var webDir = args.Length > 0 ? args[0] : throw new InvalidOperationException("Pass the folder of the published Portal.Web.");
const int Rounds = 30;
const int Warmup = 3;
const int Circuits = 20;

var database = "portal_uibench";
await using (var admin = new NpgsqlConnection(server))
{
    await admin.OpenAsync();
    await new NpgsqlCommand($"DROP DATABASE IF EXISTS {database} WITH (FORCE)", admin).ExecuteNonQueryAsync();
    await new NpgsqlCommand($"CREATE DATABASE {database}", admin).ExecuteNonQueryAsync();
}
var connectionString = new NpgsqlConnectionStringBuilder(server) { Database = database }.ConnectionString;
await using (var services = new ServiceCollection().AddPortalData(connectionString).BuildServiceProvider())
{
    await services.MigratePortalDatabaseAsync();
    await services.GetRequiredService<DemoData>().SeedAsync();
    // The database holds rows to their quota (triggers take a slot per row), so make room for the seed first.
    var projects = services.GetRequiredService<ProjectService>();
    await projects.SetQuotaAsync(Actor.System, DemoData.DemoProjectId, Quotas.Networks, Seeder.Networks + 100);
    await projects.SetQuotaAsync(Actor.System, DemoData.DemoProjectId, Quotas.Subnets, Seeder.Networks + 100);
    await projects.SetQuotaAsync(Actor.System, DemoData.DemoProjectId, Quotas.Ports, Seeder.Ports + 1_000);
}
Console.WriteLine($"Seeding {Seeder.Networks:N0} networks and {Seeder.Ports:N0} ports in one subnet...");
var seedClock = Stopwatch.StartNew();
await using var dataSource = NpgsqlDataSource.Create(connectionString);
var (bigNetwork, bigSubnet) = await Seeder.SeedAsync(dataSource);
Console.WriteLine($"  seeded in {seedClock.Elapsed.TotalSeconds:F1} s");

var port = FreePort();
using var web = StartWeb(webDir, connectionString, port);
var baseUrl = $"http://127.0.0.1:{port}";
await WaitUntilUpAsync(baseUrl, web);

using var playwright = await Playwright.CreateAsync();
await using var browser = await playwright.Chromium.LaunchAsync(new()
{
    ExecutablePath = "/usr/bin/chromium",
    Headless = true,
    Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1400, Height = 1000 } });
var page = await context.NewPageAsync();
var subnetUrl = $"{baseUrl}/networks/{bigNetwork}/subnets/{bigSubnet}";
await page.GotoAsync($"{baseUrl}/culture?c=ru-RU&r=/networks");
await ReadyAsync(page);

var networkList = new List<double>();
var portsTab = new List<double>();
for (var round = 0; round < Warmup + Rounds; round++)
{
    // Network list: from the subnet card, click «Сети» in the menu; done when the grid's 20th row is drawn.
    await page.GotoAsync(subnetUrl);
    await ReadyAsync(page);
    await page.WaitForSelectorAsync("[data-testid=subnet-info]");
    var listMs = await ClickToRowsAsync(page, "nav a[href='/networks']", 0, "[data-testid=networks-grid] tbody tr:nth-child(20) [data-testid=network-link]");
    if (round >= Warmup) networkList.Add(listMs);

    // «Порты»: on the subnet card, click the tab; done when the 25th port row (of 50,000) is drawn.
    await page.GotoAsync(subnetUrl);
    await ReadyAsync(page);
    await page.WaitForSelectorAsync("[data-testid=subnet-info]");
    var portsMs = await ClickToRowsAsync(page, ".mud-tab", 1, "[data-testid=ports-grid] tbody tr:nth-child(25) [data-testid=port-ip]");
    if (round >= Warmup) portsTab.Add(portsMs);
}

// Memory: resident set of the server with one circuit, then with Circuits more, each on the «Порты» tab.
await page.GotoAsync(subnetUrl);
await ReadyAsync(page);
await Task.Delay(2000);
var before = ResidentKiB(web.Id);
var pages = new List<IPage>();
for (var i = 0; i < Circuits; i++)
{
    var p = await (await browser.NewContextAsync()).NewPageAsync();
    await p.GotoAsync(subnetUrl);
    await ReadyAsync(p);
    await p.ClickAsync(".mud-tab >> nth=1");
    await p.WaitForSelectorAsync("[data-testid=ports-grid] tbody tr:nth-child(25)");
    pages.Add(p);
}
await Task.Delay(3000);
var after = ResidentKiB(web.Id);

Console.WriteLine();
Console.WriteLine("== UI benchmark (Chromium, published Portal.Web, real PostgreSQL) ==");
Console.WriteLine($"data: {Seeder.Networks:N0} networks + {Seeder.Ports:N0} ports in one /16 subnet");
Report("network list, click «Сети» → 20 rows", networkList);
Report("subnet card, click «Порты» → 25 of 50,000 rows", portsTab);
Console.WriteLine($"server memory per open circuit (RSS delta over {Circuits} circuits on the «Порты» tab): " +
                  $"{(after - before) / (double)Circuits / 1024:F2} MiB  (RSS {before / 1024} MiB → {after / 1024} MiB)");

web.Kill(entireProcessTree: true);
return 0;

static void Report(string what, List<double> samples)
{
    samples.Sort();
    var median = samples[samples.Count / 2];
    var p95 = samples[(int)Math.Ceiling(samples.Count * 0.95) - 1];
    Console.WriteLine($"{what}: median {median:F0} ms, p95 {p95:F0} ms, max {samples[^1]:F0} ms (n={samples.Count}; target ≤ 300 ms) {(p95 <= 300 ? "PASS" : "MISS")}");
}

// Measured inside the page, as the user sees it: from the click event to the first moment the rows are in the
// document (a MutationObserver), without the driver's own round trips.
static async Task<double> ClickToRowsAsync(IPage page, string clickSelector, int index, string rowsSelector) =>
    await page.EvaluateAsync<double>("""
        ([click, index, rows]) => new Promise(resolve => {
            const start = performance.now();
            const done = () => document.querySelector(rows) !== null;
            const observer = new MutationObserver(() => { if (done()) { observer.disconnect(); resolve(performance.now() - start); } });
            observer.observe(document.body, { childList: true, subtree: true });
            document.querySelectorAll(click)[index].click();
        })
        """, new object[] { clickSelector, index, rowsSelector });

static async Task ReadyAsync(IPage page) =>
    await page.WaitForSelectorAsync("#portal-interactive[data-ready=true]", new() { State = WaitForSelectorState.Attached, Timeout = 60_000 });

static long ResidentKiB(int pid) =>
    long.Parse(File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:")).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);

static int FreePort()
{
    var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
    listener.Start();
    var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    listener.Stop();
    return port;
}

static Process StartWeb(string webDir, string connectionString, int port)
{
    var start = new ProcessStartInfo("dotnet", [Path.Combine(webDir, "Portal.Web.dll"), "--urls", $"http://127.0.0.1:{port}"])
    {
        WorkingDirectory = webDir,
        RedirectStandardOutput = true,
        RedirectStandardError = true,
    };
    start.Environment["ConnectionStrings__Portal"] = connectionString;
    start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
    start.Environment["Logging__LogLevel__Default"] = "Warning";
    var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start Portal.Web.");
    process.OutputDataReceived += (_, _) => { };
    process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine("web: " + e.Data); };
    process.BeginOutputReadLine();
    process.BeginErrorReadLine();
    return process;
}

static async Task WaitUntilUpAsync(string url, Process web)
{
    using var http = new HttpClient();
    var deadline = DateTime.UtcNow.AddSeconds(60);
    while (DateTime.UtcNow < deadline)
    {
        if (web.HasExited) throw new InvalidOperationException("Portal.Web exited during start-up.");
        try
        {
            if ((await http.GetAsync(url)).IsSuccessStatusCode) return;
        }
        catch (HttpRequestException)
        {
        }
        await Task.Delay(250);
    }
    throw new TimeoutException("Portal.Web did not answer within 60 s.");
}
