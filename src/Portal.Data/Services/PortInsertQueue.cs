using System.Threading.Channels;
using Npgsql;
using Portal.Data.Entities;
using Portal.Data.Store;

namespace Portal.Data.Services;

/// <summary>
/// Group commit for ports that are created on their own (not inside a caller's transaction). Creations that
/// arrive while others are being written wait in a queue and go to the database together: one round trip and
/// one commit for up to <see cref="MaxGroup"/> ports. On a small machine the cost of a creation is mostly the
/// round trip, the commit and the context switches around them, so many clients creating at once get far more
/// done this way, and a lone creation is written at once, as before.
/// </summary>
/// <remarks>
/// Each port keeps its own outcome. When one port's statement fails (its address is taken, its subnet is full,
/// the quota is used up) the group is rolled back, that port gets the database's error, and the others are
/// written again without it. A failure that belongs to no single port (a deadlock between groups near a full
/// quota, a lost connection) makes each port of the group try again alone.
/// </remarks>
public sealed class PortInsertQueue : IAsyncDisposable
{
    /// <summary>Ports per group: enough to share one commit widely, few enough to keep a group's locks short.</summary>
    public const int MaxGroup = 16;

    /// <summary>Groups in flight at once: while one waits for its commit, the next is being written.</summary>
    private const int Writers = 2;

    private readonly NpgsqlDataSource _dataSource;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>();
    private readonly CancellationTokenSource _stop = new();
    private readonly Lazy<Task[]> _writers;

    public PortInsertQueue(NpgsqlDataSource dataSource)
    {
        _dataSource = dataSource;
        _writers = new Lazy<Task[]>(() => Enumerable.Range(0, Writers).Select(_ => Task.Run(WriteLoopAsync)).ToArray());
    }

    internal async Task<Port> InsertAsync(PortSpec spec, DateTimeOffset now, CancellationToken ct)
    {
        _ = _writers.Value;
        var pending = new Pending(spec, now);
        await using var cancel = ct.Register(() => pending.Result.TrySetCanceled(ct));
        if (!_queue.Writer.TryWrite(pending)) throw new ObjectDisposedException(nameof(PortInsertQueue));
        return await pending.Result.Task;
    }

    private async Task WriteLoopAsync()
    {
        var reader = _queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(_stop.Token))
            {
                var group = new List<Pending>(MaxGroup);
                while (group.Count < MaxGroup && reader.TryRead(out var pending))
                {
                    if (!pending.Result.Task.IsCompleted) group.Add(pending); // skips creations cancelled while queued
                }
                if (group.Count > 0) await WriteAsync(group);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
    }

    private async Task WriteAsync(List<Pending> group)
    {
        while (group.Count > 0)
        {
            try
            {
                await using var connection = await _dataSource.OpenConnectionAsync(_stop.Token);
                // The group's ports carry the time of its first creation (they are milliseconds apart).
                var ports = await PortStore.InsertManyAsync(connection, null, group.Select(p => p.Spec).ToList(), group[0].Now, _stop.Token);
                for (var i = 0; i < group.Count; i++) group[i].Result.TrySetResult(ports[i]);
                return;
            }
            catch (PostgresException e) when (group.Count > 1 && e.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure)
            {
                // Near a full quota two groups can each wait for a quota share the other holds; PostgreSQL ends
                // one of them. Alone, a port holds no share while it waits, so it cannot be caught in a cycle.
                foreach (var pending in group) await WriteAsync([pending]);
                return;
            }
            catch (PostgresException e) when (e.Data[PortStore.FailedPortKey] is int failed)
            {
                group[failed].Result.TrySetException(e);
                group.RemoveAt(failed);
            }
            catch (Exception e) when (group.Count > 1 && e is not OperationCanceledException)
            {
                foreach (var pending in group) await WriteAsync([pending]);
                return;
            }
            catch (Exception e)
            {
                foreach (var pending in group) pending.Result.TrySetException(e);
                return;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stop.CancelAsync();
        if (_writers.IsValueCreated) await Task.WhenAll(_writers.Value);
        while (_queue.Reader.TryRead(out var pending)) pending.Result.TrySetException(new ObjectDisposedException(nameof(PortInsertQueue)));
        _stop.Dispose();
    }

    private sealed record Pending(PortSpec Spec, DateTimeOffset Now)
    {
        public TaskCompletionSource<Port> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
