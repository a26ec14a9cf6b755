namespace Portal.Data.Services;

/// <summary>Names of what changed, as the change feed announces them.</summary>
public static class Tables
{
    public const string Projects = "projects";
    public const string Networks = "networks";
    public const string Subnets = "subnets";
    public const string Ports = "ports";
    public const string Clusters = "clusters";
    /// <summary>A cluster's agent snapshots changed (its generation was bumped): watches push the new ones.</summary>
    public const string ClusterNetwork = "cluster_generations";
}
