using Portal.Data.Services;

namespace Portal.Data.Tests;

/// <summary>A project neither reads nor changes another project's rows: it gets NotFound, and nothing changes.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class ProjectScopeTests(DatabaseFixture db)
{
    [Fact]
    public async Task Another_projects_network_subnet_and_port_are_not_found_and_stay_unchanged()
    {
        var owner = await db.NewProjectAsync();
        var stranger = await db.NewProjectAsync();
        var network = await db.Networks.CreateAsync(Actor.System, owner, new NetworkCreate
        {
            Name = "private", FirstSubnet = new SubnetCreate { Name = "s", Cidr = "10.0.0.0/24" },
        });
        var subnet = network.Subnets[0];
        var port = await db.Ports.CreateAsync(Actor.System, owner, new PortCreate { NetworkId = network.Id, Name = "mine" });

        var attempts = new (string What, Func<Task> Act)[]
        {
            ("read network", () => db.Networks.GetAsync(Actor.System, stranger, network.Id)),
            ("update network", () => db.Networks.UpdateAsync(Actor.System, stranger, network.Id, new NetworkUpdate { Name = "stolen" })),
            ("delete network", () => db.Networks.DeleteAsync(Actor.System, stranger, network.Id)),
            ("read subnet", () => db.Subnets.GetAsync(Actor.System, stranger, subnet.Id)),
            ("list subnets", async () => Assert.Empty(await db.Subnets.ListAsync(Actor.System, stranger, network.Id))),
            ("add subnet", () => db.Subnets.CreateAsync(Actor.System, stranger, network.Id, new SubnetCreate { Cidr = "10.1.0.0/24" })),
            ("update subnet", () => db.Subnets.UpdateAsync(Actor.System, stranger, subnet.Id, new SubnetUpdate { Name = "stolen" })),
            ("delete subnet", () => db.Subnets.DeleteAsync(Actor.System, stranger, subnet.Id)),
            ("availability", () => db.Subnets.GetAvailabilityAsync(Actor.System, stranger, subnet.Id)),
            ("read port", () => db.Ports.GetAsync(Actor.System, stranger, port.Id)),
            ("add port", () => db.Ports.CreateAsync(Actor.System, stranger, new PortCreate { NetworkId = network.Id })),
            ("update port", () => db.Ports.UpdateAsync(Actor.System, stranger, port.Id, new PortUpdate { Name = "stolen" })),
            ("delete port", () => db.Ports.DeleteAsync(Actor.System, stranger, port.Id)),
        };
        foreach (var (what, act) in attempts)
        {
            if (what == "list subnets") { await act(); continue; }
            var e = await Assert.ThrowsAsync<Portal.Core.Errors.NeutronException>(act);
            Assert.True(e.StatusCode == 404, $"{what}: expected 404, got {e.StatusCode} {e.Type}");
        }

        Assert.Equal("private", (await db.Networks.GetAsync(Actor.System, owner, network.Id)).Name);
        Assert.Equal("s", (await db.Subnets.GetAsync(Actor.System, owner, subnet.Id)).Name);
        Assert.Equal("mine", (await db.Ports.GetAsync(Actor.System, owner, port.Id)).Name);
        Assert.DoesNotContain(await db.Networks.ListAsync(Actor.System, stranger), n => n.Id == network.Id);
        Assert.Equal(0L, await db.ScalarAsync("SELECT count(*) FROM ports WHERE project_id = $1", stranger));
    }
}
