namespace Portal.Backend.Agents;

/// <summary>The node agents' side of the backend (configuration section <c>Portal:Agents</c>).</summary>
public sealed class AgentOptions
{
    public const string Section = "Portal:Agents";

    /// <summary>Serve the agent protocol (gRPC over HTTP/2, cleartext) in this process.</summary>
    public bool Serve { get; set; } = true;

    /// <summary>Where the gRPC service listens: its own port, apart from the web UI's. Port 0 picks a free one (tests).</summary>
    public string ListenAddress { get; set; } = "127.0.0.1";
    public int Port { get; set; } = 5081;

    /// <summary>The address agents are told to use (local provisioners); empty: derived from where the service listens.</summary>
    public string PublicUrl { get; set; } = "";

    /// <summary>How often agents report; a node that has not reported for <see cref="NotReadyAfter"/> is NotReady.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(10);
    public TimeSpan NotReadyAfter { get; set; } = TimeSpan.FromSeconds(40);

    /// <summary>How often the backend looks for silent nodes.</summary>
    public TimeSpan LivenessSweep { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Who brings nodes into being: <c>processes</c> (the embedded default: agent processes on this machine with the
    /// simulated dataplane, one process per cluster), <c>netns</c> (root: every node a network namespace, one Linux
    /// agent per node), <c>external</c> (agents started elsewhere join with the cluster's token), or <c>simulated</c>
    /// (no agents: nodes report ready once, for measuring the workflow alone).
    /// </summary>
    public string Provisioner { get; set; } = "processes";

    /// <summary>Portal.Agent's entry (a .dll run with dotnet, or the published executable); empty: found next to this build.</summary>
    public string AgentPath { get; set; } = "";

    /// <summary>Where local agents keep their state (pods and their addresses), one folder per cluster.</summary>
    public string StateDirectory { get; set; } = Path.Combine(Path.GetTempPath(), "portal-agents");

    /// <summary>Pods each locally provisioned node starts with, so that a new cluster can be network-checked at once.</summary>
    public int PodsPerNode { get; set; } = 2;

    /// <summary>How often running clusters' local agents are looked at and restarted when gone.</summary>
    public TimeSpan SuperviseInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often the Linux agents compare their routes with their snapshot and repair drift.</summary>
    public TimeSpan RepairInterval { get; set; } = TimeSpan.FromSeconds(30);
}
