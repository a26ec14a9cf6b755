namespace Portal.Web.Api;

/// <summary>
/// Neutron's bulk create (<c>{"ports": [...]}</c>): all of the resources or none. Each is created by the same service call
/// as a single one, in order; when one is refused, the ones created before it are deleted again (newest first) and the
/// refusal is the answer, as Neutron's emulated bulk does. Their creations and deletions stay in the audit trail.
/// </summary>
public static class NeutronBulk
{
    public static async Task<IReadOnlyList<TOut>> CreateAllAsync<TIn, TOut>(HttpContext http, IReadOnlyList<TIn> items,
        Func<TIn, Task<TOut>> create, Func<TOut, Task> delete)
    {
        var created = new List<TOut>(items.Count);
        try
        {
            foreach (var item in items) created.Add(await create(item));
            return created;
        }
        catch (Exception refusal)
        {
            for (var i = created.Count - 1; i >= 0; i--)
            {
                try
                {
                    await delete(created[i]);
                }
                catch (Exception e)
                {
                    http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Portal.Web.Api")
                        .LogError(e, "Undoing resource {Index} of a refused bulk create ({Refusal}) failed", i, refusal.Message);
                }
            }
            throw;
        }
    }
}
