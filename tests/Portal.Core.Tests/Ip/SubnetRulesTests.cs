using System.Net;
using Portal.Core.Ip;
using static Portal.Core.Tests.NeutronAssert;

namespace Portal.Core.Tests.Ip;

public class SubnetRulesTests
{
    private static IpRange[] Pools(string text) =>
        text.Length == 0 ? [] : text.Split(';').Select(r => IpRange.Parse(r)).ToArray();

    private static SubnetCidr[] Siblings(string text) =>
        text.Length == 0 ? [] : text.Split(';').Select(s => s.Split('=')).Select(p => new SubnetCidr(p[0], IPNetwork.Parse(p[1]))).ToArray();

    [Theory]
    [InlineData("10.0.1.0/24", "", null)]
    [InlineData("10.0.1.0/24", "a=10.0.0.0/24;b=10.0.2.0/24", null)]
    [InlineData("10.0.1.0/24", "a=10.0.0.0/24;db=10.0.0.0/23;web=10.0.1.0/24", "db")]
    [InlineData("10.0.0.0/16", "a=192.168.0.0/24;b=10.0.5.0/24;c=10.0.6.0/24", "b")]
    [InlineData("10.0.0.0/24", "=10.0.0.128/25", "")]
    [InlineData("10.0.0.0/24", "v6=2001:db8::/64", null)]
    [InlineData("2001:db8::/48", "v4=10.0.0.0/8;a=2001:db8:0:1::/64", "a")]
    public void FirstOverlapIsTheFirstSiblingSharingAnAddress(string cidr, string siblings, string? expected)
    {
        Assert.Equal(expected, SubnetRules.FirstOverlap(IPNetwork.Parse(cidr), Siblings(siblings))?.Name);
    }

    [Theory]
    [InlineData("db", "SubnetOverlap",
        "10.0.1.0/24 overlaps with another subnet of this network: “db” (10.0.0.0/23).",
        "10.0.1.0/24 пересекается с подсетью «db» (10.0.0.0/23) в этой сети.")]
    [InlineData("", "SubnetOverlapUnnamed",
        "10.0.1.0/24 overlaps with another subnet of this network: 10.0.0.0/23.",
        "10.0.1.0/24 пересекается с подсетью 10.0.0.0/23 в этой сети.")]
    public void AnOverlapIsRefusedAtTheCidrNamingTheSibling(string name, string key, string english, string russian)
    {
        var sibling = new SubnetCidr(name, IPNetwork.Parse("10.0.0.0/23"));

        var ex = Throws(() => throw SubnetRules.OverlapError(IPNetwork.Parse("10.0.1.0/24"), sibling),
            "InvalidInput", 400, "cidr", [english], [russian]);
        Assert.Equal(key, ex.MessageKey);
    }

    [Theory]
    [InlineData("10.0.0.0/24", null, "10.0.0.1-10.0.0.254")]
    [InlineData("10.0.0.0/24", "10.0.0.1", "10.0.0.2-10.0.0.254")]
    [InlineData("10.0.0.0/24", "10.0.0.254", "10.0.0.1-10.0.0.253")]
    [InlineData("10.0.0.0/24", "10.0.0.100", "10.0.0.2-10.0.0.99;10.0.0.101-10.0.0.254")]
    [InlineData("10.0.0.0/31", "10.0.0.0", "")]
    [InlineData("10.0.0.0/31", "10.0.0.1", "")]
    [InlineData("10.0.0.0/32", "10.0.0.0", "")]
    [InlineData("2001:db8::/64", "2001:db8::ffff:ffff:ffff:ffff", "2001:db8::1-2001:db8::ff")]
    public void ValidGatewayIsAccepted(string cidr, string? gateway, string pools)
    {
        SubnetRules.ValidateGateway(IPNetwork.Parse(cidr), gateway is null ? null : IPAddress.Parse(gateway), Pools(pools));
    }

    [Theory]
    [InlineData("10.0.0.0/24", "10.0.1.1", "", "GatewayOutsideSubnet",
        "Gateway 10.0.1.1 is outside subnet 10.0.0.0/24; choose an address from 10.0.0.1-10.0.0.254.",
        "Шлюз 10.0.1.1 находится вне подсети 10.0.0.0/24; выберите адрес из диапазона 10.0.0.1-10.0.0.254.")]
    [InlineData("10.0.0.0/24", "10.0.0.0", "", "GatewayIsNetworkAddress",
        "Gateway 10.0.0.0 is the network address of subnet 10.0.0.0/24|10.0.0.1-10.0.0.254",
        "Шлюз 10.0.0.0 совпадает с адресом сети 10.0.0.0/24|10.0.0.1-10.0.0.254")]
    [InlineData("10.0.0.0/24", "10.0.0.255", "", "GatewayIsBroadcastAddress",
        "Gateway 10.0.0.255 is the broadcast address of subnet 10.0.0.0/24",
        "Шлюз 10.0.0.255 совпадает с широковещательным адресом подсети 10.0.0.0/24")]
    [InlineData("2001:db8::/64", "2001:db8::", "", "GatewayIsNetworkAddress",
        "Gateway 2001:db8:: is the network address of subnet 2001:db8::/64",
        "Шлюз 2001:db8:: совпадает с адресом сети 2001:db8::/64")]
    [InlineData("10.0.0.0/24", "2001:db8::1", "", "GatewayWrongFamily",
        "Gateway 2001:db8::1 is IPv6, but subnet 10.0.0.0/24 is IPv4.",
        "Шлюз 2001:db8::1 — IPv6, а подсеть 10.0.0.0/24 — IPv4.")]
    [InlineData("10.0.0.0/24", "::ffff:10.0.0.1", "", "GatewayWrongFamily",
        "Gateway ::ffff:10.0.0.1 is IPv6",
        "Шлюз ::ffff:10.0.0.1 — IPv6")]
    [InlineData("2001:db8::1/128", "2001:db8::1", "", "SubnetHasNoUsableAddresses",
        "Subnet 2001:db8::1/128 has no assignable addresses, so 2001:db8::1 cannot be used",
        "В подсети 2001:db8::1/128 нет назначаемых адресов, поэтому 2001:db8::1 использовать нельзя")]
    public void InvalidGatewayIsRejected(string cidr, string gateway, string pools, string key, string english, string russian)
    {
        var ex = Throws(
            () => SubnetRules.ValidateGateway(IPNetwork.Parse(cidr), IPAddress.Parse(gateway), Pools(pools)),
            "InvalidInput", 400, "gateway_ip", Fragments(english), Fragments(russian));
        Assert.Equal(key, ex.MessageKey);
    }

    [Theory]
    [InlineData("10.0.0.0/24", "10.0.0.1", "10.0.0.1-10.0.0.254", "10.0.0.1-10.0.0.254")]
    [InlineData("10.0.0.0/24", "10.0.0.50", "10.0.0.2-10.0.0.9;10.0.0.40-10.0.0.60", "10.0.0.40-10.0.0.60")]
    [InlineData("2001:db8::/64", "2001:db8::1", "2001:db8::1-2001:db8::ff", "2001:db8::1-2001:db8::ff")]
    public void GatewayInsideAPoolConflicts(string cidr, string gateway, string pools, string conflicting)
    {
        var ex = Throws(
            () => SubnetRules.ValidateGateway(IPNetwork.Parse(cidr), IPAddress.Parse(gateway), Pools(pools)),
            "GatewayConflictWithAllocationPools", 409, "gateway_ip",
            [$"Gateway {gateway} is inside allocation pool {conflicting}"],
            [$"Шлюз {gateway} попадает в пул адресов {conflicting}"]);
        Assert.Equal([gateway, conflicting], ex.Args);
    }

    [Theory]
    [InlineData("10.0.0.0/24", "")]
    [InlineData("10.0.0.0/24", "10.0.0.1-10.0.0.254")]
    [InlineData("10.0.0.0/24", "10.0.0.2-10.0.0.9;10.0.0.10-10.0.0.20")]
    [InlineData("10.0.0.0/31", "10.0.0.0-10.0.0.1")]
    [InlineData("10.0.0.5/32", "10.0.0.5-10.0.0.5")]
    [InlineData("2001:db8::/64", "2001:db8::1-2001:db8::ffff:ffff:ffff:ffff")]
    public void ValidPoolsAreAccepted(string cidr, string pools)
    {
        SubnetRules.ValidatePools(IPNetwork.Parse(cidr), Pools(pools));
    }

    [Theory]
    [InlineData("10.0.0.0/24", "10.0.0.10-10.0.1.5", "AllocationPoolOutsideSubnet",
        "Allocation pool 10.0.0.10-10.0.1.5 is outside subnet 10.0.0.0/24; usable addresses are 10.0.0.1-10.0.0.254.",
        "Пул адресов 10.0.0.10-10.0.1.5 выходит за пределы подсети 10.0.0.0/24; доступные адреса: 10.0.0.1-10.0.0.254.")]
    [InlineData("10.0.0.0/24", "9.255.255.255-10.0.0.5", "AllocationPoolOutsideSubnet",
        "9.255.255.255-10.0.0.5 is outside subnet 10.0.0.0/24", "9.255.255.255-10.0.0.5 выходит за пределы подсети")]
    [InlineData("10.0.0.0/24", "10.0.0.0-10.0.0.20", "AllocationPoolIncludesNetworkAddress",
        "Allocation pool 10.0.0.0-10.0.0.20 includes 10.0.0.0, the network address of subnet 10.0.0.0/24|10.0.0.1-10.0.0.254",
        "Пул адресов 10.0.0.0-10.0.0.20 включает 10.0.0.0 — адрес сети 10.0.0.0/24|10.0.0.1-10.0.0.254")]
    [InlineData("10.0.0.0/24", "10.0.0.200-10.0.0.255", "AllocationPoolIncludesBroadcastAddress",
        "includes 10.0.0.255, the broadcast address of subnet 10.0.0.0/24",
        "включает 10.0.0.255 — широковещательный адрес подсети 10.0.0.0/24")]
    [InlineData("2001:db8::/64", "2001:db8::-2001:db8::ff", "AllocationPoolIncludesNetworkAddress",
        "includes 2001:db8::, the network address of subnet 2001:db8::/64",
        "включает 2001:db8:: — адрес сети 2001:db8::/64")]
    [InlineData("10.0.0.0/24", "2001:db8::1-2001:db8::5", "AllocationPoolWrongFamily",
        "Allocation pool 2001:db8::1-2001:db8::5 is IPv6, but subnet 10.0.0.0/24 is IPv4.",
        "Пул адресов 2001:db8::1-2001:db8::5 — IPv6, а подсеть 10.0.0.0/24 — IPv4.")]
    [InlineData("2001:db8::1/128", "2001:db8::1-2001:db8::1", "SubnetHasNoUsableAddresses",
        "Subnet 2001:db8::1/128 has no assignable addresses, so 2001:db8::1-2001:db8::1 cannot be used",
        "В подсети 2001:db8::1/128 нет назначаемых адресов")]
    public void InvalidPoolIsRejected(string cidr, string pools, string key, string english, string russian)
    {
        var ex = Throws(
            () => SubnetRules.ValidatePools(IPNetwork.Parse(cidr), Pools(pools)),
            "InvalidAllocationPool", 400, "allocation_pools", Fragments(english), Fragments(russian));
        Assert.Equal(key, ex.MessageKey);
    }

    [Theory]
    [InlineData("10.0.0.0/24", "10.0.0.2-10.0.0.50;10.0.0.50-10.0.0.60", "10.0.0.2-10.0.0.50", "10.0.0.50-10.0.0.60")]
    [InlineData("10.0.0.0/24", "10.0.0.100-10.0.0.110;10.0.0.2-10.0.0.9;10.0.0.5-10.0.0.6", "10.0.0.2-10.0.0.9", "10.0.0.5-10.0.0.6")]
    [InlineData("2001:db8::/64", "2001:db8::1-2001:db8::ff;2001:db8::10-2001:db8::1ff", "2001:db8::1-2001:db8::ff", "2001:db8::10-2001:db8::1ff")]
    public void OverlappingPoolsAreNamedInTheOrderGiven(string cidr, string pools, string first, string second)
    {
        var ex = Throws(
            () => SubnetRules.ValidatePools(IPNetwork.Parse(cidr), Pools(pools)),
            "OverlappingAllocationPools", 409, "allocation_pools",
            [$"Allocation pools {first} and {second} of subnet {cidr} overlap"],
            [$"Пулы адресов {first} и {second} подсети {cidr} пересекаются"]);
        Assert.Equal([first, second, cidr], ex.Args);
    }

    [Theory]
    [InlineData("")]
    [InlineData("8.8.8.8")]
    [InlineData("8.8.8.8;1.1.1.1;2001:4860:4860::8888;9.9.9.9;77.88.8.8")]
    public void ValidDnsServersAreAccepted(string servers)
    {
        SubnetRules.ValidateDns(servers.Length == 0 ? [] : servers.Split(';').Select(IPAddress.Parse).ToArray());
    }

    [Theory]
    [InlineData("8.8.8.8;1.1.1.1;8.8.4.4;9.9.9.9;77.88.8.8;77.88.8.1", "DnsServersTooMany",
        "At most 5 DNS servers are allowed; 6 given.", "Допускается не больше 5 DNS-серверов, указано 6.")]
    [InlineData("8.8.8.8;1.1.1.1;8.8.8.8", "DnsServerDuplicate",
        "DNS server 8.8.8.8 is listed more than once.", "DNS-сервер 8.8.8.8 указан несколько раз.")]
    [InlineData("2001:4860::8888;2001:4860:0:0::8888", "DnsServerDuplicate",
        "DNS server 2001:4860::8888 is listed", "DNS-сервер 2001:4860::8888 указан")]
    public void InvalidDnsServersAreRejected(string servers, string key, string english, string russian)
    {
        var list = servers.Split(';').Select(IPAddress.Parse).ToArray();

        var ex = Throws(() => SubnetRules.ValidateDns(list), "InvalidInput", 400, "dns_nameservers", [english], [russian]);
        Assert.Equal(key, ex.MessageKey);
    }

    [Fact]
    public void LimitsMatchNeutronDefaults()
    {
        Assert.Equal(5, SubnetRules.MaxDnsServers);
        Assert.Equal(20, SubnetRules.MaxHostRoutes);
    }

    private static HostRoute[] Routes(string text) =>
        text.Length == 0 ? [] : text.Split(';').Select(r => r.Split('>')).Select(p => HostRoute.Parse(p[0], p[1])).ToArray();

    [Theory]
    [InlineData("10.0.0.0/24", "")]
    [InlineData("10.0.0.0/24", "192.168.0.0/16>10.0.0.1;0.0.0.0/0>10.0.0.254")]
    [InlineData("10.0.0.0/24", "192.168.0.0/16>10.0.0.1;192.168.0.0/24>10.0.0.2")]
    [InlineData("2001:db8::/64", "2001:db8:1::/48>2001:db8::1")]
    public void ValidHostRoutesAreAccepted(string cidr, string routes)
    {
        SubnetRules.ValidateHostRoutes(IPNetwork.Parse(cidr), Routes(routes));
    }

    [Theory]
    [InlineData("10.0.0.0/24", "192.168.0.0/16>10.0.0.1;192.168.0.0/16>10.0.0.2", "HostRouteDuplicateDestination",
        "Destination 192.168.0.0/16 appears in more than one host route",
        "Назначение 192.168.0.0/16 встречается в нескольких статических маршрутах")]
    [InlineData("10.0.0.0/24", "2001:db8::/32>10.0.0.1", "HostRouteWrongFamily",
        "Host route to 2001:db8::/32 via 10.0.0.1 does not fit subnet 10.0.0.0/24: the destination and the next hop must both be IPv4.",
        "Статический маршрут до 2001:db8::/32 через 10.0.0.1 не подходит подсети 10.0.0.0/24|должны быть IPv4")]
    [InlineData("2001:db8::/64", "2001:db8:1::/48>10.0.0.1", "HostRouteWrongFamily",
        "via 10.0.0.1 does not fit subnet 2001:db8::/64|must both be IPv6", "через 10.0.0.1|должны быть IPv6")]
    public void InvalidHostRoutesAreRejected(string cidr, string routes, string key, string english, string russian)
    {
        var ex = Throws(
            () => SubnetRules.ValidateHostRoutes(IPNetwork.Parse(cidr), Routes(routes)),
            "InvalidInput", 400, "host_routes", Fragments(english), Fragments(russian));
        Assert.Equal(key, ex.MessageKey);
    }

    [Fact]
    public void MoreThanTwentyHostRoutesAreRejected()
    {
        var routes = Enumerable.Range(0, 21)
            .Select(i => new HostRoute(IPNetwork.Parse($"192.168.{i}.0/24"), IPAddress.Parse("10.0.0.1")))
            .ToArray();

        SubnetRules.ValidateHostRoutes(IPNetwork.Parse("10.0.0.0/24"), routes[..20]);
        Throws(
            () => SubnetRules.ValidateHostRoutes(IPNetwork.Parse("10.0.0.0/24"), routes), "InvalidInput", 400, "host_routes",
            ["At most 20 host routes are allowed; 21 given."], ["Допускается не больше 20 статических маршрутов, указано 21."]);
    }
}
