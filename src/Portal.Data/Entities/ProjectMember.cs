namespace Portal.Data.Entities;

/// <summary>A user's membership of a project. The owner is the member with <see cref="IsOwner"/>.</summary>
public class ProjectMember
{
    public required string ProjectId { get; set; }
    public required string UserId { get; set; }
    public bool IsOwner { get; set; }
    public DateTimeOffset AddedAt { get; set; }
}
