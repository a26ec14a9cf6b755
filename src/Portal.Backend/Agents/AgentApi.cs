using Grpc.Core;
using Microsoft.Extensions.Options;
using Portal.Contracts;
using Portal.Data.Entities;
using Portal.Data.Services;

namespace Portal.Backend.Agents;

/// <summary>
/// The agent protocol's gRPC service (agent.proto), a thin layer over <see cref="NodeAgentService"/> and the
/// <see cref="AgentHub"/>. Every call but Register needs a node credential ("authorization: Bearer …") and only
/// ever touches that node.
/// </summary>
public sealed class AgentApi(NodeAgentService agents, AgentHub hub, IOptions<AgentOptions> options) : NodeAgent.NodeAgentBase
{
    private int HeartbeatSeconds => Math.Max(1, (int)options.Value.HeartbeatInterval.TotalSeconds);

    public override async Task<RegisterReply> Register(RegisterRequest request, ServerCallContext context)
    {
        try
        {
            var registration = await agents.RegisterAsync(request.JoinToken, request.NodeName, request.AgentVersion, request.Credential,
                context.CancellationToken);
            return new RegisterReply
            {
                NodeId = registration.NodeId.ToString(), ClusterId = registration.ClusterId.ToString(),
                Credential = registration.Credential, HeartbeatSeconds = HeartbeatSeconds,
            };
        }
        catch (AgentRejectedException e)
        {
            throw new RpcException(new Status(e.Reason switch
            {
                AgentRejection.UnknownToken => StatusCode.PermissionDenied,
                AgentRejection.NodeInUse => StatusCode.FailedPrecondition,
                _ => StatusCode.NotFound,
            }, e.Message));
        }
        catch (AgentRequestException e)
        {
            throw Refused(e);
        }
    }

    public override async Task Watch(WatchRequest request, IServerStreamWriter<Snapshot> responseStream, ServerCallContext context)
    {
        var node = await AuthenticateAsync(context);
        using var watcher = await hub.WatchAsync(node, request.AfterGeneration, context.CancellationToken);
        try
        {
            await foreach (var snapshot in watcher.SnapshotsAsync(context.CancellationToken))
            {
                await responseStream.WriteAsync(snapshot, context.CancellationToken);
            }
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            return;
        }
        if (hub.Stopping) throw new RpcException(new Status(StatusCode.Unavailable, "The backend is stopping; reconnect."));
        // The node left the cluster (removed, or the cluster deleted): the agent's next registration says so.
        throw new RpcException(new Status(StatusCode.NotFound, $"Node «{node.Name}» is no longer part of its cluster."));
    }

    public override async Task<ReportReply> Report(ReportRequest request, ServerCallContext context)
    {
        var credential = Credential(context);
        var report = new AgentReport(
            request.ObservedGeneration, request.RouteCount, [.. request.Errors],
            [.. request.Pods.Select(p => new NodePod(p.PodName, p.Ip))],
            request.CheckId,
            [.. request.Probes.Select(p => new PodProbe(p.SourcePod, p.SourceIp, p.TargetNode, p.TargetPod, p.TargetIp, p.Reachable, p.SeenSourceIp, p.Error))],
            request.AgentVersion);
        ReportOutcome outcome;
        try
        {
            outcome = await agents.ReportAsync(credential, report, context.CancellationToken) ?? throw Unauthenticated();
        }
        catch (AgentRequestException e)
        {
            throw Refused(e);
        }
        return new ReportReply { HeartbeatSeconds = HeartbeatSeconds, Resync = outcome.Resync };
    }

    private async Task<NodeIdentity> AuthenticateAsync(ServerCallContext context) =>
        await agents.AuthenticateAsync(Credential(context), context.CancellationToken) ?? throw Unauthenticated();

    private static string Credential(ServerCallContext context)
    {
        var header = context.RequestHeaders.GetValue("authorization");
        return header is not null && header.StartsWith("Bearer ", StringComparison.Ordinal) && header.Length > 7
            ? header[7..]
            : throw Unauthenticated();
    }

    private static RpcException Refused(AgentRequestException e) =>
        new(new Status(e.TooLarge ? StatusCode.ResourceExhausted : StatusCode.InvalidArgument, e.Message));

    private static RpcException Unauthenticated() =>
        new(new Status(StatusCode.Unauthenticated, "The node credential is missing or no longer valid: register again with the join token."));
}
