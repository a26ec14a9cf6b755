namespace Portal.Migrations.Sql;

/// <summary>
/// The change feed's source (DESIGN.md §3): triggers that NOTIFY channel portal_changes with payload
/// '&lt;table&gt;:&lt;project_id&gt;' whenever a row of a project's networks, subnets or ports is written, by the
/// portal (EF or raw batches) or by the backend alike. The payload names no row on purpose: PostgreSQL drops
/// a notification identical to one already queued by the same transaction, so a transaction that writes
/// 60,000 ports sends one notification per (table, project), and sends it only if it commits.
/// </summary>
internal static class ChangeFeedSql
{
    public const string Up = """
        -- Row-level AFTER trigger function. Without arguments the row carries project_id; with argument 'subnet'
        -- the row belongs to a subnet (allocation_pools, subnet_routes) and the project is the subnet's, one
        -- primary-key probe. When a subnet is deleted its children are deleted after it and find no project:
        -- the subnet's own notification covers them. ip_allocations has no trigger: its rows are written and
        -- removed only together with their port, whose trigger reports the change.
        CREATE FUNCTION portal_notify_change() RETURNS trigger
        LANGUAGE plpgsql AS $fn$
        DECLARE
            new_project text;
            old_project text;
        BEGIN
            IF TG_NARGS = 0 THEN
                IF TG_OP <> 'DELETE' THEN new_project := NEW.project_id::text; END IF;
                IF TG_OP <> 'INSERT' THEN old_project := OLD.project_id::text; END IF;
            ELSE
                IF TG_OP <> 'DELETE' THEN SELECT s.project_id::text INTO new_project FROM subnets s WHERE s.id = NEW.subnet_id; END IF;
                IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.subnet_id IS DISTINCT FROM NEW.subnet_id) THEN
                    SELECT s.project_id::text INTO old_project FROM subnets s WHERE s.id = OLD.subnet_id;
                END IF;
            END IF;
            IF new_project IS NOT NULL THEN
                PERFORM pg_notify('portal_changes', TG_TABLE_NAME::text || ':' || new_project);
            END IF;
            IF old_project IS NOT NULL AND old_project IS DISTINCT FROM new_project THEN
                PERFORM pg_notify('portal_changes', TG_TABLE_NAME::text || ':' || old_project);
            END IF;
            RETURN NULL;
        END
        $fn$;

        CREATE TRIGGER tr_networks_notify_change AFTER INSERT OR UPDATE OR DELETE ON networks
            FOR EACH ROW EXECUTE FUNCTION portal_notify_change();
        CREATE TRIGGER tr_subnets_notify_change AFTER INSERT OR UPDATE OR DELETE ON subnets
            FOR EACH ROW EXECUTE FUNCTION portal_notify_change();
        CREATE TRIGGER tr_ports_notify_change AFTER INSERT OR UPDATE OR DELETE ON ports
            FOR EACH ROW EXECUTE FUNCTION portal_notify_change();
        CREATE TRIGGER tr_allocation_pools_notify_change AFTER INSERT OR UPDATE OR DELETE ON allocation_pools
            FOR EACH ROW EXECUTE FUNCTION portal_notify_change('subnet');
        CREATE TRIGGER tr_subnet_routes_notify_change AFTER INSERT OR UPDATE OR DELETE ON subnet_routes
            FOR EACH ROW EXECUTE FUNCTION portal_notify_change('subnet');
        """;

    public const string Down = """
        DROP TRIGGER IF EXISTS tr_subnet_routes_notify_change ON subnet_routes;
        DROP TRIGGER IF EXISTS tr_allocation_pools_notify_change ON allocation_pools;
        DROP TRIGGER IF EXISTS tr_ports_notify_change ON ports;
        DROP TRIGGER IF EXISTS tr_subnets_notify_change ON subnets;
        DROP TRIGGER IF EXISTS tr_networks_notify_change ON networks;
        DROP FUNCTION IF EXISTS portal_notify_change();
        """;
}
