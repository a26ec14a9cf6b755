using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Data.Services;

namespace Portal.Backend.Agents;

/// <summary>
/// The agent protocol's own server: a second, minimal Kestrel host in this process on <see cref="AgentOptions.Port"/>,
/// HTTP/2 only (gRPC), apart from the web UI's endpoints and middleware. Its services are this process's.
/// </summary>
public sealed class AgentServer(IServiceProvider services, IOptions<AgentOptions> options, ILogger<AgentServer> logger) : IHostedService, IAsyncDisposable
{
    private WebApplication? _app;

    /// <summary>Where the service listens (known once started).</summary>
    public Uri? Address { get; private set; }

    /// <summary>The address agents are given: the configured public URL, else where the service listens.</summary>
    public string AgentUrl => UrlFor(options.Value, Address);

    /// <summary>
    /// <c>Portal:Agents:PublicUrl</c> when set (agents elsewhere need it); else the bound address once started (port 0
    /// picks one); else the configured listen address and port.
    /// </summary>
    public static string UrlFor(AgentOptions o, Uri? bound = null)
    {
        if (o.PublicUrl.Length > 0) return o.PublicUrl;
        if (bound is not null) return bound.ToString().TrimEnd('/');
        var host = IPAddress.TryParse(o.ListenAddress, out var address) && address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? $"[{o.ListenAddress}]"
            : o.ListenAddress;
        return $"http://{host}:{o.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        services.GetRequiredService<AgentHub>().Start();
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Parse(o.ListenAddress), o.Port, listen => listen.Protocols = HttpProtocols.Http2);
            // Many agents keep one stream open each; the defaults (100 streams per connection) concern one connection.
            k.Limits.Http2.KeepAlivePingDelay = TimeSpan.FromSeconds(30);
        });
        builder.Services.AddSingleton(services.GetRequiredService<ILoggerFactory>());
        builder.Services.AddRouting();
        // Bounded explicitly: a report is refused by size (ResourceExhausted) before it is parsed, let alone checked.
        builder.Services.AddGrpc(g => g.MaxReceiveMessageSize = Portal.Contracts.AgentLimits.MaxMessageBytes);
        builder.Services.AddSingleton(services.GetRequiredService<NodeAgentService>());
        builder.Services.AddSingleton(services.GetRequiredService<AgentHub>());
        builder.Services.AddSingleton(services.GetRequiredService<IOptions<AgentOptions>>());
        _app = builder.Build();
        _app.UseRouting();
        _app.MapGrpcService<AgentApi>();
        await _app.StartAsync(cancellationToken);
        var bound = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
                    ?? $"http://{o.ListenAddress}:{o.Port}";
        Address = new Uri(bound.Replace("0.0.0.0", "127.0.0.1").Replace("[::]", "127.0.0.1"));
        logger.LogInformation("Agent protocol (gRPC, HTTP/2) listening on {Address}", Address);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        services.GetRequiredService<AgentHub>().Stop();
        if (_app is not null) await _app.StopAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
    }
}
