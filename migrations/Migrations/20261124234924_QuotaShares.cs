using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class QuotaShares : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "quota_slots");

            migrationBuilder.CreateTable(
                name: "quota_shares",
                columns: table => new
                {
                    project_id = table.Column<string>(type: "character(32)", fixedLength: true, maxLength: 32, nullable: false),
                    resource = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    share = table.Column<int>(type: "integer", nullable: false),
                    cap = table.Column<int>(type: "integer", nullable: false),
                    used = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_quota_shares", x => new { x.project_id, x.resource, x.share });
                    table.CheckConstraint("ck_quota_shares_counts", "cap >= 0 AND used >= 0");
                    table.CheckConstraint("ck_quota_shares_share", "share >= 0 AND share < 64");
                    table.ForeignKey(
                        name: "fk_quota_shares_quotas_project_id_resource",
                        columns: x => new { x.project_id, x.resource },
                        principalTable: "quotas",
                        principalColumns: new[] { "project_id", "resource" },
                        onDelete: ReferentialAction.Cascade);
                })
                .Annotation("Npgsql:StorageParameter:fillfactor", 50);

            migrationBuilder.Sql(Sql.QuotaSharesSql.Up);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "quota_shares");

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

            migrationBuilder.Sql(Sql.QuotaSharesSql.Down);
        }
    }
}
