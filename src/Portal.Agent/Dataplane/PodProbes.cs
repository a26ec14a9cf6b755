using System.ComponentModel;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Portal.Contracts;

namespace Portal.Agent.Dataplane;

/// <summary>
/// The probes of a network check: a TCP connection from inside each pod to each target's <see cref="PodListener"/>,
/// whose answer is the source address the target saw.
/// </summary>
internal sealed class PodProbes(int port)
{
    private const int ProbeConcurrency = 16;
    private const int ProbeAttempts = 3;
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan ProbeRetryDelay = TimeSpan.FromMilliseconds(300);

    public async Task<IReadOnlyList<ProbeResult>> ProbeAsync(IReadOnlyList<PodRecord> pods, NetworkCheck check, CancellationToken ct)
    {
        using var slots = new SemaphoreSlim(ProbeConcurrency);
        var probes = new List<Task<ProbeResult>>(pods.Count * check.Targets.Count);
        foreach (var pod in pods)
        {
            foreach (var target in check.Targets)
            {
                if (target.Ip != pod.Ip) probes.Add(ProbeAsync(pod, target, slots, ct));
            }
        }
        return await Task.WhenAll(probes);
    }

    private async Task<ProbeResult> ProbeAsync(PodRecord pod, PodAddress target, SemaphoreSlim slots, CancellationToken ct)
    {
        var result = new ProbeResult
        {
            SourcePod = pod.Name, SourceIp = pod.Ip, TargetNode = target.NodeName, TargetPod = target.PodName, TargetIp = target.Ip,
        };
        if (!IPAddress.TryParse(target.Ip, out var ip) || ip.AddressFamily != AddressFamily.InterNetwork)
        {
            result.Error = $"bad address «{target.Ip}»";
            return result;
        }
        if (pod.Netns is null)
        {
            result.Error = "the pod has no network namespace";
            return result;
        }

        await slots.WaitAsync(ct);
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                var (seen, error, retry) = await ConnectAsync(pod.Netns, new IPEndPoint(ip, port), ct);
                if (seen is not null)
                {
                    result.Reachable = true;
                    result.SeenSourceIp = seen;
                    return result;
                }
                result.Error = error;
                if (!retry || attempt == ProbeAttempts) return result;
                await Task.Delay(ProbeRetryDelay, ct);
            }
        }
        finally
        {
            slots.Release();
        }
    }

    /// <summary>
    /// One connection from inside the source pod. A refusal or an ICMP error is retried (the target's listener may
    /// be starting); a timeout is not, as packets that vanish for two seconds will vanish again.
    /// </summary>
    private static async Task<(string? Seen, string Error, bool Retry)> ConnectAsync(string podNetns, IPEndPoint target, CancellationToken ct)
    {
        Socket socket;
        try
        {
            socket = NetnsSocket.Create(podNetns, AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        }
        catch (Exception e) when (e is SocketException or InvalidOperationException or Win32Exception)
        {
            return (null, e.Message, false);
        }
        using (socket)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(ProbeTimeout);
            try
            {
                await socket.ConnectAsync(target, timeout.Token);
                var buffer = new byte[PodListener.MaxLine];
                var length = 0;
                while (length < buffer.Length)
                {
                    var read = await socket.ReceiveAsync(buffer.AsMemory(length), timeout.Token);
                    if (read == 0) break;
                    length += read;
                    if (buffer[length - 1] == '\n') break;
                }
                var seen = Encoding.ASCII.GetString(buffer, 0, length).Trim();
                return seen.Length > 0 ? (seen, "", false) : (null, "the listener answered nothing", true);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                return (null, "timed out", false);
            }
            catch (SocketException e)
            {
                return (null, e.Message, true);
            }
        }
    }
}
