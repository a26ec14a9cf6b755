using Portal.Data.Entities;
using Portal.Data.Services;

namespace Portal.Data.Tests;

/// <summary>
/// Every update by a person is in the trail with who, when, from where and what changed (each attribute from → to, as
/// data); system ports are read-only to customers, alone or in a bulk change.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class UpdateAuditTests(DatabaseFixture db)
{
    private const string From = "203.0.113.99";

    private async Task<(string Project, Actor Actor)> MemberProjectAsync(string name, bool shadowport = false)
    {
        var user = await db.NewUserAsync(name);
        var project = await db.NewProjectAsync(shadowport);
        await db.Projects.AddMemberAsync(Actor.System, project, user.Id, owner: true);
        return (project, new Actor(user.Id, user.Email!, From, IsSupport: false));
    }

    private async Task<List<AuditEntry>> UpdatesAsync(Actor actor, string project) =>
        (await db.Audit.ListAsync(actor, project, new PageRequest(0, 50))).Items.Where(e => e.Action.EndsWith(".update", StringComparison.Ordinal)).ToList();

    private static IReadOnlyList<AuditChange> Changes(AuditEntry entry) => ChangeAuditDetails.Parse(entry.Details)!.Changes;

    [Fact]
    public async Task Network_subnet_and_port_updates_are_recorded_with_what_changed_who_when_and_from_where()
    {
        var (project, actor) = await MemberProjectAsync("upd", shadowport: true);
        var network = await db.Networks.CreateAsync(actor, project, new NetworkCreate
        {
            Name = "app", FirstSubnet = new SubnetCreate { Name = "app-subnet", Cidr = "10.61.0.0/24", DnsNameservers = ["8.8.8.8"] },
        });
        var subnet = network.Subnets.Single();
        var port = await db.Ports.CreateAsync(actor, project, new PortCreate { NetworkId = network.Id, Name = "web" });
        var before = DateTimeOffset.UtcNow.AddMinutes(-1);

        await db.Networks.UpdateAsync(actor, project, network.Id, new NetworkUpdate { Name = "app2", Mtu = 1400, ServicesAccess = true });
        await db.Subnets.UpdateAsync(actor, project, subnet.Id, new SubnetUpdate { EnableDhcp = false, DnsNameservers = ["1.1.1.1", "8.8.4.4"] });
        await db.Ports.UpdateAsync(actor, project, port.Id, new PortUpdate { Name = "web2", AdminStateUp = false, DnsName = "web" });
        // An update that changes nothing says nothing.
        await db.Ports.UpdateAsync(actor, project, port.Id, new PortUpdate { Name = "web2" });

        var updates = await UpdatesAsync(actor, project);
        Assert.Equal(["port.update", "subnet.update", "network.update"], updates.Select(e => e.Action));
        Assert.All(updates, e =>
        {
            Assert.Equal((actor.Name, From), (e.Actor, e.Address));
            Assert.InRange(e.At, before, DateTimeOffset.UtcNow.AddMinutes(1));
        });
        var (portEntry, subnetEntry, networkEntry) = (updates[0], updates[1], updates[2]);
        Assert.Equal(("network", network.Id.ToString(), "app2"), (networkEntry.ObjectType, networkEntry.ObjectId, networkEntry.ObjectName));
        Assert.Equal([new AuditChange("name", "app", "app2"), new AuditChange("mtu", "1500", "1400"), new AuditChange("services_access", "false", "true")],
            Changes(networkEntry));
        Assert.Equal(("subnet", subnet.Id.ToString(), "app-subnet"), (subnetEntry.ObjectType, subnetEntry.ObjectId, subnetEntry.ObjectName));
        Assert.Equal([new AuditChange("enable_dhcp", "true", "false"), new AuditChange("dns_nameservers", "8.8.8.8", "1.1.1.1, 8.8.4.4")],
            Changes(subnetEntry));
        Assert.Equal(("port", port.Id.ToString(), "web2"), (portEntry.ObjectType, portEntry.ObjectId, portEntry.ObjectName));
        Assert.Equal([new AuditChange("name", "web", "web2"), new AuditChange("dns_name", "", "web"), new AuditChange("admin_state_up", "true", "false")],
            Changes(portEntry));
        // DHCP off took the DHCP port with it.
        Assert.DoesNotContain(await db.Ports.ListAsync(actor, project, network.Id), p => p.DeviceOwner == DeviceOwners.Dhcp);
    }

    [Fact]
    public async Task A_bulk_change_records_each_port_that_changed()
    {
        var (project, actor) = await MemberProjectAsync("bulk");
        var network = await db.Networks.CreateAsync(actor, project, new NetworkCreate
        {
            Name = "bulk", FirstSubnet = new SubnetCreate { Cidr = "10.62.0.0/24", EnableDhcp = false },
        });
        var a = await db.Ports.CreateAsync(actor, project, new PortCreate { NetworkId = network.Id, Name = "a" });
        var b = await db.Ports.CreateAsync(actor, project, new PortCreate { NetworkId = network.Id, Name = "b", AdminStateUp = false });
        var c = await db.Ports.CreateAsync(actor, project, new PortCreate { NetworkId = network.Id });

        var result = await db.Ports.SetAdminStateAsync(actor, project, [a.Id, b.Id, c.Id], false);
        Assert.Equal(3, result.Done);
        Assert.Empty(result.Refused);

        var updates = await UpdatesAsync(actor, project);
        // b was down already: nothing changed for it. An unnamed port goes by its address.
        Assert.Equal(new[] { a.Id.ToString(), c.Id.ToString() }.Order(), updates.Select(e => e.ObjectId).Order());
        Assert.Contains(updates, e => e.ObjectName == c.FixedIps.Single().IpAddress.ToString());
        Assert.All(updates, e => Assert.Equal([new AuditChange("admin_state_up", "true", "false")], Changes(e)));
        Assert.All(await db.Ports.ListAsync(actor, project, network.Id), p => Assert.False(p.AdminStateUp));
    }

    [Fact]
    public async Task System_ports_are_read_only_to_customers_alone_and_in_a_bulk_change()
    {
        var (project, actor) = await MemberProjectAsync("sys");
        var network = await db.Networks.CreateAsync(actor, project, new NetworkCreate
        {
            Name = "routed", InternetAccess = true, FirstSubnet = new SubnetCreate { Name = "routed-subnet", Cidr = "10.63.0.0/24" },
        });
        var all = await db.Ports.ListAsync(actor, project, network.Id);
        var dhcp = all.Single(p => p.DeviceOwner == DeviceOwners.Dhcp);
        var router = all.Single(p => p.DeviceOwner == DeviceOwners.RouterInterface);
        var mine = await db.Ports.CreateAsync(actor, project, new PortCreate { NetworkId = network.Id, Name = "mine" });

        foreach (var system in new[] { dhcp, router })
        {
            var e = await Errors.ExpectAsync(() => db.Ports.UpdateAsync(actor, project, system.Id, new PortUpdate { Name = "taken", AdminStateUp = false }),
                "PolicyNotAuthorized", 403, system.FixedIps.Single().IpAddress.ToString());
            Assert.EndsWith("is managed by the system; it cannot be changed by hand.", e.Localize(Errors.English));
        }
        var dhcpError = await Errors.ExpectAsync(() => db.Ports.UpdateAsync(actor, project, dhcp.Id, new PortUpdate { Name = "x" }), "PolicyNotAuthorized", 403);
        Assert.Equal($"Порт {dhcp.FixedIps.Single().IpAddress} принадлежит устройству «DHCP» и управляется системой; изменить его вручную нельзя.",
            dhcpError.Localize(Errors.Russian));

        var result = await db.Ports.SetAdminStateAsync(actor, project, [dhcp.Id, mine.Id, router.Id], false);
        Assert.Equal(1, result.Done);
        Assert.Equal(["PolicyNotAuthorized", "PolicyNotAuthorized"], result.Refused.Select(r => r.Type));

        var after = await db.Ports.ListAsync(actor, project, network.Id);
        Assert.All(after.Where(p => p.DeviceOwner != DeviceOwners.User), p => Assert.Equal(("", true), (p.Name, p.AdminStateUp)));
        Assert.False(after.Single(p => p.Id == mine.Id).AdminStateUp);
        Assert.Equal([mine.Id.ToString()], (await UpdatesAsync(actor, project)).Select(e => e.ObjectId));
    }
}
