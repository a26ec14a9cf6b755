using Portal.Core.Clusters;

namespace Portal.Core.Clusters;

/// <summary>
/// Where a cluster's provisioning stands (the workflow's step). Stored and shown by name ("Running"), so the names
/// are part of the database and of the UI's resource keys ("Phase.Running").
/// </summary>
public enum ClusterPhase
{
    Pending,
    Network,
    Ports,
    Nodes,
    WaitingForAgents,
    Running,
    Failed,
    Deleting,
}

public static class ClusterPhases
{
    /// <summary>The creation phases in order, for progress displays.</summary>
    public static readonly ClusterPhase[] Creation =
        [ClusterPhase.Pending, ClusterPhase.Network, ClusterPhase.Ports, ClusterPhase.Nodes, ClusterPhase.WaitingForAgents, ClusterPhase.Running];

    /// <summary>Running or Failed: nothing is due until someone asks for a change.</summary>
    public static bool IsSettled(this ClusterPhase phase) => phase is ClusterPhase.Running or ClusterPhase.Failed;
}

/// <summary>A node's role in its cluster; stored and shown in lower case ("master", "worker"), as Kubernetes names them.</summary>
public enum NodeRole
{
    Master,
    Worker,
}

public static class NodeRoles
{
    public static string Name(this NodeRole role) => role == NodeRole.Master ? "master" : "worker";

    public static NodeRole Parse(string name) => name switch
    {
        "master" => NodeRole.Master,
        "worker" => NodeRole.Worker,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "A node role is master or worker."),
    };
}
