using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace Portal.E2E.Tests;

/// <summary>
/// A TCP proxy on a loopback port that holds every chunk, in both directions, for <see cref="Delay"/> before passing
/// it on, in order. Put between Chromium and the app it makes every Blazor round trip (the circuit is a WebSocket
/// through it) as slow as a busy server or a distant one, without any test hook in the app.
/// </summary>
public sealed class SlowLink : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    public SlowLink(Uri target, TimeSpan delay)
    {
        _target = new IPEndPoint(IPAddress.Parse(target.Host), target.Port);
        Delay = delay;
        _listener.Start();
        Url = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";
        _accepting = AcceptAsync();
    }

    public TimeSpan Delay { get; }

    /// <summary>The app's address through the proxy.</summary>
    public string Url { get; }

    private async Task AcceptAsync()
    {
        var connections = new List<Task>();
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                connections.Add(RelayAsync(client));
            }
        }
        catch (OperationCanceledException)
        {
        }
        await Task.WhenAll(connections);
    }

    private async Task RelayAsync(TcpClient client)
    {
        using var _ = client;
        using var server = new TcpClient();
        try
        {
            await server.ConnectAsync(_target, _stop.Token);
            using var both = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            var up = PumpAsync(client.GetStream(), server.GetStream(), both.Token);
            var down = PumpAsync(server.GetStream(), client.GetStream(), both.Token);
            await Task.WhenAny(up, down);
            await both.CancelAsync();
            await Task.WhenAll(up, down);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
        {
            // A closed browser tab or the end of the test: the connection simply ends.
        }
    }

    /// <summary>Reads as fast as the sender writes and delivers each chunk <see cref="Delay"/> after it was read.</summary>
    private async Task PumpAsync(Stream from, Stream to, CancellationToken token)
    {
        var queue = Channel.CreateUnbounded<(long Due, byte[] Data)>(new() { SingleReader = true, SingleWriter = true });
        var writer = Task.Run(async () =>
        {
            await foreach (var (due, data) in queue.Reader.ReadAllAsync(token))
            {
                var wait = TimeSpan.FromTicks(due - Environment.TickCount64 * TimeSpan.TicksPerMillisecond);
                if (wait > TimeSpan.Zero) await Task.Delay(wait, token);
                await to.WriteAsync(data, token);
            }
            to.Close();
        }, token);
        try
        {
            var buffer = new byte[64 * 1024];
            int read;
            while ((read = await from.ReadAsync(buffer, token)) > 0)
            {
                queue.Writer.TryWrite((Environment.TickCount64 * TimeSpan.TicksPerMillisecond + Delay.Ticks, buffer[..read]));
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
        }
        queue.Writer.TryComplete();
        try
        {
            await writer;
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
