using Portal.Core.Ip;
using static Portal.Core.Tests.NeutronAssert;

namespace Portal.Core.Tests.Ip;

public class PortRulesTests
{
    private const string Mac = "fa:16:3e:00:00:01";

    [Fact]
    public void AddressPairsAreCanonicalAndTakeThePortsMacByDefault()
    {
        var pairs = PortRules.CheckAddressPairs([(" 10.0.0.5 ", null), ("10.0.1.0/24", "FA-16-3E-AA-BB-CC"), ("2001:db8:0::7", "")], Mac, true);
        Assert.Equal([new AddressPair("10.0.0.5", Mac), new AddressPair("10.0.1.0/24", "fa:16:3e:aa:bb:cc"), new AddressPair("2001:db8::7", Mac)], pairs);
    }

    [Fact]
    public void AddressPairsNeedPortSecurityAnAddressAndNoRepeats()
    {
        Throws(() => PortRules.CheckAddressPairs([("10.0.0.5", null)], Mac, false), "AddressPairAndPortSecurityRequired", 409, "allowed_address_pairs",
            ["Port Security must be enabled"], ["защите порта"]);
        Assert.Empty(PortRules.CheckAddressPairs([], Mac, false));
        Throws(() => PortRules.CheckAddressPairs([(null, Mac)], Mac, true), "InvalidInput", 400, "allowed_address_pairs", ["ip_address"], ["ip_address"]);
        Throws(() => PortRules.CheckAddressPairs([("10.0.0.5", null), ("10.0.0.5", Mac)], Mac, true), "InvalidInput", 400, "allowed_address_pairs",
            ["10.0.0.5", "more than once"], ["несколько раз"]);
        Throws(() => PortRules.CheckAddressPairs([("10.0.0.5", "not-a-mac")], Mac, true), "InvalidInput", 400, "allowed_address_pairs",
            ["not-a-mac"], ["not-a-mac"]);
        Assert.Throws<Portal.Core.Errors.NeutronException>(() => PortRules.CheckAddressPairs([("10.0.0.300", null)], Mac, true));
        var eleven = Enumerable.Range(1, 11).Select(i => ((string?)$"10.0.0.{i}", (string?)null)).ToList();
        Throws(() => PortRules.CheckAddressPairs(eleven, Mac, true), "InvalidInput", 400, "allowed_address_pairs", ["At most 10", "11"], ["10", "11"]);
    }

    [Fact]
    public void DhcpOptionsMergeByNameAndVersionAndANullValueRemovesOne()
    {
        var first = PortRules.MergeDhcpOptions([], [("bootfile-name", "pxelinux.0", null), ("tftp-server", "10.0.0.9", 4), ("tftp-server", "2001:db8::9", 6)]);
        Assert.Equal(3, first.Count);
        var next = PortRules.MergeDhcpOptions(first, [("bootfile-name", "grub.efi", null), ("tftp-server", null, 6)]);
        Assert.Equal([new DhcpOption("tftp-server", "10.0.0.9", 4), new DhcpOption("bootfile-name", "grub.efi", 4)], next);
    }

    [Fact]
    public void DhcpOptionsAreRefusedWithoutANameOrValueOrWithAnUnknownVersion()
    {
        Throws(() => PortRules.MergeDhcpOptions([], [(" ", "x", null)]), "InvalidInput", 400, "extra_dhcp_opts", ["opt_name"], ["opt_name"]);
        Throws(() => PortRules.MergeDhcpOptions([], [("mtu", " ", null)]), "InvalidInput", 400, "extra_dhcp_opts", ["“mtu”"], ["«mtu»"]);
        Throws(() => PortRules.MergeDhcpOptions([], [("mtu", "1400", 5)]), "InvalidInput", 400, "extra_dhcp_opts", ["not 5"], ["5"]);
        var many = Enumerable.Range(0, 33).Select(i => ((string?)$"opt{i}", (string?)"v", (int?)4)).ToList();
        Throws(() => PortRules.MergeDhcpOptions([], many), "InvalidInput", 400, "extra_dhcp_opts", ["At most 32"], ["32"]);
    }
}
