using System;
using System.Net;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Portal.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class Clusters : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "owner_cluster_id",
                table: "networks",
                type: "uuid",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "clusters",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false, defaultValueSql: "gen_random_uuid()"),
                    project_id = table.Column<string>(type: "character(32)", fixedLength: true, maxLength: 32, nullable: false),
                    name = table.Column<string>(type: "character varying(63)", maxLength: 63, nullable: false),
                    kubernetes_version = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    flavor = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    masters = table.Column<int>(type: "integer", nullable: false),
                    workers = table.Column<int>(type: "integer", nullable: false),
                    network_id = table.Column<Guid>(type: "uuid", nullable: true),
                    subnet_id = table.Column<Guid>(type: "uuid", nullable: true),
                    auto_network = table.Column<bool>(type: "boolean", nullable: false),
                    pod_cidr = table.Column<IPNetwork>(type: "cidr", nullable: false),
                    service_cidr = table.Column<IPNetwork>(type: "cidr", nullable: false),
                    node_prefix = table.Column<int>(type: "integer", nullable: false),
                    external_ip = table.Column<bool>(type: "boolean", nullable: false),
                    floating_ip = table.Column<IPAddress>(type: "inet", nullable: true),
                    api_address = table.Column<IPAddress>(type: "inet", nullable: true),
                    phase = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    failure_key = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true),
                    failure_args = table.Column<string[]>(type: "text[]", nullable: false),
                    delete_requested = table.Column<bool>(type: "boolean", nullable: false),
                    next_attempt_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    attempts = table.Column<int>(type: "integer", nullable: false),
                    phase_since = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    created_by = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_clusters", x => x.id);
                    table.CheckConstraint("ck_clusters_cidrs_disjoint", "NOT (pod_cidr && service_cidr)");
                    table.CheckConstraint("ck_clusters_masters", "masters IN (1, 3)");
                    table.CheckConstraint("ck_clusters_workers", "workers BETWEEN 1 AND 100");
                    table.ForeignKey(
                        name: "fk_clusters_projects_project_id",
                        column: x => x.project_id,
                        principalTable: "projects",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "cluster_events",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    cluster_id = table.Column<Guid>(type: "uuid", nullable: false),
                    at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    phase = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    message_key = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    args = table.Column<string[]>(type: "text[]", nullable: false),
                    warning = table.Column<bool>(type: "boolean", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_cluster_events", x => x.id);
                    table.ForeignKey(
                        name: "fk_cluster_events_clusters_cluster_id",
                        column: x => x.cluster_id,
                        principalTable: "clusters",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "cluster_nodes",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false, defaultValueSql: "gen_random_uuid()"),
                    cluster_id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(63)", maxLength: 63, nullable: false),
                    role = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    ordinal = table.Column<int>(type: "integer", nullable: false),
                    port_id = table.Column<Guid>(type: "uuid", nullable: true),
                    ip_address = table.Column<IPAddress>(type: "inet", nullable: true),
                    pod_cidr = table.Column<IPNetwork>(type: "cidr", nullable: true),
                    ready = table.Column<bool>(type: "boolean", nullable: false),
                    last_heartbeat = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    desired_generation = table.Column<long>(type: "bigint", nullable: false),
                    observed_generation = table.Column<long>(type: "bigint", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_cluster_nodes", x => x.id);
                    table.ForeignKey(
                        name: "fk_cluster_nodes_clusters_cluster_id",
                        column: x => x.cluster_id,
                        principalTable: "clusters",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_cluster_nodes_ports_port_id",
                        column: x => x.port_id,
                        principalTable: "ports",
                        principalColumn: "id",
                        onDelete: ReferentialAction.SetNull);
                });

            migrationBuilder.CreateIndex(
                name: "ix_networks_owner_cluster_id",
                table: "networks",
                column: "owner_cluster_id",
                filter: "owner_cluster_id IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_cluster_events_cluster_id_id",
                table: "cluster_events",
                columns: new[] { "cluster_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_cluster_nodes_cluster_id_name",
                table: "cluster_nodes",
                columns: new[] { "cluster_id", "name" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_cluster_nodes_cluster_id_role_ordinal",
                table: "cluster_nodes",
                columns: new[] { "cluster_id", "role", "ordinal" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_cluster_nodes_port_id",
                table: "cluster_nodes",
                column: "port_id");

            migrationBuilder.CreateIndex(
                name: "ix_clusters_next_attempt_at",
                table: "clusters",
                column: "next_attempt_at",
                filter: "phase NOT IN ('Running', 'Failed') OR delete_requested");

            migrationBuilder.CreateIndex(
                name: "ix_clusters_project_id_name",
                table: "clusters",
                columns: new[] { "project_id", "name" },
                unique: true);

            migrationBuilder.Sql(Sql.ClustersSql.Up);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(Sql.ClustersSql.Down);

            migrationBuilder.DropTable(
                name: "cluster_events");

            migrationBuilder.DropTable(
                name: "cluster_nodes");

            migrationBuilder.DropTable(
                name: "clusters");

            migrationBuilder.DropIndex(
                name: "ix_networks_owner_cluster_id",
                table: "networks");

            migrationBuilder.DropColumn(
                name: "owner_cluster_id",
                table: "networks");
        }
    }
}
