namespace Portal.Migrations.Sql;

/// <summary>The allocator reads the highest allocation of a pool in a form whose plan cannot degrade.</summary>
internal static class AllocatorSql
{
    public const string Up = """
        -- Next free address of a subnet; SQLSTATE PT002 when every pool is full.
        -- Next-fit: first the addresses above the highest allocation of each pool (one index probe, so the
        -- cost does not grow with the number of allocations), then the gaps below it, found by a window over
        -- the (subnet_id, ip_address) index that stops at the first usable gap. Concurrent callers skip an
        -- address another transaction is about to take (a transaction-scoped advisory lock), so racing
        -- allocations spread over neighbouring addresses instead of queueing on one; the unique index stays
        -- the final arbiter.
        CREATE OR REPLACE FUNCTION portal_allocate_ip(p_subnet uuid) RETURNS inet
        LANGUAGE plpgsql VOLATILE AS $fn$
        DECLARE
            pool record;
            gap record;
            hw inet;
            c inet;
            tries int := 0;
        BEGIN
            FOR pool IN SELECT first_ip, last_ip FROM allocation_pools WHERE subnet_id = p_subnet ORDER BY first_ip LOOP
                -- The highest allocation as the first row of the index read backwards. Not max(): PL/pgSQL keeps
                -- the plan it made first, and for a fresh subnet (no statistics yet) that was an aggregate over
                -- every allocation of the pool, whose cost then grew with each address handed out.
                SELECT ip_address INTO hw FROM ip_allocations
                 WHERE subnet_id = p_subnet AND ip_address BETWEEN pool.first_ip AND pool.last_ip
                 ORDER BY ip_address DESC LIMIT 1;
                c := CASE WHEN hw IS NULL THEN pool.first_ip WHEN hw < pool.last_ip THEN hw + 1 END;
                WHILE c IS NOT NULL AND tries < 128 LOOP
                    tries := tries + 1;
                    -- Lock, then look, in two statements: the second takes a fresh snapshot that sees whatever
                    -- the previous holder of this lock committed.
                    IF pg_try_advisory_xact_lock(hashtextextended(p_subnet::text || host(c), 0)) THEN
                        IF NOT EXISTS (SELECT 1 FROM ip_allocations WHERE subnet_id = p_subnet AND ip_address = c) THEN
                            RETURN c;
                        END IF;
                    END IF;
                    c := CASE WHEN c < pool.last_ip THEN c + 1 END;
                END LOOP;
            END LOOP;

            FOR pool IN SELECT first_ip, last_ip FROM allocation_pools WHERE subnet_id = p_subnet ORDER BY first_ip LOOP
                FOR gap IN
                    SELECT CASE WHEN prev IS NULL THEN pool.first_ip ELSE prev + 1 END AS lo, ip_address AS next_used
                      FROM (SELECT ip_address, lag(ip_address) OVER (ORDER BY ip_address) AS prev
                              FROM ip_allocations
                             WHERE subnet_id = p_subnet AND ip_address BETWEEN pool.first_ip AND pool.last_ip) a
                     WHERE (prev IS NULL AND ip_address > pool.first_ip) OR (prev IS NOT NULL AND ip_address > prev + 1)
                LOOP
                    c := gap.lo;
                    WHILE c < gap.next_used AND tries < 512 LOOP
                        tries := tries + 1;
                        IF pg_try_advisory_xact_lock(hashtextextended(p_subnet::text || host(c), 0)) THEN
                            IF NOT EXISTS (SELECT 1 FROM ip_allocations WHERE subnet_id = p_subnet AND ip_address = c) THEN
                                RETURN c;
                            END IF;
                        END IF;
                        c := c + 1;
                    END LOOP;
                    EXIT WHEN tries >= 512;
                END LOOP;
            END LOOP;
            RAISE EXCEPTION USING ERRCODE = 'PT002', MESSAGE = 'no free address', HINT = p_subnet::text;
        END
        $fn$;

        """;

    public const string Down = """
        DROP FUNCTION portal_allocate_ip(uuid);
        """ + InitialSql.Allocator;
}
