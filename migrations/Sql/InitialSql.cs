namespace Portal.Migrations.Sql;

/// <summary>
/// The database's share of the domain rules (DESIGN.md §2): backstops EF cannot model, and the two
/// allocations that must be race-free without serialising writers (addresses and quota slots).
/// </summary>
internal static class InitialSql
{
    public const string Up = """
        CREATE UNIQUE INDEX ux_ip_allocations_subnet_ip ON ip_allocations (subnet_id, ip_address);
        CREATE UNIQUE INDEX ux_ports_network_mac ON ports (network_id, mac_address);
        CREATE UNIQUE INDEX ux_subnet_routes_destination ON subnet_routes (subnet_id, destination);

        ALTER TABLE subnets ADD CONSTRAINT ex_subnets_no_overlap
            EXCLUDE USING gist (network_id WITH =, cidr inet_ops WITH &&);

        """ + Allocator + QuotaFunctions + QuotaTriggers;

    /// <summary>The first allocator; AllocatorSql replaced it.</summary>
    public const string Allocator = """
        -- Next free address of a subnet; SQLSTATE PT002 when every pool is full.
        -- Next-fit: first the addresses above the highest allocation of each pool (one index probe, so the
        -- cost does not grow with the number of allocations), then the gaps below it, found by a window over
        -- the (subnet_id, ip_address) index that stops at the first usable gap. Concurrent callers skip an
        -- address another transaction is about to take (a transaction-scoped advisory lock), so racing
        -- allocations spread over neighbouring addresses instead of queueing on one; the unique index stays
        -- the final arbiter.
        CREATE FUNCTION portal_allocate_ip(p_subnet uuid) RETURNS inet
        LANGUAGE plpgsql VOLATILE AS $fn$
        DECLARE
            pool record;
            gap record;
            hw inet;
            c inet;
            tries int := 0;
        BEGIN
            FOR pool IN SELECT first_ip, last_ip FROM allocation_pools WHERE subnet_id = p_subnet ORDER BY first_ip LOOP
                SELECT max(ip_address) INTO hw FROM ip_allocations
                 WHERE subnet_id = p_subnet AND ip_address BETWEEN pool.first_ip AND pool.last_ip;
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

    /// <summary>The first quota functions (one slot row per unit); QuotaSharesSql replaced them.</summary>
    public const string QuotaFunctions = """
        -- Quotas: a row of networks, subnets or ports takes a free slot of its project's quota when inserted
        -- and frees it when deleted, whoever writes it. Racing inserts skip slots others are taking, so they
        -- never queue on one row; none can take a slot above the limit. With no free slot left (or only slots
        -- that racing transactions are taking), the insert fails with SQLSTATE PT001, HINT = the resource.
        -- The search starts at a slot derived from the new row's id rather than at slot 1: taken and freed slots
        -- leave dead index entries behind until vacuum, and always starting at the bottom would walk past all
        -- of them on every insert (the queue-table problem).
        CREATE FUNCTION portal_quota_take() RETURNS trigger
        LANGUAGE plpgsql VOLATILE AS $fn$
        DECLARE
            v_resource text := TG_ARGV[0];
            v_limit int;
            v_start int;
            v_slot int;
        BEGIN
            SELECT q."limit" INTO v_limit FROM quotas q WHERE q.project_id = NEW.project_id AND q.resource = v_resource;
            IF coalesce(v_limit, 0) > 0 THEN
                v_start := 1 + (hashtext(NEW.id::text)::bigint & 2147483647) % v_limit;
                UPDATE quota_slots s SET holder_id = NEW.id
                 WHERE s.project_id = NEW.project_id AND s.resource = v_resource
                   AND s.slot = (SELECT f.slot FROM quota_slots f
                                  WHERE f.project_id = NEW.project_id AND f.resource = v_resource AND f.holder_id IS NULL
                                    AND f.slot BETWEEN v_start AND v_limit
                                  ORDER BY f.slot LIMIT 1 FOR UPDATE SKIP LOCKED)
                RETURNING s.slot INTO v_slot;
                IF v_slot IS NULL THEN
                    UPDATE quota_slots s SET holder_id = NEW.id
                     WHERE s.project_id = NEW.project_id AND s.resource = v_resource
                       AND s.slot = (SELECT f.slot FROM quota_slots f
                                      WHERE f.project_id = NEW.project_id AND f.resource = v_resource AND f.holder_id IS NULL
                                        AND f.slot < v_start
                                      ORDER BY f.slot LIMIT 1 FOR UPDATE SKIP LOCKED)
                    RETURNING s.slot INTO v_slot;
                END IF;
            END IF;
            IF v_slot IS NULL THEN
                RAISE EXCEPTION USING ERRCODE = 'PT001', MESSAGE = 'over quota', HINT = v_resource;
            END IF;
            RETURN NULL;
        END
        $fn$;

        -- Frees the row's slot. After a limit was lowered, some resources may hold slots above it; one of them
        -- moves into the freed slot, so free slots within the limit always equal the room that is left.
        CREATE FUNCTION portal_quota_release() RETURNS trigger
        LANGUAGE plpgsql VOLATILE AS $fn$
        DECLARE
            v_project char(32);
            v_resource text;
            v_slot int;
            v_limit int;
            v_above int;
            v_holder uuid;
        BEGIN
            UPDATE quota_slots SET holder_id = NULL WHERE holder_id = OLD.id
            RETURNING project_id, resource, slot INTO v_project, v_resource, v_slot;
            IF v_slot IS NULL THEN
                RETURN NULL;
            END IF;
            SELECT q."limit" INTO v_limit FROM quotas q WHERE q.project_id = v_project AND q.resource = v_resource;
            IF v_slot <= v_limit THEN
                SELECT slot, holder_id INTO v_above, v_holder FROM quota_slots
                 WHERE project_id = v_project AND resource = v_resource AND slot > v_limit AND holder_id IS NOT NULL
                 ORDER BY slot LIMIT 1 FOR UPDATE SKIP LOCKED;
                IF v_holder IS NOT NULL THEN
                    UPDATE quota_slots SET holder_id = NULL WHERE project_id = v_project AND resource = v_resource AND slot = v_above;
                    UPDATE quota_slots SET holder_id = v_holder WHERE project_id = v_project AND resource = v_resource AND slot = v_slot;
                END IF;
            END IF;
            RETURN NULL;
        END
        $fn$;

        """;

    public const string QuotaTriggers = """
        CREATE TRIGGER tr_networks_quota_take AFTER INSERT ON networks FOR EACH ROW EXECUTE FUNCTION portal_quota_take('networks');
        CREATE TRIGGER tr_networks_quota_release AFTER DELETE ON networks FOR EACH ROW EXECUTE FUNCTION portal_quota_release();
        CREATE TRIGGER tr_subnets_quota_take AFTER INSERT ON subnets FOR EACH ROW EXECUTE FUNCTION portal_quota_take('subnets');
        CREATE TRIGGER tr_subnets_quota_release AFTER DELETE ON subnets FOR EACH ROW EXECUTE FUNCTION portal_quota_release();
        CREATE TRIGGER tr_ports_quota_take AFTER INSERT ON ports FOR EACH ROW EXECUTE FUNCTION portal_quota_take('ports');
        CREATE TRIGGER tr_ports_quota_release AFTER DELETE ON ports FOR EACH ROW EXECUTE FUNCTION portal_quota_release();
        """;

    public const string Down = """
        DROP TRIGGER IF EXISTS tr_networks_quota_take ON networks;
        DROP TRIGGER IF EXISTS tr_networks_quota_release ON networks;
        DROP TRIGGER IF EXISTS tr_subnets_quota_take ON subnets;
        DROP TRIGGER IF EXISTS tr_subnets_quota_release ON subnets;
        DROP TRIGGER IF EXISTS tr_ports_quota_take ON ports;
        DROP TRIGGER IF EXISTS tr_ports_quota_release ON ports;
        DROP FUNCTION IF EXISTS portal_quota_release();
        DROP FUNCTION IF EXISTS portal_quota_take();
        DROP FUNCTION IF EXISTS portal_allocate_ip(uuid);
        ALTER TABLE subnets DROP CONSTRAINT IF EXISTS ex_subnets_no_overlap;
        DROP INDEX IF EXISTS ux_subnet_routes_destination;
        DROP INDEX IF EXISTS ux_ports_network_mac;
        DROP INDEX IF EXISTS ux_ip_allocations_subnet_ip;
        """;
}
