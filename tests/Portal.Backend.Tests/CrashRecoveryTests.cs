using System.Diagnostics;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Ip;
using Portal.Data.Entities;
using Portal.Data.Services;
using Portal.E2E.Tests;
using Xunit.Abstractions;
using Portal.Core.Clusters;

namespace Portal.Backend.Tests;

/// <summary>
/// The real portal process (Portal.Web, which hosts the workers) is killed in the middle of every step of a
/// cluster's creation and deletion — after the step's effects, before its outcome is written — and started
/// again; the cluster must still end Running (or gone) with nothing written twice and nothing left behind.
/// </summary>
public sealed class CrashRecoveryTests(BackendFixture f, ITestOutputHelper output) : IClassFixture<BackendFixture>
{
    private static readonly TimeSpan ProcessDeadline = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_cluster_survives_a_crash_in_every_step_and_ends_running_then_deleted_without_duplicates_or_orphans()
    {
        var project = DemoData.DemoProjectId;
        var cluster = await f.Clusters.CreateAsync(BackendFixture.Customer, project, new ClusterCreate { Name = "crashy", Masters = 3, Workers = 4 });

        // Each run dies in the next step; it first repeats the step the previous run died in.
        foreach (var step in new[] { ClusterPhase.Pending, ClusterPhase.Network, ClusterPhase.Ports, ClusterPhase.Nodes, ClusterPhase.WaitingForAgents })
        {
            await RunUntilCrashAsync(step);
        }
        await RunUntilAsync(async db => await db.Clusters.AnyAsync(c => c.Id == cluster.Id && c.Phase == ClusterPhase.Running));

        var detail = await f.Clusters.GetAsync(Actor.System, project, cluster.Id);
        Assert.Equal(7, detail.Nodes.Count);
        Assert.All(detail.Nodes, n => Assert.True(n.Ready));
        Assert.Equal(7, detail.Nodes.Select(n => n.IpAddress).Distinct().Count());
        var podCidrs = detail.Nodes.Select(n => n.PodCidr!.Value).ToList();
        Assert.Equal(7, podCidrs.Distinct().Count());
        Assert.All(podCidrs, c => Assert.True(IpMath.Contains(IPNetwork.Parse("10.100.0.0/16"), c)));
        Assert.Equal(3L, await f.ScalarAsync("SELECT count(*) FROM ports WHERE device_id = $1 AND device_owner = 'k8s:master'", cluster.Id.ToString()));
        Assert.Equal(4L, await f.ScalarAsync("SELECT count(*) FROM ports WHERE device_id = $1 AND device_owner = 'k8s:node'", cluster.Id.ToString()));
        Assert.Equal(1L, await f.ScalarAsync("SELECT count(*) FROM ports WHERE device_id = $1 AND device_owner = 'k8s:loadbalancer'", cluster.Id.ToString()));
        Assert.Equal(1L, await f.ScalarAsync("SELECT count(*) FROM ports WHERE device_id = $1 AND device_owner = 'network:floatingip'", cluster.Id.ToString()));
        Assert.Equal(1L, await f.ScalarAsync("SELECT count(*) FROM networks WHERE owner_cluster_id = $1", cluster.Id));
        Assert.Equal(1L, await f.ScalarAsync("SELECT count(*) FROM networks WHERE name = 'crashy-net'"));
        // One event per completed step: a step repeated after a crash wrote its outcome once.
        Assert.Equal(1, detail.Events.Count(e => e.MessageKey == "Event.PortsCreated"));
        Assert.Equal(1, detail.Events.Count(e => e.MessageKey == "Event.Running"));

        await f.Clusters.DeleteAsync(BackendFixture.Customer, project, cluster.Id);
        await RunUntilCrashAsync(ClusterPhase.Deleting);
        await RunUntilAsync(async db => !await db.Clusters.AnyAsync(c => c.Id == cluster.Id));
        Assert.Equal(0L, await f.ScalarAsync("SELECT count(*) FROM ports WHERE device_id = $1", cluster.Id.ToString()));
        Assert.Equal(0L, await f.ScalarAsync("SELECT count(*) FROM networks WHERE owner_cluster_id = $1", cluster.Id));
        Assert.Equal(0L, await f.ScalarAsync("SELECT count(*) FROM cluster_nodes WHERE cluster_id = $1", cluster.Id));
    }

    /// <summary>Starts the portal configured to kill itself in <paramref name="step"/> and waits until it has.</summary>
    private async Task RunUntilCrashAsync(ClusterPhase step)
    {
        await using var app = StartPortal(step.ToString());
        var exited = await app.WaitForExitAsync(ProcessDeadline);
        output.WriteLine($"--- run crashing in {step} ---{Environment.NewLine}{app.RecentLog(60)}");
        Assert.True(exited, $"The portal did not crash in step {step} within {ProcessDeadline.TotalSeconds} s.{Environment.NewLine}{app.RecentLog(60)}");
        Assert.Contains($"crashing in step {step}", app.RecentLog(60));
    }

    /// <summary>Starts the portal without a crash and waits until <paramref name="done"/> holds, then stops it.</summary>
    private async Task RunUntilAsync(Func<Portal.Data.PortalDbContext, Task<bool>> done)
    {
        await using var app = StartPortal("");
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            await using (var db = f.NewDb())
            {
                if (await done(db)) return;
            }
            Assert.False(app.HasExited, $"The portal exited.{Environment.NewLine}{app.RecentLog(60)}");
            Assert.True(deadline.Elapsed < ProcessDeadline, $"Not done within {ProcessDeadline.TotalSeconds} s.{Environment.NewLine}{app.RecentLog(60)}");
            // Polling interval only; the deadline above bounds the wait.
            await Task.Delay(100);
        }
    }

    /// <summary>Portal.Web on the test database with fast workers and simulated nodes, killing itself in <paramref name="crashInStep"/>.</summary>
    private PortalWebProcess StartPortal(string crashInStep) =>
        new("http://127.0.0.1:0", f.ConnectionString, new Dictionary<string, string>
        {
            ["DOTNET_STARTUP_HOOKS"] = Path.Combine(AppContext.BaseDirectory, "Portal.FaultInjection.dll"),
            ["PORTAL_CRASH_IN_STEP"] = crashInStep,
            ["Portal__Backend__SimulatedBootTime"] = "00:00:00",
            ["Portal__Backend__AgentPollInterval"] = "00:00:00.050",
            ["Portal__Backend__PollInterval"] = "00:00:00.200",
        });
}
