using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Portal.Data.Services;

namespace Portal.Backend.Workflow;

/// <summary>
/// The provisioning workers of this process: each claims a due cluster, runs its step and writes the outcome,
/// again and again; when nothing is due it waits for a signal from this process or the next poll.
/// </summary>
public sealed class ProvisioningWorker(
    ClusterWorkflow workflow, ClusterReconciler reconciler, IOptions<BackendOptions> options, ILogger<ProvisioningWorker> logger)
    : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, Math.Max(1, options.Value.Workers)).Select(_ => RunAsync(stoppingToken)));

    /// <summary>Runs due steps until none is left; returns how many ran. The loop, and tests, call it.</summary>
    public async Task<int> DrainAsync(CancellationToken ct)
    {
        var ran = 0;
        while (await workflow.ClaimNextAsync(ct) is { } claim)
        {
            await using (claim)
            {
                await reconciler.ReconcileAsync(claim, ct);
            }
            ran++;
        }
        return ran;
    }

    private async Task RunAsync(CancellationToken ct)
    {
        await Task.Yield();
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await DrainAsync(ct);
                // Until a signal, the next requeued step of this or another replica, or the next poll.
                var poll = options.Value.PollInterval;
                var wait = await workflow.NextDueAsync(ct) is { } due && due < poll ? due : poll;
                await workflow.Signal.WaitAsync(wait, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
            {
                // The database is away or the claim could not be written: the cluster stays due, try again soon.
                logger.LogWarning(e, "Provisioning worker: step not completed; retrying");
                await Task.Delay(options.Value.PollInterval, ct).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }
}
