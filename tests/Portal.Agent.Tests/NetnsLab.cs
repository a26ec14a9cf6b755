using System.Net;
using System.Net.NetworkInformation;
using System.Security.Cryptography;
using System.Text.Json;
using Portal.Agent.Dataplane;
using Portal.Contracts;

namespace Portal.Agent.Tests;

/// <summary>
/// One per test class: the run's unique namespace prefix and state directory, and the last line of cleanup —
/// whatever namespace of this run a failed test left behind is deleted here.
/// </summary>
public sealed class NetnsFixture : IAsyncLifetime
{
    private int _labs;

    public string Prefix { get; } = $"pat{RandomNumberGenerator.GetHexString(6, lowercase: true)}-";

    public string StateRoot { get; } = Directory.CreateTempSubdirectory("portal-agent-tests-").FullName;

    public string NextLabPrefix() => $"{Prefix}{Interlocked.Increment(ref _labs)}-";

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await NetnsLab.DeleteNamespacesAsync(Prefix);
        Directory.Delete(StateRoot, recursive: true);
    }
}

/// <summary>
/// Two nodes, a and b, each a network namespace with a LinuxDataplane, joined by a veth pair on 192.168.77.0/24
/// (a is .1, b is .2) like two machines on one switch. Node a owns pod CIDR 10.244.1.0/24, b owns 10.244.2.0/24.
/// Disposing deletes every namespace the lab made, pods included (their names start with the node's).
/// </summary>
internal sealed class NetnsLab : IAsyncDisposable
{
    public const int Mtu = 1450;

    private readonly string _prefix;
    private readonly string _stateDirectory;

    private NetnsLab(string prefix, string stateDirectory)
    {
        _prefix = prefix;
        _stateDirectory = stateDirectory;
        A = new LabNode(this, "a", prefix + "a", "192.168.77.1", "10.244.1");
        B = new LabNode(this, "b", prefix + "b", "192.168.77.2", "10.244.2");
    }

    public LabNode A { get; }
    public LabNode B { get; }

    public static async Task<NetnsLab> StartAsync(NetnsFixture fixture, CancellationToken ct)
    {
        var prefix = fixture.NextLabPrefix();
        var lab = new NetnsLab(prefix, Path.Combine(fixture.StateRoot, prefix));
        try
        {
            await IpAsync(null, ct, "netns", "add", lab.A.Netns);
            await IpAsync(null, ct, "netns", "add", lab.B.Netns);
            await IpAsync(lab.A.Netns, ct, "link", "add", "eth1", "type", "veth", "peer", "name", "eth1", "netns", lab.B.Netns);
            foreach (var node in new[] { lab.A, lab.B })
            {
                await IpAsync(node.Netns, ct, "link", "set", "lo", "up");
                await IpAsync(node.Netns, ct, "addr", "add", node.NodeIp + "/24", "dev", "eth1");
                await IpAsync(node.Netns, ct, "link", "set", "eth1", "up");
            }
            return lab;
        }
        catch
        {
            await lab.DisposeAsync();
            throw;
        }
    }

    public PodStore Store(string node) => new(_stateDirectory, node);

    public async ValueTask DisposeAsync()
    {
        await A.DisposeAsync();
        await B.DisposeAsync();
        await DeleteNamespacesAsync(_prefix);
    }

    public static async Task DeleteNamespacesAsync(string prefix)
    {
        if (!Directory.Exists(NetnsSocket.NamespaceDirectory)) return;
        foreach (var path in Directory.GetFiles(NetnsSocket.NamespaceDirectory, prefix + "*"))
            await Ip.RunAsync(null, ["netns", "del", Path.GetFileName(path)], null, CancellationToken.None);
    }

    public static Task<string> IpAsync(string? netns, CancellationToken ct, params string[] arguments) =>
        Ip.RunCheckedAsync(netns, arguments, null, ct);

    /// <summary>The node's tagged routes as destination → gateway.</summary>
    public static async Task<Dictionary<string, string>> TaggedRoutesAsync(string netns, CancellationToken ct) =>
        await RoutesAsync(netns, ct, "proto", LinuxDataplane.RouteProto.ToString());

    public static async Task<Dictionary<string, string>> RoutesAsync(string netns, CancellationToken ct, params string[] filter)
    {
        var json = await IpAsync(netns, ct, ["-j", "route", "show", .. filter]);
        var routes = new Dictionary<string, string>();
        foreach (var route in JsonDocument.Parse(json).RootElement.EnumerateArray())
        {
            routes.Add(route.GetProperty("dst").GetString()!, route.TryGetProperty("gateway", out var gateway) ? gateway.GetString()! : "");
        }
        return routes;
    }

    /// <summary>An ICMP echo from inside <paramref name="netns"/> (no ping binary needed: the raw socket is made in the namespace).</summary>
    public static IPStatus Ping(string netns, string address) =>
        NetnsSocket.Run(netns, () =>
        {
            using var ping = new Ping();
            return ping.Send(IPAddress.Parse(address), 2000).Status;
        });

    public static Peer PeerOf(LabNode node) => new() { NodeName = node.Name, NodeIp = node.NodeIp, PodCidr = node.PodCidr };
}

internal sealed class LabNode(NetnsLab lab, string name, string netns, string nodeIp, string podNet) : IAsyncDisposable
{
    private LinuxDataplane? _dataplane;

    public string Name => name;
    public string Netns => netns;
    public string NodeIp => nodeIp;
    public string PodCidr => podNet + ".0/24";
    public string Gateway => podNet + ".1";
    public string PodIp(int host) => $"{podNet}.{host}";

    /// <summary>The node's agent; <see cref="RestartAsync"/> replaces it, as an agent restart would.</summary>
    public LinuxDataplane Dataplane => _dataplane ??= New();

    public LinuxDataplane New() => new(lab.Store(name), netns);

    public async Task RestartAsync()
    {
        if (_dataplane is not null) await _dataplane.DisposeAsync();
        _dataplane = New();
    }

    public Snapshot Snapshot(params Peer[] peers)
    {
        var snapshot = new Snapshot
        {
            Generation = 1, NodeName = name, NodeIp = nodeIp, PodCidr = PodCidr, Gateway = Gateway, Mtu = NetnsLab.Mtu,
            ClusterPodCidr = "10.244.0.0/16",
        };
        snapshot.Peers.AddRange(peers);
        return snapshot;
    }

    public async ValueTask DisposeAsync()
    {
        if (_dataplane is not null) await _dataplane.DisposeAsync();
        _dataplane = null;
    }
}
