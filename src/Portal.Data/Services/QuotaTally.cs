using Npgsql;

namespace Portal.Data.Services;

/// <summary>
/// Quota units an operation takes, taken together as the last statements of its transaction, in a fixed
/// (alphabetical) order so that two operations never wait on each other's quota rows in opposite orders.
/// </summary>
internal sealed class QuotaTally
{
    private readonly SortedDictionary<string, int> _counts = new(StringComparer.Ordinal);

    public void Add(string resource, int count = 1) =>
        _counts[resource] = _counts.GetValueOrDefault(resource) + count;

    public async Task TakeAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string projectId, CancellationToken ct)
    {
        if (_counts.Count == 0) return;
        await using var batch = new NpgsqlBatch(connection, transaction);
        foreach (var (resource, count) in _counts)
        {
            batch.BatchCommands.Add(PortWriter.Command("SELECT FROM portal_take_quota($1, $2, $3)", projectId, resource, count));
        }
        await batch.ExecuteNonQueryAsync(ct);
    }

    public async Task ReleaseAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string projectId, CancellationToken ct)
    {
        if (_counts.Count == 0) return;
        await using var batch = new NpgsqlBatch(connection, transaction);
        foreach (var (resource, count) in _counts)
        {
            batch.BatchCommands.Add(PortWriter.Command(
                "UPDATE quota_usages SET used = used - $3 WHERE project_id = $1 AND resource = $2", projectId, resource, count));
        }
        await batch.ExecuteNonQueryAsync(ct);
    }
}
