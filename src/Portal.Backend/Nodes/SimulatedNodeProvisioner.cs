using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Data.Entities;
using Portal.Backend.Agents;

namespace Portal.Backend.Nodes;

/// <summary>
/// Nodes without agents: each reports ready once, after <see cref="BackendOptions.SimulatedBootTime"/>, through the
/// call a heartbeat makes. For measuring and testing the provisioning workflow alone (no liveness: nothing reports
/// again, so run it with a long <c>NotReadyAfter</c>).
/// </summary>
public sealed class SimulatedNodeProvisioner(NodeAgentService agents, IOptions<BackendOptions> options, TimeProvider clock,
    ILogger<SimulatedNodeProvisioner> logger) : INodeProvisioner
{
    /// <summary>Nodes booting in this process; the workflow asks again while it waits, and a boot under way is not repeated.</summary>
    private readonly ConcurrentDictionary<Guid, byte> _booting = new();

    public Task EnsureNodesAsync(Cluster cluster, IReadOnlyList<ClusterNode> nodes, CancellationToken ct)
    {
        var boot = options.Value.SimulatedBootTime;
        foreach (var node in nodes.Where(n => !n.Ready))
        {
            if (_booting.TryAdd(node.Id, 0)) _ = BootAsync(node, boot);
        }
        return Task.CompletedTask;
    }

    public Task RemoveNodesAsync(Cluster cluster, CancellationToken ct) => Task.CompletedTask;

    public Task RetainAsync(IReadOnlySet<Guid> clusters, CancellationToken ct) => Task.CompletedTask;

    private async Task BootAsync(ClusterNode node, TimeSpan boot)
    {
        try
        {
            if (boot > TimeSpan.Zero) await Task.Delay(boot, clock);
            await agents.ReportWithoutAgentAsync(node.Id);
        }
        catch (Exception e)
        {
            // The workflow's wait ends in a clear failure if the node never reports; nothing else to do here.
            logger.LogWarning(e, "Simulated node {Node} could not report ready", node.Name);
        }
        finally
        {
            _booting.TryRemove(node.Id, out _);
        }
    }
}
