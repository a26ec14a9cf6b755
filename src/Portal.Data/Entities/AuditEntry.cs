namespace Portal.Data.Entities;

/// <summary>
/// Who did what to which object, when, and from which address. Written in the same transaction as the change
/// it records, so an entry exists exactly when the change does.
/// </summary>
public class AuditEntry
{
    public long Id { get; set; }
    public string? ProjectId { get; set; }
    public DateTimeOffset At { get; set; }
    public required string Actor { get; set; }
    public string? Address { get; set; }
    /// <summary>What happened, e.g. "network.create", "shadowport.enable".</summary>
    public required string Action { get; set; }
    public required string ObjectType { get; set; }
    public required string ObjectId { get; set; }
    public string ObjectName { get; set; } = "";
    public string Details { get; set; } = "";
}
