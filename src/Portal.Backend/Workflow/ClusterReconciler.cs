using System.Diagnostics;
using Microsoft.Extensions.Options;
using Portal.Core.Errors;
using Portal.Data.Entities;
using Portal.Backend.Nodes;
using Portal.Data.Services;
using Portal.Core.Clusters;

namespace Portal.Backend.Workflow;

/// <summary>
/// One step of a claimed cluster (DESIGN.md §3, <c>ReconcileAsync(item) → done / requeue after / failed</c>):
/// Pending → Network → Ports → Nodes → WaitingForAgents → Running, or the deletion. The outcome ends the claim.
/// Steps are idempotent (<see cref="ClusterWorkflow"/>), so a crash anywhere only means running one again.
/// </summary>
public sealed class ClusterReconciler(
    ClusterWorkflow workflow, INodeProvisioner provisioner, IOptions<BackendOptions> backend, IOptions<ClusterOptions> clusters, TimeProvider clock)
{
    public async Task ReconcileAsync(ClusterClaim claim, CancellationToken ct)
    {
        var cluster = claim.Cluster;
        var step = claim.Step;
        try
        {
            switch (step)
            {
                case ClusterPhase.Deleting:
                    await provisioner.RemoveNodesAsync(cluster, ct);
                    await workflow.ReleaseAsync(claim, ct);
                    StepWritten(cluster, step);
                    await claim.RemoveAsync(ct);
                    return;
                case ClusterPhase.Pending:
                    StepWritten(cluster, step);
                    await claim.AdvanceAsync(ClusterPhase.Network, "Event.Accepted");
                    return;
                case ClusterPhase.Network:
                    await workflow.EnsureNetworkAsync(claim, ct);
                    StepWritten(cluster, step);
                    await claim.AdvanceAsync(ClusterPhase.Ports, cluster.AutoNetwork ? "Event.NetworkCreated" : "Event.NetworkChosen",
                        cluster.AutoNetwork ? ClusterRules.AutoNetworkName(cluster.Name) : cluster.NetworkId?.ToString() ?? "");
                    return;
                case ClusterPhase.Ports:
                    var (created, cidr, removed) = await workflow.EnsurePortsAsync(claim, ct);
                    StepWritten(cluster, step);
                    if (removed.Count > 0) await claim.AdvanceAsync(ClusterPhase.Nodes, "Event.NodesRemoved", removed.Count, string.Join(", ", removed));
                    else if (cluster.FloatingIp is { } floatingIp)
                        await claim.AdvanceAsync(ClusterPhase.Nodes, "Event.PortsCreated", created, cidr, cluster.ApiAddress?.ToString() ?? "",
                            floatingIp.ToString(), clusters.Value.FloatingIpNetwork);
                    else await claim.AdvanceAsync(ClusterPhase.Nodes, "Event.PortsCreatedNoExternalIp", created, cidr, cluster.ApiAddress?.ToString() ?? "");
                    return;
                case ClusterPhase.Nodes:
                    var nodes = await workflow.AssignPodCidrsAsync(claim, ct);
                    await provisioner.EnsureNodesAsync(cluster, nodes, ct);
                    StepWritten(cluster, step);
                    await claim.AdvanceAsync(ClusterPhase.WaitingForAgents, "Event.NodesRequested", nodes.Count);
                    return;
                case ClusterPhase.WaitingForAgents:
                    var all = await workflow.NodesAsync(cluster.Id, ct);
                    // Nodes that never reported (new ones) are waited for; one that joined earlier and fell silent
                    // since does not hold up a scaling: it shows NotReady, and its peers keep its routes.
                    var waiting = all.Where(n => !n.Ready && n.LastHeartbeat is null).ToList();
                    var (ready, total) = (all.Count(n => n.Ready), all.Count);
                    StepWritten(cluster, step);
                    if (total > 0 && waiting.Count == 0)
                    {
                        await claim.AdvanceAsync(ClusterPhase.Running, "Event.Running", ready);
                    }
                    else if (clock.GetUtcNow() - cluster.PhaseSince > clusters.Value.AgentTimeout)
                    {
                        await claim.FailAsync(new NeutronException("Conflict", 409, "Cluster.AgentsTimedOut", null,
                            (int)clusters.Value.AgentTimeout.TotalSeconds, ready, total));
                    }
                    else
                    {
                        // Nodes whose start was lost (the process that started them died) are started again.
                        await provisioner.EnsureNodesAsync(cluster, all, ct);
                        await claim.RequeueAsync(backend.Value.AgentPollInterval);
                    }
                    return;
                default:
                    // Running or Failed without a deletion request: nothing is due (the claim query skips these).
                    await claim.RequeueAsync(TimeSpan.FromHours(1));
                    return;
            }
        }
        catch (NeutronException e) when (step != ClusterPhase.Deleting && e.StatusCode is 400 or 404 or 409)
        {
            await claim.FailAsync(e);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            await claim.RetryAsync(e);
        }
    }

    /// <summary>
    /// Tells listeners of <see cref="Diagnostics"/> that a step's effects are written and its outcome is not yet:
    /// the moment a power cut hurts most, which the crash tests' fault injection picks to kill the process.
    /// </summary>
    private static void StepWritten(Cluster cluster, ClusterPhase step)
    {
        if (Diagnostics.IsEnabled(StepWrittenEvent)) Diagnostics.Write(StepWrittenEvent, new StepWrittenPayload(cluster.Id, step.ToString()));
    }

    public const string StepWrittenEvent = "StepWritten";

    /// <summary>The workflow's diagnostic events (<see cref="StepWrittenEvent"/>), for tracing and fault injection.</summary>
    public static readonly DiagnosticListener Diagnostics = new("Portal.Backend.Workflow");
}

/// <summary>The payload of <see cref="ClusterReconciler.StepWrittenEvent"/>.</summary>
public sealed record StepWrittenPayload(Guid ClusterId, string Step);
