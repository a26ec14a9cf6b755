using System.Diagnostics;
using System.Text;
using Xunit.Abstractions;

namespace Portal.E2E.Tests;

/// <summary>A Portal of its own for tempest: its tests create and delete many networks, which no other test should meet.</summary>
public sealed class TempestAppFixture : PortalAppFixture
{
    public const string Name = "portal-app-tempest";
}

[CollectionDefinition(TempestAppFixture.Name)]
public sealed class TempestAppCollection : ICollectionFixture<TempestAppFixture>;

/// <summary>
/// OpenStack's own API tests judge the API: tempest (Debian's python3-tempest; ./test installs it) runs its network and
/// identity modules against the app through tests/tempest/run, which prints every failure and every skip with its
/// reason. No test may fail or error; admin-only tests and those of extensions Portal does not list skip.
/// </summary>
[Collection(TempestAppFixture.Name)]
public sealed class TempestTests(TempestAppFixture app, ITestOutputHelper output)
{
    /// <summary>The whole run, bounded: about three minutes on this kind of machine.</summary>
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(20);

    [Fact]
    public async Task Tempests_network_and_identity_api_tests_pass()
    {
        if (!File.Exists("/usr/bin/tempest"))
        {
            throw new InvalidOperationException("This test runs Debian's tempest (/usr/bin/tempest), which is missing: apt-get install python3-tempest (./test installs it when run as root).");
        }
        var script = Path.Combine(PortalWebProcess.RepositoryRoot().FullName, "tests", "tempest", "run");
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(app.BaseUrl);
        var log = new StringBuilder();
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start " + script);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(Deadline);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"tempest did not finish within {Deadline.TotalMinutes:0} minutes:{Environment.NewLine}{log}");
        }
        process.WaitForExit(); // the last lines of output
        var text = log.ToString();
        output.WriteLine(text);
        Console.WriteLine(text); // ./test's log keeps the skips and their reasons when the run passes too
        Assert.True(process.ExitCode == 0, $"tempest failed (exit {process.ExitCode}):{Environment.NewLine}{text}");
        Assert.Matches(@"- Passed: [1-9]", text);
    }
}
