import { type MigrationInterface, type QueryRunner, Table } from "typeorm";

/**
 * spend_versions: per workspace, how many changes that can alter a spend decision it has had
 * (memberships, limits, the team tree, API key revocations). A process that keeps a team's spend
 * context between batches reads it beside each batch, and reads the context afresh when it moved.
 * No foreign key: see SpendVersionEntity.
 */
export class SpendVersion1763940000000 implements MigrationInterface {
  name = "SpendVersion1763940000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    const mysql = queryRunner.connection.options.type === "mysql";
    const text = mysql ? { charset: "utf8mb4", collation: "utf8mb4_bin" } : {};
    await queryRunner.createTable(
      new Table({
        name: "spend_versions",
        columns: [
          { name: "workspace_id", type: "varchar", length: "32", isPrimary: true, ...text },
          { name: "version", type: "integer" },
        ],
      }),
      true,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable("spend_versions", true);
  }
}
