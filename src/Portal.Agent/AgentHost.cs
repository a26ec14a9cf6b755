using System.Reflection;
using Grpc.Net.Client;
using Portal.Agent.Dataplane;

namespace Portal.Agent;

/// <summary>Runs the agents of one process (one per <c>--node</c>), each with its own connection and identity, until stopped.</summary>
public static class AgentHost
{
    public static string Version { get; } =
        typeof(AgentHost).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0";

    public static async Task RunAsync(AgentSettings settings, TextWriter log, CancellationToken ct)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var agents = settings.Nodes.Select(node =>
        {
            var store = new PodStore(settings.StateDirectory, node);
            IDataplane dataplane = settings.Dataplane == "linux" ? new LinuxDataplane(store, settings.Netns) : new SimulatedDataplane(store);
            return new NodeAgent(settings, node, dataplane, store, NewChannel(settings.Server), log);
        }).ToList();
        var watchParent = settings.ParentPid is { } pid ? WatchParentAsync(pid, log, stop) : Task.CompletedTask;
        try
        {
            await Task.WhenAll(agents.Select(a => a.RunAsync(stop.Token)));
        }
        finally
        {
            await stop.CancelAsync();
            await watchParent;
            foreach (var agent in agents) await agent.DisposeAsync();
        }
    }

    /// <summary>One HTTP/2 connection per node (h2c for http:// URLs), kept alive with pings so a dead backend is noticed.</summary>
    public static GrpcChannel NewChannel(Uri server) => GrpcChannel.ForAddress(server, new GrpcChannelOptions
    {
        HttpHandler = new SocketsHttpHandler
        {
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            KeepAlivePingDelay = TimeSpan.FromSeconds(15),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
            ConnectTimeout = TimeSpan.FromSeconds(5),
            EnableMultipleHttp2Connections = false,
        },
    });

    private static async Task WatchParentAsync(int pid, TextWriter log, CancellationTokenSource stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                if (!Directory.Exists($"/proc/{pid}"))
                {
                    log.WriteLine($"Portal.Agent: the process that started the agent ({pid}) is gone; stopping.");
                    await stop.CancelAsync();
                    return;
                }
                await Task.Delay(TimeSpan.FromSeconds(1), stop.Token);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
