using System;
using System.Collections.Generic;
using System.Net;
using System.Net.NetworkInformation;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Portal.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterDatabase()
                .Annotation("Npgsql:PostgresExtension:btree_gist", ",,");

            migrationBuilder.CreateTable(
                name: "projects",
                columns: table => new
                {
                    id = table.Column<string>(type: "character(32)", fixedLength: true, maxLength: 32, nullable: false),
                    name = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    shadowport_enabled = table.Column<bool>(type: "boolean", nullable: false),
                    shadowport_changed_by = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    shadowport_changed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    shadowport_reason = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_projects", x => x.id);
                    table.CheckConstraint("ck_projects_id_hex", "id ~ '^[0-9a-f]{32}$'");
                });

            migrationBuilder.CreateTable(
                name: "networks",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false, defaultValueSql: "gen_random_uuid()"),
                    project_id = table.Column<string>(type: "character(32)", fixedLength: true, maxLength: 32, nullable: false),
                    name = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    description = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: false),
                    status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    admin_state_up = table.Column<bool>(type: "boolean", nullable: false),
                    mtu = table.Column<int>(type: "integer", nullable: false),
                    internet_access = table.Column<bool>(type: "boolean", nullable: false),
                    services_access = table.Column<bool>(type: "boolean", nullable: false),
                    external = table.Column<bool>(type: "boolean", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_networks", x => x.id);
                    table.CheckConstraint("ck_networks_mtu", "mtu BETWEEN 68 AND 9000");
                    table.CheckConstraint("ck_networks_services_access", "NOT (services_access AND internet_access)");
                    table.ForeignKey(
                        name: "fk_networks_projects_project_id",
                        column: x => x.project_id,
                        principalTable: "projects",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "quotas",
                columns: table => new
                {
                    project_id = table.Column<string>(type: "character(32)", fixedLength: true, maxLength: 32, nullable: false),
                    resource = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    limit = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_quotas", x => new { x.project_id, x.resource });
                    table.CheckConstraint("ck_quotas_limit", "\"limit\" >= 0");
                    table.ForeignKey(
                        name: "fk_quotas_projects_project_id",
                        column: x => x.project_id,
                        principalTable: "projects",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ports",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false, defaultValueSql: "gen_random_uuid()"),
                    project_id = table.Column<string>(type: "character(32)", fixedLength: true, maxLength: 32, nullable: false),
                    network_id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    mac_address = table.Column<PhysicalAddress>(type: "macaddr", nullable: false),
                    device_owner = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    device_id = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    dns_name = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    admin_state_up = table.Column<bool>(type: "boolean", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_ports", x => x.id);
                    table.ForeignKey(
                        name: "fk_ports_networks_network_id",
                        column: x => x.network_id,
                        principalTable: "networks",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_ports_projects_project_id",
                        column: x => x.project_id,
                        principalTable: "projects",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "subnets",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false, defaultValueSql: "gen_random_uuid()"),
                    project_id = table.Column<string>(type: "character(32)", fixedLength: true, maxLength: 32, nullable: false),
                    network_id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    cidr = table.Column<IPNetwork>(type: "cidr", nullable: false),
                    ip_version = table.Column<int>(type: "integer", nullable: false),
                    gateway_ip = table.Column<IPAddress>(type: "inet", nullable: true),
                    enable_dhcp = table.Column<bool>(type: "boolean", nullable: false),
                    dns_nameservers = table.Column<List<IPAddress>>(type: "inet[]", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_subnets", x => x.id);
                    table.UniqueConstraint("ak_subnets_id_network_id", x => new { x.id, x.network_id });
                    table.CheckConstraint("ck_subnets_ip_version", "ip_version = family(cidr)");
                    table.ForeignKey(
                        name: "fk_subnets_networks_network_id",
                        column: x => x.network_id,
                        principalTable: "networks",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_subnets_projects_project_id",
                        column: x => x.project_id,
                        principalTable: "projects",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "quota_slots",
                columns: table => new
                {
                    project_id = table.Column<string>(type: "character(32)", fixedLength: true, maxLength: 32, nullable: false),
                    resource = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    slot = table.Column<int>(type: "integer", nullable: false),
                    holder_id = table.Column<Guid>(type: "uuid", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_quota_slots", x => new { x.project_id, x.resource, x.slot });
                    table.CheckConstraint("ck_quota_slots_slot", "slot >= 1");
                    table.ForeignKey(
                        name: "fk_quota_slots_quotas_project_id_resource",
                        columns: x => new { x.project_id, x.resource },
                        principalTable: "quotas",
                        principalColumns: new[] { "project_id", "resource" },
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "allocation_pools",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false, defaultValueSql: "gen_random_uuid()"),
                    subnet_id = table.Column<Guid>(type: "uuid", nullable: false),
                    first_ip = table.Column<IPAddress>(type: "inet", nullable: false),
                    last_ip = table.Column<IPAddress>(type: "inet", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_allocation_pools", x => x.id);
                    table.CheckConstraint("ck_allocation_pools_order", "first_ip <= last_ip AND family(first_ip) = family(last_ip)");
                    table.ForeignKey(
                        name: "fk_allocation_pools_subnets_subnet_id",
                        column: x => x.subnet_id,
                        principalTable: "subnets",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ip_allocations",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    subnet_id = table.Column<Guid>(type: "uuid", nullable: false),
                    ip_address = table.Column<IPAddress>(type: "inet", nullable: false),
                    port_id = table.Column<Guid>(type: "uuid", nullable: false),
                    network_id = table.Column<Guid>(type: "uuid", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_ip_allocations", x => x.id);
                    table.ForeignKey(
                        name: "fk_ip_allocations_ports_port_id",
                        column: x => x.port_id,
                        principalTable: "ports",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_ip_allocations_subnets_subnet_id_network_id",
                        columns: x => new { x.subnet_id, x.network_id },
                        principalTable: "subnets",
                        principalColumns: new[] { "id", "network_id" },
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "subnet_routes",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    subnet_id = table.Column<Guid>(type: "uuid", nullable: false),
                    destination = table.Column<IPNetwork>(type: "cidr", nullable: false),
                    next_hop = table.Column<IPAddress>(type: "inet", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_subnet_routes", x => x.id);
                    table.ForeignKey(
                        name: "fk_subnet_routes_subnets_subnet_id",
                        column: x => x.subnet_id,
                        principalTable: "subnets",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_allocation_pools_subnet_id_first_ip",
                table: "allocation_pools",
                columns: new[] { "subnet_id", "first_ip" });

            migrationBuilder.CreateIndex(
                name: "ix_ip_allocations_port_id",
                table: "ip_allocations",
                column: "port_id");

            migrationBuilder.CreateIndex(
                name: "ix_ip_allocations_subnet_id_network_id",
                table: "ip_allocations",
                columns: new[] { "subnet_id", "network_id" });

            migrationBuilder.CreateIndex(
                name: "ix_networks_project_id_name",
                table: "networks",
                columns: new[] { "project_id", "name" });

            migrationBuilder.CreateIndex(
                name: "ix_ports_network_id",
                table: "ports",
                column: "network_id");

            migrationBuilder.CreateIndex(
                name: "ix_ports_project_id",
                table: "ports",
                column: "project_id");

            migrationBuilder.CreateIndex(
                name: "ix_quota_slots_free",
                table: "quota_slots",
                columns: new[] { "project_id", "resource", "slot" },
                filter: "holder_id IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_quota_slots_holder_id",
                table: "quota_slots",
                column: "holder_id",
                unique: true,
                filter: "holder_id IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_subnet_routes_subnet_id",
                table: "subnet_routes",
                column: "subnet_id");

            migrationBuilder.CreateIndex(
                name: "ix_subnets_network_id",
                table: "subnets",
                column: "network_id");

            migrationBuilder.CreateIndex(
                name: "ix_subnets_project_id",
                table: "subnets",
                column: "project_id");

            migrationBuilder.Sql(Sql.InitialSql.Up);
        }

        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(Sql.InitialSql.Down);

            migrationBuilder.DropTable(
                name: "allocation_pools");

            migrationBuilder.DropTable(
                name: "ip_allocations");

            migrationBuilder.DropTable(
                name: "quota_slots");

            migrationBuilder.DropTable(
                name: "subnet_routes");

            migrationBuilder.DropTable(
                name: "ports");

            migrationBuilder.DropTable(
                name: "quotas");

            migrationBuilder.DropTable(
                name: "subnets");

            migrationBuilder.DropTable(
                name: "networks");

            migrationBuilder.DropTable(
                name: "projects");
        }
    }
}
