using Microsoft.Extensions.Configuration;

namespace Portal.Web.Tests;

/// <summary>Portal:PublicUrl: what is accepted, and what an unset one is derived from.</summary>
public sealed class PublicUrlTests
{
    [Theory]
    [InlineData("https://cloud.example", "https://cloud.example")]
    [InlineData("http://127.0.0.1:5080/", "http://127.0.0.1:5080")]
    [InlineData(" https://cloud.example:8443 ", "https://cloud.example:8443")]
    public void An_origin_is_accepted(string setting, string origin)
    {
        var uri = PublicUrl.Configured(Configuration(setting));
        Assert.Equal(origin, uri!.GetLeftPart(UriPartial.Authority));
    }

    [Theory]
    [InlineData("cloud.example")]
    [InlineData("ftp://cloud.example")]
    [InlineData("https://cloud.example/portal")]
    [InlineData("https://cloud.example/?a=1")]
    public void Anything_else_stops_the_host_with_the_setting_named(string setting)
    {
        var e = Assert.Throws<InvalidOperationException>(() => PublicUrl.Configured(Configuration(setting)));
        Assert.Contains(PublicUrl.Setting, e.Message);
        Assert.Contains(setting, e.Message);
    }

    [Fact]
    public void Unset_it_is_nothing_and_the_listen_address_decides()
    {
        Assert.Null(PublicUrl.Configured(Configuration(null)));
        Assert.Null(PublicUrl.Configured(Configuration("  ")));
    }

    [Theory]
    [InlineData("http://127.0.0.1:5080", "http://127.0.0.1:5080")]
    [InlineData("http://+:8080", "http://localhost:8080")]
    [InlineData("http://*:8080", "http://localhost:8080")]
    [InlineData("http://0.0.0.0:8080", "http://localhost:8080")]
    [InlineData("https://[::]:8443", "https://localhost:8443")]
    public void A_wildcard_listen_address_is_read_as_localhost(string listen, string origin)
    {
        Assert.Equal(origin, PublicUrl.FromListenAddress(listen)!.GetLeftPart(UriPartial.Authority));
    }

    private static IConfiguration Configuration(string? value) =>
        new ConfigurationBuilder().AddInMemoryCollection([new(PublicUrl.Setting, value)]).Build();
}
