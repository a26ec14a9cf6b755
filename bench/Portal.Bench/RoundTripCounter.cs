using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace Portal.Bench;

/// <summary>
/// Counts the commands (each one round trip) Npgsql sends, grouped by the start of their SQL, through Npgsql's
/// tracing ActivitySource. Only attached for a short profiling pass: tracing itself costs time.
/// </summary>
internal sealed class RoundTripCounter : IDisposable
{
    private readonly ConcurrentDictionary<string, int> _byStatement = new();
    private readonly ActivityListener _listener;
    private int _failed;

    public RoundTripCounter()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Npgsql",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = Record,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public int Total => _byStatement.Values.Sum();

    /// <summary>"2.00 per port: SELECT … FROM networks 1.00, INSERT INTO ports … 1.00"; failed commands listed apart.</summary>
    public string Describe(int operations) =>
        string.Create(CultureInfo.InvariantCulture, $"{(double)Total / operations:F2} per port (failed {_failed}): ") +
        string.Join("; ", _byStatement.OrderByDescending(s => s.Value)
            .Select(s => string.Create(CultureInfo.InvariantCulture, $"{(double)s.Value / operations:F2} x [{s.Key}]")));

    public void Dispose() => _listener.Dispose();

    private void Record(Activity activity)
    {
        if (activity.Status == ActivityStatusCode.Error) Interlocked.Increment(ref _failed);
        var sql = activity.GetTagItem("db.query.text") as string ?? activity.GetTagItem("db.statement") as string ?? activity.DisplayName;
        _byStatement.AddOrUpdate(Shorten(sql), 1, (_, c) => c + 1);
    }

    /// <summary>The statement's first words and its table, enough to tell the service's statements apart.</summary>
    private static string Shorten(string sql)
    {
        var oneLine = string.Join(' ', sql.Split((char[])[' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries));
        return oneLine.Length <= 70 ? oneLine : oneLine[..70] + "…";
    }
}
