namespace Portal.Data.Entities;

/// <summary>A project's limit for one resource kind ("networks", "subnets", "ports").</summary>
public class Quota
{
    public required string ProjectId { get; set; }
    public required string Resource { get; set; }
    public int Limit { get; set; }
}
