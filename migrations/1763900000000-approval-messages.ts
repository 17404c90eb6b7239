import { type MigrationInterface, type QueryRunner, Table, TableForeignKey } from "typeorm";

/**
 * A request's Approve/Deny card can be several Slack messages (one DM to each admin when the team
 * has no channel), and every one of them is updated when the request is decided: the messages get
 * a table of their own instead of one channel/ts pair on the request.
 */
export class ApprovalMessages1763900000000 implements MigrationInterface {
  name = "ApprovalMessages1763900000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    const mysql = queryRunner.connection.options.type === "mysql";
    const text = mysql ? { charset: "utf8mb4", collation: "utf8mb4_bin" } : {};
    await queryRunner.createTable(
      new Table({
        name: "approval_messages",
        columns: [
          {
            name: "id",
            type: "integer",
            isPrimary: true,
            isGenerated: true,
            generationStrategy: "increment",
          },
          { name: "request_id", type: "integer" },
          { name: "channel_id", type: "varchar", length: "32", ...text },
          { name: "message_ts", type: "varchar", length: "32", ...text },
        ],
        indices: [
          { name: "uq_approval_messages_message", columnNames: ["channel_id", "message_ts"], isUnique: true },
          { name: "ix_approval_messages_request", columnNames: ["request_id"] },
        ],
        foreignKeys: [
          new TableForeignKey({
            columnNames: ["request_id"],
            referencedTableName: "approval_requests",
            referencedColumnNames: ["id"],
            onDelete: "CASCADE",
          }),
        ],
      }),
      false,
      true,
      true,
    );
    await queryRunner.dropColumn("approval_requests", "message_channel");
    await queryRunner.dropColumn("approval_requests", "message_ts");
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("ALTER TABLE approval_requests ADD message_channel varchar(32) NULL");
    await queryRunner.query("ALTER TABLE approval_requests ADD message_ts varchar(32) NULL");
    await queryRunner.dropTable("approval_messages", true);
  }
}
