using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Portal.Data.ChangeFeed;
using Portal.Data.Services;
using Feed = Portal.Data.ChangeFeed.ChangeFeed;

namespace Portal.Data.Tests;

/// <summary>
/// Writes through the services reach subscribers of their project through the database (NOTIFY, the
/// listener), and only them. The fixture's provider starts no hosted services, so each test runs the listener
/// itself and flushes the publisher before its probe, where the running app's publisher would flush within
/// <see cref="ChangePublisher.Window"/>.
/// Waits have a deadline so a broken feed fails instead of hanging; they are not performance assertions.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class ChangeFeedTests(DatabaseFixture db) : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    // Probes are notifications the test sends itself; each carries a fresh token so that a late one is not mistaken.
    private const string ProbePrefix = "probe-";

    private readonly List<IDisposable> _subscriptions = [];
    private IHostedService? _listener;

    private Feed Feed => db.Services.GetRequiredService<Feed>();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var s in _subscriptions) s.Dispose();
        if (_listener is not null) await _listener.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_write_reaches_its_projects_subscribers_once_per_table_and_transaction()
    {
        var a = await db.NewProjectAsync();
        var b = await db.NewProjectAsync();
        var inA = Record(a);
        var inB = Record(b);
        // A failing handler must not keep the others from their events.
        _subscriptions.Add(Feed.Subscribe(a, _ => throw new InvalidOperationException("synchronous failure")));
        _subscriptions.Add(Feed.Subscribe(a, async _ => { await Task.Yield(); throw new InvalidOperationException("asynchronous failure"); }));
        await StartListenerAsync(inA);

        // The network, its subnet, and the subnet's DHCP port: one event per table.
        var network = await db.Networks.CreateAsync(Actor.System, a, new NetworkCreate { Name = "n", FirstSubnet = new SubnetCreate { Cidr = "10.0.0.0/24" } });
        var seen = await inA.UntilProbeAsync(db, a);
        Assert.Equal(["networks", "ports", "subnets"], seen.Select(e => e.Table).Order());
        Assert.All(seen, e => Assert.Equal(a, e.ProjectId));
        Assert.Empty(await inB.UntilProbeAsync(db, b));

        // Many writes within the publisher's window give one event per table, not one per row or write.
        var ports = new List<Guid>();
        for (var i = 0; i < 3; i++) ports.Add((await db.Ports.CreateAsync(Actor.System, a, new PortCreate { NetworkId = network.Id })).Id);
        Assert.Equal(3, (await db.Ports.SetAdminStateAsync(Actor.System, a, ports, false)).Done);
        Assert.Equal([new ChangeEvent("ports", a)], await inA.UntilProbeAsync(db, a));

        // A malformed payload is ignored and the listener carries on.
        await db.ScalarAsync("SELECT pg_notify('portal_changes', 'no separator')::text");
        await db.Networks.UpdateAsync(Actor.System, a, network.Id, new NetworkUpdate { Name = "renamed" });
        Assert.Equal([new ChangeEvent("networks", a)], await inA.UntilProbeAsync(db, a));
    }

    [Fact]
    public async Task Another_projects_changes_are_not_delivered_and_a_disposed_subscription_gets_nothing()
    {
        var a = await db.NewProjectAsync();
        var b = await db.NewProjectAsync();
        var inA = Record(a);
        var alsoInA = Record(a);
        var inB = Record(b);
        await StartListenerAsync(inA);
        await alsoInA.UntilProbeAsync(db, a);

        await db.Networks.CreateAsync(Actor.System, b, new NetworkCreate { Name = "theirs" });
        await db.Services.GetRequiredService<ChangePublisher>().FlushAsync();
        await inB.UntilAsync(e => e.Table == "networks", ["networks"]);
        Assert.Empty(await inA.UntilProbeAsync(db, a)); // the probe follows B's commit, so anything for A would be before it

        inA.Subscription.Dispose();
        var before = inA.Received.Count;
        await db.Networks.CreateAsync(Actor.System, a, new NetworkCreate { Name = "mine" });
        Assert.Equal([new ChangeEvent("networks", a)], await alsoInA.UntilProbeAsync(db, a));
        Assert.Equal(before, inA.Received.Count);
    }

    [Fact]
    public async Task After_losing_its_connection_the_listener_reconnects_and_asks_subscribers_to_resync()
    {
        var a = await db.NewProjectAsync();
        var inA = Record(a);
        await StartListenerAsync(inA);

        var killed = await db.ScalarAsync("""
            SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
             WHERE datname = current_database() AND pid <> pg_backend_pid() AND query = 'LISTEN portal_changes'
            """);
        Assert.Equal(1L, killed);
        await inA.UntilAsync(e => e.IsResync, [ChangeEvent.ResyncTable]);

        await db.Networks.CreateAsync(Actor.System, a, new NetworkCreate { Name = "after" });
        await db.Services.GetRequiredService<ChangePublisher>().FlushAsync();
        await inA.UntilAsync(e => e.Table == "networks", ["networks"]);
    }

    [Fact]
    public async Task The_listener_stops_promptly()
    {
        var a = await db.NewProjectAsync();
        await StartListenerAsync(Record(a));
        var listener = _listener!;
        _listener = null;
        var clock = Stopwatch.StartNew();
        await listener.StopAsync(CancellationToken.None).WaitAsync(Deadline);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"stopping took {clock.Elapsed}");
        // Its connection does not go back to the pool still listening (it would hold the server's notification queue).
        Assert.Equal(0L, await db.ScalarAsync(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN portal_changes'"));
    }

    private Recorder Record(string projectId)
    {
        var recorder = new Recorder(projectId);
        recorder.Subscription = Feed.Subscribe(projectId, recorder.Add);
        _subscriptions.Add(recorder.Subscription);
        return recorder;
    }

    /// <summary>Starts the listener and returns once it is LISTENing: a probe notification has come through.</summary>
    private async Task StartListenerAsync(Recorder recorder)
    {
        _listener = db.Services.GetServices<IHostedService>().OfType<ChangeFeedListener>().Single();
        await _listener.StartAsync(CancellationToken.None);
        var until = DateTime.UtcNow + Deadline;
        while (true)
        {
            await SendProbeAsync(db, recorder.ProjectId);
            if (await recorder.WaitForAsync(e => e.Table.StartsWith(ProbePrefix, StringComparison.Ordinal), TimeSpan.FromMilliseconds(200))) break;
            if (DateTime.UtcNow > until) Assert.Fail($"the listener did not start listening within {Deadline}");
        }
    }

    private static async Task<string> SendProbeAsync(DatabaseFixture db, string projectId)
    {
        var probe = ProbePrefix + Guid.NewGuid().ToString("N");
        await db.ScalarAsync("SELECT pg_notify('portal_changes', $1)::text", probe + ":" + projectId);
        return probe;
    }

    private sealed class Recorder(string projectId)
    {
        private readonly Channel<ChangeEvent> _events = Channel.CreateUnbounded<ChangeEvent>();
        private readonly List<ChangeEvent> _received = [];

        public IDisposable Subscription { get; set; } = null!;
        public string ProjectId { get; } = projectId;

        /// <summary>Everything delivered so far, probes included.</summary>
        public IReadOnlyList<ChangeEvent> Received
        {
            get { lock (_received) return [.. _received]; }
        }

        public Task Add(ChangeEvent e)
        {
            lock (_received) _received.Add(e);
            _events.Writer.TryWrite(e);
            return Task.CompletedTask;
        }

        /// <summary>Reads events until one matches; false if none did within <paramref name="timeout"/>.</summary>
        public async Task<bool> WaitForAsync(Func<ChangeEvent, bool> match, TimeSpan timeout)
        {
            using var cts = new CancellationTokenSource(timeout);
            try
            {
                while (true)
                {
                    if (match(await _events.Reader.ReadAsync(cts.Token))) return true;
                }
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }

        /// <summary>Reads until every one of <paramref name="tables"/> has arrived among the matching events.</summary>
        public async Task<List<ChangeEvent>> UntilAsync(Func<ChangeEvent, bool> match, string[] tables)
        {
            var seen = new List<ChangeEvent>();
            using var cts = new CancellationTokenSource(Deadline);
            try
            {
                while (!tables.All(t => seen.Any(e => e.Table == t)))
                {
                    var e = await _events.Reader.ReadAsync(cts.Token);
                    if (match(e)) seen.Add(e);
                }
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"expected events for [{string.Join(", ", tables)}] within {Deadline}; got [{string.Join(", ", seen)}]");
            }
            return seen;
        }

        /// <summary>
        /// Sends a probe notification for the project and returns the events that arrived before it. Notifications
        /// reach the listener in commit order, so everything committed before the probe is among them.
        /// </summary>
        public async Task<List<ChangeEvent>> UntilProbeAsync(DatabaseFixture db, string projectId)
        {
            await db.Services.GetRequiredService<ChangePublisher>().FlushAsync();
            var probe = await SendProbeAsync(db, projectId);
            var before = new List<ChangeEvent>();
            using var cts = new CancellationTokenSource(Deadline);
            try
            {
                while (true)
                {
                    var e = await _events.Reader.ReadAsync(cts.Token);
                    if (e.Table == probe) return before;
                    if (!e.Table.StartsWith(ProbePrefix, StringComparison.Ordinal)) before.Add(e);
                }
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"the probe did not come through within {Deadline}; got [{string.Join(", ", before)}]");
                throw;
            }
        }
    }
}
