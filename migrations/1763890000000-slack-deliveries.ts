import { type MigrationInterface, type QueryRunner, Table } from "typeorm";

/**
 * Slack redelivers an event it thinks was lost (X-Slack-Retry-Num). Each delivery's id is recorded
 * once; the primary key makes a redelivery recognisable, even when another process got the first.
 */
export class SlackDeliveries1763890000000 implements MigrationInterface {
  name = "SlackDeliveries1763890000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    const mysql = queryRunner.connection.options.type === "mysql";
    await queryRunner.createTable(
      new Table({
        name: "slack_deliveries",
        columns: [
          {
            name: "delivery_key",
            type: "varchar",
            length: "191",
            isPrimary: true,
            ...(mysql && { charset: "utf8mb4", collation: "utf8mb4_bin" }),
          },
          { name: "received_at", type: "bigint" },
        ],
        indices: [{ name: "ix_slack_deliveries_received", columnNames: ["received_at"] }],
      }),
      false,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable("slack_deliveries", true);
  }
}
