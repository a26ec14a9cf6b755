namespace Portal.Data.Entities;

/// <summary>
/// One share of a quota. A project's limit for a resource is split over <see cref="Count"/> shares, each a
/// counter with its own cap (the caps add up to the limit). The database takes a unit from a share with room
/// when a network, subnet or port row is inserted and gives one back when the row is deleted (triggers in the
/// migrations). Racing creations update different shares (SKIP LOCKED), so they neither queue on one counter
/// row nor touch more than the few pages that hold a project's shares.
/// </summary>
public class QuotaShare
{
    /// <summary>Shares per project and resource: more than the clients that create at once, so they rarely wait.</summary>
    public const int Count = 64;

    public required string ProjectId { get; set; }
    public required string Resource { get; set; }
    public int Share { get; set; }
    public int Cap { get; set; }
    public int Used { get; set; }
}
