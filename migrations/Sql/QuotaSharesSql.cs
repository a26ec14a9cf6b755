namespace Portal.Migrations.Sql;

/// <summary>
/// Quotas as shared counters instead of one row per unit. A project's limit for a resource is split over
/// 64 shares (quota_shares, see QuotaShare); a statement that inserts rows takes their units from shares
/// with room, starting at a random share and skipping shares that racing transactions hold. The shares of a
/// project sit on one or two pages and their updates are HOT, so a creation writes a few dozen bytes of WAL
/// for its quota instead of index entries and full-page images spread over one row per unit.
/// </summary>
internal static class QuotaSharesSql
{
    public const string Up = """
        -- Splits the limit over the shares and spreads the current usage over them in share order; usage above
        -- the limit (after lowering it) stays on share 0. Locks every share first, so it waits for racing
        -- creations and deletions and the usage it spreads is exact.
        CREATE FUNCTION portal_quota_set(p_project text, p_resource text, p_limit int) RETURNS void
        LANGUAGE plpgsql VOLATILE AS $fn$
        DECLARE
            v_used int;
        BEGIN
            INSERT INTO quota_shares (project_id, resource, share, cap, used)
            SELECT p_project, p_resource, g, 0, 0 FROM generate_series(0, 63) g
            ON CONFLICT DO NOTHING;
            PERFORM 1 FROM quota_shares WHERE project_id = p_project::bpchar AND resource = p_resource FOR UPDATE;
            SELECT sum(used) INTO v_used FROM quota_shares WHERE project_id = p_project::bpchar AND resource = p_resource;
            WITH c AS (
                SELECT g AS share, p_limit / 64 + (g < p_limit % 64)::int AS cap,
                       g * (p_limit / 64) + least(g, p_limit % 64) AS before
                  FROM generate_series(0, 63) g)
            UPDATE quota_shares s
               SET cap = c.cap,
                   used = least(c.cap, greatest(0, v_used - c.before)) + CASE WHEN c.share = 0 THEN greatest(0, v_used - p_limit) ELSE 0 END
              FROM c
             WHERE s.project_id = p_project::bpchar AND s.resource = p_resource AND s.share = c.share;
        END
        $fn$;

        -- Takes p_count units of a project's quota from its shares with room, starting at a random share and
        -- skipping shares that racing transactions hold; only when every share with room is held does it wait
        -- for one, so a creation is refused only when the quota is used up: SQLSTATE PT001, HINT = the resource.
        -- One share at a time (LIMIT 1), so a transaction holds no more shares than it uses. A negative count
        -- gives units back, preferring shares above their cap after a lowered limit.
        CREATE FUNCTION portal_quota_add(p_project bpchar, p_resource text, p_count int) RETURNS void
        LANGUAGE plpgsql VOLATILE AS $fn$
        DECLARE
            v_start int := floor(random() * 64)::int;
            v_left int := abs(p_count);
            v_share int;
            v_room int;
            v_wait boolean := false;
        BEGIN
            WHILE v_left > 0 LOOP
                IF p_count > 0 THEN
                    IF v_wait THEN
                        SELECT share, cap - used INTO v_share, v_room FROM quota_shares
                         WHERE project_id = p_project AND resource = p_resource AND used < cap
                         ORDER BY (share + 64 - v_start) % 64 LIMIT 1 FOR UPDATE;
                    ELSE
                        SELECT share, cap - used INTO v_share, v_room FROM quota_shares
                         WHERE project_id = p_project AND resource = p_resource AND used < cap
                         ORDER BY (share + 64 - v_start) % 64 LIMIT 1 FOR UPDATE SKIP LOCKED;
                    END IF;
                ELSE
                    IF v_wait THEN
                        SELECT share, used INTO v_share, v_room FROM quota_shares
                         WHERE project_id = p_project AND resource = p_resource AND used > 0
                         ORDER BY used > cap DESC, (share + 64 - v_start) % 64 LIMIT 1 FOR UPDATE;
                    ELSE
                        SELECT share, used INTO v_share, v_room FROM quota_shares
                         WHERE project_id = p_project AND resource = p_resource AND used > 0
                         ORDER BY used > cap DESC, (share + 64 - v_start) % 64 LIMIT 1 FOR UPDATE SKIP LOCKED;
                    END IF;
                END IF;
                IF NOT FOUND THEN
                    IF v_wait THEN
                        EXIT;
                    END IF;
                    v_wait := true;
                    CONTINUE;
                END IF;
                UPDATE quota_shares SET used = used + sign(p_count)::int * least(v_left, v_room)
                 WHERE project_id = p_project AND resource = p_resource AND share = v_share;
                v_left := v_left - least(v_left, v_room);
            END LOOP;
            IF v_left > 0 AND p_count > 0 THEN
                RAISE EXCEPTION USING ERRCODE = 'PT001', MESSAGE = 'over quota', HINT = p_resource;
            END IF;
        END
        $fn$;

        -- The rows a statement inserted or deleted, counted per project: one call per statement, so a bulk
        -- insert takes its units in a few updates instead of one per row.
        CREATE OR REPLACE FUNCTION portal_quota_take() RETURNS trigger
        LANGUAGE plpgsql VOLATILE AS $fn$
        DECLARE
            r record;
        BEGIN
            FOR r IN SELECT project_id, count(*)::int AS n FROM new_rows GROUP BY project_id ORDER BY project_id LOOP
                PERFORM portal_quota_add(r.project_id, TG_ARGV[0], r.n);
            END LOOP;
            RETURN NULL;
        END
        $fn$;

        CREATE OR REPLACE FUNCTION portal_quota_release() RETURNS trigger
        LANGUAGE plpgsql VOLATILE AS $fn$
        DECLARE
            r record;
        BEGIN
            FOR r IN SELECT project_id, count(*)::int AS n FROM old_rows GROUP BY project_id ORDER BY project_id LOOP
                PERFORM portal_quota_add(r.project_id, TG_ARGV[0], -r.n);
            END LOOP;
            RETURN NULL;
        END
        $fn$;

        DROP TRIGGER tr_networks_quota_take ON networks;
        DROP TRIGGER tr_subnets_quota_take ON subnets;
        DROP TRIGGER tr_ports_quota_take ON ports;
        DROP TRIGGER tr_networks_quota_release ON networks;
        DROP TRIGGER tr_subnets_quota_release ON subnets;
        DROP TRIGGER tr_ports_quota_release ON ports;
        CREATE TRIGGER tr_networks_quota_take AFTER INSERT ON networks REFERENCING NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION portal_quota_take('networks');
        CREATE TRIGGER tr_subnets_quota_take AFTER INSERT ON subnets REFERENCING NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION portal_quota_take('subnets');
        CREATE TRIGGER tr_ports_quota_take AFTER INSERT ON ports REFERENCING NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION portal_quota_take('ports');
        CREATE TRIGGER tr_networks_quota_release AFTER DELETE ON networks REFERENCING OLD TABLE AS old_rows
            FOR EACH STATEMENT EXECUTE FUNCTION portal_quota_release('networks');
        CREATE TRIGGER tr_subnets_quota_release AFTER DELETE ON subnets REFERENCING OLD TABLE AS old_rows
            FOR EACH STATEMENT EXECUTE FUNCTION portal_quota_release('subnets');
        CREATE TRIGGER tr_ports_quota_release AFTER DELETE ON ports REFERENCING OLD TABLE AS old_rows
            FOR EACH STATEMENT EXECUTE FUNCTION portal_quota_release('ports');

        -- Existing projects: the usage is counted from the rows, then spread over the shares.
        INSERT INTO quota_shares (project_id, resource, share, cap, used)
        SELECT q.project_id, q.resource, 0, 0, CASE q.resource
                   WHEN 'networks' THEN (SELECT count(*) FROM networks n WHERE n.project_id = q.project_id)
                   WHEN 'subnets' THEN (SELECT count(*) FROM subnets s WHERE s.project_id = q.project_id)
                   WHEN 'ports' THEN (SELECT count(*) FROM ports p WHERE p.project_id = q.project_id)
                   ELSE 0 END
          FROM quotas q;
        SELECT portal_quota_set(project_id, resource, "limit") FROM quotas;
        """;

    /// <summary>Back to one slot per unit: the functions of the initial migration, slots refilled from the rows.</summary>
    public const string Down = """
        DROP FUNCTION IF EXISTS portal_quota_set(text, text, int);
        DROP FUNCTION IF EXISTS portal_quota_add(bpchar, text, int);
        DROP TRIGGER tr_networks_quota_take ON networks;
        DROP TRIGGER tr_subnets_quota_take ON subnets;
        DROP TRIGGER tr_ports_quota_take ON ports;
        DROP TRIGGER tr_networks_quota_release ON networks;
        DROP TRIGGER tr_subnets_quota_release ON subnets;
        DROP TRIGGER tr_ports_quota_release ON ports;
        DROP FUNCTION portal_quota_release();
        DROP FUNCTION portal_quota_take();
        """ + InitialSql.QuotaFunctions + InitialSql.QuotaTriggers + """

        INSERT INTO quota_slots (project_id, resource, slot)
        SELECT q.project_id, q.resource, g FROM quotas q, generate_series(1, q."limit") g;
        WITH holders AS (
            SELECT project_id, 'networks' AS resource, id, row_number() OVER (PARTITION BY project_id ORDER BY id) AS slot FROM networks
            UNION ALL SELECT project_id, 'subnets', id, row_number() OVER (PARTITION BY project_id ORDER BY id) FROM subnets
            UNION ALL SELECT project_id, 'ports', id, row_number() OVER (PARTITION BY project_id ORDER BY id) FROM ports)
        INSERT INTO quota_slots (project_id, resource, slot, holder_id)
        SELECT project_id, resource, slot, id FROM holders
        ON CONFLICT (project_id, resource, slot) DO UPDATE SET holder_id = EXCLUDED.holder_id;
        """;
}
