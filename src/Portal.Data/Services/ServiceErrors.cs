using Microsoft.EntityFrameworkCore;
using Npgsql;
using Portal.Core.Errors;

namespace Portal.Data.Services;

internal static class ServiceErrors
{
    public static NeutronException NetworkNotFound(Guid id) => NeutronErrors.NotFound("Resource.Network", id);
    public static NeutronException SubnetNotFound(Guid id) => NeutronErrors.NotFound("Resource.Subnet", id);
    public static NeutronException PortNotFound(Guid id) => NeutronErrors.NotFound("Resource.Port", id);

    public static NeutronException ExternalReadOnly(string name) =>
        new("Forbidden", 403, "ExternalNetworkReadOnly", null, name);

    /// <summary>
    /// Neutron's <c>If-Match: revision_number=N</c>: a change made for revision N meets a newer one (someone changed
    /// the resource since it was read) and is refused with 412, as Neutron's RevisionNumberConstraintFailed.
    /// </summary>
    public static void CheckRevision(long? expected, long current)
    {
        if (expected is { } wanted && wanted != current)
            throw new NeutronException("RevisionNumberConstraintFailed", 412, "RevisionMismatch", null, wanted, current);
    }

    /// <summary>Quota failures carry the limit, read after the failed transaction is gone.</summary>
    public static async Task<NeutronException> OverQuotaAsync(
        IDbContextFactory<PortalDbContext> dbs, string projectId, PostgresException e, CancellationToken ct)
    {
        var resource = e.Hint ?? Quotas.Ports;
        await using var db = await dbs.CreateDbContextAsync(ct);
        var limit = await db.Quotas.Where(q => q.ProjectId == projectId && q.Resource == resource)
            .Select(q => (int?)q.Limit).FirstOrDefaultAsync(ct) ?? 0;
        return NeutronErrors.OverQuota(Quotas.ResourceKey(resource), limit);
    }

    /// <summary>"port «web» (10.0.0.5), port 10.0.0.6 and 3 more" — what holds a network or subnet.</summary>
    public static ILocalizable Holders(IReadOnlyList<(string Name, string Address)> holders, int total) =>
        new HolderList(holders, total);

    private sealed record HolderList(IReadOnlyList<(string Name, string Address)> Items, int Total) : ILocalizable
    {
        public string Localize(System.Globalization.CultureInfo culture)
        {
            // An unnamed port goes by its address, as in the ports tab: its id would mean nothing to the reader.
            var parts = Items.Select(h => string.Format(culture, NeutronException.Text(h.Name.Length > 0 ? "NetworkHolder" : "NetworkHolderUnnamed", culture),
                h.Name, h.Address)).ToList();
            if (Total > Items.Count)
            {
                parts.Add(string.Format(culture, NeutronException.Text("AndMore", culture), Total - Items.Count));
            }
            return string.Join(", ", parts);
        }
    }
}
