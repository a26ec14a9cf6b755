using Npgsql;

namespace Portal.Data.Store;

/// <summary>The change feed's SQL: LISTEN / UNLISTEN on its own connection, and the batched NOTIFY.</summary>
internal static class ChangeFeedStore
{
    /// <summary>The channel the triggers notify (migration ChangeFeed); payload "&lt;table&gt;:&lt;project_id&gt;".</summary>
    public const string Channel = "portal_changes";

    public static async Task ListenAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var listen = new NpgsqlCommand("LISTEN " + Channel, connection);
        await listen.ExecuteNonQueryAsync(ct);
    }

    /// <summary>A query on the idle listening connection: a dead peer is found now rather than when TCP gives up.</summary>
    public static async Task PingAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var ping = new NpgsqlCommand("SELECT 1", connection) { CommandTimeout = 15 };
        await ping.ExecuteNonQueryAsync(ct);
    }

    public static async Task UnlistenAsync(NpgsqlConnection connection)
    {
        await using var unlisten = new NpgsqlCommand("UNLISTEN *", connection) { CommandTimeout = 5 };
        await unlisten.ExecuteNonQueryAsync(CancellationToken.None);
    }

    /// <summary>Sends one notification per payload, in one statement.</summary>
    public static async Task NotifyAsync(NpgsqlDataSource dataSource, string[] payloads, CancellationToken ct)
    {
        await using var command = Sql.Command(dataSource, $"SELECT pg_notify({Channel}, p) FROM unnest({payloads}::text[]) p");
        await command.ExecuteNonQueryAsync(ct);
    }
}
