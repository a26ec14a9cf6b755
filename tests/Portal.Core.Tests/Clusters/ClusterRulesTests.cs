using System.Net;
using Portal.Core.Clusters;
using Portal.Core.Ip;
using static Portal.Core.Tests.NeutronAssert;

namespace Portal.Core.Tests.Clusters;

public class ClusterRulesTests
{
    private static IPNetwork N(string cidr) => IPNetwork.Parse(cidr);

    [Theory]
    [InlineData("prod")]
    [InlineData("a")]
    [InlineData("web-2")]
    [InlineData("  k8s-prod-eu1  ")]
    public void DnsLabelsAreValidNames(string name) => Assert.Equal(name.Trim(), ClusterRules.CheckName(name));

    [Theory]
    [InlineData("Prod")]
    [InlineData("1prod")]
    [InlineData("prod-")]
    [InlineData("prod_1")]
    [InlineData("прод")]
    [InlineData("my.cluster")]
    public void OtherNamesAreRefusedWithTheRule(string name) =>
        Throws(() => ClusterRules.CheckName(name), "InvalidInput", 400, "name",
            [$"“{name}” is not a valid cluster name", "lower-case Latin letters"], [$"«{name}» не подходит", "строчные латинские буквы"]);

    [Fact]
    public void EmptyAndLongNamesSayWhatIsWrong()
    {
        Throws(() => ClusterRules.CheckName(" "), "InvalidInput", 400, "name", ["Enter the cluster name."], ["Укажите имя кластера."]);
        Throws(() => ClusterRules.CheckName(new string('a', 41)), "InvalidInput", 400, "name", ["at most 40"], ["не длиннее 40"]);
    }

    [Theory]
    [InlineData("10.100.0.0/16", 24, 256)]
    [InlineData("10.100.0.0/23", 24, 2)]
    [InlineData("10.100.0.0/24", 24, 1)]
    [InlineData("10.100.0.0/25", 24, 0)]
    [InlineData("10.0.0.0/8", 26, 262144)]
    public void NodeCapacityIsTheNumberOfNodeCidrsThatFit(string pod, int prefix, int capacity) =>
        Assert.Equal(capacity, (int)ClusterRules.NodeCapacity(N(pod), prefix));

    [Fact]
    public void TheAddressPlanRefusesOverlapsAndAPodCidrTooSmallForTheNodes()
    {
        ClusterRules.CheckAddressPlan(N("10.100.0.0/16"), N("10.254.0.0/16"), N("10.0.0.0/24"), 24, 103);
        Throws(() => ClusterRules.CheckAddressPlan(N("10.0.0.0/8"), N("10.254.0.0/16"), null, 24, 3), "InvalidInput", 400, "service_cidr",
            ["pod CIDR 10.0.0.0/8 overlaps the service CIDR 10.254.0.0/16"], ["CIDR подов 10.0.0.0/8 пересекается с CIDR сервисов 10.254.0.0/16"]);
        Throws(() => ClusterRules.CheckAddressPlan(N("10.100.0.0/16"), N("10.254.0.0/16"), N("10.100.5.0/24"), 24, 3), "InvalidInput", 400, "pod_cidr",
            ["overlaps the node subnet 10.100.5.0/24"], ["пересекается с подсетью узлов 10.100.5.0/24"]);
        Throws(() => ClusterRules.CheckAddressPlan(N("10.100.0.0/16"), N("10.254.0.0/16"), N("10.254.1.0/24"), 24, 3), "InvalidInput", 400, "service_cidr",
            ["service CIDR 10.254.0.0/16 overlaps the node subnet"], ["CIDR сервисов 10.254.0.0/16 пересекается с подсетью узлов"]);
        Throws(() => ClusterRules.CheckAddressPlan(N("10.100.0.0/23"), N("10.254.0.0/16"), null, 24, 3), "InvalidInput", 400, "pod_cidr",
            ["10.100.0.0/23 with /24 per node holds 2 nodes, but the cluster has 3."], ["вмещает узлов: 2, а в кластере их 3"]);
    }

    [Fact]
    public void PodAndServiceCidrsAreExactIpv4Networks()
    {
        Throws(() => ClusterRules.ParseClusterCidr("10.100.0.1/16", "pod_cidr"), "InvalidInput", 400, "pod_cidr", ["10.100.0.0/16"], ["10.100.0.0/16"]);
        Throws(() => ClusterRules.ParseClusterCidr("fd00::/64", "service_cidr"), "InvalidInput", 400, "service_cidr", ["not an IPv4 network"], ["не сеть IPv4"]);
    }

    [Theory]
    [InlineData("", "10.0.0.0/24")]
    [InlineData("10.0.0.0/24", "10.0.1.0/24")]
    [InlineData("10.0.0.0/24;10.0.1.0/25", "10.0.2.0/24")]
    [InlineData("10.0.0.0/16", "10.1.0.0/24")]
    [InlineData("10.0.1.0/24", "10.0.0.0/24")]
    [InlineData("10.0.0.0/23;10.0.2.128/25;192.168.0.0/24", "10.0.3.0/24")]
    [InlineData("10.0.0.0/9", "10.128.0.0/24")]
    [InlineData("10.0.0.0/8", null)]
    public void FirstFreeSkipsEveryTakenBlock(string taken, string? expected)
    {
        var blocks = taken.Length == 0 ? [] : taken.Split(';').Select(N).ToList();
        Assert.Equal(expected, CidrSuggestions.FirstFree(N("10.0.0.0/8"), 24, blocks)?.ToString());
    }

    [Fact]
    public void FirstFreeAgreesWithAnExhaustiveSearch()
    {
        var random = new Random(7);
        for (var round = 0; round < 200; round++)
        {
            var space = N("10.0.0.0/20");
            var taken = Enumerable.Range(0, random.Next(0, 12))
                .Select(_ => new IPNetwork(IpMath.Add(IPAddress.Parse("10.0.0.0"), (UInt128)random.Next(0, 4096)), random.Next(20, 27)))
                .Select(n => N($"{IpMath.FromUInt128(IpMath.ToUInt128(n.BaseAddress) & ~((UInt128.One << (32 - n.PrefixLength)) - 1), n.BaseAddress.AddressFamily)}/{n.PrefixLength}"))
                .ToList();
            var expected = Enumerable.Range(0, 16).Select(i => N($"10.0.{i}.0/24")).FirstOrDefault(c => !taken.Any(t => IpMath.Overlaps(c, t)));
            Assert.Equal(expected == default ? null : expected.ToString(), CidrSuggestions.FirstFree(space, 24, taken)?.ToString());
        }
    }

    [Fact]
    public void NodeCidrsAreHandedOutNextFitAndWrapAround()
    {
        var pod = N("10.100.0.0/22");
        var taken = new List<IPNetwork>();
        IPNetwork? last = null;
        var order = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            var next = ClusterRules.NextNodeCidr(pod, 24, taken, last)!.Value;
            order.Add(next.ToString());
            taken.Add(next);
            last = next;
        }
        Assert.Equal(["10.100.0.0/24", "10.100.1.0/24", "10.100.2.0/24", "10.100.3.0/24"], order);
        Assert.Null(ClusterRules.NextNodeCidr(pod, 24, taken, last));

        // A freed block behind the last one handed out is reused only after the blocks ahead of it.
        taken.Remove(N("10.100.1.0/24"));
        taken.Remove(N("10.100.3.0/24"));
        Assert.Equal("10.100.3.0/24", ClusterRules.NextNodeCidr(pod, 24, taken, N("10.100.2.0/24"))!.Value.ToString());
        Assert.Equal("10.100.1.0/24", ClusterRules.NextNodeCidr(pod, 24, [.. taken, N("10.100.3.0/24")], N("10.100.3.0/24"))!.Value.ToString());
    }

    [Fact]
    public void AClusterNeedsAnAddressPerNodeAndOneForTheLoadBalancer() => Assert.Equal(6, ClusterRules.AddressesNeeded(3, 2));
}
