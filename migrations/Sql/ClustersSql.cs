namespace Portal.Migrations.Sql;

/// <summary>The database's backstops for clusters that EF cannot express.</summary>
internal static class ClustersSql
{
    public const string Up = """
        -- Node pod CIDRs of one cluster never overlap, whatever a racing worker tried.
        ALTER TABLE cluster_nodes ADD CONSTRAINT ex_cluster_nodes_pod_cidr
            EXCLUDE USING gist (cluster_id WITH =, pod_cidr inet_ops WITH &&) WHERE (pod_cidr IS NOT NULL);

        -- ... and lie inside their cluster's pod CIDR (the cluster's CIDRs never change after creation).
        CREATE FUNCTION portal_node_pod_cidr_inside() RETURNS trigger LANGUAGE plpgsql AS $fn$
        BEGIN
            IF NEW.pod_cidr IS NOT NULL AND NOT EXISTS (
                SELECT 1 FROM clusters c WHERE c.id = NEW.cluster_id AND NEW.pod_cidr <<= c.pod_cidr) THEN
                RAISE EXCEPTION 'pod CIDR % of node % is outside its cluster''s pod CIDR', NEW.pod_cidr, NEW.name
                    USING ERRCODE = 'check_violation', CONSTRAINT = 'ck_cluster_nodes_pod_cidr_inside';
            END IF;
            RETURN NEW;
        END $fn$;
        CREATE TRIGGER tr_cluster_nodes_pod_cidr_inside BEFORE INSERT OR UPDATE OF pod_cidr ON cluster_nodes
            FOR EACH ROW EXECUTE FUNCTION portal_node_pod_cidr_inside();
        """;

    public const string Down = """
        DROP TRIGGER IF EXISTS tr_cluster_nodes_pod_cidr_inside ON cluster_nodes;
        DROP FUNCTION IF EXISTS portal_node_pod_cidr_inside();
        """;
}
