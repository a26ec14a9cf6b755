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
    public static void Add(PortalDbContext db, Actor actor, string? projectId, string action, string objectType, string objectId,
        string objectName, string details, DateTimeOffset at) =>
        db.AuditEntries.Add(new AuditEntry
        {
            ProjectId = projectId, At = at, Actor = actor.Name, Address = actor.Address, Action = action,
            ObjectType = objectType, ObjectId = objectId, ObjectName = objectName, Details = details,
        });

    /// <summary>
    /// The entry of a user's port of the project (none when there is no such port, or the actor is no longer a member
    /// of the project), naming its addresses.
    /// </summary>
    public static NpgsqlBatchCommand UserPortEntry(string projectId, Guid portId, string action, Actor actor, DateTimeOffset at) =>
        Sql.BatchCommand($"""
            INSERT INTO audit_entries (project_id, at, actor, address, action, object_type, object_id, object_name, details)
            SELECT p.project_id, {at}, {actor.Name}, {actor.Address}, {action}, 'port', p.id::text, p.name,
                   coalesce((SELECT string_agg(host(a.ip_address), ', ' ORDER BY a.ip_address)
                               FROM ip_allocations a WHERE a.port_id = p.id), '')
              FROM ports p WHERE p.id = {portId} AND p.project_id = {projectId} AND p.device_owner = ''
               AND ({PortStore.MemberOf(actor)}::text IS NULL
                    OR EXISTS (SELECT 1 FROM project_members m WHERE m.project_id = p.project_id AND m.user_id = {PortStore.MemberOf(actor)}::text))
            """);
}
