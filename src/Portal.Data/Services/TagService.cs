using Microsoft.EntityFrameworkCore;
using Portal.Core;
using Portal.Core.Errors;
using Portal.Data.Entities;

namespace Portal.Data.Services;

/// <summary>What can carry tags: Neutron's standard-attr-tag resources that Portal has.</summary>
public enum TaggedKind { Network, Subnet, Port }

/// <summary>
/// Tags on the project's networks, subnets and ports (Neutron's tags API): replaced whole, added or removed one at a
/// time, each change audited with the tags before and after. Only a member of the project sees or changes them; a
/// provider network's belong to the cloud.
/// </summary>
public sealed class TagService(
    IDbContextFactory<PortalDbContext> dbs, AuditService audit, ChangeFeed.ChangePublisher changes, TimeProvider clock)
{
    public async Task<IReadOnlyList<string>> GetAsync(Actor actor, string projectId, TaggedKind kind, Guid id, CancellationToken ct = default)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        return (await FindAsync(db, actor, projectId, kind, id, tracked: false, ct)).Tags;
    }

    /// <summary>Replaces every tag of the resource; answers the tags it has now.</summary>
    public Task<IReadOnlyList<string>> ReplaceAsync(Actor actor, string projectId, TaggedKind kind, Guid id, IReadOnlyCollection<string?> tags,
        CancellationToken ct = default)
    {
        var checkedTags = TagRules.CheckTags(tags);
        return ChangeAsync(actor, projectId, kind, id, _ => checkedTags, ct);
    }

    public Task AddAsync(Actor actor, string projectId, TaggedKind kind, Guid id, string tag, CancellationToken ct = default)
    {
        var checkedTag = TagRules.CheckTag(tag);
        return ChangeAsync(actor, projectId, kind, id, current =>
        {
            var next = current.Contains(checkedTag, StringComparer.Ordinal) ? current : current.Append(checkedTag).ToList();
            return TagRules.CheckTags(next.ToList<string?>());
        }, ct);
    }

    /// <summary>Removes one tag; a tag the resource does not have is Neutron's TagNotFound (404).</summary>
    public Task RemoveAsync(Actor actor, string projectId, TaggedKind kind, Guid id, string tag, CancellationToken ct = default) =>
        ChangeAsync(actor, projectId, kind, id, current => current.Contains(tag, StringComparer.Ordinal)
            ? current.Where(t => t != tag).ToList()
            : throw new NeutronException("TagNotFound", 404, "TagNotFound", null, tag), ct);

    public Task RemoveAllAsync(Actor actor, string projectId, TaggedKind kind, Guid id, CancellationToken ct = default) =>
        ChangeAsync(actor, projectId, kind, id, _ => [], ct);

    private async Task<IReadOnlyList<string>> ChangeAsync(Actor actor, string projectId, TaggedKind kind, Guid id,
        Func<IReadOnlyList<string>, IReadOnlyList<string>> change, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var resource = await FindAsync(db, actor, projectId, kind, id, tracked: true, ct);
        var before = resource.Tags.ToList();
        var after = change(before);
        if (before.SequenceEqual(after, StringComparer.Ordinal)) return before;
        var now = clock.GetUtcNow();
        resource.Set(after.ToList(), now);
        var details = new ChangeAuditDetails.Builder().Add("tags", before, after).Build().ToJson();
        var type = kind.ToString().ToLowerInvariant();
        audit.Record(db, actor, projectId, type + ".update", type, id.ToString(), resource.Label, details, now);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw NeutronErrors.Conflict("ConcurrentUpdate", null, resource.Label);
        }
        changes.Changed(projectId, kind switch { TaggedKind.Network => Tables.Networks, TaggedKind.Subnet => Tables.Subnets, _ => Tables.Ports });
        return after;
    }

    /// <summary>A resource's tags, its name for the trail, and how to give it new tags (at a time).</summary>
    private sealed record Found(IReadOnlyList<string> Tags, string Label, Action<List<string>, DateTimeOffset> Set);

    private static async Task<Found> FindAsync(PortalDbContext db, Actor actor, string projectId, TaggedKind kind, Guid id, bool tracked,
        CancellationToken ct)
    {
        NeutronException NotFound() => kind switch
        {
            TaggedKind.Network => ServiceErrors.NetworkNotFound(id),
            TaggedKind.Subnet => ServiceErrors.SubnetNotFound(id),
            _ => ServiceErrors.PortNotFound(id),
        };
        await Access.RequireMemberAsync(db, actor, projectId, NotFound, ct);
        switch (kind)
        {
            case TaggedKind.Network:
                var networks = tracked ? db.Networks : db.Networks.AsNoTracking();
                var network = await networks.FirstOrDefaultAsync(n => n.Id == id && n.ProjectId == projectId, ct) ?? throw NotFound();
                return new Found(network.Tags, network.Name, (t, at) => { network.Tags = t; network.UpdatedAt = at; });
            case TaggedKind.Subnet:
                var subnets = tracked ? db.Subnets : db.Subnets.AsNoTracking();
                var subnet = await subnets.FirstOrDefaultAsync(s => s.Id == id && s.ProjectId == projectId, ct) ?? throw NotFound();
                return new Found(subnet.Tags, subnet.DisplayName, (t, at) => { subnet.Tags = t; subnet.UpdatedAt = at; });
            default:
                var ports = tracked ? db.Ports : db.Ports.AsNoTracking();
                var port = await ports.FirstOrDefaultAsync(p => p.Id == id && p.ProjectId == projectId, ct) ?? throw NotFound();
                return new Found(port.Tags, port.Name.Length > 0 ? port.Name : port.Id.ToString(), (t, at) => { port.Tags = t; port.UpdatedAt = at; });
        }
    }
}
