using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Portal.Agent.Dataplane;

/// <summary>
/// The node's pods in the kernel: each a network namespace with a veth whose host end is a port of the bridge.
/// Devices are made and removed under the store's lock, so what the store lists is what exists, whether the
/// agent or a separate <c>pod add</c>/<c>pod del</c> process did it.
/// </summary>
internal sealed class LinuxPods(PodStore store, string? netns)
{
    private const int MaxPodNameLength = 40;

    public async Task<PodRecord> AddAsync(string name, CancellationToken ct)
    {
        ValidatePodName(name);
        return await store.AddAsync(name, (node, address, prefix) => CreatePodAsync(node, name, address, prefix, ct));
    }

    public Task<bool> DeleteAsync(string name, CancellationToken ct) => store.UpdateAsync(async pods =>
    {
        var index = pods.FindIndex(p => p.Name == name);
        if (index < 0) return (pods, false);
        await RemovePodDevicesAsync(pods[index].Netns, pods[index].HostVeth, ct);
        pods.RemoveAt(index);
        return (pods, true);
    });

    private static void ValidatePodName(string name)
    {
        if (!Portal.Contracts.AgentLimits.IsValidPodName(name, MaxPodNameLength))
            throw new ArgumentException(
                // No parameter name: the trimmed agent has no resource text for the "(Parameter …)" suffix.
                $"«{name}» is not a valid pod name: use 1–{MaxPodNameLength} lowercase letters, digits and '-', starting and ending with a letter or digit.");
    }

    private async Task<PodRecord> CreatePodAsync(NodeRecord node, string name, IPAddress address, int prefix, CancellationToken ct)
    {
        var podNetns = $"{netns ?? "node"}-{name}";
        // Hashing node and pod keeps the name within Linux's 15 characters and unique per pod on the node.
        var veth = "vp" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{node.Node}/{name}")))[..10];
        var mtu = node.Mtu > 0 ? $" mtu {node.Mtu}" : "";

        // Not in the store, so whatever carries these names is left from an add that died before it was saved.
        await RemovePodDevicesAsync(podNetns, veth, ct);
        try
        {
            await Ip.RunCheckedAsync(null, ["netns", "add", podNetns], null, ct);
            await Ip.RunCheckedAsync(netns, ["-batch", "-"],
            [
                $"link add {veth}{mtu} type veth peer name eth0{mtu} netns {podNetns}",
                $"link set {veth} master {LinuxDataplane.Bridge} up",
            ], ct);
            await Ip.RunCheckedAsync(podNetns, ["-batch", "-"],
            [
                "link set lo up",
                $"addr add {address}/{prefix} dev eth0",
                "link set eth0 up",
                $"route add default via {node.Gateway}",
            ], ct);
        }
        catch
        {
            await RemovePodDevicesAsync(podNetns, veth, CancellationToken.None);
            throw;
        }
        return new PodRecord(name, address.ToString(), podNetns, veth);
    }

    /// <summary>
    /// Deletes the pod's veth, then its namespace; either may already be gone. The veth goes first and explicitly:
    /// a namespace outlives its name while any socket in it is open (our listener until the next sync), and with
    /// it the veth, which would block a new pod of the same name.
    /// </summary>
    private async Task RemovePodDevicesAsync(string? podNetns, string? veth, CancellationToken ct)
    {
        if (veth is not null)
        {
            var link = await Ip.RunAsync(netns, ["link", "del", veth], null, ct);
            if (!link.Succeeded && !link.Error.Contains("Cannot find device", StringComparison.Ordinal))
                throw new InvalidOperationException($"Could not delete the pod's veth {veth}: {Ip.Message(link)}");
        }
        if (podNetns is null || !File.Exists(NetnsSocket.PathOf(podNetns))) return;
        var ns = await Ip.RunAsync(null, ["netns", "del", podNetns], null, ct);
        if (!ns.Succeeded && File.Exists(NetnsSocket.PathOf(podNetns)))
            throw new InvalidOperationException($"Could not delete the pod's network namespace {podNetns}: {Ip.Message(ns)}");
    }
}
