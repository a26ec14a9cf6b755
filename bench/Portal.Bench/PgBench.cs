using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Portal.Bench;

internal sealed record PgBenchResult(double? Tps, string Output);

/// <summary>
/// The yardstick: PostgreSQL's own pgbench doing the cheapest useful write (a single-row INSERT, one commit) with
/// the same number of clients, against the same server and database. It shows what this machine can commit at
/// all, so the port figure can be read independently of the hardware.
/// </summary>
internal static partial class PgBench
{
    public static async Task<PgBenchResult> RunAsync(BenchDatabase db, int clients, int seconds, CancellationToken ct)
    {
        var executable = Locate();
        if (executable is null) return new PgBenchResult(null, "pgbench not found (looked in $PG_BIN, /usr/bin and PATH)");

        await db.ExecuteAsync(
            "CREATE TABLE IF NOT EXISTS bench_insert (id bigserial PRIMARY KEY, v int, t timestamptz DEFAULT now())", ct);
        var script = Path.Combine(Path.GetTempPath(), $"portal-bench-{Environment.ProcessId}.sql");
        await File.WriteAllTextAsync(script, "INSERT INTO bench_insert (v) VALUES (1);\n", ct);
        try
        {
            var settings = db.Settings;
            var start = new ProcessStartInfo(executable)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var arg in (string[])["-h", settings.Host ?? "localhost", "-p", settings.Port.ToString(CultureInfo.InvariantCulture),
                         "-U", settings.Username ?? Environment.UserName, "-n", "-c", clients.ToString(CultureInfo.InvariantCulture),
                         "-j", "2", "-T", seconds.ToString(CultureInfo.InvariantCulture), "-M", "prepared", "-f", script,
                         settings.Database!])
            {
                start.ArgumentList.Add(arg);
            }
            if (!string.IsNullOrEmpty(settings.Password)) start.Environment["PGPASSWORD"] = settings.Password;

            using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {executable}.");
            var stdout = process.StandardOutput.ReadToEndAsync(ct);
            var stderr = process.StandardError.ReadToEndAsync(ct);
            await process.WaitForExitAsync(ct);
            var output = await stdout + await stderr;
            var match = TpsLine().Match(output);
            return new PgBenchResult(
                match.Success ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : null, output);
        }
        finally
        {
            File.Delete(script);
        }
    }

    private static string? Locate()
    {
        var candidates = new List<string>();
        if (Environment.GetEnvironmentVariable("PG_BIN") is { Length: > 0 } pgBin) candidates.Add(Path.Combine(pgBin, "pgbench"));
        candidates.Add("/usr/bin/pgbench");
        candidates.AddRange((Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(':', StringSplitOptions.RemoveEmptyEntries).Select(d => Path.Combine(d, "pgbench")));
        return candidates.FirstOrDefault(File.Exists);
    }

    [GeneratedRegex(@"tps = ([0-9]+(?:\.[0-9]+)?)")]
    private static partial Regex TpsLine();
}
