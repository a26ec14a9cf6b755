using Microsoft.Extensions.Localization;
using MudBlazor;
using Portal.Core;
using Portal.Data.Entities;
using Portal.Data.Services;
using Portal.Core.Clusters;

namespace Portal.Web.Components.Pages.Kubernetes;

/// <summary>How the cluster pages put a cluster's state into words, so the list and the cluster page say it alike.</summary>
public static class ClusterText
{
    public static string Phase(IStringLocalizer<Ui> l, ClusterPhase phase) => l["Phase." + phase];

    public static Color PhaseColor(ClusterPhase phase) => phase switch
    {
        ClusterPhase.Running => Color.Success,
        ClusterPhase.Failed => Color.Error,
        ClusterPhase.Deleting => Color.Warning,
        _ => Color.Info,
    };

    /// <summary>The floating IP of an external cluster, the load balancer's inner address of a shadowport one, "—" until known.</summary>
    public static string Endpoint(IStringLocalizer<Ui> l, ClusterRow cluster) =>
        cluster.ExternalIp
            ? cluster.FloatingIp?.ToString() ?? "—"
            : cluster.ApiAddress is { } address ? l["ApiInternal", address.ToString()] : "—";

    public static string Network(ClusterRow cluster) =>
        cluster.NetworkName is { } name ? cluster.SubnetCidr is { } cidr ? $"{name} ({cidr})" : name : "—";

    /// <summary>An event as the backend wrote it: a message key and its arguments; step names are phases, shown translated.</summary>
    public static string Event(IStringLocalizer<Ui> l, ClusterEventRow e)
    {
        var args = e.Args.Cast<object>().ToArray();
        if (e.MessageKey is "Event.StepRetry" or "Event.Failed" && args.Length > 0 && args[0] is string step)
        {
            var phase = l["Phase." + step];
            if (!phase.ResourceNotFound) args[0] = phase.Value;
        }
        return l[e.MessageKey, args];
    }

    /// <summary>
    /// A node's agent as users think of it: ready; silent for too long (it reported before, so something broke); or not
    /// heard from at all yet (a node still booting, or external nodes nobody has started an agent on).
    /// </summary>
    public static AgentLook Agent(IStringLocalizer<Ui> l, ClusterNodeRow node) =>
        node.Ready ? new(l["AgentState.Ready"], Color.Success, "ready")
        : node.LastHeartbeat is null ? new(l["AgentState.Waiting"], Color.Default, "waiting")
        : new(l["AgentState.NotReady"], Color.Error, "not-ready");

    /// <summary>«3 с назад»: heartbeats come every few seconds, so the age says more than the clock time.</summary>
    public static string Ago(IStringLocalizer<Ui> l, DateTimeOffset at, DateTimeOffset now)
    {
        var age = now - at;
        if (age < TimeSpan.FromSeconds(1)) return l["Ago.Now"];
        if (age < TimeSpan.FromMinutes(1)) return l["Ago.Seconds", (int)age.TotalSeconds];
        if (age < TimeSpan.FromHours(1)) return l["Ago.Minutes", (int)age.TotalMinutes];
        if (age < TimeSpan.FromDays(1)) return l["Ago.Hours", (int)age.TotalHours];
        return l["Ago.Days", (int)age.TotalDays];
    }

    /// <summary>Whether the agent still has to apply the cluster's latest snapshot (new peers, pods, a check).</summary>
    public static bool Behind(ClusterNodeRow node) => node.ObservedGeneration < node.DesiredGeneration;

    /// <summary>
    /// The command that starts the agent of one node of the cluster on a Linux machine. The token goes in the agent's
    /// environment, which only its user can read, not on its command line, which every user sees in ps.
    /// </summary>
    public static string AgentCommand(string agentUrl, string joinToken, string node) =>
        $"PORTAL_JOIN_TOKEN={joinToken} Portal.Agent --server {agentUrl} --node {node} --dataplane linux";

    /// <summary>
    /// The network check's headline: while nodes are still answering, how many have; then how many pod pairs reached
    /// each other and whether any connection arrived from another address than its pod's (NAT, which the Kubernetes
    /// network model forbids).
    /// </summary>
    public static (string Text, Severity Severity) CheckSummary(IStringLocalizer<Ui> l, NetworkCheckView check)
    {
        if (!check.Complete) return (l["Check.Waiting", check.NodesAnswered, check.Nodes], Severity.Info);
        var text = l["Check.Reachable", check.Reachable, check.Pairs].Value;
        var unreachable = Math.Max(0, check.Pairs - check.Reachable);
        if (unreachable > 0) text += ", " + l[Plural.Key("Check.Unreachable", unreachable), unreachable];
        var nat = check.Probes.Where(p => p.Probe.Reachable && p.Probe.SeenSourceIp != p.Probe.SourceIp).ToList();
        if (nat.Count > 0)
        {
            var first = nat[0];
            var pair = l["Check.NatPair", $"{first.SourceNode}/{first.Probe.SourcePod}", $"{first.Probe.TargetNode}/{first.Probe.TargetPod}",
                first.Probe.SeenSourceIp].Value;
            if (nat.Count > 1) pair += " " + l["Check.NatMore", nat.Count - 1];
            text += "; " + l["Check.Nat", pair];
        }
        else if (check.Reachable > 0)
        {
            text += ", " + l["Check.NoNat"];
        }
        var severity = unreachable > 0 ? Severity.Error : nat.Count > 0 ? Severity.Warning : Severity.Success;
        return (text, severity);
    }

    /// <summary>A matrix cell's mark; NAT still reached the pod, so it is a tick (its colour and tooltip tell the rest).</summary>
    public static string CellMark(CheckCell state) => state switch
    {
        CheckCell.Self => "—",
        CheckCell.Ok or CheckCell.Nat => "✓",
        CheckCell.Failed => "✗",
        _ => "…",
    };

    /// <summary>A cell's tooltip: the source address the target saw, or why the connection failed (the agent's words).</summary>
    public static string CellTip(IStringLocalizer<Ui> l, CheckCell state, PodProbe? probe) => (state, probe) switch
    {
        (CheckCell.Ok, { } p) => l["Check.CellOk", p.SeenSourceIp],
        (CheckCell.Nat, { } p) => l["Check.CellNat", p.SeenSourceIp, p.SourceIp],
        (CheckCell.Failed, { Error.Length: > 0 } p) => l["Check.CellFail", p.Error],
        (CheckCell.Failed, _) => l["Check.CellFailNoReason"],
        (CheckCell.Self, _) => "",
        _ => l["Check.CellNone"],
    };

    public static string CellClass(CheckCell state) => state switch
    {
        CheckCell.Ok => "mud-success-text",
        CheckCell.Nat => "mud-warning-text",
        CheckCell.Failed => "mud-error-text",
        _ => "",
    };
}

/// <summary>How a node's agent state shows: its words, its chip colour and a stable name for tests and styles.</summary>
public sealed record AgentLook(string Text, Color Color, string State);
