using System.Diagnostics;
using Grpc.Core;
using Grpc.Net.Client;
using Portal.Agent.Dataplane;
using Portal.Contracts;
using AgentApi = Portal.Contracts.NodeAgent;

namespace Portal.Agent;

/// <summary>
/// One node's agent: registers with the join token, watches the node's snapshots and applies each one (full
/// snapshots, so a missed one does not matter), reports after each apply and every heartbeat, repairs drift
/// periodically, runs the network checks it is asked for, and keeps reconnecting with backoff while the backend
/// is away. Registering again (after a restart, or when the backend no longer knows the credential) starts from a
/// full snapshot. The node's credential is kept in its state directory and presented when registering again: the
/// backend lets a node whose agent is alive be taken only by that agent, so a restarted agent gets its node back at
/// once while a second agent with the same join token is refused.
/// </summary>
public sealed class NodeAgent(AgentSettings settings, string node, IDataplane dataplane, PodStore store, GrpcChannel channel, TextWriter log)
    : IAsyncDisposable
{
    private static readonly TimeSpan MinBackoff = TimeSpan.FromMilliseconds(250);

    private readonly AgentApi.NodeAgentClient _client = new(channel);
    private readonly SemaphoreSlim _dataplaneLock = new(1, 1);
    private readonly SemaphoreSlim _reportLock = new(1, 1);
    private long _appliedGeneration;
    private long _checkStarted;
    private ApplyResult _lastResult = new(0, 0, []);

    public string Node => node;

    /// <summary>The generation this agent last applied (0 before the first).</summary>
    public long AppliedGeneration => Interlocked.Read(ref _appliedGeneration);

    public async Task RunAsync(CancellationToken ct)
    {
        var backoff = MinBackoff;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var registered = await _client.RegisterAsync(
                    new RegisterRequest { JoinToken = settings.JoinToken, NodeName = node, AgentVersion = AgentHost.Version, Credential = store.Credential() ?? "" },
                    deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: ct);
                store.SaveCredential(registered.Credential);
                backoff = MinBackoff;
                log.WriteLine($"{node}: registered (node {registered.NodeId})");
                await RunSessionAsync(registered, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is RpcException or HttpRequestException or IOException or InvalidOperationException)
            {
                var why = e is RpcException r ? $"{r.StatusCode}: {r.Status.Detail}" : e.Message;
                log.WriteLine($"{node}: {why}; retrying in {backoff.TotalSeconds:0.##} s");
                try
                {
                    await Task.Delay(backoff, ct);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                // Refused joins (a wrong token, a node that does not exist, a node another agent holds) are retried
                // slowly: a fix may come, or the other agent may stop.
                var max = e is RpcException { StatusCode: StatusCode.PermissionDenied or StatusCode.NotFound or StatusCode.FailedPrecondition }
                    ? settings.MaxBackoff * 2
                    : settings.MaxBackoff;
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, max.Ticks));
            }
        }
    }

    /// <summary>Until the watch or a report fails: the backend went away, or asked for a full resync.</summary>
    private async Task RunSessionAsync(RegisterReply registered, CancellationToken ct)
    {
        var headers = new Metadata { { "authorization", "Bearer " + registered.Credential } };
        var heartbeat = TimeSpan.FromSeconds(Math.Max(1, registered.HeartbeatSeconds));
        using var session = CancellationTokenSource.CreateLinkedTokenSource(ct);
        // A registration issues a new credential: start from a full snapshot, as after a restart.
        Interlocked.Exchange(ref _appliedGeneration, 0);
        using var watch = _client.Watch(new WatchRequest { AfterGeneration = 0 }, headers, cancellationToken: session.Token);
        var ticker = TickAsync(headers, heartbeat, session);
        try
        {
            await foreach (var snapshot in watch.ResponseStream.ReadAllAsync(session.Token))
            {
                await ApplyAsync(snapshot, headers, session.Token);
            }
            throw new IOException("the backend ended the watch");
        }
        finally
        {
            await session.CancelAsync();
            await ticker;
        }
    }

    private async Task ApplyAsync(Snapshot snapshot, Metadata headers, CancellationToken ct)
    {
        await _dataplaneLock.WaitAsync(ct);
        try
        {
            _lastResult = await dataplane.ApplyAsync(snapshot, ct);
            for (var i = 1; i <= settings.Pods && snapshot.PodCidr.Length > 0; i++) await dataplane.AddPodAsync($"pod-{i}", ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _lastResult = _lastResult with { Errors = [e.Message] };
        }
        finally
        {
            _dataplaneLock.Release();
        }
        Interlocked.Exchange(ref _appliedGeneration, snapshot.Generation);
        if (_lastResult.Changes > 0 || _lastResult.Errors.Count > 0)
            log.WriteLine($"{node}: generation {snapshot.Generation}: {_lastResult.RouteCount} peer routes, {_lastResult.Changes} changed"
                          + (_lastResult.Errors.Count > 0 ? "; errors: " + string.Join("; ", _lastResult.Errors) : ""));
        await ReportAsync(headers, null, ct);
        if (snapshot.Check is { Id: > 0 } check && Interlocked.Read(ref _checkStarted) is var started && check.Id > started
            && Interlocked.CompareExchange(ref _checkStarted, check.Id, started) == started)
        {
            _ = ProbeAndReportAsync(check, started, headers, ct);
        }
    }

    /// <summary>Runs a check and reports it; if that does not get through, the next snapshot carrying the check runs it again.</summary>
    private async Task ProbeAndReportAsync(NetworkCheck check, long previous, Metadata headers, CancellationToken ct)
    {
        try
        {
            var results = await dataplane.ProbeAsync(check, ct);
            var reachable = results.Count(r => r.Reachable);
            log.WriteLine($"{node}: check {check.Id}: {reachable}/{results.Count} pod pairs reachable");
            await ReportAsync(headers, (check.Id, results), ct);
        }
        catch (Exception e)
        {
            Interlocked.CompareExchange(ref _checkStarted, previous, check.Id);
            if (e is not OperationCanceledException) log.WriteLine($"{node}: check {check.Id} not reported: {e.Message}");
        }
    }

    /// <summary>Heartbeats, pod changes and drift repair, until the session ends.</summary>
    private async Task TickAsync(Metadata headers, TimeSpan heartbeat, CancellationTokenSource session)
    {
        var ct = session.Token;
        var sinceReport = Stopwatch.StartNew();
        var sinceRepair = Stopwatch.StartNew();
        var podsWritten = store.PodsWritten();
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), ct);
                if (AppliedGeneration == 0) continue;
                var due = sinceReport.Elapsed >= heartbeat;
                if (store.PodsWritten() is var written && written != podsWritten)
                {
                    podsWritten = written;
                    due = true;
                }
                if (sinceRepair.Elapsed >= settings.RepairInterval)
                {
                    sinceRepair.Restart();
                    await _dataplaneLock.WaitAsync(ct);
                    try
                    {
                        _lastResult = await dataplane.RepairAsync(ct);
                    }
                    finally
                    {
                        _dataplaneLock.Release();
                    }
                    if (_lastResult.Changes > 0)
                    {
                        log.WriteLine($"{node}: repaired {_lastResult.Changes} drifted routes");
                        due = true;
                    }
                }
                if (!due) continue;
                if (await ReportAsync(headers, null, ct)) sinceReport.Restart();
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e)
        {
            log.WriteLine($"{node}: {e.Message}");
            await session.CancelAsync();
        }
    }

    /// <summary>
    /// Sends a report; throws (and the session ends) when the backend refuses it or is away. One at a time, each
    /// built inside the lock: a heartbeat built before an apply must not arrive after the apply's report and set
    /// the node's observed generation back.
    /// </summary>
    private async Task<bool> ReportAsync(Metadata headers, (long Id, IReadOnlyList<ProbeResult> Results)? check, CancellationToken ct)
    {
        await _reportLock.WaitAsync(ct);
        try
        {
            return await SendReportAsync(headers, check, ct);
        }
        finally
        {
            _reportLock.Release();
        }
    }

    private async Task<bool> SendReportAsync(Metadata headers, (long Id, IReadOnlyList<ProbeResult> Results)? check, CancellationToken ct)
    {
        var result = _lastResult;
        var request = new ReportRequest
        {
            ObservedGeneration = AppliedGeneration, RouteCount = result.RouteCount, AgentVersion = AgentHost.Version,
        };
        // Within the backend's limits, so that many or long errors never get the heartbeat itself refused.
        request.Errors.AddRange(AgentLimits.Bounded(result.Errors));
        foreach (var pod in dataplane.Pods()) request.Pods.Add(new PodAddress { NodeName = node, PodName = pod.Name, Ip = pod.Ip });
        if (check is { } c)
        {
            request.CheckId = c.Id;
            foreach (var probe in c.Results.Take(AgentLimits.MaxProbes))
            {
                probe.Error = AgentLimits.Bounded([probe.Error]).Single();
                request.Probes.Add(probe);
            }
        }
        var reply = await _client.ReportAsync(request, headers, deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: ct);
        if (!reply.Resync) return true;
        throw new IOException("the backend asks for a full resync (the node had been NotReady)");
    }

    public async ValueTask DisposeAsync()
    {
        await dataplane.DisposeAsync();
        channel.Dispose();
        _dataplaneLock.Dispose();
        _reportLock.Dispose();
    }
}
