using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class PortSecurity : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "allowed_address_pairs",
                table: "ports",
                type: "jsonb",
                nullable: false,
                defaultValueSql: "'[]'::jsonb");

            migrationBuilder.AddColumn<string>(
                name: "extra_dhcp_opts",
                table: "ports",
                type: "jsonb",
                nullable: false,
                defaultValueSql: "'[]'::jsonb");

            migrationBuilder.AddColumn<bool>(
                name: "port_security_enabled",
                table: "ports",
                type: "boolean",
                nullable: false,
                defaultValue: true);

            migrationBuilder.AddColumn<bool>(
                name: "port_security_enabled",
                table: "networks",
                type: "boolean",
                nullable: false,
                defaultValue: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "allowed_address_pairs",
                table: "ports");

            migrationBuilder.DropColumn(
                name: "extra_dhcp_opts",
                table: "ports");

            migrationBuilder.DropColumn(
                name: "port_security_enabled",
                table: "ports");

            migrationBuilder.DropColumn(
                name: "port_security_enabled",
                table: "networks");
        }
    }
}
