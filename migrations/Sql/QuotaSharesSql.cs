namespace Portal.Migrations.Sql;

/// <summary>
/// Quotas as shared counters instead of one row per unit. A project's limit for a resource is split over
/// 64 shares (quota_shares, see QuotaShare); a creation takes a unit from a share with room, starting at a
/// share derived from the new row's id and skipping shares that racing transactions hold. The shares of a
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

        -- A new network, subnet or port takes a unit from a share with room. SQLSTATE PT001 (HINT = the
        -- resource) when no share has room. Shares that racing transactions hold are skipped; only when every
        -- share with room is held does it wait for one, so a creation is refused only when the quota is used up.
        CREATE OR REPLACE FUNCTION portal_quota_take() RETURNS trigger
        LANGUAGE plpgsql VOLATILE AS $fn$
        DECLARE
            v_resource text := TG_ARGV[0];
            v_start int := (hashtext(NEW.id::text) & 2147483647) % 64;
            v_share int;
        BEGIN
            UPDATE quota_shares s SET used = s.used + 1
             WHERE s.project_id = NEW.project_id AND s.resource = v_resource
               AND s.share = (SELECT f.share FROM quota_shares f
                               WHERE f.project_id = NEW.project_id AND f.resource = v_resource AND f.used < f.cap
                               ORDER BY (f.share + 64 - v_start) % 64 LIMIT 1 FOR UPDATE SKIP LOCKED)
            RETURNING s.share INTO v_share;
            IF v_share IS NULL THEN
                UPDATE quota_shares s SET used = s.used + 1
                 WHERE s.project_id = NEW.project_id AND s.resource = v_resource
                   AND s.share = (SELECT f.share FROM quota_shares f
                                   WHERE f.project_id = NEW.project_id AND f.resource = v_resource AND f.used < f.cap
                                   ORDER BY (f.share + 64 - v_start) % 64 LIMIT 1 FOR UPDATE)
                RETURNING s.share INTO v_share;
            END IF;
            IF v_share IS NULL THEN
                RAISE EXCEPTION USING ERRCODE = 'PT001', MESSAGE = 'over quota', HINT = v_resource;
            END IF;
            RETURN NULL;
        END
        $fn$;

        -- A deleted row gives its unit back, preferably to a share that is above its cap after a lowered limit.
        CREATE OR REPLACE FUNCTION portal_quota_release() RETURNS trigger
        LANGUAGE plpgsql VOLATILE AS $fn$
        DECLARE
            v_resource text := TG_ARGV[0];
            v_start int := (hashtext(OLD.id::text) & 2147483647) % 64;
            v_share int;
        BEGIN
            UPDATE quota_shares s SET used = s.used - 1
             WHERE s.project_id = OLD.project_id AND s.resource = v_resource
               AND s.share = (SELECT f.share FROM quota_shares f
                               WHERE f.project_id = OLD.project_id AND f.resource = v_resource AND f.used > 0
                               ORDER BY f.used > f.cap DESC, (f.share + 64 - v_start) % 64 LIMIT 1 FOR UPDATE SKIP LOCKED)
            RETURNING s.share INTO v_share;
            IF v_share IS NULL THEN
                UPDATE quota_shares s SET used = s.used - 1
                 WHERE s.project_id = OLD.project_id AND s.resource = v_resource
                   AND s.share = (SELECT f.share FROM quota_shares f
                                   WHERE f.project_id = OLD.project_id AND f.resource = v_resource AND f.used > 0
                                   ORDER BY f.used > f.cap DESC, (f.share + 64 - v_start) % 64 LIMIT 1 FOR UPDATE);
            END IF;
            RETURN NULL;
        END
        $fn$;

        DROP TRIGGER tr_networks_quota_release ON networks;
        DROP TRIGGER tr_subnets_quota_release ON subnets;
        DROP TRIGGER tr_ports_quota_release ON ports;
        CREATE TRIGGER tr_networks_quota_release AFTER DELETE ON networks FOR EACH ROW EXECUTE FUNCTION portal_quota_release('networks');
        CREATE TRIGGER tr_subnets_quota_release AFTER DELETE ON subnets FOR EACH ROW EXECUTE FUNCTION portal_quota_release('subnets');
        CREATE TRIGGER tr_ports_quota_release AFTER DELETE ON ports FOR EACH ROW EXECUTE FUNCTION portal_quota_release('ports');

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
