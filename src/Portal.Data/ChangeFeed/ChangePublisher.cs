using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Portal.Data.Store;

namespace Portal.Data.ChangeFeed;

/// <summary>
/// Announces committed writes on the change feed's channel. The services report what they changed after
/// committing; what gathers within <see cref="Window"/> goes out together in one statement.
/// Why not NOTIFY inside each write (e.g. from a trigger)? PostgreSQL serialises the commits of all
/// notifying transactions (a database-wide lock held through the commit's disk flush), so every port
/// creation would wait for every other; measured, that alone capped creation at a fraction of the
/// database's insert rate. Writes that bypass the services bypass the feed too, as they bypass the rules.
/// </summary>
public sealed class ChangePublisher(NpgsqlDataSource dataSource, ILogger<ChangePublisher>? logger = null) : BackgroundService
{
    public static readonly TimeSpan Window = TimeSpan.FromMilliseconds(50);

    private readonly ILogger _logger = logger ?? NullLogger<ChangePublisher>.Instance;
    private readonly ConcurrentDictionary<string, byte> _pending = new(StringComparer.Ordinal);
    private readonly Channel<byte> _wake = Channel.CreateBounded<byte>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>Something in <paramref name="table"/> of the project changed and is committed.</summary>
    public void Changed(string projectId, params string[] tables)
    {
        foreach (var table in tables) _pending.TryAdd(table + ":" + projectId, 0);
        _wake.Writer.TryWrite(0);
    }

    /// <summary>Sends what is pending now; the background loop calls it, tests may too.</summary>
    public async Task FlushAsync(CancellationToken ct = default)
    {
        var payloads = new List<string>();
        foreach (var key in _pending.Keys)
        {
            if (_pending.TryRemove(key, out _)) payloads.Add(key);
        }
        if (payloads.Count == 0) return;
        await ChangeFeedStore.NotifyAsync(dataSource, payloads.ToArray(), ct);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (await _wake.Reader.WaitToReadAsync(stoppingToken))
            {
                _wake.Reader.TryRead(out _);
                await Task.Delay(Window, stoppingToken);
                try
                {
                    await FlushAsync(stoppingToken);
                }
                catch (Exception e) when (e is NpgsqlException or TimeoutException)
                {
                    // Open pages resync when the listener reconnects; a lost announcement only delays a refresh.
                    _logger.LogWarning(e, "Could not announce changes on the change feed");
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
