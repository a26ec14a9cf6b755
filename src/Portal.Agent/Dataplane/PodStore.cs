using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Portal.Agent.Dataplane;

/// <summary>A pod: its name, its address (host-local from the node's pod CIDR), its netns and the host end of its veth.</summary>
public sealed record PodRecord(string Name, string Ip, string? Netns, string? HostVeth);

/// <summary>What the pod commands need to know of the node, written by the agent when it applies a snapshot.</summary>
public sealed record NodeRecord(string Node, string Dataplane, string? Netns, string PodCidr, string Gateway, int Mtu);

/// <summary>
/// A node's persisted state in <c>&lt;state dir&gt;/&lt;node&gt;/</c>: <c>node.json</c> (written by the agent) and
/// <c>pods.json</c> (host-local IPAM: a pod keeps its address across agent restarts). Writers hold an exclusive
/// lock file, so the agent and a <c>pod add</c> never hand out one address twice; files are replaced atomically.
/// </summary>
public sealed class PodStore(string stateDirectory, string node)
{
    public string Directory { get; } = Path.Combine(stateDirectory, node);

    private string PodsFile => Path.Combine(Directory, "pods.json");
    private string NodeFile => Path.Combine(Directory, "node.json");
    private string CredentialFile => Path.Combine(Directory, "credential");

    public static string DefaultStateDirectory => "/var/lib/portal-agent";

    public IReadOnlyList<PodRecord> Pods() =>
        File.Exists(PodsFile) ? JsonSerializer.Deserialize(File.ReadAllText(PodsFile), StoreJson.Default.ListPodRecord) ?? [] : [];

    /// <summary>When the pod list was last written (by the agent or a pod command); the agent reports pods when it moves.</summary>
    public DateTime PodsWritten() => File.Exists(PodsFile) ? File.GetLastWriteTimeUtc(PodsFile) : default;

    /// <summary>The node credential of the agent's last registration, if any: it lets a restarted agent take its node back at once.</summary>
    public string? Credential()
    {
        try
        {
            return File.Exists(CredentialFile) ? File.ReadAllText(CredentialFile).Trim() is { Length: > 0 } c ? c : null : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Keeps the credential, readable by this user only (it is the node's identity towards the backend).</summary>
    public void SaveCredential(string credential)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var temp = CredentialFile + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(temp, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(credential);
        }
        File.Move(temp, CredentialFile, overwrite: true);
    }

    public NodeRecord? Node() =>
        File.Exists(NodeFile) ? JsonSerializer.Deserialize(File.ReadAllText(NodeFile), StoreJson.Default.NodeRecord) : null;

    public void SaveNode(NodeRecord record)
    {
        System.IO.Directory.CreateDirectory(Directory);
        using var _ = Lock();
        if (Node() == record) return;
        WriteAtomically(NodeFile, JsonSerializer.Serialize(record, StoreJson.Default.NodeRecord));
    }

    /// <summary>Runs <paramref name="change"/> on the pod list under the lock and saves what it returns.</summary>
    public async Task<T> UpdateAsync<T>(Func<List<PodRecord>, Task<(List<PodRecord> Pods, T Result)>> change)
    {
        System.IO.Directory.CreateDirectory(Directory);
        using var _ = Lock();
        var (pods, result) = await change([.. Pods()]);
        WriteAtomically(PodsFile, JsonSerializer.Serialize(pods, StoreJson.Default.ListPodRecord));
        return result;
    }

    /// <summary>
    /// The pod of that name, or a new one with the lowest free address of the node's pod CIDR, which
    /// <paramref name="create"/> (given the node, the address and the CIDR's prefix length) makes under the lock.
    /// </summary>
    public Task<PodRecord> AddAsync(string name, Func<NodeRecord, IPAddress, int, Task<PodRecord>> create) => UpdateAsync(async pods =>
    {
        var existing = pods.Find(p => p.Name == name);
        if (existing is not null) return (pods, existing);
        // What the backend takes in a report: more pods would make the node's every heartbeat refused.
        if (pods.Count >= Portal.Contracts.AgentLimits.MaxPods)
            throw new InvalidOperationException($"The node has {pods.Count} pods, the most a node may have.");
        var node = Node() ?? throw new InvalidOperationException("The node has no pod CIDR yet: its agent has not applied a snapshot.");
        var cidr = IPNetwork.Parse(node.PodCidr);
        var address = FreeAddress(cidr, IPAddress.Parse(node.Gateway), pods)
                      ?? throw new InvalidOperationException($"No free address is left in the pod CIDR {node.PodCidr}.");
        var created = await create(node, address, cidr.PrefixLength);
        pods.Add(created);
        return (pods, created);
    });

    /// <summary>The lowest address of the pod CIDR that is not the network, the gateway, the broadcast or taken.</summary>
    private static IPAddress? FreeAddress(IPNetwork podCidr, IPAddress gateway, IEnumerable<PodRecord> pods)
    {
        var taken = pods.Select(p => p.Ip).ToHashSet();
        var first = ToUInt(podCidr.BaseAddress);
        var size = 1u << (32 - podCidr.PrefixLength);
        for (var offset = 1u; offset < size - 1; offset++)
        {
            var candidate = ToAddress(first + offset);
            if (candidate.Equals(gateway) || taken.Contains(candidate.ToString())) continue;
            return candidate;
        }
        return null;
    }

    private static uint ToUInt(IPAddress a)
    {
        var b = a.GetAddressBytes();
        return (uint)(b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]);
    }

    private static IPAddress ToAddress(uint v) => new([(byte)(v >> 24), (byte)(v >> 16), (byte)(v >> 8), (byte)v]);

    private FileStream Lock()
    {
        var path = Path.Combine(Directory, ".lock");
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (attempt < 200)
            {
                Thread.Sleep(25);
            }
        }
    }

    private static void WriteAtomically(string path, string text)
    {
        var temp = path + ".tmp";
        File.WriteAllText(temp, text);
        File.Move(temp, path, overwrite: true);
    }
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(List<PodRecord>))]
[JsonSerializable(typeof(NodeRecord))]
internal sealed partial class StoreJson : JsonSerializerContext;
