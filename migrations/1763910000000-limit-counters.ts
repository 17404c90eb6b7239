import { type MigrationInterface, type QueryRunner, Table, TableForeignKey } from "typeorm";

/**
 * Running totals per limit, subject and period, so a spend check reads and bumps a few counter
 * rows instead of summing history. They replace the per-team usage_totals of the first migration:
 * counting only what a limit needs keeps the write per event small, and a new or changed limit
 * starts from a one-time sum of its current period.
 * Notices remember which 80%/100% warnings went out, once per limit, subject, period and threshold.
 */
export class LimitCounters1763910000000 implements MigrationInterface {
  name = "LimitCounters1763910000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    const mysql = queryRunner.connection.options.type === "mysql";
    const text = mysql ? { charset: "utf8mb4", collation: "utf8mb4_bin" } : {};
    const limitFk = () =>
      new TableForeignKey({
        columnNames: ["limit_id"],
        referencedTableName: "limits",
        referencedColumnNames: ["id"],
        onDelete: "CASCADE",
      });
    const key = (name: string, length: number) => ({
      name,
      type: "varchar",
      length: String(length),
      ...text,
    });
    const id = {
      name: "id",
      type: "integer",
      isPrimary: true,
      isGenerated: true,
      generationStrategy: "increment" as const,
    };

    await queryRunner.createTable(
      new Table({
        name: "limit_counters",
        columns: [
          id,
          { name: "limit_id", type: "integer" },
          key("subject_key", 32),
          key("period_start", 10),
          { name: "tokens", type: "bigint" },
        ],
        indices: [
          {
            name: "uq_limit_counters_limit_subject_period",
            columnNames: ["limit_id", "subject_key", "period_start"],
            isUnique: true,
          },
        ],
        foreignKeys: [limitFk()],
      }),
      false,
      true,
      true,
    );
    await queryRunner.createTable(
      new Table({
        name: "limit_notices",
        columns: [
          id,
          { name: "limit_id", type: "integer" },
          key("subject_key", 32),
          key("period_start", 10),
          { name: "threshold", type: "integer" },
          { name: "sent_at", type: "bigint" },
        ],
        indices: [
          {
            name: "uq_limit_notices_once",
            columnNames: ["limit_id", "subject_key", "period_start", "threshold"],
            isUnique: true,
          },
        ],
        foreignKeys: [limitFk()],
      }),
      false,
      true,
      true,
    );
    await queryRunner.dropTable("usage_totals", true);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable("limit_notices", true);
    await queryRunner.dropTable("limit_counters", true);
  }
}
