namespace Portal.Backend;

/// <summary>The provisioning workers (configuration section <c>Portal:Backend</c>).</summary>
public sealed class BackendOptions
{
    public const string Section = "Portal:Backend";

    /// <summary>Run the workers in this process (the embedded default); off for a web-only replica.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Clusters worked on at once by this process.</summary>
    public int Workers { get; set; } = 2;

    /// <summary>How often an idle worker looks for due work that no signal announced (another replica's).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often the workflow looks again at a cluster waiting for its agents.</summary>
    public TimeSpan AgentPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a simulated node takes to report ready.</summary>
    public TimeSpan SimulatedBootTime { get; set; } = TimeSpan.FromSeconds(2);
}
