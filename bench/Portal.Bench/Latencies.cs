using System.Diagnostics;
using System.Globalization;
using Portal.Data.Services;

namespace Portal.Bench;

/// <summary>Median and 99th percentile (nearest rank) of a set of latencies in microseconds.</summary>
internal sealed record LatencySummary(double Median, double P99, int Count)
{
    public static LatencySummary Of(IReadOnlyCollection<double> microseconds)
    {
        var sorted = microseconds.Order().ToArray();
        return new LatencySummary(Rank(sorted, 0.50), Rank(sorted, 0.99), sorted.Length);
    }

    public override string ToString() => $"median {Format(Median)}, p99 {Format(P99)} (n={Count})";

    public static string Format(double microseconds) => microseconds < 1000
        ? string.Create(CultureInfo.InvariantCulture, $"{microseconds:F0} us")
        : string.Create(CultureInfo.InvariantCulture, $"{microseconds / 1000:F1} ms");

    private static double Rank(double[] sorted, double quantile) =>
        sorted[Math.Clamp((int)Math.Ceiling(quantile * sorted.Length) - 1, 0, sorted.Length - 1)];
}

/// <summary>One client creating ports on one subnet one after another, each creation timed on its own.</summary>
internal sealed class SequentialCreations(BenchDatabase db, BenchSubnet subnet)
{
    private readonly PortCreate _request = new() { NetworkId = subnet.NetworkId, FixedIps = [new FixedIpRequest(subnet.SubnetId, null)] };

    public async Task<double> TimeOneAsync(CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        await db.Ports.CreateAsync(db.Customer, db.ProjectId, _request, ct);
        return Stopwatch.GetElapsedTime(started).TotalMicroseconds;
    }

    public async Task<List<double>> RunAsync(int count, CancellationToken ct)
    {
        var microseconds = new List<double>(count);
        for (var i = 0; i < count; i++) microseconds.Add(await TimeOneAsync(ct));
        return microseconds;
    }
}
