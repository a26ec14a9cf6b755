namespace Portal.Data.Entities;

/// <summary>One switch of a project's shadowport option by support: who, when, which way and why (the ticket).</summary>
public class ShadowportChange
{
    public long Id { get; set; }
    public required string ProjectId { get; set; }
    public bool Enabled { get; set; }
    public required string ChangedBy { get; set; }
    public DateTimeOffset ChangedAt { get; set; }
    public required string Reason { get; set; }
}
