using Npgsql;

namespace Portal.Data.Store;

/// <summary>SQLSTATEs and constraint names the services translate into Neutron errors.</summary>
internal static class PostgresErrors
{
    public const string UniqueViolation = "23505";
    public const string ExclusionViolation = "23P01";
    public const string ForeignKeyViolation = "23503";
    public const string OverQuota = "PT001";
    public const string NoFreeAddress = "PT002";

    public const string IpAllocationUnique = "ux_ip_allocations_subnet_ip";
    public const string PortMacUnique = "ux_ports_network_mac";
    public const string SubnetOverlap = "ex_subnets_no_overlap";

    public static bool Is(this Exception e, string sqlState, string? constraint = null) =>
        Unwrap(e) is { } pg && pg.SqlState == sqlState && (constraint is null || pg.ConstraintName == constraint);

    public static PostgresException? Unwrap(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is PostgresException pg) return pg;
        }
        return null;
    }
}
