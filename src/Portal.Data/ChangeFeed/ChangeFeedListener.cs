using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Portal.Data.Store;

namespace Portal.Data.ChangeFeed;

/// <summary>
/// Holds one connection that LISTENs on <see cref="Channel"/> and turns the database's notifications into
/// <see cref="ChangeEvent"/>s. The notifications come from triggers (migration ChangeFeed), so every writer is
/// seen: this replica, the others, the backend. PostgreSQL delivers them on commit and collapses duplicates
/// within a transaction, hence one event per (table, project) per transaction however many rows it wrote.
/// When the connection drops it reconnects with capped exponential backoff and then publishes a resync event
/// (<see cref="ChangeEvent.ResyncTable"/>) to every subscribed project, since notifications sent while it was
/// away are lost.
/// </summary>
public sealed class ChangeFeedListener(
    NpgsqlDataSource dataSource,
    ChangeFeed feed,
    TimeProvider? clock = null,
    ILogger<ChangeFeedListener>? logger = null) : BackgroundService
{
    /// <summary>The channel the triggers notify; payload "&lt;table&gt;:&lt;project_id&gt;".</summary>
    public const string Channel = ChangeFeedStore.Channel;

    private static readonly TimeSpan InitialBackoff = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);
    // Without traffic a dead peer can go unnoticed for as long as TCP allows; a query after this long idle finds out.
    private static readonly TimeSpan IdleCheck = TimeSpan.FromSeconds(30);

    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly ILogger _logger = logger ?? NullLogger<ChangeFeedListener>.Instance;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = InitialBackoff;
        var missedSome = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            NpgsqlConnection? connection = null;
            try
            {
                connection = await dataSource.OpenConnectionAsync(stoppingToken);
                connection.Notification += OnNotification;
                await ChangeFeedStore.ListenAsync(connection, stoppingToken);
                if (missedSome)
                {
                    _logger.LogInformation("Change feed reconnected; asking subscribers to resync");
                    foreach (var projectId in feed.SubscribedProjects()) feed.Publish(new ChangeEvent(ChangeEvent.ResyncTable, projectId));
                    missedSome = false;
                }

                while (true)
                {
                    if (!await connection.WaitAsync(IdleCheck, stoppingToken))
                    {
                        await ChangeFeedStore.PingAsync(connection, stoppingToken);
                    }
                    // The connection has proved itself; a connection that keeps dropping right away keeps backing off.
                    backoff = InitialBackoff;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                missedSome = true;
                _logger.LogWarning(e, "Change feed connection failed or was lost; reconnecting in {Delay}", backoff);
            }
            finally
            {
                if (connection is not null) await ReleaseAsync(connection);
            }

            try
            {
                await Task.Delay(backoff, _clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
        }
    }

    /// <summary>
    /// Returns the connection to the pool no longer listening: a pooled session that kept its LISTEN would have
    /// notifications queued for it that nobody reads. A broken connection is simply discarded.
    /// </summary>
    private async Task ReleaseAsync(NpgsqlConnection connection)
    {
        connection.Notification -= OnNotification;
        try
        {
            if (connection.FullState == System.Data.ConnectionState.Open)
            {
                await ChangeFeedStore.UnlistenAsync(connection);
            }
        }
        catch (Exception e)
        {
            _logger.LogDebug(e, "Change feed could not UNLISTEN before releasing its connection");
        }
        await connection.DisposeAsync();
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs args)
    {
        if (args.Channel != Channel) return;
        if (Parse(args.Payload) is { } change) feed.Publish(change);
        else _logger.LogWarning("Ignoring malformed change notification {Payload}", args.Payload);
    }

    /// <summary>"&lt;table&gt;:&lt;project_id&gt;" as the trigger function portal_notify_change() writes it.</summary>
    internal static ChangeEvent? Parse(string payload)
    {
        var colon = payload.IndexOf(':');
        if (colon <= 0 || colon == payload.Length - 1) return null;
        return new ChangeEvent(payload[..colon], payload[(colon + 1)..].TrimEnd());
    }
}
