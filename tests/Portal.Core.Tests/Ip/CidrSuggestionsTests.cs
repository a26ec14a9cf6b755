using System.Net;
using Portal.Core.Ip;

namespace Portal.Core.Tests.Ip;

public sealed class CidrSuggestionsTests
{
    private static IPNetwork? Suggest(string within, int prefix, params string[] taken) =>
        CidrSuggestions.FirstFree(IPNetwork.Parse(within), prefix, taken.Select(IPNetwork.Parse));

    [Theory]
    [InlineData("10.0.0.0/8", 24, "", "10.0.0.0/24")]
    [InlineData("10.0.0.0/8", 24, "10.0.0.0/24", "10.0.1.0/24")]
    [InlineData("10.0.0.0/8", 24, "10.0.0.0/24,10.0.1.0/24,10.0.3.0/24", "10.0.2.0/24")]
    [InlineData("10.0.0.0/8", 24, "10.0.0.0/23,10.0.2.128/25", "10.0.3.0/24")]
    [InlineData("10.0.0.0/8", 16, "10.0.5.0/24", "10.1.0.0/16")]
    [InlineData("10.0.0.0/8", 24, "192.168.0.0/24,10.0.0.0/24", "10.0.1.0/24")]
    [InlineData("2001:db8::/48", 64, "2001:db8::/64", "2001:db8:0:1::/64")]
    public void Suggests_the_lowest_free_aligned_block(string within, int prefix, string taken, string expected)
    {
        var list = taken.Length == 0 ? [] : taken.Split(',');
        Assert.Equal(expected, Suggest(within, prefix, list)?.ToString());
    }

    private static string? NextFree(string? typed, string? near, string taken) =>
        CidrSuggestions.NextFree(typed is null ? null : IPNetwork.Parse(typed), near is null ? null : IPNetwork.Parse(near),
            taken.Length == 0 ? [] : taken.Split(',').Select(IPNetwork.Parse))?.ToString();

    [Theory]
    [InlineData(null, null, "", "10.0.0.0/24")]
    [InlineData(null, null, "10.0.0.0/24,10.0.1.0/24", "10.0.2.0/24")]
    [InlineData("10.0.0.0/20", null, "10.0.0.0/24", "10.0.16.0/20")]
    [InlineData("10.20.0.0/26", "10.20.5.0/24", "10.20.5.0/24", "10.20.0.0/26")]
    [InlineData("10.0.0.0/24", "172.16.4.0/24", "172.16.4.0/24,10.0.0.0/24", "172.16.0.0/24")]
    [InlineData(null, "172.16.0.0/24", "172.16.0.0/16", "172.17.0.0/24")]
    [InlineData(null, "100.64.0.0/24", "100.64.0.0/24", "10.0.0.0/24")]
    [InlineData("2001:db8::/64", "10.1.2.0/24", "10.1.2.0/24", "10.1.0.0/24")]
    public void Suggests_the_size_typed_near_the_networks_first_subnet(string? typed, string? near, string taken, string expected)
    {
        Assert.Equal(expected, NextFree(typed, near, taken));
    }

    [Theory]
    [InlineData(null, "2001:db8:0:5::/64", "2001:db8:0:5::/64", "2001:db8::/64")]
    [InlineData("2001:db8::/56", "2001:db8::/64", "2001:db8::/64", "2001:db8:0:100::/56")]
    [InlineData("10.0.0.0/25", "2001:db8::/64", "2001:db8::/64", "2001:db8:0:1::/64")]
    public void Suggests_an_ipv6_block_in_the_networks_48(string? typed, string? near, string taken, string expected)
    {
        Assert.Equal(expected, NextFree(typed, near, taken));
    }

    [Fact]
    public void A_full_neighbourhood_gives_no_suggestion()
    {
        Assert.Null(NextFree(null, "192.168.0.0/24", "192.168.0.0/16"));
    }

    [Fact]
    public void A_full_range_gives_no_suggestion()
    {
        Assert.Null(Suggest("10.0.0.0/24", 25, "10.0.0.0/25", "10.0.0.128/25"));
        Assert.Null(Suggest("10.0.0.0/8", 24, "10.0.0.0/8"));
        Assert.Null(Suggest("10.0.0.0/24", 16));
    }

    [Fact]
    public void The_suggestion_never_overlaps_what_is_taken()
    {
        var taken = Enumerable.Range(0, 300).Select(i => IPNetwork.Parse($"10.{i % 7}.{i % 256}.0/24")).ToList();
        var suggestion = CidrSuggestions.FirstFree(IPNetwork.Parse("10.0.0.0/8"), 24, taken);
        Assert.NotNull(suggestion);
        Assert.DoesNotContain(taken, t => IpMath.Overlaps(t, suggestion.Value));
    }
}
