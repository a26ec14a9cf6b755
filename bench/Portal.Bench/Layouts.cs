namespace Portal.Bench;

/// <summary>
/// Which addresses of a pool are taken before a measurement, as offsets from the pool's first address.
/// The allocator first looks above the highest allocation, then walks the gaps from the bottom; the layouts
/// put it in each of those situations.
/// </summary>
internal static class Layouts
{
    /// <summary>The lowest <paramref name="filled"/> addresses: free ones are all above the highest allocation.</summary>
    public static long[] Bottom(long size, int filled)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(filled, size);
        return Sequence(0, filled).ToArray();
    }

    /// <summary>
    /// The top of the pool full and the free addresses spread as every other address at the bottom, so only the
    /// gap search can find them and each allocation leaves the next gap a little further up.
    /// </summary>
    public static long[] LowGaps(long size, int filled)
    {
        var free = size - filled;
        ArgumentOutOfRangeException.ThrowIfNegative(free);
        var low = Sequence(0, free).Select(i => 2 * i + 1);
        return low.Concat(Sequence(2 * free, size - 2 * free)).ToArray();
    }

    /// <summary>
    /// The bottom filled and the pool's last address taken (as one explicitly requested address would do): the
    /// free addresses are directly above the filled part, but nothing is above the highest allocation.
    /// </summary>
    public static long[] BottomAndLast(long size, int filled)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(filled, size);
        return Sequence(0, filled - 1).Append(size - 1).ToArray();
    }

    private static IEnumerable<long> Sequence(long start, long count)
    {
        for (var i = 0L; i < count; i++) yield return start + i;
    }
}
