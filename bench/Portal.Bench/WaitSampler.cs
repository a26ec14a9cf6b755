using System.Globalization;
using Npgsql;

namespace Portal.Bench;

/// <summary>
/// A poor man's profiler for the server side of a run: samples what every session of the benchmark database
/// is doing (pg_stat_activity) every few milliseconds. "idle" means the session waits for its client, so a large
/// idle share points at the client side (.NET, round trips) rather than at the database.
/// </summary>
internal sealed class WaitSampler : IAsyncDisposable
{
    private readonly Dictionary<string, long> _counts = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _total;

    private WaitSampler(string adminConnectionString, string database)
    {
        _loop = Task.Run(() => LoopAsync(adminConnectionString, database));
    }

    /// <summary>Samples from the maintenance database, so the sampler's own queries are not counted in the benchmark database.</summary>
    public static WaitSampler Start(BenchDatabase db) => new(db.AdminConnectionString, db.Settings.Database!);

    public async Task<string> StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        if (_total == 0) return "no samples";
        return string.Join(", ", _counts.OrderByDescending(c => c.Value).Take(6)
            .Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Key} {100.0 * c.Value / _total:F0}%")));
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested) await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }

    private async Task LoopAsync(string adminConnectionString, string database)
    {
        await using var connection = new NpgsqlConnection(adminConnectionString);
        await connection.OpenAsync(_stop.Token);
        await using var command = new NpgsqlCommand("""
            SELECT CASE WHEN state = 'idle' THEN 'idle (client side)'
                        WHEN wait_event IS NULL THEN 'running (CPU)'
                        ELSE wait_event_type || ':' || wait_event END, count(*)
              FROM pg_stat_activity
             WHERE datname = $1 AND backend_type = 'client backend'
             GROUP BY 1
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = database });
        await command.PrepareAsync(_stop.Token);
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await using (var reader = await command.ExecuteReaderAsync(_stop.Token))
                {
                    while (await reader.ReadAsync(_stop.Token))
                    {
                        var what = reader.GetString(0);
                        var count = reader.GetInt64(1);
                        _counts[what] = _counts.GetValueOrDefault(what) + count;
                        _total += count;
                    }
                }
                await Task.Delay(10, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
