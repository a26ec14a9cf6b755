using Microsoft.Extensions.Localization;
using MudBlazor;
using Portal.Data.Entities;
using Portal.Data.Services;

namespace Portal.Web.Components.Pages.Kubernetes;

/// <summary>How the cluster pages put a cluster's state into words, so the list and the cluster page say it alike.</summary>
public static class ClusterText
{
    public static string Phase(IStringLocalizer<Ui> l, string phase) => l["Phase." + phase];

    public static Color PhaseColor(string phase) => phase switch
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
}
