using System.Net;
using System.Net.Sockets;
using Portal.Contracts;
using Portal.Data.Entities;

namespace Portal.Backend.Agents;

/// <summary>
/// What an agent may send (<see cref="AgentLimits"/>), checked before anything is written: first what the request
/// alone shows (sizes, names, address syntax), then what it says against its node (pod CIDR, generation, check) and,
/// for check results, against the cluster's pods. Every check is a pass with hash sets: linear in the report.
/// </summary>
internal static class ReportValidation
{
    /// <summary>The agent's version is stored in a column of this length.</summary>
    public const int MaxAgentVersionLength = 64;

    public static void CheckRegistration(string joinToken, string nodeName, string? agentVersion, string? credential)
    {
        if (joinToken.Length == 0 || nodeName.Length == 0)
            throw Invalid("join_token and node_name are required.");
        if (joinToken.Length > AgentLimits.MaxNameLength || nodeName.Length > AgentLimits.MaxNameLength || (credential?.Length ?? 0) > AgentLimits.MaxNameLength)
            throw TooLarge($"join_token, node_name and credential are at most {AgentLimits.MaxNameLength} characters each.");
        CheckText("agent_version", agentVersion, MaxAgentVersionLength);
        if (HasControl(joinToken) || HasControl(nodeName) || HasControl(credential ?? ""))
            throw Invalid("join_token, node_name and credential must not contain control characters.");
    }

    /// <summary>What the report shows by itself; returns its pods sorted by name (so the same pods are stored the same).</summary>
    public static NodePod[] CheckAlone(AgentReport report)
    {
        if (report.Pods.Count > AgentLimits.MaxPods)
            throw TooLarge($"A report carries at most {AgentLimits.MaxPods} pods, not {report.Pods.Count}.");
        if (report.Probes.Count > AgentLimits.MaxProbes)
            throw TooLarge($"A report carries at most {AgentLimits.MaxProbes} probe results, not {report.Probes.Count}.");
        if (report.Errors.Count > AgentLimits.MaxErrors)
            throw TooLarge($"A report carries at most {AgentLimits.MaxErrors} errors, not {report.Errors.Count}.");
        foreach (var error in report.Errors) CheckText("An error", error, AgentLimits.MaxErrorLength);
        CheckText("agent_version", report.AgentVersion, MaxAgentVersionLength);
        if (report.ObservedGeneration < 0) throw Invalid($"observed_generation must not be negative ({report.ObservedGeneration}).");
        if (report.RouteCount < 0) throw Invalid($"route_count must not be negative ({report.RouteCount}).");
        if (report.CheckId < 0) throw Invalid($"check_id must not be negative ({report.CheckId}).");
        if (report.CheckId == 0 && report.Probes.Count > 0) throw Invalid("Probe results need the check_id of the check they answer.");

        var names = new HashSet<string>(report.Pods.Count, StringComparer.Ordinal);
        var addresses = new Dictionary<string, string>(report.Pods.Count, StringComparer.Ordinal);
        foreach (var pod in report.Pods)
        {
            var name = pod.Name ?? "";
            if (!AgentLimits.IsValidPodName(name))
                throw Invalid($"«{Shown(name)}» is not a valid pod name: 1–{AgentLimits.MaxPodNameLength} lowercase letters, digits and '-', starting and ending with a letter or digit.");
            if (!names.Add(name)) throw Invalid($"Pod «{name}» is named twice.");
            if (Address(pod.Ip) is null) throw Invalid($"Pod «{name}» has «{Shown(pod.Ip)}», which is not an IP address (in its usual form, e.g. 10.100.1.2).");
            if (!addresses.TryAdd(pod.Ip, name)) throw Invalid($"Pods «{addresses[pod.Ip]}» and «{name}» have the same address {pod.Ip}.");
        }
        var sorted = report.Pods.ToArray();
        Array.Sort(sorted, (a, b) => string.CompareOrdinal(a.Name, b.Name));
        return sorted;
    }

    /// <summary>What the report says against its node: pods from its pod CIDR, a generation it can have seen, the cluster's check.</summary>
    public static void CheckAgainstNode(AgentReport report, string node, IPNetwork? podCidr, long generation, long checkId)
    {
        if (report.Pods.Count > 0)
        {
            if (podCidr is not { } cidr) throw Invalid($"Node «{node}» has no pod CIDR yet, so it has no pods to report.");
            var usable = UsableAddresses(cidr);
            if (report.Pods.Count > usable)
                throw TooLarge($"Node «{node}»'s pod CIDR {cidr} has {usable} addresses for pods, and the report names {report.Pods.Count} pods.");
            var gateway = AgentHub.Gateway(cidr);
            var broadcast = cidr.BaseAddress.AddressFamily == AddressFamily.InterNetwork ? Last(cidr) : null;
            foreach (var pod in report.Pods)
            {
                var ip = Address(pod.Ip)!;
                if (!cidr.Contains(ip)) throw Invalid($"Pod «{pod.Name}» has {pod.Ip}, outside node «{node}»'s pod CIDR {cidr}.");
                var reserved = ip.Equals(cidr.BaseAddress) ? "network" : ip.Equals(gateway) ? "gateway (bridge)" : ip.Equals(broadcast) ? "broadcast" : null;
                if (reserved is not null)
                    throw Invalid($"Pod «{pod.Name}» has {pod.Ip}, the {reserved} address of node «{node}»'s pod CIDR {cidr}, which no pod may have.");
            }
        }
        if (report.ObservedGeneration > generation)
            throw Invalid($"observed_generation {report.ObservedGeneration} is ahead of the cluster's generation {generation}.");
        if (report.CheckId > 0 && report.CheckId != checkId)
            throw Invalid(checkId == 0
                ? $"Results for check {report.CheckId}, but no network check was asked for."
                : $"Results for check {report.CheckId}, but the check asked for is {checkId}.");
    }

    /// <summary>
    /// Check results: from this report's pods (with their own addresses) to the cluster's pods (this report's for this
    /// node, the last reported ones of the others), each pair once.
    /// </summary>
    public static void CheckProbes(AgentReport report, string node, IEnumerable<(string Node, IReadOnlyList<NodePod> Pods)> cluster)
    {
        if (report.Probes.Count == 0) return;
        var sources = report.Pods.ToDictionary(p => p.Name, p => p.Ip, StringComparer.Ordinal);
        var targets = new Dictionary<(string Node, string Pod), string>();
        foreach (var (name, pods) in cluster)
        {
            foreach (var pod in name == node ? report.Pods : pods) targets.TryAdd((name, pod.Name), pod.Ip);
        }
        if ((long)report.Probes.Count > (long)sources.Count * targets.Count)
            throw TooLarge($"{report.Probes.Count} probe results, but {sources.Count} pods of this node probing {targets.Count} pods of the cluster make {(long)sources.Count * targets.Count} pairs.");
        var pairs = new HashSet<(string, string, string)>(report.Probes.Count);
        foreach (var probe in report.Probes)
        {
            var (source, targetNode, targetPod) = (probe.SourcePod ?? "", probe.TargetNode ?? "", probe.TargetPod ?? "");
            if (!sources.TryGetValue(source, out var sourceIp) || sourceIp != probe.SourceIp)
                throw Invalid($"A probe result is from «{Shown(source)}» ({Shown(probe.SourceIp)}), which is not a pod of this report.");
            if (!targets.TryGetValue((targetNode, targetPod), out var targetIp) || targetIp != probe.TargetIp)
                throw Invalid($"A probe result is for «{Shown(targetNode)}/{Shown(targetPod)}» ({Shown(probe.TargetIp)}), which is not a pod of the cluster.");
            if (!pairs.Add((source, targetNode, targetPod)))
                throw Invalid($"The probe from «{source}» to «{targetNode}/{targetPod}» is reported twice.");
            if (!string.IsNullOrEmpty(probe.SeenSourceIp) && Address(probe.SeenSourceIp) is null)
                throw Invalid($"A probe result's seen source «{Shown(probe.SeenSourceIp)}» is not an IP address.");
            CheckText("A probe result's error", probe.Error, AgentLimits.MaxErrorLength);
        }
    }

    /// <summary>Addresses a pod may have: all but the network address, the gateway and (IPv4) the broadcast address, at most <see cref="AgentLimits.MaxPods"/>.</summary>
    public static int UsableAddresses(IPNetwork cidr)
    {
        var v4 = cidr.BaseAddress.AddressFamily == AddressFamily.InterNetwork;
        var hostBits = (v4 ? 32 : 128) - cidr.PrefixLength;
        if (hostBits >= 20) return AgentLimits.MaxPods;
        var usable = (1L << hostBits) - (v4 ? 3 : 2);
        return (int)Math.Clamp(usable, 0, AgentLimits.MaxPods);
    }

    /// <summary>The address in its usual form (what <see cref="IPAddress.ToString"/> gives back), else null: "10.1" or "010.0.0.1" are not pod addresses.</summary>
    private static IPAddress? Address(string? text) =>
        text is { Length: > 0 and <= 45 } && IPAddress.TryParse(text, out var ip) && ip.ToString() == text ? ip : null;

    private static IPAddress Last(IPNetwork cidr)
    {
        var bytes = cidr.BaseAddress.GetAddressBytes();
        var hostBits = bytes.Length * 8 - cidr.PrefixLength;
        for (var i = bytes.Length - 1; i >= 0 && hostBits > 0; i--, hostBits -= 8)
            bytes[i] |= (byte)(hostBits >= 8 ? 0xff : (1 << hostBits) - 1);
        return new IPAddress(bytes);
    }

    private static void CheckText(string what, string? text, int max)
    {
        if (text is null) return;
        if (text.Length > max) throw TooLarge($"{what} is at most {max} characters, not {text.Length}.");
        if (text.Contains('\0')) throw Invalid($"{what} must not contain NUL characters.");
    }

    private static bool HasControl(string s) => s.Any(char.IsControl);

    /// <summary>What a message quotes of a value the agent sent: short, without control characters.</summary>
    private static string Shown(string? s)
    {
        var text = AgentLimits.Cut(s ?? "", 64);
        return new string([.. text.Select(c => char.IsControl(c) ? '?' : c)]) + (s?.Length > 64 ? "…" : "");
    }

    private static AgentRequestException Invalid(string message) => new(tooLarge: false, message);

    private static AgentRequestException TooLarge(string message) => new(tooLarge: true, message);
}

/// <summary>A request the agent protocol refuses and does not write: too large (<see cref="TooLarge"/>), or not valid for the node.</summary>
public sealed class AgentRequestException(bool tooLarge, string message) : Exception(message)
{
    public bool TooLarge { get; } = tooLarge;
}
