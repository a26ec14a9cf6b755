using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Data.Services;

namespace Portal.Backend.Agents;

/// <summary>Marks nodes NotReady when their agent has not reported for <see cref="AgentOptions.NotReadyAfter"/>.</summary>
public sealed class LivenessWorker(NodeAgentService agents, IOptions<AgentOptions> options, ILogger<LivenessWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.LivenessSweep);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var silent = await agents.MarkSilentNodesAsync(options.Value.NotReadyAfter, stoppingToken);
                if (silent.Count > 0) logger.LogWarning("Nodes NotReady (no report for {Seconds} s): {Nodes}", options.Value.NotReadyAfter.TotalSeconds, string.Join(", ", silent));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Liveness sweep failed; trying again at the next one");
            }
        }
    }
}
