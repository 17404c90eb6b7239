import { type MigrationInterface, type QueryRunner, Table, TableForeignKey } from "typeorm";

/**
 * team_syncs: the teams whose Slack user group and channel `/team sync` keeps in step with their
 * active members. The team's foreign key is set to null, not cascaded, when the team is deleted, so
 * the next sync still knows which user group to disable.
 */
export class TeamSync1763930000000 implements MigrationInterface {
  name = "TeamSync1763930000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    const mysql = queryRunner.connection.options.type === "mysql";
    const text = mysql ? { charset: "utf8mb4", collation: "utf8mb4_bin" } : {};
    const id = (name: string, isNullable = false) => ({
      name,
      type: "varchar",
      length: "32",
      isNullable,
      ...text,
    });
    await queryRunner.createTable(
      new Table({
        name: "team_syncs",
        columns: [
          {
            name: "id",
            type: "integer",
            isPrimary: true,
            isGenerated: true,
            generationStrategy: "increment",
          },
          id("workspace_id"),
          { name: "team_id", type: "integer", isNullable: true },
          id("handle"),
          id("usergroup_id", true),
          id("channel_id", true),
          { name: "applied_hash", type: "varchar", length: "64", isNullable: true, ...text },
          { name: "checked_at", type: "bigint" },
          id("created_by"),
          { name: "created_at", type: "bigint" },
          { name: "updated_at", type: "bigint" },
        ],
        indices: [
          { name: "uq_team_syncs_team", columnNames: ["team_id"], isUnique: true },
          { name: "ix_team_syncs_workspace", columnNames: ["workspace_id"] },
        ],
        foreignKeys: [
          new TableForeignKey({
            columnNames: ["workspace_id"],
            referencedTableName: "workspaces",
            referencedColumnNames: ["id"],
            onDelete: "CASCADE",
          }),
          new TableForeignKey({
            columnNames: ["team_id"],
            referencedTableName: "teams",
            referencedColumnNames: ["id"],
            onDelete: "SET NULL",
          }),
        ],
      }),
      false,
      true,
      true,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable("team_syncs", true);
  }
}
