namespace Portal.Data.Services;

/// <summary>What the cluster wizard offers and how the workflow behaves (configuration section <c>Portal:Kubernetes</c>).</summary>
public sealed class ClusterOptions
{
    public const string Section = "Portal:Kubernetes";

    /// <summary>Kubernetes versions offered, newest first; the first is the default.</summary>
    public List<string> Versions { get; set; } = [];

    /// <summary>Node flavours offered; the first is the default.</summary>
    public List<string> Flavors { get; set; } = [];

    /// <summary>The provider network floating IPs come from.</summary>
    public string FloatingIpNetwork { get; set; } = "ext-net";

    /// <summary>How long the workflow waits for every node's agent to report ready before the cluster fails.</summary>
    public TimeSpan AgentTimeout { get; set; } = TimeSpan.FromMinutes(5);

    public static readonly string[] DefaultVersions = ["1.31.4", "1.30.8", "1.29.12"];
    public static readonly string[] DefaultFlavors = ["STD2-2-4", "STD2-4-8", "STD3-4-16", "STD3-8-32"];

    public IReadOnlyList<string> OfferedVersions => Versions.Count > 0 ? Versions : DefaultVersions;
    public IReadOnlyList<string> OfferedFlavors => Flavors.Count > 0 ? Flavors : DefaultFlavors;
}

/// <summary>
/// Wakes the provisioning workers of this process when a cluster has new work (created, deletion requested, a
/// node became ready), so they need not wait for their next poll. Other replicas find the work by polling.
/// </summary>
public sealed class ClusterSignal
{
    private readonly SemaphoreSlim _work = new(0, int.MaxValue);

    public void Raise() => _work.Release();

    /// <summary>Waits until raised or <paramref name="timeout"/> passes; collapses the signals raised meanwhile.</summary>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken ct)
    {
        if (await _work.WaitAsync(timeout, ct))
        {
            while (_work.CurrentCount > 0) _work.Wait(0, ct);
        }
    }
}
