using System.Net;
using Npgsql;
using Portal.Core.Errors;
using Portal.Data.Store;
using Portal.Data.Entities;
using Portal.Data.Services;

namespace Portal.Data.Tests;

/// <summary>
/// Every creation and deletion of a network, subnet or user's port leaves an audit entry written in its own
/// transaction: one exists exactly when the change does. System ports are not recorded.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class AuditTrailTests(DatabaseFixture db)
{
    private const string From = "198.51.100.23";

    /// <summary>A project with a member acting from <see cref="From"/>, who may read its trail.</summary>
    private async Task<(string Project, Actor Actor)> MemberProjectAsync(string name)
    {
        var user = await db.NewUserAsync(name);
        var project = await db.NewProjectAsync();
        await db.Projects.AddMemberAsync(Actor.System, project, user.Id, owner: true);
        return (project, new Actor(user.Id, user.Email!, From, IsSupport: false));
    }

    private async Task<IReadOnlyList<AuditEntry>> TrailAsync(Actor actor, string project) =>
        (await db.Audit.ListAsync(actor, project, new PageRequest(0, 50))).Items;

    private static string Address(Port port) => port.FixedIps.Single().IpAddress.ToString();

    [Fact]
    public async Task Creating_and_deleting_networks_subnets_and_ports_is_recorded_newest_first_with_the_actor()
    {
        var (project, actor) = await MemberProjectAsync("anna");
        // DHCP and internet access give every subnet system ports, which must not show up in the trail.
        var network = await db.Networks.CreateAsync(actor, project, new NetworkCreate
        {
            Name = "web", InternetAccess = true, FirstSubnet = new SubnetCreate { Name = "web-subnet", Cidr = "10.20.0.0/24" },
        });
        var web = network.Subnets.Single();
        var dbSubnet = await db.Subnets.CreateAsync(actor, project, network.Id, new SubnetCreate { Name = "db", Cidr = "10.20.1.0/24" });
        // An explicit address takes the full path; a subnet without an address the direct one.
        var named = await db.Ports.CreateAsync(actor, project, new PortCreate
        {
            NetworkId = network.Id, Name = "app", FixedIps = [new FixedIpRequest(null, "10.20.0.5")],
        });
        var automatic = await db.Ports.CreateAsync(actor, project, new PortCreate
        {
            NetworkId = network.Id, FixedIps = [new FixedIpRequest(dbSubnet.Id, null)],
        });
        Assert.True((await db.Ports.ListAsync(Actor.System, project, network.Id)).Count > 2, "the subnets have system ports");
        // As stored (PostgreSQL keeps microseconds).
        var networkCreated = (await db.Networks.GetAsync(Actor.System, project, network.Id)).CreatedAt;
        var portCreated = (await db.Ports.GetAsync(Actor.System, project, named.Id)).CreatedAt;

        await db.Ports.DeleteAsync(actor, project, named.Id);
        var bulk = await db.Ports.DeleteManyAsync(actor, project, [automatic.Id]);
        Assert.Equal(1, bulk.Done);
        await db.Subnets.DeleteAsync(actor, project, dbSubnet.Id);
        await db.Networks.DeleteAsync(actor, project, network.Id);

        var trail = await TrailAsync(actor, project);
        Assert.Equal(
        [
            ("network.delete", "network", network.Id.ToString(), "web", ""),
            ("subnet.delete", "subnet", web.Id.ToString(), "web-subnet", "10.20.0.0/24"),
            ("subnet.delete", "subnet", dbSubnet.Id.ToString(), "db", "10.20.1.0/24"),
            ("port.delete", "port", automatic.Id.ToString(), "", Address(automatic)),
            ("port.delete", "port", named.Id.ToString(), "app", "10.20.0.5"),
            ("port.create", "port", automatic.Id.ToString(), "", Address(automatic)),
            ("port.create", "port", named.Id.ToString(), "app", "10.20.0.5"),
            ("subnet.create", "subnet", dbSubnet.Id.ToString(), "db", "10.20.1.0/24"),
            ("subnet.create", "subnet", web.Id.ToString(), "web-subnet", "10.20.0.0/24"),
            ("network.create", "network", network.Id.ToString(), "web", ""),
        ], trail.Select(e => (e.Action, e.ObjectType, e.ObjectId, e.ObjectName, e.Details)));
        Assert.All(trail, e => Assert.Equal((actor.Name, From, project), (e.Actor, e.Address, e.ProjectId)));
        // A creation's entry carries the object's own creation time.
        Assert.Equal(networkCreated, trail.Single(e => e.Action == "network.create").At);
        Assert.Equal(networkCreated, trail.Single(e => e.ObjectId == web.Id.ToString() && e.Action == "subnet.create").At);
        Assert.Equal(portCreated, trail.Single(e => e.ObjectId == named.Id.ToString() && e.Action == "port.create").At);
    }

    [Fact]
    public async Task An_unnamed_subnet_is_named_in_the_trail_by_its_cidr()
    {
        var (project, actor) = await MemberProjectAsync("boris");
        var network = await db.Networks.CreateAsync(actor, project, new NetworkCreate
        {
            Name = "plain", FirstSubnet = new SubnetCreate { Cidr = "10.21.0.0/24" },
        });
        var second = await db.Subnets.CreateAsync(actor, project, network.Id, new SubnetCreate { Cidr = "10.21.1.0/24" });
        await db.Subnets.DeleteAsync(actor, project, second.Id);
        await db.Networks.DeleteAsync(actor, project, network.Id);

        var subnets = (await TrailAsync(actor, project)).Where(e => e.ObjectType == "subnet").Select(e => (e.Action, e.ObjectName));
        Assert.Equal([("subnet.delete", "10.21.0.0/24"), ("subnet.delete", "10.21.1.0/24"), ("subnet.create", "10.21.1.0/24"), ("subnet.create", "10.21.0.0/24")],
            subnets);
    }

    [Fact]
    public async Task A_refused_creation_or_deletion_leaves_no_entry()
    {
        var (project, actor) = await MemberProjectAsync("pavel");
        var network = await db.Networks.CreateAsync(actor, project, new NetworkCreate
        {
            Name = "base", FirstSubnet = new SubnetCreate { Name = "base-subnet", Cidr = "10.30.0.0/24" },
        });
        var subnet = network.Subnets.Single();
        await db.Ports.CreateAsync(actor, project, new PortCreate { NetworkId = network.Id, FixedIps = [new FixedIpRequest(null, "10.30.0.5")] });
        var before = (await TrailAsync(actor, project)).Select(e => e.Id).ToList();
        Assert.Equal(3, before.Count);

        await Errors.ExpectAsync(() => db.Ports.CreateAsync(actor, project, new PortCreate
        {
            NetworkId = network.Id, FixedIps = [new FixedIpRequest(null, "10.30.0.5")],
        }), "IpAddressAlreadyAllocated", 409, "10.30.0.5");
        await Errors.ExpectAsync(() => db.Subnets.CreateAsync(actor, project, network.Id, new SubnetCreate { Cidr = "10.30.0.0/25" }),
            "InvalidInput", 400, "10.30.0.0/25");

        await db.Projects.SetQuotaAsync(Actor.System, project, Quotas.Networks, 1);
        await Errors.ExpectAsync(() => db.Networks.CreateAsync(actor, project, new NetworkCreate { Name = "two" }), "OverQuota", 409, "1");
        await db.Projects.SetQuotaAsync(Actor.System, project, Quotas.Networks, 5);
        await db.Projects.SetQuotaAsync(Actor.System, project, Quotas.Subnets, 1);
        await Errors.ExpectAsync(() => db.Networks.CreateAsync(actor, project, new NetworkCreate
        {
            Name = "three", FirstSubnet = new SubnetCreate { Cidr = "10.31.0.0/24" },
        }), "OverQuota", 409, "1");
        var ports = (await db.Projects.GetQuotasAsync(Actor.System, project)).Single(q => q.Resource == Quotas.Ports).Used;
        await db.Projects.SetQuotaAsync(Actor.System, project, Quotas.Ports, ports);
        await Errors.ExpectAsync(() => db.Ports.CreateAsync(actor, project, new PortCreate { NetworkId = network.Id }),
            "OverQuota", 409, ports.ToString());
        await Errors.ExpectAsync(() => db.Ports.CreateAsync(actor, project, new PortCreate
        {
            NetworkId = network.Id, FixedIps = [new FixedIpRequest(subnet.Id, null)],
        }), "OverQuota", 409, ports.ToString());

        var dhcp = (await db.Ports.ListAsync(Actor.System, project, network.Id)).Single(p => p.DeviceOwner == DeviceOwners.Dhcp);
        await Errors.ExpectAsync(() => db.Ports.DeleteAsync(actor, project, dhcp.Id), "PortSystemOwned", 409, "DHCP");
        Assert.Equal(0, (await db.Ports.DeleteManyAsync(actor, project, [dhcp.Id])).Done);
        await Errors.ExpectAsync(() => db.Subnets.DeleteAsync(actor, project, subnet.Id), "SubnetInUse", 409, "10.30.0.5");
        await Errors.ExpectAsync(() => db.Networks.DeleteAsync(actor, project, network.Id), "NetworkInUse", 409, "10.30.0.5");

        Assert.Equal(before, (await TrailAsync(actor, project)).Select(e => e.Id));
    }

    [Fact]
    public async Task Ports_written_together_keep_their_own_entries_when_one_of_them_fails()
    {
        var (project, actor) = await MemberProjectAsync("lena");
        var network = await db.Networks.CreateAsync(actor, project, new NetworkCreate
        {
            Name = "group", FirstSubnet = new SubnetCreate { Cidr = "10.40.0.0/24", EnableDhcp = false },
        });
        var subnet = network.Subnets.Single();
        // Started together, they share group commits; two ask for the same address and only one may get it.
        string[] wanted = ["10.40.0.10", "10.40.0.11", "10.40.0.12", "10.40.0.12", "10.40.0.13", "10.40.0.14", "10.40.0.15", "10.40.0.16"];
        using var start = new SemaphoreSlim(0);
        var tasks = wanted.Select(ip => Task.Run(async () =>
        {
            await start.WaitAsync();
            try
            {
                return await db.Ports.CreateAsync(actor, project, new PortCreate
                {
                    NetworkId = network.Id, Name = "p" + ip, FixedIps = [new FixedIpRequest(subnet.Id, ip)],
                });
            }
            catch (NeutronException e) when (e.Type == "IpAddressAlreadyAllocated")
            {
                return null;
            }
        })).ToList();
        start.Release(wanted.Length);
        var created = (await Task.WhenAll(tasks)).OfType<Port>().ToList();

        Assert.Equal(wanted.Distinct().Order(), created.Select(Address).Order());
        var entries = (await TrailAsync(actor, project)).Where(e => e.Action == "port.create").ToList();
        Assert.Equal(created.Select(p => (p.Id.ToString(), "p" + Address(p), Address(p))).Order(),
            entries.Select(e => (e.ObjectId, e.ObjectName, e.Details)).Order());
    }

    [Fact]
    public async Task A_failing_port_in_a_batch_is_named_as_such_and_takes_every_entry_of_the_batch_with_it()
    {
        var (project, actor) = await MemberProjectAsync("ivan");
        var network = await db.Networks.CreateAsync(actor, project, new NetworkCreate
        {
            Name = "batch", FirstSubnet = new SubnetCreate { Cidr = "10.50.0.0/24", EnableDhcp = false },
        });
        var subnet = network.Subnets.Single();
        await db.Ports.CreateAsync(actor, project, new PortCreate { NetworkId = network.Id, FixedIps = [new FixedIpRequest(null, "10.50.0.5")] });
        var before = (await TrailAsync(actor, project)).Select(e => e.Id).ToList();
        PortSpec Spec(string name, string? ip, Actor? audit) => new(Guid.CreateVersion7(), project, network.Id, name, PortStore.NewMac(),
            DeviceOwners.User, "", "", true, [new AllocationSpec(subnet.Id, "", ip is null ? null : IPAddress.Parse(ip))], audit);
        var now = new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);
        // Npgsql 10 names the failed statement (PostgresException.BatchCommand) only when asked to.
        await using var connection = new NpgsqlConnection(
            new NpgsqlConnectionStringBuilder(db.ConnectionString) { IncludeFailedBatchedCommand = true }.ConnectionString);
        await connection.OpenAsync();

        // Each port before the failing one adds its audit statement to the batch; the failure must still name port 2.
        var e = await Assert.ThrowsAsync<PostgresException>(() => PortStore.InsertManyAsync(connection, null,
            [Spec("a", null, actor), Spec("b", "10.50.0.200", actor), Spec("taken", "10.50.0.5", actor), Spec("c", null, actor)], now, default));
        Assert.True(2.Equals(e.Data[PortStore.FailedPortKey]), e.Message);
        Assert.Equal(before, (await TrailAsync(actor, project)).Select(x => x.Id));

        // A spec without an actor (how the subnet logic writes its system ports) is written without an entry.
        var ports = await PortStore.InsertManyAsync(connection, null,
            [Spec("a", null, actor), Spec("system", null, null), Spec("b", "10.50.0.200", Actor.System)], now, default);
        var entries = (await TrailAsync(actor, project)).Where(x => !before.Contains(x.Id)).ToList();
        Assert.Equal(
            [(ports[2].Id.ToString(), "b", "system", (string?)null), (ports[0].Id.ToString(), "a", actor.Name, From)],
            entries.Select(x => (x.ObjectId, x.ObjectName, x.Actor, x.Address)).OrderBy(x => x.Item2 == "a"));
        Assert.All(entries, x => Assert.Equal(now, x.At));
        Assert.Equal(["10.50.0.200", Address(ports[0])], entries.OrderBy(x => x.ObjectName == "a").Select(x => x.Details));
    }
}
