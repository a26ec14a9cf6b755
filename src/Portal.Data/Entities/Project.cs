namespace Portal.Data.Entities;

/// <summary>A tenant. Its id is 32 lowercase hex characters, as OpenStack project ids are.</summary>
public class Project
{
    public required string Id { get; set; }
    public required string Name { get; set; }
    public bool ShadowportEnabled { get; set; }
    public string? ShadowportChangedBy { get; set; }
    public DateTimeOffset? ShadowportChangedAt { get; set; }
    public string? ShadowportReason { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public uint Version { get; set; }
    public List<Quota> Quotas { get; set; } = [];
}
