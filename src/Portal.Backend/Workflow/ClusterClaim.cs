using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Portal.Core.Errors;
using Portal.Data;
using Portal.Data.ChangeFeed;
using Portal.Data.Entities;
using Portal.Data.Services;
using Portal.Data.Store;
using Portal.Core.Clusters;

namespace Portal.Backend.Workflow;

/// <summary>
/// A worker's hold on one cluster: an open transaction with the cluster's row locked. The step's outcome —
/// the next phase, a later retry, a failure, or the cluster's removal — is written in that transaction and ends
/// the claim; disposing it without an outcome (a crash) leaves the cluster as it was, due again at once.
/// </summary>
public sealed class ClusterClaim : IAsyncDisposable
{
    private readonly PortalDbContext _db;
    private readonly IDbContextTransaction _tx;
    private readonly ChangePublisher _changes;
    private readonly ClusterSignal _signal;
    private readonly TimeProvider _clock;
    private bool _done;

    internal ClusterClaim(PortalDbContext db, IDbContextTransaction tx, Cluster cluster, ChangePublisher changes,
        ClusterSignal signal, TimeProvider clock)
    {
        _db = db;
        _tx = tx;
        Cluster = cluster;
        _changes = changes;
        _signal = signal;
        _clock = clock;
    }

    /// <summary>The cluster as claimed; steps may set its fields, which the outcome saves.</summary>
    public Cluster Cluster { get; }

    /// <summary>The step to run: a deletion request comes before any creation step.</summary>
    public ClusterPhase Step => Cluster.DeleteRequested ? ClusterPhase.Deleting : Cluster.Phase;

    /// <summary>Holds a project-wide lock until the claim ends (e.g. while choosing a free CIDR for a new network).</summary>
    public async Task LockProjectAsync(string purpose, CancellationToken ct) =>
        await ClusterStore.LockProjectAsync(_db, Cluster.ProjectId, purpose, ct);

    /// <summary>The step is done: moves to <paramref name="phase"/>, due at once, with an event.</summary>
    public Task AdvanceAsync(ClusterPhase phase, string eventKey, params object[] args)
    {
        var now = _clock.GetUtcNow();
        Cluster.Phase = phase;
        Cluster.PhaseSince = now;
        Cluster.Attempts = 0;
        Cluster.NextAttemptAt = now;
        AddEvent(phase, eventKey, args, warning: false, now);
        return FinishAsync(wake: !phase.IsSettled());
    }

    /// <summary>Not done yet (e.g. waiting for agents): the same step is due again after <paramref name="delay"/>.</summary>
    public Task RequeueAsync(TimeSpan delay)
    {
        Cluster.NextAttemptAt = _clock.GetUtcNow() + delay;
        return FinishAsync(wake: false);
    }

    /// <summary>The step failed for a passing reason (e.g. the database was away): retried later, with backoff.</summary>
    public Task RetryAsync(Exception error)
    {
        var now = _clock.GetUtcNow();
        Cluster.Attempts++;
        Cluster.NextAttemptAt = now + Backoff(Cluster.Attempts);
        AddEvent(Step, "Event.StepRetry", [Step, error.GetType().Name + ": " + error.Message], warning: true, now);
        return FinishAsync(wake: false);
    }

    /// <summary>The step cannot succeed (no free address, no pod CIDR left...): the cluster fails with that reason.</summary>
    public Task FailAsync(NeutronException reason)
    {
        var now = _clock.GetUtcNow();
        Cluster.FailureKey = reason.MessageKey;
        Cluster.FailureArgs = reason.Args.Select(ClusterFailure.Pack).ToArray();
        var failedAt = Cluster.Phase;
        Cluster.Phase = ClusterPhase.Failed;
        Cluster.PhaseSince = now;
        Cluster.Attempts = 0;
        AddEvent(failedAt, "Event.Failed", [failedAt, reason.Localize(CultureInfo.InvariantCulture)], warning: true, now);
        return FinishAsync(wake: false);
    }

    /// <summary>Deletion is complete: removes the cluster with its nodes and events.</summary>
    public async Task RemoveAsync(CancellationToken ct = default)
    {
        // The request is recorded when it is made; this records that it is done, in the commit that makes it so.
        AuditStore.Add(_db, Actor.System, Cluster.ProjectId, "cluster.deleted", "cluster", Cluster.Id.ToString(), Cluster.Name, "",
            _clock.GetUtcNow());
        await _db.SaveChangesAsync(ct);
        await _db.Clusters.Where(c => c.Id == Cluster.Id).ExecuteDeleteAsync(ct);
        await _tx.CommitAsync(ct);
        _done = true;
        _changes.Changed(Cluster.ProjectId, Tables.Clusters);
    }

    public async ValueTask DisposeAsync()
    {
        await _tx.DisposeAsync();
        await _db.DisposeAsync();
    }

    /// <summary>1 s, 2 s, 4 s ... up to a minute.</summary>
    public static TimeSpan Backoff(int attempts) => TimeSpan.FromSeconds(Math.Min(60, Math.Pow(2, Math.Max(0, attempts - 1))));

    private void AddEvent(ClusterPhase phase, string key, object[] args, bool warning, DateTimeOffset now) =>
        ClusterStore.AddEvent(_db, Cluster.Id, phase, key, args, warning, now);

    private async Task FinishAsync(bool wake)
    {
        if (_done) throw new InvalidOperationException("The claim already has its outcome.");
        Cluster.UpdatedAt = _clock.GetUtcNow();
        await _db.SaveChangesAsync();
        await _tx.CommitAsync();
        _done = true;
        _changes.Changed(Cluster.ProjectId, Tables.Clusters);
        if (wake) _signal.Raise();
    }
}
