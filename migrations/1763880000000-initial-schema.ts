import {
  type MigrationInterface,
  type QueryRunner,
  Table,
  type TableColumnOptions,
  TableForeignKey,
} from "typeorm";

/**
 * The whole model of SPEC section 2. Written with TypeORM's Table API so one migration runs on
 * SQLite and MySQL/MariaDB; the few per-dialect differences are in the column helpers below.
 * Migrations are history: never edit this file once it has shipped, add a new one.
 */
export class InitialSchema1763880000000 implements MigrationInterface {
  name = "InitialSchema1763880000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnHelpers(queryRunner.connection.options.type === "mysql");
    const workspaceFk = new TableForeignKey({
      columnNames: ["workspace_id"],
      referencedTableName: "workspaces",
      referencedColumnNames: ["id"],
      onDelete: "CASCADE",
    });
    const teamFk = (onDelete: "CASCADE" | "RESTRICT" = "CASCADE", column = "team_id") =>
      new TableForeignKey({
        columnNames: [column],
        referencedTableName: "teams",
        referencedColumnNames: ["id"],
        onDelete,
      });
    const roleFk = new TableForeignKey({
      columnNames: ["role_id"],
      referencedTableName: "roles",
      referencedColumnNames: ["id"],
      onDelete: "RESTRICT",
    });
    const create = (table: Table) => queryRunner.createTable(table, false, true, true);

    await create(
      new Table({
        name: "workspaces",
        columns: [
          c.slackId("id", { isPrimary: true }),
          c.str("name", 255, { isNullable: true }),
          c.time("created_at"),
        ],
      }),
    );

    await create(
      new Table({
        name: "teams",
        columns: [
          c.id(),
          c.slackId("workspace_id"),
          c.str("name", 80),
          c.str("name_key", 80),
          c.str("description", 500, { default: "''" }),
          c.int("parent_id", { isNullable: true }),
          c.slackId("channel_id", { isNullable: true }),
          c.str("visibility", 16, { default: "'organization'" }),
          c.str("join_policy", 16, { default: "'open'" }),
          c.str("resource_sharing", 16, { default: "'all_members'" }),
          c.text("metadata"),
          c.slackId("created_by"),
          c.time("created_at"),
          c.time("updated_at"),
        ],
        indices: [
          { name: "uq_teams_workspace_name", columnNames: ["workspace_id", "name_key"], isUnique: true },
          { name: "ix_teams_parent", columnNames: ["parent_id"] },
        ],
        // A team with sub-teams can't be deleted out from under them: the service says so first.
        foreignKeys: [workspaceFk, teamFk("RESTRICT", "parent_id")],
      }),
    );

    await create(
      new Table({
        name: "roles",
        columns: [
          c.id(),
          c.slackId("workspace_id", { isNullable: true }),
          c.str("name", 40),
          c.str("name_key", 40),
          c.str("description", 200, { default: "''" }),
          c.text("permissions"),
          { name: "built_in", type: "boolean", default: false },
          c.slackId("created_by", { isNullable: true }),
          c.time("created_at"),
        ],
        indices: [
          { name: "uq_roles_workspace_name", columnNames: ["workspace_id", "name_key"], isUnique: true },
        ],
        foreignKeys: [workspaceFk],
      }),
    );

    await create(
      new Table({
        name: "memberships",
        columns: [
          c.id(),
          c.slackId("workspace_id"),
          c.int("team_id"),
          c.slackId("user_id"),
          c.int("role_id"),
          c.int("owner_marker", { isNullable: true }),
          c.str("status", 16, { default: "'active'" }),
          c.time("joined_at"),
          c.time("updated_at"),
        ],
        indices: [
          { name: "uq_memberships_team_user", columnNames: ["team_id", "user_id"], isUnique: true },
          { name: "uq_memberships_team_owner", columnNames: ["team_id", "owner_marker"], isUnique: true },
          { name: "ix_memberships_workspace_user", columnNames: ["workspace_id", "user_id"] },
        ],
        foreignKeys: [workspaceFk, teamFk(), roleFk],
      }),
    );

    await create(
      new Table({
        name: "team_grants",
        columns: [
          c.id(),
          c.slackId("workspace_id"),
          c.int("team_id"),
          c.str("permission", 64),
          c.slackId("granted_by"),
          c.time("created_at"),
        ],
        indices: [
          { name: "uq_team_grants_team_permission", columnNames: ["team_id", "permission"], isUnique: true },
        ],
        foreignKeys: [workspaceFk, teamFk()],
      }),
    );

    await create(
      new Table({
        name: "shared_resources",
        columns: [
          c.id(),
          c.slackId("workspace_id"),
          c.int("team_id"),
          c.str("resource_type", 64),
          c.str("resource_id", 191),
          c.text("permissions"),
          c.slackId("shared_by"),
          c.time("created_at"),
        ],
        indices: [
          {
            name: "uq_shared_resources_team_resource",
            columnNames: ["team_id", "resource_type", "resource_id"],
            isUnique: true,
          },
        ],
        foreignKeys: [workspaceFk, teamFk()],
      }),
    );

    await create(
      new Table({
        name: "invitations",
        columns: [
          c.id(),
          c.slackId("workspace_id"),
          c.int("team_id"),
          c.slackId("invitee_user_id", { isNullable: true }),
          c.str("invitee_email", 254, { isNullable: true }),
          c.str("pending_key", 254, { isNullable: true }),
          c.int("role_id"),
          c.slackId("inviter_user_id"),
          c.str("status", 16, { default: "'pending'" }),
          c.time("expires_at"),
          c.slackId("message_channel", { isNullable: true }),
          c.str("message_ts", 32, { isNullable: true }),
          c.time("created_at"),
          c.time("decided_at", { isNullable: true }),
        ],
        indices: [
          { name: "uq_invitations_team_pending", columnNames: ["team_id", "pending_key"], isUnique: true },
          { name: "ix_invitations_workspace_email", columnNames: ["workspace_id", "invitee_email"] },
          { name: "ix_invitations_status_expiry", columnNames: ["status", "expires_at"] },
        ],
        foreignKeys: [workspaceFk, teamFk(), roleFk],
      }),
    );

    await create(
      new Table({
        name: "approval_requests",
        columns: [
          c.id(),
          c.slackId("workspace_id"),
          c.int("team_id"),
          c.str("kind", 16),
          c.slackId("requester_user_id"),
          c.slackId("pending_key", { isNullable: true }),
          c.str("status", 16, { default: "'pending'" }),
          c.text("details"),
          c.slackId("decided_by", { isNullable: true }),
          c.time("decided_at", { isNullable: true }),
          c.slackId("message_channel", { isNullable: true }),
          c.str("message_ts", 32, { isNullable: true }),
          c.time("escalated_at", { isNullable: true }),
          c.time("created_at"),
        ],
        indices: [
          {
            name: "uq_approval_requests_pending",
            columnNames: ["team_id", "kind", "pending_key"],
            isUnique: true,
          },
          { name: "ix_approval_requests_status_created", columnNames: ["status", "created_at"] },
        ],
        foreignKeys: [workspaceFk, teamFk()],
      }),
    );

    await create(
      new Table({
        name: "limits",
        columns: [
          c.id(),
          c.slackId("workspace_id"),
          c.int("team_id"),
          c.str("scope", 16),
          c.slackId("subject_key", { default: "''" }),
          c.bigint("transaction_max", { isNullable: true }),
          c.bigint("total_max", { isNullable: true }),
          c.str("period", 16, { default: "'none'" }),
          c.slackId("set_by"),
          c.time("updated_at"),
        ],
        indices: [
          {
            name: "uq_limits_team_scope_subject",
            columnNames: ["team_id", "scope", "subject_key"],
            isUnique: true,
          },
        ],
        foreignKeys: [workspaceFk, teamFk()],
      }),
    );

    await create(
      new Table({
        name: "usage_events",
        columns: [
          c.bigId(),
          c.slackId("workspace_id"),
          c.int("team_id"),
          c.slackId("user_id"),
          c.bigint("tokens"),
          c.str("resource", 191),
          c.str("transaction_id", 191),
          c.time("occurred_at"),
          c.time("created_at"),
        ],
        indices: [
          {
            name: "uq_usage_events_team_transaction",
            columnNames: ["team_id", "transaction_id"],
            isUnique: true,
          },
          { name: "ix_usage_events_team_time", columnNames: ["team_id", "occurred_at"] },
          { name: "ix_usage_events_team_user_time", columnNames: ["team_id", "user_id", "occurred_at"] },
        ],
        foreignKeys: [workspaceFk, teamFk()],
      }),
    );

    await create(
      new Table({
        name: "usage_totals",
        columns: [
          c.id(),
          c.slackId("workspace_id"),
          c.int("team_id"),
          c.slackId("user_key"),
          c.str("period", 16),
          c.str("period_start", 10),
          c.bigint("tokens"),
        ],
        indices: [
          {
            name: "uq_usage_totals_subject_period",
            columnNames: ["team_id", "user_key", "period", "period_start"],
            isUnique: true,
          },
        ],
        foreignKeys: [workspaceFk, teamFk()],
      }),
    );

    await create(
      new Table({
        name: "api_keys",
        columns: [
          c.id(),
          c.slackId("workspace_id"),
          c.int("team_id"),
          c.str("name", 64),
          c.str("active_name_key", 64, { isNullable: true }),
          c.str("key_hash", 64),
          c.str("key_prefix", 16),
          c.slackId("created_by"),
          c.time("created_at"),
          c.time("last_used_at", { isNullable: true }),
          c.time("revoked_at", { isNullable: true }),
        ],
        indices: [
          { name: "uq_api_keys_hash", columnNames: ["key_hash"], isUnique: true },
          {
            name: "uq_api_keys_team_active_name",
            columnNames: ["team_id", "active_name_key"],
            isUnique: true,
          },
        ],
        foreignKeys: [workspaceFk, teamFk()],
      }),
    );

    await create(
      new Table({
        name: "audit_events",
        columns: [
          c.bigId(),
          c.slackId("workspace_id"),
          c.int("team_id", { isNullable: true }),
          c.slackId("actor_user_id"),
          c.str("action", 64),
          c.str("target_type", 32),
          c.str("target_id", 255),
          c.text("before", { isNullable: true }),
          c.text("after", { isNullable: true }),
          c.time("created_at"),
        ],
        indices: [
          { name: "ix_audit_events_team_time", columnNames: ["workspace_id", "team_id", "created_at"] },
          { name: "ix_audit_events_workspace_time", columnNames: ["workspace_id", "created_at"] },
        ],
        foreignKeys: [workspaceFk],
      }),
    );

    // The built-in roles, as SPEC section 2 defines them on the day this migration was written.
    const all = ["team:view"];
    const admin = [
      ...all,
      "team:update",
      "members:manage",
      "invites:manage",
      "joins:decide",
      "limits:manage",
      "usage:view_all",
      "keys:manage",
    ];
    const owner = [...admin, "team:delete", "team:transfer"];
    const builtIns: [string, string, string[]][] = [
      ["owner", "Owns the team: everything, including delete and transfer", owner],
      ["admin", "Runs the team: members, invitations, joins, limits, usage and keys", admin],
      ["member", "Belongs to the team", all],
    ];
    for (const [name, description, permissions] of builtIns) {
      await queryRunner.query(
        "INSERT INTO roles (workspace_id, name, name_key, description, permissions, built_in, created_at) VALUES (NULL, ?, ?, ?, ?, ?, ?)",
        [name, name, description, JSON.stringify(permissions), 1, 0],
      );
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      "audit_events",
      "api_keys",
      "usage_totals",
      "usage_events",
      "limits",
      "approval_requests",
      "invitations",
      "shared_resources",
      "team_grants",
      "memberships",
      "roles",
      "teams",
      "workspaces",
    ]) {
      await queryRunner.dropTable(table, true);
    }
  }
}

/** Column shapes shared by every table; MySQL gets binary utf8mb4 text so comparisons match SQLite's. */
function columnHelpers(mysql: boolean) {
  const text = mysql ? { charset: "utf8mb4", collation: "utf8mb4_bin" } : {};
  type Extra = Partial<TableColumnOptions>;
  return {
    id: (): TableColumnOptions => ({
      name: "id",
      type: "integer",
      isPrimary: true,
      isGenerated: true,
      generationStrategy: "increment",
    }),
    /** SQLite only auto-increments an INTEGER PRIMARY KEY, which is 64-bit there anyway. */
    bigId: (): TableColumnOptions => ({
      name: "id",
      type: mysql ? "bigint" : "integer",
      isPrimary: true,
      isGenerated: true,
      generationStrategy: "increment",
    }),
    int: (name: string, extra: Extra = {}): TableColumnOptions => ({ name, type: "integer", ...extra }),
    bigint: (name: string, extra: Extra = {}): TableColumnOptions => ({ name, type: "bigint", ...extra }),
    time: (name: string, extra: Extra = {}): TableColumnOptions => ({ name, type: "bigint", ...extra }),
    str: (name: string, length: number, extra: Extra = {}): TableColumnOptions => ({
      name,
      type: "varchar",
      length: String(length),
      ...text,
      ...extra,
    }),
    slackId: (name: string, extra: Extra = {}): TableColumnOptions => ({
      name,
      type: "varchar",
      length: "32",
      ...text,
      ...extra,
    }),
    text: (name: string, extra: Extra = {}): TableColumnOptions => ({
      name,
      type: "text",
      ...text,
      ...extra,
    }),
  };
}
