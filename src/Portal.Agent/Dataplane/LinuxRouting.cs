using System.ComponentModel;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Portal.Contracts;
using static Portal.Agent.Dataplane.LinuxDataplane;

namespace Portal.Agent.Dataplane;

/// <summary>
/// The node's side of the pod network: ip_forward, the bridge holding the gateway, and one route per peer pod CIDR
/// tagged with <see cref="RouteProto"/>. The tag is what makes the routes ours: only tagged routes are ever read,
/// replaced or deleted, so a route the snapshot no longer names (a node removed while the agent was down) is found
/// and removed, and the operator's own routes are never touched. Every change of one reconcile goes to the kernel
/// in one <c>ip -batch</c>.
/// </summary>
internal sealed class LinuxRouting(PodStore store, string? netns)
{
    private static readonly string[] BatchArguments = ["-force", "-batch", "-"];
    private static readonly string[] ReadRoutesArguments = ["-j", "route", "show", "proto", RouteProto.ToString(CultureInfo.InvariantCulture)];
    private static readonly string[] ReadBridgeArguments = ["-j", "addr", "show", "dev", Bridge];

    private bool _forwarding;

    /// <summary>Reads what is in place, changes what differs from the snapshot, and counts the routes that stand.</summary>
    public async Task<ApplyResult> ReconcileAsync(Snapshot snapshot, CancellationToken ct)
    {
        var errors = new List<string>();
        var desired = DesiredRoutes(snapshot, errors);
        try
        {
            if (!_forwarding)
            {
                EnableForwarding();
                _forwarding = true;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Win32Exception or InvalidOperationException)
        {
            errors.Add($"ip_forward: {e.Message}");
        }

        var plan = new List<Change>();
        try
        {
            await PlanBridgeAsync(snapshot, plan, errors, ct);
            PlanRoutes(desired, await ReadRoutesAsync(ct), plan);
            if (plan.Count == 0) return new ApplyResult(desired.Count, 0, errors);

            var commands = new string[plan.Count];
            for (var i = 0; i < plan.Count; i++) commands[i] = plan[i].Command;
            var batch = await Ip.RunAsync(netns, BatchArguments, commands, ct);
            if (batch.Succeeded) return new ApplyResult(desired.Count, plan.Count, errors);

            // -force ran every line; ip names each one that failed. What actually stands is read back, so the
            // route count is the truth rather than the plan.
            var failed = FailedLines(batch.Error, plan, errors);
            var inPlace = CountInPlace(desired, await ReadRoutesAsync(ct));
            if (failed == 0) errors.Add($"ip -batch failed: {Ip.Message(batch)}");
            return new ApplyResult(inPlace, plan.Count - failed, errors);
        }
        catch (Exception e) when (e is InvalidOperationException or JsonException)
        {
            // ip itself failed (no such namespace, unreadable output): nothing was planned against a known state.
            errors.Add(e.Message);
            return new ApplyResult(0, 0, errors);
        }
    }

    private static Dictionary<IPNetwork, IPAddress> DesiredRoutes(Snapshot snapshot, List<string> errors)
    {
        var desired = new Dictionary<IPNetwork, IPAddress>(snapshot.Peers.Count);
        foreach (var peer in snapshot.Peers)
        {
            if (!IPNetwork.TryParse(peer.PodCidr, out var cidr) || cidr.BaseAddress.AddressFamily != AddressFamily.InterNetwork)
                errors.Add($"peer {peer.NodeName}: bad pod CIDR «{peer.PodCidr}»");
            else if (!IPAddress.TryParse(peer.NodeIp, out var via) || via.AddressFamily != AddressFamily.InterNetwork)
                errors.Add($"peer {peer.NodeName}: bad node IP «{peer.NodeIp}»");
            else
                desired[cidr] = via;
        }
        return desired;
    }

    /// <summary>Tagged routes that are not exactly one desired route (wrong gateway, a metric, a duplicate) go; desired ones not in place are replaced.</summary>
    private static void PlanRoutes(Dictionary<IPNetwork, IPAddress> desired, List<IpRoute> current, List<Change> plan)
    {
        var inPlace = new HashSet<IPNetwork>();
        foreach (var route in current)
        {
            if (Standing(route, desired) is { } standing)
            {
                // A route at metric 0 with the wrong gateway is overwritten by the replace below.
                if (standing.ViaPeer) inPlace.Add(standing.Destination);
                continue;
            }
            var metric = route.Metric is > 0 ? $" metric {route.Metric}" : "";
            plan.Add(new Change($"route del {route.Dst} proto {RouteProto}{metric}", $"stray route {route.Dst} via {route.Gateway}{metric}"));
        }
        foreach (var (cidr, via) in desired)
        {
            if (!inPlace.Contains(cidr))
                plan.Add(new Change($"route replace {cidr} via {via} proto {RouteProto}", $"route {cidr} via {via}"));
        }
    }

    private static int CountInPlace(Dictionary<IPNetwork, IPAddress> desired, List<IpRoute> current) =>
        current.Count(route => Standing(route, desired) is { ViaPeer: true });

    /// <summary>
    /// The desired destination a tagged route stands at, at metric 0 as a replace writes it, and whether it already
    /// goes via that peer; null for a route that is none of the desired ones. Planning and the read-back after a
    /// failed batch must agree on this, or the route count would not match what the next plan changes.
    /// </summary>
    private static (IPNetwork Destination, bool ViaPeer)? Standing(IpRoute route, Dictionary<IPNetwork, IPAddress> desired) =>
        route.Metric is null or 0 && route.Destination() is { } dst && desired.TryGetValue(dst, out var via)
            ? (dst, IPAddress.TryParse(route.Gateway, out var gateway) && gateway.Equals(via))
            : null;

    /// <summary>Turns ip's "Error: …" / "Command failed -:N" pairs into one error per failed change; returns how many failed.</summary>
    private static int FailedLines(string stderr, List<Change> plan, List<string> errors)
    {
        const string marker = "Command failed -:";
        var failed = 0;
        var message = new StringBuilder();
        foreach (var line in stderr.AsSpan().EnumerateLines())
        {
            if (line.StartsWith(marker) && int.TryParse(line[marker.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var number)
                && number >= 1 && number <= plan.Count)
            {
                failed++;
                errors.Add($"{plan[number - 1].Subject}: {(message.Length > 0 ? message.ToString() : "failed")}");
                message.Clear();
            }
            else if (!line.IsWhiteSpace())
            {
                if (message.Length > 0) message.Append("; ");
                message.Append(WithoutPrefix(WithoutPrefix(line.Trim(), "Error: "), "RTNETLINK answers: "));
            }
        }
        return failed;
    }

    private static ReadOnlySpan<char> WithoutPrefix(ReadOnlySpan<char> text, string prefix) =>
        text.StartsWith(prefix, StringComparison.Ordinal) ? text[prefix.Length..] : text;

    private async Task<List<IpRoute>> ReadRoutesAsync(CancellationToken ct)
    {
        var json = await Ip.RunCheckedAsync(netns, ReadRoutesArguments, null, ct);
        return JsonSerializer.Deserialize(json, IpJson.Default.ListIpRoute) ?? [];
    }

    private async Task PlanBridgeAsync(Snapshot snapshot, List<Change> plan, List<string> errors, CancellationToken ct)
    {
        if (snapshot.PodCidr.Length == 0) return;
        if (!IPNetwork.TryParse(snapshot.PodCidr, out var cidr) || cidr.BaseAddress.AddressFamily != AddressFamily.InterNetwork)
        {
            errors.Add($"bridge {Bridge}: bad pod CIDR «{snapshot.PodCidr}»");
            return;
        }
        if (!IPAddress.TryParse(snapshot.Gateway, out var gateway) || !cidr.Contains(gateway))
        {
            errors.Add($"bridge {Bridge}: bad gateway «{snapshot.Gateway}» for {snapshot.PodCidr}");
            return;
        }

        var subject = $"bridge {Bridge}";
        var read = await Ip.RunAsync(netns, ReadBridgeArguments, null, ct);
        IpLink? link = null;
        if (read.Succeeded)
            link = JsonSerializer.Deserialize(read.Output, IpJson.Default.ListIpLink) is [var only, ..] ? only : null;
        else if (!read.Error.Contains("does not exist", StringComparison.Ordinal))
            throw new InvalidOperationException($"{subject}: {Ip.Message(read)}");

        var mtu = snapshot.Mtu > 0 ? $" mtu {snapshot.Mtu}" : "";
        if (link is null)
        {
            plan.Add(new Change($"link add {Bridge}{mtu} type bridge", subject));
            plan.Add(new Change($"link set {Bridge} up", subject));
            // A bridge deleted under the pods took their veths' membership with it.
            foreach (var pod in store.Pods())
            {
                if (pod.HostVeth is not null) plan.Add(new Change($"link set {pod.HostVeth} master {Bridge} up", $"pod {pod.Name}"));
            }
        }
        else if (!link.IsUp || (snapshot.Mtu > 0 && link.Mtu != snapshot.Mtu))
        {
            plan.Add(new Change($"link set {Bridge}{mtu} up", subject));
        }

        var address = $"{gateway}/{cidr.PrefixLength}";
        var present = false;
        foreach (var info in link?.AddrInfo ?? [])
        {
            if (info.Family != "inet") continue;
            var existing = $"{info.Local}/{info.Prefixlen}";
            // Only the gateway belongs on the bridge: an address of an earlier pod CIDR would keep its subnet routed here.
            if (existing == address) present = true;
            else plan.Add(new Change($"addr del {existing} dev {Bridge}", subject));
        }
        if (!present) plan.Add(new Change($"addr add {address} dev {Bridge}", subject));
    }

    private void EnableForwarding()
    {
        if (netns is null) WriteForwarding();
        else NetnsSocket.Run(netns, WriteForwarding);
    }

    // /proc/sys/net resolves to the network namespace of the thread that opens it.
    private static bool WriteForwarding()
    {
        using var handle = File.OpenHandle("/proc/sys/net/ipv4/ip_forward", FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
        RandomAccess.Write(handle, "1\n"u8, 0);
        return true;
    }

    /// <summary>One line of the batch and what it is about, for the error when it fails.</summary>
    private sealed record Change(string Command, string Subject);
}
