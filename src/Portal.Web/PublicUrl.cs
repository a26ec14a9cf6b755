using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Portal.Web;

/// <summary>
/// The address clients reach the portal at (<c>Portal:PublicUrl</c>, an origin such as <c>https://cloud.example</c>):
/// what the Keystone catalog, the API's links and every redirect name — never the request's Host header, which any
/// client can set. Unset, it is the address the web host listens on, with a wildcard host read as <c>localhost</c>
/// (<c>./run</c>: http://127.0.0.1:5080).
/// </summary>
public sealed class PublicUrl(IConfiguration configuration, IServer server)
{
    public const string Setting = "Portal:PublicUrl";

    private Uri? _value;

    /// <summary><c>scheme://host[:port]</c>, without a trailing slash.</summary>
    public string Origin => Value.GetLeftPart(UriPartial.Authority);

    public Uri Value => _value ??= Configured(configuration) ?? Listened()
        ?? throw new InvalidOperationException($"{Setting} is not set and the web host listens on no address yet.");

    /// <summary>The configured public URL, checked at startup so that a typo stops the host instead of every link.</summary>
    public static Uri? Configured(IConfiguration configuration)
    {
        var text = configuration[Setting];
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
            || uri.AbsolutePath != "/" || uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            throw new InvalidOperationException(
                $"{Setting} must be an http or https origin without a path, such as https://cloud.example or http://127.0.0.1:5080 (it is \"{text}\").");
        }
        return uri;
    }

    private Uri? Listened() =>
        server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() is { } address ? FromListenAddress(address) : null;

    /// <summary>
    /// The public URL a listen address stands for: itself, except Kestrel's wildcards ("http://+:8080",
    /// "http://*:8080", "http://0.0.0.0:8080", "http://[::]:8080"), which are not addresses a client can use.
    /// </summary>
    public static Uri? FromListenAddress(string address)
    {
        var usable = address.Replace("://+:", "://localhost:").Replace("://*:", "://localhost:")
            .Replace("://0.0.0.0:", "://localhost:").Replace("://[::]:", "://localhost:");
        return Uri.TryCreate(usable, UriKind.Absolute, out var uri) ? uri : null;
    }

    /// <summary>
    /// Every request is seen as addressed to the public URL (as the forwarded-headers middleware would do behind a
    /// proxy), so that redirects and absolute links built from the request — the sign-in redirect, Blazor's
    /// navigation — name it instead of whatever Host header the client sent.
    /// </summary>
    public void Apply(HttpRequest request)
    {
        var value = Value;
        request.Scheme = value.Scheme;
        request.Host = HostString.FromUriComponent(value);
    }
}
