using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class Ipv6Modes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "ipv6_address_mode",
                table: "subnets",
                type: "character varying(16)",
                maxLength: 16,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ipv6_ra_mode",
                table: "subnets",
                type: "character varying(16)",
                maxLength: 16,
                nullable: true);

            migrationBuilder.AddCheckConstraint(
                name: "ck_subnets_ipv6_modes",
                table: "subnets",
                sql: "(ipv6_ra_mode IS NULL OR ipv6_ra_mode IN ('slaac', 'dhcpv6-stateful', 'dhcpv6-stateless')) AND (ipv6_address_mode IS NULL OR ipv6_address_mode IN ('slaac', 'dhcpv6-stateful', 'dhcpv6-stateless')) AND (ip_version = 6 OR (ipv6_ra_mode IS NULL AND ipv6_address_mode IS NULL))");

            migrationBuilder.Sql(Sql.Ipv6Sql.Up);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(Sql.Ipv6Sql.Down);

            migrationBuilder.DropCheckConstraint(
                name: "ck_subnets_ipv6_modes",
                table: "subnets");

            migrationBuilder.DropColumn(
                name: "ipv6_address_mode",
                table: "subnets");

            migrationBuilder.DropColumn(
                name: "ipv6_ra_mode",
                table: "subnets");
        }
    }
}
