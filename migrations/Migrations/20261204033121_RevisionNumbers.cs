using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class RevisionNumbers : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "revision_number",
                table: "subnets",
                type: "bigint",
                nullable: false,
                defaultValue: 1L);

            migrationBuilder.AddColumn<long>(
                name: "revision_number",
                table: "ports",
                type: "bigint",
                nullable: false,
                defaultValue: 1L);

            migrationBuilder.AddColumn<long>(
                name: "revision_number",
                table: "networks",
                type: "bigint",
                nullable: false,
                defaultValue: 1L);

            migrationBuilder.Sql(Sql.RevisionSql.Up);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(Sql.RevisionSql.Down);

            migrationBuilder.DropColumn(
                name: "revision_number",
                table: "subnets");

            migrationBuilder.DropColumn(
                name: "revision_number",
                table: "ports");

            migrationBuilder.DropColumn(
                name: "revision_number",
                table: "networks");
        }
    }
}
