namespace Portal.Migrations.Sql;

internal static class AgentsSql
{
    /// <summary>
    /// Join tokens as new clusters get them (random, hex): gen_random_uuid() draws from the server's strong random
    /// source, and 48 hex digits of two give about 180 random bits.
    /// </summary>
    public const string Backfill = """
        UPDATE clusters SET join_token = left(replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 48)
         WHERE join_token = '';
        INSERT INTO cluster_generations (cluster_id, generation, check_id)
        SELECT id, 1, 0 FROM clusters ON CONFLICT DO NOTHING;
        """;
}
