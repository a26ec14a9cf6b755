namespace Portal.Migrations.Sql;

/// <summary>
/// A port's address in a subnet, chosen in the database as before, except that a SLAAC or DHCPv6-stateless subnet
/// gives the port its EUI-64 address (made from its MAC) instead of the next free one.
/// </summary>
internal static class Ipv6Sql
{
    public const string Up = """
        -- The EUI-64 address of a MAC in a /64 (RFC 4291, appendix A): FF:FE in the middle of the MAC and its
        -- universal/local bit inverted. The interface id is added to the prefix as two halves of 32 bits, the upper
        -- one in two steps of 2^31 each, because inet + bigint takes at most 63 bits.
        CREATE FUNCTION portal_eui64(p_prefix cidr, p_mac macaddr) RETURNS inet
        LANGUAGE sql IMMUTABLE STRICT AS $fn$
            SELECT host(network(p_prefix))::inet + (hi << 31) + (hi << 31) + lo
              FROM (SELECT ((((m >> 24) # 131072) << 8) | 255) AS hi, ((254::bigint << 24) | (m & 16777215)) AS lo
                      FROM (SELECT ('x' || replace(p_mac::text, ':', ''))::bit(48)::bigint AS m) mac) parts
        $fn$;

        -- The address an automatic allocation gives a port with p_mac in p_subnet.
        CREATE FUNCTION portal_port_ip(p_subnet uuid, p_mac macaddr) RETURNS inet
        LANGUAGE plpgsql VOLATILE AS $fn$
        DECLARE
            s record;
        BEGIN
            SELECT cidr, ipv6_address_mode INTO s FROM subnets WHERE id = p_subnet;
            IF s.ipv6_address_mode IN ('slaac', 'dhcpv6-stateless') THEN
                RETURN portal_eui64(s.cidr, p_mac);
            END IF;
            RETURN portal_allocate_ip(p_subnet);
        END
        $fn$;
        """;

    public const string Down = """
        DROP FUNCTION portal_port_ip(uuid, macaddr);
        DROP FUNCTION portal_eui64(cidr, macaddr);
        """;
}
