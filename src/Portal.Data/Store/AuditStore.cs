using Npgsql;
using Portal.Data.Entities;
using Portal.Data.Services;

namespace Portal.Data.Store;

/// <summary>
/// Writes of the audit trail, in one place: entries saved with the EF change they record, and the entry of a
/// user's port, which is written by SQL in the same batch as the port (so that it names the port's addresses
/// as the database chose them).
/// </summary>
internal static class AuditStore
{
    /// <summary>The lengths of the free-text columns (AuditEntryConfiguration); a longer text is stored shortened.</summary>
    public const int MaxActor = 256, MaxAddress = 64, MaxObjectName = 255, MaxDetails = 1000;

    /// <summary>Ends a shortened text; the entry says it was cut rather than failing the change it records.</summary>
    public const string Ellipsis = "…";

    public static void Add(PortalDbContext db, Actor actor, string? projectId, string action, string objectType, string objectId,
        string objectName, string details, DateTimeOffset at) =>
        db.AuditEntries.Add(new AuditEntry
        {
            ProjectId = projectId, At = at, Actor = Fit(actor.Name, MaxActor), Address = Fit(actor.Address, MaxAddress), Action = action,
            ObjectType = objectType, ObjectId = objectId, ObjectName = Fit(objectName, MaxObjectName), Details = Fit(details, MaxDetails),
        });

    /// <summary>
    /// <paramref name="text"/> if it fits <paramref name="max"/> characters, else its start and <see cref="Ellipsis"/>
    /// (never cutting a surrogate pair); PostgreSQL counts characters, which are never more than UTF-16 units.
    /// </summary>
    [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(text))]
    public static string? Fit(string? text, int max)
    {
        if (text is null || text.Length <= max) return text;
        var keep = max - Ellipsis.Length;
        if (char.IsHighSurrogate(text[keep - 1])) keep--;
        return text[..keep] + Ellipsis;
    }

    /// <summary>
    /// The entry of a user's port of the project (none when there is no such port, or the actor is no longer a member of the project), naming its addresses (shortened
    /// to the column, like <see cref="Fit"/>).
    /// </summary>
    public static NpgsqlBatchCommand UserPortEntry(string projectId, Guid portId, string action, Actor actor, DateTimeOffset at) =>
        Sql.BatchCommand($"""
            INSERT INTO audit_entries (project_id, at, actor, address, action, object_type, object_id, object_name, details)
            SELECT p.project_id, {at}, {actor.Name}, {actor.Address}, {action}, 'port', p.id::text, p.name,
                   coalesce((SELECT CASE WHEN length(l) > {MaxDetails} THEN left(l, {MaxDetails - 1}) || {Ellipsis} ELSE l END
                               FROM (SELECT string_agg(host(a.ip_address), ', ' ORDER BY a.ip_address) AS l
                                       FROM ip_allocations a WHERE a.port_id = p.id) addresses), '')
              FROM ports p WHERE p.id = {portId} AND p.project_id = {projectId} AND p.device_owner = ''
               AND ({PortStore.MemberOf(actor)}::text IS NULL
                    OR EXISTS (SELECT 1 FROM project_members m WHERE m.project_id = p.project_id AND m.user_id = {PortStore.MemberOf(actor)}::text))
            """);
}
