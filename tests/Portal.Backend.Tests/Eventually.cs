namespace Portal.Backend.Tests;

/// <summary>Waiting for what agents and workers do in their own time, bounded. Shared with the netns tests (linked).</summary>
public static class Eventually
{
    /// <summary>Polls <paramref name="probe"/> until it returns true; fails with <paramref name="what"/> (the state seen) after the bound.</summary>
    public static async Task Async(Func<Task<bool>> probe, Func<Task<string>> what, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(30));
        while (!await probe())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail("Timed out waiting: " + await what());
            await Task.Delay(100);
        }
    }
}
