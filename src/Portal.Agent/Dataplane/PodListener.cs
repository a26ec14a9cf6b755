using System.Net;
using System.Net.Sockets;

namespace Portal.Agent.Dataplane;

/// <summary>
/// A pod's probe listener: a TCP socket created inside the pod's namespace that tells every caller the address it
/// came from, then closes. That address shows whether anything translated the caller's on the way.
/// </summary>
internal sealed class PodListener : IAsyncDisposable
{
    /// <summary>Longer than any IPv4 address and its newline.</summary>
    public const int MaxLine = 64;

    private readonly Socket _socket;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private PodListener(string netns, ulong identity, Socket socket)
    {
        Netns = netns;
        Identity = identity;
        _socket = socket;
        _loop = AcceptAsync();
    }

    public string Netns { get; }

    /// <summary>The namespace the socket lives in (see <see cref="NetnsSocket.Identity"/>).</summary>
    public ulong Identity { get; }

    public static PodListener Start(string netns, ulong identity, int port)
    {
        var socket = NetnsSocket.Create(netns, AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(new IPEndPoint(IPAddress.Any, port));
            socket.Listen(64);
            return new PodListener(netns, identity, socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public void Stop()
    {
        _stop.Cancel();
        _socket.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        Stop();
        await _loop;
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _socket.AcceptAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                // A caller that gave up before we accepted, or a transient shortage (descriptors): not the
                // listener's end, but not a reason to spin either.
                try
                {
                    await Task.Delay(100, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                continue;
            }
            using (client) Answer(client);
        }
    }

    private static void Answer(Socket client)
    {
        Span<byte> line = stackalloc byte[MaxLine];
        try
        {
            if (client.RemoteEndPoint is not IPEndPoint remote || !remote.Address.TryFormat(line, out var length)) return;
            line[length++] = (byte)'\n';
            client.Send(line[..length]);
        }
        catch (SocketException)
        {
            // The caller hung up first: nobody is left to tell.
        }
    }
}
