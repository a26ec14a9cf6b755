namespace Portal.Data.Entities;

/// <summary>
/// A project's limit and usage for one resource kind. Creating a resource increments <see cref="Used"/>
/// with a conditional update as the last step of its transaction, so racing creations queue on this row
/// only for the instant of their commit and never both take the last slot.
/// </summary>
public class QuotaUsage
{
    public required string ProjectId { get; set; }
    public required string Resource { get; set; }
    public int Limit { get; set; }
    public int Used { get; set; }
}
