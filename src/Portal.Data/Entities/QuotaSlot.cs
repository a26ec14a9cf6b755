namespace Portal.Data.Entities;

/// <summary>
/// One unit of a quota. A resource holds a slot while it exists: the database takes a free slot when a network,
/// subnet or port row is inserted and frees it when the row is deleted (triggers in the initial migration).
/// Racing creations take different slots (SKIP LOCKED), so they do not queue on one counter row, and a
/// project never holds more slots than its limit.
/// </summary>
public class QuotaSlot
{
    public required string ProjectId { get; set; }
    public required string Resource { get; set; }
    public int Slot { get; set; }
    public Guid? HolderId { get; set; }
}
