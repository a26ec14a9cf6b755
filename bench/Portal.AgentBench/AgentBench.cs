using System.Diagnostics;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Portal.Agent;
using Portal.Backend;
using Portal.Backend.Agents;
using Portal.Contracts;
using Portal.Data;
using Portal.Data.Services;
using AgentApi = Portal.Contracts.NodeAgent;

namespace Portal.AgentBench;

/// <summary>The three measurements of bench/run agents (see Program.cs), with everything they start torn down on dispose.</summary>
internal sealed class AgentBench(string adminConnectionString, CancellationToken ct) : IAsyncDisposable
{
    private const string Database = "portal_agent_bench";
    private const string ProjectId = "a9e17b3c5d0f4e2a8b6c1d7e3f5a9b0c";
    private const string PodCidr = "10.96.0.0/12";

    private const int Agents = 200;
    private const int WarmUps = 2;
    private const int Samples = 40;
    private const int Spares = WarmUps + Samples;
    private const int RssPeers = 100;

    private static readonly TimeSpan JoinBound = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan SampleBound = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan LateAfter = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan BetweenSamples = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan PublishBound = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan ApplyBound = TimeSpan.FromSeconds(60);
    // Two heartbeats (10 s each) after the snapshot was applied, and a little more so the second one has landed.
    private static readonly TimeSpan RssHold = TimeSpan.FromSeconds(21);

    private string _root = "";
    private readonly DirectoryInfo _temp = Directory.CreateTempSubdirectory("portal-agentbench-");
    private readonly List<AgentProcess> _processes = [];
    private readonly List<string> _summary = [];
    private ServiceProvider? _provider;
    private IHostedService[] _hosted = [];
    private NpgsqlDataSource? _db;
    private GrpcChannel? _channel;
    private Uri _server = null!;
    private AgentApi.NodeAgentClient _client = null!;

    private string AgentDll => Path.Combine(_root, "src", "Portal.Agent", "bin", "Release", "net10.0", "Portal.Agent.dll");

    public async Task RunAsync()
    {
        _root = RepositoryRoot();
        if (!File.Exists(AgentDll))
            throw new BenchFailure($"{AgentDll} is missing: build it first (dotnet build bench/Portal.AgentBench -c Release builds it too).");
        await SetUpAsync();
        Console.WriteLine($"Backend in this process (change feed, agent gRPC server on {_server}, no workers); PostgreSQL database {Database}.");
        Console.WriteLine($"Machine: {Machine()}; the agents, this backend and PostgreSQL all share it.");
        Console.WriteLine();

        await ConvergenceAsync();
        await AgentResidentMemoryAsync();

        Console.WriteLine();
        Console.WriteLine($"== Agent benchmark ({Machine()}; agents, backend and PostgreSQL on the same machine) ==");
        foreach (var line in _summary) Console.WriteLine(line);
    }

    private async Task SetUpAsync()
    {
        await using (var connection = new NpgsqlConnection(adminConnectionString))
        {
            await connection.OpenAsync(ct);
            await new NpgsqlCommand($"DROP DATABASE IF EXISTS {Database} WITH (FORCE)", connection).ExecuteNonQueryAsync(ct);
            await new NpgsqlCommand($"CREATE DATABASE {Database}", connection).ExecuteNonQueryAsync(ct);
        }
        var connectionString = new NpgsqlConnectionStringBuilder(adminConnectionString) { Database = Database }.ConnectionString;
        var services = new ServiceCollection()
            .AddLogging(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning)
                // Migrating a fresh database logs the missing history table as a failed command.
                .AddFilter("Microsoft.EntityFrameworkCore.Database.Command", LogLevel.None))
            .AddPortalData(connectionString)
            .AddPortalBackend(runWorkers: false, serveAgents: true);
        // Agents started here join with the token; the default heartbeat (10 s) and NotReady deadline (40 s).
        services.Configure<AgentOptions>(o =>
        {
            o.Provisioner = "external";
            o.Port = 0;
        });
        _provider = services.BuildServiceProvider();
        await _provider.MigratePortalDatabaseAsync(ct);
        // ChangeFeedListener, ChangePublisher and AgentServer (no workers, so no liveness sweep either).
        _hosted = [.. _provider.GetServices<IHostedService>()];
        foreach (var service in _hosted) await service.StartAsync(ct);
        _server = _provider.GetRequiredService<AgentServer>().Address ?? throw new BenchFailure("The agent server did not say where it listens.");
        await _provider.GetRequiredService<ProjectService>().EnsureAsync(Actor.System, ProjectId, "agent-bench", ct);
        // The bench's own queries (setup, polling) on a pool of their own, apart from the backend's.
        _db = NpgsqlDataSource.Create(connectionString);
        _channel = AgentHost.NewChannel(_server);
        _client = new AgentApi.NodeAgentClient(_channel);
    }

    // ---- 1 and 2: convergence with 200 agents, and the backend's memory per agent ----

    private async Task ConvergenceAsync()
    {
        var cluster = await NewClusterAsync("agents", Agents + Spares);
        var running = Enumerable.Range(1, Agents).Select(cluster.Node).ToList();
        Console.WriteLine($"Cluster «agents»: {Agents} nodes for the agents and {Spares} spare nodes ({WarmUps} warm-ups, {Samples} samples), pod CIDR {PodCidr}.");

        var before = BackendMemory();
        var arguments = new List<string>
        {
            AgentDll, "--server", _server.ToString(), "--join-token", cluster.JoinToken, "--dataplane", "simulated",
            "--state-dir", Path.Combine(_temp.FullName, "agents"), "--parent-pid", Environment.ProcessId.ToString(),
        };
        foreach (var node in running) arguments.AddRange(["--node", node]);
        var agents = Start($"Portal.Agent ({Agents} simulated nodes)", DotnetHost(), arguments);
        Console.WriteLine($"Started one Portal.Agent process (pid {agents.Id}, framework-dependent Release build) with {Agents} --node arguments.");

        var clock = Stopwatch.StartNew();
        TimeSpan? allJoined = null;
        long generation;
        while (true)
        {
            var (joined, atGeneration, current) = await JoinStateAsync(cluster.Id);
            generation = current;
            if (joined == Agents && allJoined is null) allJoined = clock.Elapsed;
            if (joined == Agents && atGeneration == Agents) break;
            if (clock.Elapsed > JoinBound)
                throw new BenchFailure($"after {JoinBound.TotalSeconds:F0} s only {joined}/{Agents} agents joined and {atGeneration} applied generation {current}; agent's last lines:\n{agents.Tail()}");
            agents.ThrowIfExited();
            await Task.Delay(100, ct);
        }
        var converged = clock.Elapsed;
        var startGeneration = generation;
        Console.WriteLine($"All {Agents} joined after {allJoined!.Value.TotalSeconds:F1} s; all reported generation {generation} after {converged.TotalSeconds:F1} s.");

        // Steady: every agent watching and past its first reports.
        await Task.Delay(TimeSpan.FromSeconds(3), ct);
        var watches = _provider!.GetRequiredService<AgentHub>().WatchCount;
        var after = BackendMemory();
        agents.ThrowIfExited();
        var heapPerAgent = (after.Heap - before.Heap) / 1024.0 / Agents;
        var workingSetPerAgent = (after.WorkingSet - before.WorkingSet) / 1024.0 / Agents;
        Console.WriteLine($"Backend memory: managed heap {Mb(before.Heap)} → {Mb(after.Heap)}, working set {Mb(before.WorkingSet)} → {Mb(after.WorkingSet)}; AgentHub.WatchCount {watches}.");

        Console.WriteLine($"Joining {Spares} spare nodes one at a time ({WarmUps} warm-ups not counted), each timed until all {Agents} agents report the new generation:");
        var restartsBeforeSamples = agents.Retries().Count;
        var samples = new List<double>(Samples);
        var registrations = new List<double>(Samples);
        var lateNotes = new List<string>();
        var staleSamples = new HashSet<int>();
        await using var poll = await ConvergencePollAsync(cluster.Id);
        for (var i = 0; i < Spares; i++)
        {
            var spare = cluster.Node(Agents + 1 + i);
            var restartsBefore = agents.Retries().Count;
            var joinedAt = DateTimeOffset.UtcNow;
            var t0 = Stopwatch.GetTimestamp();
            await _client.RegisterAsync(new RegisterRequest { JoinToken = cluster.JoinToken, NodeName = spare, AgentVersion = "agent-bench" },
                deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: ct);
            var registered = Stopwatch.GetElapsedTime(t0);
            var target = await GenerationAsync(cluster.Id);
            if (target <= generation) throw new BenchFailure($"registering {spare} did not bump the generation ({generation} → {target}).");
            generation = target;
            (string Text, bool Stale)? late = null;
            while (await poll.CountAsync(target) < Agents)
            {
                if (late is null && Stopwatch.GetElapsedTime(t0) > LateAfter) late = await BehindAsync(cluster.Id, target, agents, t0, joinedAt);
                if (Stopwatch.GetElapsedTime(t0) > SampleBound)
                    throw new BenchFailure($"{spare}'s join (generation {target}) did not reach all {Agents} agents within {SampleBound.TotalSeconds:F0} s: {await poll.CountAsync(target)} did.");
                agents.ThrowIfExited();
                await Task.Delay(PollEvery, ct);
            }
            var elapsed = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            if (i >= WarmUps)
            {
                samples.Add(elapsed);
                registrations.Add(registered.TotalMilliseconds);
            }
            Console.Write($"{(i < WarmUps ? "  (warm-up " : "  ")}{elapsed,5:F0} ms{(i < WarmUps ? ")" : "")}{((i + 1) % 10 == 0 || i == Spares - 1 ? "\n" : "")}");
            var restarted = agents.Retries().Count - restartsBefore;
            if (late is { } l)
            {
                l = (l.Text + (restarted > 0 ? $"; {restarted} agent sessions restarted meanwhile" : ""), l.Stale && restarted == 0);
                lateNotes.Add($"   {spare} (generation {target}, {elapsed:F0} ms{(l.Stale ? ", stale report" : "")}): behind after {LateAfter.TotalSeconds:F0} s: {l.Text}");
                if (i >= WarmUps && l.Stale) staleSamples.Add(samples.Count - 1);
            }
            await Task.Delay(BetweenSamples, ct);
        }
        var (retries, firstRetries) = agents.Retries();
        var restartsInSamples = retries - restartsBeforeSamples;
        await StopAsync(agents);
        foreach (var note in lateNotes) Console.WriteLine(note);
        Console.WriteLine($"Agent sessions restarted during the run (a call failed or the watch was lost, «retrying in»): {retries}, of which {restartsInSamples} during the samples");
        foreach (var line in firstRetries) Console.WriteLine($"   {line}");

        var sorted = samples.Order().ToArray();
        var register = registrations.Order().ToArray();
        _summary.Add($"1. Convergence, {Agents} simulated agents (one Portal.Agent process, {Agents} HTTP/2 connections) against one in-process backend:");
        _summary.Add($"   all {Agents} joined in {allJoined.Value.TotalSeconds:F1} s and all reported generation {startGeneration} in {converged.TotalSeconds:F1} s;");
        _summary.Add($"   a node joins → all {Agents} report the new generation (n={sorted.Length}, polled every {PollEvery.TotalMilliseconds:F0} ms): " +
                     $"p50 {Rank(sorted, 0.50):F0} ms, p95 {Rank(sorted, 0.95):F0} ms, p99 {Rank(sorted, 0.99):F0} ms, max {sorted[^1]:F0} ms " +
                     $"(target p99 ≤ 1000 ms: {(Rank(sorted, 0.99) <= 1000 ? "met" : "NOT met")}; nearest rank, so with {sorted.Length} samples p99 is the maximum)");
        _summary.Add($"   of which the Register call (the join's transaction): p50 {Rank(register, 0.50):F1} ms, max {register[^1]:F1} ms");
        var others = samples.Where((_, k) => !staleSamples.Contains(k)).Order().ToArray();
        _summary.Add($"   samples over {LateAfter.TotalSeconds:F0} s: {samples.Count(s => s > LateAfter.TotalMilliseconds)}, of which {staleSamples.Count} with a stale report " +
                     "(the lagging agents had applied the generation and reported since, yet their rows showed the one before until their next heartbeat)" +
                     (staleSamples.Count > 0 && others.Length > 0 ? $"; without those {staleSamples.Count}: p50 {Rank(others, 0.50):F0} ms, p95 {Rank(others, 0.95):F0} ms, max {others[^1]:F0} ms (n={others.Length})" : ""));
        _summary.Add($"   agent sessions restarted («retrying in» in the agents' log): {retries - restartsInSamples} while the {Agents} joined, {restartsInSamples} during the samples");
        _summary.Add($"2. Backend memory per connected agent ({watches} watches open, AgentHub.WatchCount): managed heap {heapPerAgent:F1} KB/agent " +
                     $"({Mb(before.Heap)} → {Mb(after.Heap)}), working set {workingSetPerAgent:F1} KB/agent ({Mb(before.WorkingSet)} → {Mb(after.WorkingSet)})");
        Console.WriteLine();
    }

    private async Task<(int Joined, int AtGeneration, long Generation)> JoinStateAsync(Guid clusterId)
    {
        await using var cmd = _db!.CreateCommand("""
            SELECT count(*) FILTER (WHERE n.joined_at IS NOT NULL)::int, count(*) FILTER (WHERE n.observed_generation = g.generation)::int, max(g.generation)
              FROM cluster_nodes n JOIN cluster_generations g ON g.cluster_id = n.cluster_id
             WHERE n.cluster_id = $1 AND n.ordinal <= $2
            """);
        cmd.Parameters.Add(new NpgsqlParameter { Value = clusterId });
        cmd.Parameters.Add(new NpgsqlParameter { Value = Agents });
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return (reader.GetInt32(0), reader.GetInt32(1), reader.GetInt64(2));
    }

    /// <summary>
    /// The agents that have not reported <paramref name="generation"/> yet, a second after the join: what the database
    /// shows for them, when they last reported and when their log says they applied it (all relative to the join; the
    /// log's time is when the line reached the bench, a little late). Stale: every one of them applied the generation
    /// (and so reported it at once: a failed report would have restarted its session) and has reported since the join,
    /// yet its row shows an older one — a report with the previous generation, sent concurrently, landed last.
    /// </summary>
    private async Task<(string Text, bool Stale)> BehindAsync(Guid clusterId, long generation, AgentProcess agents, long t0, DateTimeOffset joinedAt)
    {
        await using var cmd = _db!.CreateCommand("""
            SELECT name, observed_generation, last_heartbeat FROM cluster_nodes
             WHERE cluster_id = $1 AND ordinal <= $2 AND observed_generation < $3 ORDER BY ordinal
            """);
        cmd.Parameters.Add(new NpgsqlParameter { Value = clusterId });
        cmd.Parameters.Add(new NpgsqlParameter { Value = Agents });
        cmd.Parameters.Add(new NpgsqlParameter { Value = generation });
        var behind = new List<string>();
        var stale = true;
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                var (name, observed) = (reader.GetString(0), reader.GetInt64(1));
                var reported = reader.IsDBNull(2) ? (double?)null : (reader.GetFieldValue<DateTimeOffset>(2) - joinedAt).TotalMilliseconds;
                var applied = agents.Applied(name, generation) is { } at ? Stopwatch.GetElapsedTime(t0, at).TotalMilliseconds : (double?)null;
                stale &= applied is not null && reported > 0;
                behind.Add($"{name} shows {observed}, last report at {(reported is { } r ? $"{r:+0;-0} ms" : "never")}, " +
                           $"applied {generation} at {(applied is { } a ? $"{a:+0} ms" : "not yet")}");
            }
        }
        var text = behind.Count > 4 ? $"{behind.Count} agents, e.g. {string.Join("; ", behind.Take(4))}" : string.Join("; ", behind);
        return (text, stale && behind.Count > 0);
    }

    /// <summary>One open connection and one prepared count query, so that each poll is a single round trip.</summary>
    private async Task<ConvergencePoll> ConvergencePollAsync(Guid clusterId)
    {
        var connection = await _db!.OpenConnectionAsync(ct);
        var cmd = new NpgsqlCommand(
            "SELECT count(*)::int FROM cluster_nodes WHERE cluster_id = $1 AND ordinal <= $2 AND observed_generation >= $3", connection);
        cmd.Parameters.Add(new NpgsqlParameter { Value = clusterId });
        cmd.Parameters.Add(new NpgsqlParameter { Value = Agents });
        cmd.Parameters.Add(new NpgsqlParameter { Value = 0L });
        await cmd.PrepareAsync(ct);
        return new ConvergencePoll(connection, cmd, ct);
    }

    /// <summary>How many of the agents' nodes have reported at least a generation.</summary>
    private sealed class ConvergencePoll(NpgsqlConnection connection, NpgsqlCommand cmd, CancellationToken ct) : IAsyncDisposable
    {
        public async Task<int> CountAsync(long generation)
        {
            cmd.Parameters[2].Value = generation;
            return (int)(await cmd.ExecuteScalarAsync(ct))!;
        }

        public async ValueTask DisposeAsync()
        {
            await cmd.DisposeAsync();
            await connection.DisposeAsync();
        }
    }

    private static (long Heap, long WorkingSet) BackendMemory()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var heap = GC.GetTotalMemory(forceFullCollection: true);
        using var self = Process.GetCurrentProcess();
        self.Refresh();
        return (heap, self.WorkingSet64);
    }

    // ---- 3: one agent's resident memory with 100 peers ----

    private async Task AgentResidentMemoryAsync()
    {
        var publishDir = Path.Combine(_temp.FullName, "publish");
        Console.WriteLine($"Publishing Portal.Agent (dotnet publish src/Portal.Agent -c Release -r linux-x64 -o {publishDir})...");
        var publishing = Stopwatch.StartNew();
        await RunToEndAsync(DotnetHost(), ["publish", Path.Combine(_root, "src", "Portal.Agent"), "-c", "Release", "-r", "linux-x64", "-o", publishDir, "-nologo"], PublishBound);
        var executable = Path.Combine(publishDir, "Portal.Agent");
        if (!File.Exists(executable)) throw new BenchFailure($"dotnet publish made no {executable}.");
        var size = new FileInfo(executable).Length;
        var others = Directory.GetFiles(publishDir).Select(Path.GetFileName).Where(f => f != "Portal.Agent").ToList();
        Console.WriteLine($"Published in {publishing.Elapsed.TotalSeconds:F0} s: Portal.Agent {Mb(size)}" +
                          (others.Count > 0 ? $", beside it: {string.Join(", ", others)}" : ", nothing beside it"));

        var cluster = await NewClusterAsync("rss", RssPeers + 1);
        for (var i = 1; i <= RssPeers; i++)
        {
            await _client.RegisterAsync(new RegisterRequest { JoinToken = cluster.JoinToken, NodeName = cluster.Node(i), AgentVersion = "agent-bench" },
                deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: ct);
        }
        var node = cluster.Node(RssPeers + 1);
        Console.WriteLine($"Cluster «rss»: {RssPeers} peers registered (joined, no agent), generation {await GenerationAsync(cluster.Id)}; measuring the agent of {node}.");

        var published = await MeasureResidentAsync("published single file", executable, [], cluster, node);
        var frameworkDependent = await MeasureResidentAsync("framework-dependent (dotnet Portal.Agent.dll)", DotnetHost(), [AgentDll], cluster, node);

        _summary.Add($"3. Agent resident memory, one node with {RssPeers} joined peers (simulated dataplane), after ~{RssHold.TotalSeconds:F0} s (two heartbeats):");
        _summary.Add($"   published self-contained single file ({Mb(size)} file): {published} (target ≤ 40 MB: {(published.Rss <= 40L * 1024 * 1024 ? "met" : "NOT met")})");
        _summary.Add($"   framework-dependent Release build:               {frameworkDependent}");
    }

    /// <summary>Until the agent applied the current generation (its own first join bumps it once) with every peer's route, then two heartbeats.</summary>
    private async Task<Resident> MeasureResidentAsync(string label, string fileName, string[] prefix, BenchCluster cluster, string node)
    {
        // A fresh start has to apply and report again: forget what the previous run reported.
        await ExecuteAsync("UPDATE cluster_nodes SET observed_generation = 0, route_count = 0 WHERE cluster_id = $1 AND name = $2", cluster.Id, node);
        var arguments = new List<string>(prefix)
        {
            "--server", _server.ToString(), "--join-token", cluster.JoinToken, "--node", node, "--dataplane", "simulated",
            // One state directory for the node's runs: the next run takes the node back with the stored credential.
            "--state-dir", Path.Combine(_temp.FullName, "rss-" + node), "--parent-pid", Environment.ProcessId.ToString(),
        };
        var agent = Start($"Portal.Agent, {label}", fileName, arguments);
        var clock = Stopwatch.StartNew();
        DateTimeOffset? heartbeat;
        while (true)
        {
            (var observed, var routes, heartbeat, var generation) = await NodeStateAsync(cluster.Id, node);
            if (observed == generation && routes == RssPeers) break;
            if (clock.Elapsed > ApplyBound)
                throw new BenchFailure($"{label}: {node} did not apply generation {generation} with {RssPeers} routes within {ApplyBound.TotalSeconds:F0} s " +
                                       $"(observed {observed}, {routes} routes); its last lines:\n{agent.Tail()}");
            agent.ThrowIfExited();
            await Task.Delay(50, ct);
        }
        var applied = clock.Elapsed;
        var heartbeats = 0;
        var hold = Stopwatch.StartNew();
        while (hold.Elapsed < RssHold)
        {
            await Task.Delay(500, ct);
            agent.ThrowIfExited();
            var (_, _, last, _) = await NodeStateAsync(cluster.Id, node);
            if (last != heartbeat) heartbeats++;
            heartbeat = last;
        }
        var (rss, hwm) = agent.Resident();
        await StopAsync(agent);
        var result = new Resident(rss, hwm, applied, heartbeats);
        Console.WriteLine($"  {label}: applied {RssPeers} routes {applied.TotalSeconds:F1} s after start; {result}");
        return result;
    }

    private sealed record Resident(long Rss, long Hwm, TimeSpan Applied, int Heartbeats)
    {
        public override string ToString() => $"VmRSS {Mb(Rss)}, VmHWM {Mb(Hwm)} ({Heartbeats} heartbeats seen while holding)";
    }

    private async Task<(long Observed, int Routes, DateTimeOffset? Heartbeat, long Generation)> NodeStateAsync(Guid clusterId, string node)
    {
        await using var cmd = _db!.CreateCommand("""
            SELECT n.observed_generation, n.route_count, n.last_heartbeat, g.generation
              FROM cluster_nodes n JOIN cluster_generations g ON g.cluster_id = n.cluster_id
             WHERE n.cluster_id = $1 AND n.name = $2
            """);
        cmd.Parameters.Add(new NpgsqlParameter { Value = clusterId });
        cmd.Parameters.Add(new NpgsqlParameter { Value = node });
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) throw new BenchFailure($"node {node} is gone.");
        return (reader.GetInt64(0), reader.GetInt32(1), reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2), reader.GetInt64(3));
    }

    // ---- shared ----

    private sealed record BenchCluster(Guid Id, string Name, string JoinToken)
    {
        public string Node(int ordinal) => $"{Name}-node-{ordinal}";
    }

    /// <summary>
    /// A cluster made by the service layer (so it has its generation row and join token), then — the workflow does not
    /// run here — set Running and given <paramref name="nodes"/> workers directly: ordinals 1…n, node IPs from
    /// 172.16.0.0/16, pod CIDRs the /24s of 10.96.0.0/12 in order (disjoint, inside the cluster's pod CIDR, as the
    /// exclusion constraint and the trigger of migration Clusters want). The workers column stays as created (its
    /// CHECK allows at most 100).
    /// </summary>
    private async Task<BenchCluster> NewClusterAsync(string name, int nodes)
    {
        var created = await _provider!.GetRequiredService<ClusterService>().CreateAsync(Actor.System, ProjectId,
            new ClusterCreate { Name = name, Masters = 1, Workers = 1, PodCidr = PodCidr }, ct);
        await using var connection = await _db!.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await using (var cmd = new NpgsqlCommand("UPDATE clusters SET phase = 'Running', phase_since = now(), updated_at = now() WHERE id = $1", connection, tx))
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = created.Id });
            await cmd.ExecuteNonQueryAsync(ct);
        }
        await using (var cmd = new NpgsqlCommand("""
            INSERT INTO cluster_nodes (cluster_id, name, role, ordinal, ip_address, pod_cidr, ready, observed_generation, created_at)
            SELECT $1, $2 || '-node-' || i, 'worker', i, '172.16.0.0'::inet + (i + 9), set_masklen('10.96.0.0'::inet + i * 256, 24)::cidr,
                   false, 0, now() + i * interval '1 microsecond'
              FROM generate_series(1, $3) i
            """, connection, tx))
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = created.Id });
            cmd.Parameters.Add(new NpgsqlParameter { Value = name });
            cmd.Parameters.Add(new NpgsqlParameter { Value = nodes });
            await cmd.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
        return new BenchCluster(created.Id, name, created.JoinToken);
    }

    private async Task<long> GenerationAsync(Guid clusterId)
    {
        await using var cmd = _db!.CreateCommand("SELECT generation FROM cluster_generations WHERE cluster_id = $1");
        cmd.Parameters.Add(new NpgsqlParameter { Value = clusterId });
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    private async Task ExecuteAsync(string sql, params object[] values)
    {
        await using var cmd = _db!.CreateCommand(sql);
        foreach (var value in values) cmd.Parameters.Add(new NpgsqlParameter { Value = value });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private AgentProcess Start(string label, string fileName, IEnumerable<string> arguments)
    {
        var process = AgentProcess.Start(label, fileName, arguments);
        _processes.Add(process);
        return process;
    }

    private async Task StopAsync(AgentProcess process)
    {
        _processes.Remove(process);
        await process.DisposeAsync();
    }

    /// <summary>Runs a command to its end within <paramref name="bound"/>; fails with its output when it fails.</summary>
    private async Task RunToEndAsync(string fileName, string[] arguments, TimeSpan bound)
    {
        var info = new ProcessStartInfo(fileName) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _root };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        using var process = Process.Start(info) ?? throw new BenchFailure($"{fileName} did not start.");
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var errors = process.StandardError.ReadToEndAsync(ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(bound);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            ct.ThrowIfCancellationRequested();
            throw new BenchFailure($"{fileName} {string.Join(' ', arguments)} did not finish within {bound.TotalMinutes:F0} min.");
        }
        if (process.ExitCode != 0)
            throw new BenchFailure($"{fileName} {string.Join(' ', arguments)} failed ({process.ExitCode}):\n{await output}\n{await errors}");
    }

    private static double Rank(double[] sorted, double quantile) =>
        sorted[Math.Clamp((int)Math.Ceiling(quantile * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static string Mb(long bytes) => $"{bytes / 1024.0 / 1024.0:F1} MB";

    private static string Machine()
    {
        var load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";
        return $"{Environment.ProcessorCount} cores, load average {load}";
    }

    /// <summary>The dotnet host this bench runs under (so the agent gets the same runtime), else dotnet on the PATH.</summary>
    private static string DotnetHost() =>
        Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Portal.sln"))) return dir.FullName;
        }
        throw new BenchFailure($"Portal.sln not found above {AppContext.BaseDirectory}.");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes.ToList()) await StopAsync(process);
        foreach (var service in _hosted.Reverse())
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await service.StopAsync(timeout.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or InvalidOperationException)
            {
                Console.Error.WriteLine($"Stopping {service.GetType().Name}: {e.Message}");
            }
        }
        _channel?.Dispose();
        if (_db is not null) await _db.DisposeAsync();
        if (_provider is not null) await _provider.DisposeAsync();
        try
        {
            _temp.Delete(recursive: true);
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"Could not delete {_temp.FullName}: {e.Message}");
        }
    }
}
