import { type MigrationInterface, type QueryRunner, Table } from "typeorm";

/**
 * job_claims: one row per piece of scheduled work (job, subject, period), so that every process can
 * run the scheduler and each piece is still done once (see JobClaimEntity).
 */
export class JobClaims1763920000000 implements MigrationInterface {
  name = "JobClaims1763920000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    const mysql = queryRunner.connection.options.type === "mysql";
    const text = mysql ? { charset: "utf8mb4", collation: "utf8mb4_bin" } : {};
    await queryRunner.createTable(
      new Table({
        name: "job_claims",
        columns: [
          {
            name: "id",
            type: "integer",
            isPrimary: true,
            isGenerated: true,
            generationStrategy: "increment",
          },
          { name: "workspace_id", type: "varchar", length: "32", ...text },
          { name: "job", type: "varchar", length: "32", ...text },
          { name: "subject", type: "varchar", length: "64", ...text },
          { name: "period", type: "varchar", length: "32", ...text },
          { name: "status", type: "varchar", length: "16", ...text },
          { name: "owner", type: "varchar", length: "64", isNullable: true, ...text },
          { name: "lease_until", type: "bigint" },
          { name: "attempts", type: "integer" },
          { name: "progress", type: "text", ...text },
          { name: "outcome", type: "varchar", length: "191", isNullable: true, ...text },
          { name: "created_at", type: "bigint" },
          { name: "updated_at", type: "bigint" },
        ],
        indices: [
          {
            name: "uq_job_claims_work",
            columnNames: ["workspace_id", "job", "subject", "period"],
            isUnique: true,
          },
          { name: "ix_job_claims_job_period", columnNames: ["job", "period", "status"] },
        ],
      }),
      false,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable("job_claims", true);
  }
}
