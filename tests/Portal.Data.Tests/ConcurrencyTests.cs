using Portal.Core.Errors;
using Portal.Data.Services;

namespace Portal.Data.Tests;

/// <summary>Racing requests never both win; losers get the error a sequential request would get.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class ConcurrencyTests(DatabaseFixture db)
{
    [Fact]
    public async Task Thirty_two_concurrent_ports_on_a_small_subnet_get_distinct_addresses_and_the_rest_a_clear_error()
    {
        var project = await db.NewProjectAsync();
        var network = await db.Networks.CreateAsync(Actor.System, project, new NetworkCreate
        {
            Name = "small", FirstSubnet = new SubnetCreate { Name = "s28", Cidr = "10.0.0.0/28", EnableDhcp = false },
        });
        var subnet = network.Subnets[0]; // gateway .1, pool .2-.14: 13 addresses

        using var start = new SemaphoreSlim(0);
        var tasks = Enumerable.Range(0, 32).Select(i => Task.Run(async () =>
        {
            await start.WaitAsync();
            try
            {
                var port = await db.Ports.CreateAsync(Actor.System, project, new PortCreate { NetworkId = network.Id, Name = $"p{i}", FixedIps = [new FixedIpRequest(subnet.Id, null)] });
                return (Address: port.FixedIps.Single().IpAddress.ToString(), Error: (NeutronException?)null);
            }
            catch (NeutronException e)
            {
                return (Address: (string?)null, Error: e);
            }
        })).ToList();
        start.Release(32);
        var results = await Task.WhenAll(tasks);

        var addresses = results.Where(r => r.Address is not null).Select(r => r.Address!).ToList();
        Assert.Equal(13, addresses.Count);
        Assert.Equal(13, addresses.Distinct().Count());
        Assert.Equal(Enumerable.Range(2, 13).Select(i => $"10.0.0.{i}").Order(), addresses.Order());
        Assert.All(results.Where(r => r.Error is not null), r => Assert.Equal("IpAddressGenerationFailure", r.Error!.Type));
        Assert.Equal(19, results.Count(r => r.Error is not null));
        Assert.Equal(13L, await db.ScalarAsync("SELECT count(*) FROM ip_allocations WHERE subnet_id = $1", subnet.Id));
        Assert.Equal(13, (await db.Projects.GetQuotasAsync(Actor.System, project)).Single(q => q.Resource == Quotas.Ports).Used);
    }

    [Fact]
    public async Task Of_two_concurrent_overlapping_subnets_exactly_one_wins()
    {
        var project = await db.NewProjectAsync();
        for (var round = 0; round < 10; round++)
        {
            var network = await db.Networks.CreateAsync(Actor.System, project, new NetworkCreate { Name = $"race{round}" });
            using var start = new SemaphoreSlim(0);
            async Task<NeutronException?> Create(string cidr)
            {
                await start.WaitAsync();
                try
                {
                    await db.Subnets.CreateAsync(Actor.System, project, network.Id, new SubnetCreate { Name = cidr, Cidr = cidr });
                    return null;
                }
                catch (NeutronException e)
                {
                    return e;
                }
            }
            var a = Task.Run(() => Create("10.5.0.0/16"));
            var b = Task.Run(() => Create("10.5.1.0/24"));
            start.Release(2);
            var errors = await Task.WhenAll(a, b);

            Assert.Single(errors, e => e is null);
            var loser = Assert.Single(errors, e => e is not null)!;
            Assert.Equal("InvalidInput", loser.Type);
            Assert.StartsWith("SubnetOverlap", loser.MessageKey);
            Assert.Single(await db.Subnets.ListAsync(Actor.System, project, network.Id));
        }
        Assert.Equal(10, (await db.Projects.GetQuotasAsync(Actor.System, project)).Single(q => q.Resource == Quotas.Subnets).Used);
    }

    // Creations that arrive together are written together (PortInsertQueue); one that fails must fail alone.
    [Fact]
    public async Task In_a_crowd_of_creations_a_taken_address_fails_only_its_own_request()
    {
        var project = await db.NewProjectAsync();
        var network = await db.Networks.CreateAsync(Actor.System, project, new NetworkCreate
        {
            Name = "crowd", FirstSubnet = new SubnetCreate { Name = "s", Cidr = "10.9.0.0/24", EnableDhcp = false },
        });
        var subnet = network.Subnets[0];

        using var start = new SemaphoreSlim(0);
        var tasks = Enumerable.Range(0, 40).Select(i => Task.Run(async () =>
        {
            await start.WaitAsync();
            var wanted = i % 8 == 0 ? "10.9.0.200" : null; // 5 of them want the same address
            try
            {
                var port = await db.Ports.CreateAsync(Actor.System, project, new PortCreate
                {
                    NetworkId = network.Id, Name = $"p{i}", FixedIps = [new FixedIpRequest(subnet.Id, wanted)],
                });
                return (Wanted: wanted, Address: port.FixedIps.Single().IpAddress.ToString(), Error: (NeutronException?)null);
            }
            catch (NeutronException e)
            {
                return (Wanted: wanted, Address: (string?)null, Error: e);
            }
        })).ToList();
        start.Release(40);
        var results = await Task.WhenAll(tasks);

        var automatic = results.Where(r => r.Wanted is null).ToList();
        Assert.All(automatic, r => Assert.Null(r.Error));
        Assert.Equal(35, automatic.Select(r => r.Address).Distinct().Count());
        Assert.DoesNotContain("10.9.0.200", automatic.Select(r => r.Address));
        var chosen = results.Where(r => r.Wanted is not null).ToList();
        Assert.Single(chosen, r => r.Address == "10.9.0.200");
        Assert.All(chosen.Where(r => r.Address is null), r => Assert.Equal("IpAddressAlreadyAllocated", r.Error!.Type));
        Assert.Equal(36L, await db.ScalarAsync("SELECT count(*) FROM ports WHERE project_id = $1", project));
        Assert.Equal(36, (await db.Projects.GetQuotasAsync(Actor.System, project)).Single(q => q.Resource == Quotas.Ports).Used);
    }

    // 100 clients: more than the quota has shares, so some wait for a share instead of skipping it;
    // a creation is refused only when the quota is really used up, so exactly the limit succeeds.
    [Theory]
    [InlineData(20, 5)]
    [InlineData(100, 80)]
    public async Task Racing_creations_fill_the_quota_exactly_and_never_exceed_it(int clients, int limit)
    {
        var project = await db.NewProjectAsync();
        var network = await db.Networks.CreateAsync(Actor.System, project, new NetworkCreate
        {
            Name = "q", FirstSubnet = new SubnetCreate { Cidr = "10.0.0.0/24", EnableDhcp = false },
        });
        await db.Projects.SetQuotaAsync(Actor.System, project, Quotas.Ports, limit);
        using var start = new SemaphoreSlim(0);
        var tasks = Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            await start.WaitAsync();
            try
            {
                await db.Ports.CreateAsync(Actor.System, project, new PortCreate { NetworkId = network.Id });
                return null;
            }
            catch (NeutronException e)
            {
                return e;
            }
        })).ToList();
        start.Release(clients);
        var errors = await Task.WhenAll(tasks);
        Assert.Equal(limit, errors.Count(e => e is null));
        Assert.All(errors.Where(e => e is not null), e => Assert.Equal("OverQuota", e!.Type));
        Assert.Equal((long)limit, await db.ScalarAsync("SELECT count(*) FROM ports WHERE project_id = $1", project));
        Assert.Equal(limit, (await db.Projects.GetQuotasAsync(Actor.System, project)).Single(q => q.Resource == Quotas.Ports).Used);
    }
}
