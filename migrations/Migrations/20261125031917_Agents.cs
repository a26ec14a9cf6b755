using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class Agents : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "join_token",
                table: "clusters",
                type: "character varying(64)",
                maxLength: 64,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string[]>(
                name: "agent_errors",
                table: "cluster_nodes",
                type: "text[]",
                nullable: false,
                defaultValue: new string[0]);

            migrationBuilder.AddColumn<string>(
                name: "agent_version",
                table: "cluster_nodes",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "check_id",
                table: "cluster_nodes",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<string>(
                name: "check_results",
                table: "cluster_nodes",
                type: "jsonb",
                nullable: false,
                defaultValueSql: "'[]'::jsonb");

            migrationBuilder.AddColumn<byte[]>(
                name: "credential_hash",
                table: "cluster_nodes",
                type: "bytea",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "joined_at",
                table: "cluster_nodes",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "pods",
                table: "cluster_nodes",
                type: "jsonb",
                nullable: false,
                defaultValueSql: "'[]'::jsonb");

            migrationBuilder.AddColumn<int>(
                name: "route_count",
                table: "cluster_nodes",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.CreateTable(
                name: "cluster_generations",
                columns: table => new
                {
                    cluster_id = table.Column<Guid>(type: "uuid", nullable: false),
                    generation = table.Column<long>(type: "bigint", nullable: false),
                    check_id = table.Column<long>(type: "bigint", nullable: false),
                    check_requested_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_cluster_generations", x => x.cluster_id);
                    table.ForeignKey(
                        name: "fk_cluster_generations_clusters_cluster_id",
                        column: x => x.cluster_id,
                        principalTable: "clusters",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            // Clusters created before agents existed get their join token and their generation row here.
            migrationBuilder.Sql(Sql.AgentsSql.Backfill);

            migrationBuilder.CreateIndex(
                name: "ix_clusters_join_token",
                table: "clusters",
                column: "join_token",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_cluster_nodes_credential_hash",
                table: "cluster_nodes",
                column: "credential_hash",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "cluster_generations");

            migrationBuilder.DropIndex(
                name: "ix_clusters_join_token",
                table: "clusters");

            migrationBuilder.DropIndex(
                name: "ix_cluster_nodes_credential_hash",
                table: "cluster_nodes");

            migrationBuilder.DropColumn(
                name: "join_token",
                table: "clusters");

            migrationBuilder.DropColumn(
                name: "agent_errors",
                table: "cluster_nodes");

            migrationBuilder.DropColumn(
                name: "agent_version",
                table: "cluster_nodes");

            migrationBuilder.DropColumn(
                name: "check_id",
                table: "cluster_nodes");

            migrationBuilder.DropColumn(
                name: "check_results",
                table: "cluster_nodes");

            migrationBuilder.DropColumn(
                name: "credential_hash",
                table: "cluster_nodes");

            migrationBuilder.DropColumn(
                name: "joined_at",
                table: "cluster_nodes");

            migrationBuilder.DropColumn(
                name: "pods",
                table: "cluster_nodes");

            migrationBuilder.DropColumn(
                name: "route_count",
                table: "cluster_nodes");
        }
    }
}
