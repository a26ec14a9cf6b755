namespace Portal.Migrations.Sql;

/// <summary>Neutron's revision_number: every change of a network, subnet or port row counts one more.</summary>
internal static class RevisionSql
{
    public const string Up = """
        CREATE FUNCTION portal_bump_revision() RETURNS trigger
        LANGUAGE plpgsql AS $fn$
        BEGIN
            NEW.revision_number := OLD.revision_number + 1;
            RETURN NEW;
        END
        $fn$;
        CREATE TRIGGER tr_networks_revision BEFORE UPDATE ON networks FOR EACH ROW
            WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION portal_bump_revision();
        CREATE TRIGGER tr_subnets_revision BEFORE UPDATE ON subnets FOR EACH ROW
            WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION portal_bump_revision();
        CREATE TRIGGER tr_ports_revision BEFORE UPDATE ON ports FOR EACH ROW
            WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION portal_bump_revision();
        """;

    public const string Down = """
        DROP TRIGGER tr_ports_revision ON ports;
        DROP TRIGGER tr_subnets_revision ON subnets;
        DROP TRIGGER tr_networks_revision ON networks;
        DROP FUNCTION portal_bump_revision();
        """;
}
