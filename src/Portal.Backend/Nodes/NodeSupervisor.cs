using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Backend.Agents;
using Portal.Backend.Workflow;
using Portal.Data.Services;

namespace Portal.Backend.Nodes;

/// <summary>
/// Keeps the nodes of running clusters running: after a restart of this process (its agents ended with it), or an
/// agent that died, the provisioner starts them again. At start it also stops what belongs to clusters deleted while
/// this process was away (later deletions remove their nodes in their own step). Clusters still being created or
/// deleted are the workflow's.
/// </summary>
public sealed class NodeSupervisor(
    ClusterWorkflow workflow, INodeProvisioner provisioner, IOptions<AgentOptions> options, ILogger<NodeSupervisor> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var first = true;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await SuperviseAsync(retain: first, stoppingToken);
                first = false;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Node supervision failed; trying again");
            }
            await Task.Delay(options.Value.SuperviseInterval, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    public async Task SuperviseAsync(bool retain, CancellationToken ct)
    {
        var (running, existing) = await workflow.ClustersToSuperviseAsync(ct);
        if (retain) await provisioner.RetainAsync(existing, ct);
        foreach (var cluster in running) await provisioner.EnsureNodesAsync(cluster, cluster.Nodes, ct);
    }
}
