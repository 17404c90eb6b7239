import { beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/database";
import { isForeignKeyViolation, isUniqueViolation } from "../../src/db/db-errors";
import { newWorkspaceId, testDatabases } from "../support/databases";
import { useDatabase } from "../support/fixtures";
import { serviceWorld } from "../support/services";

/**
 * The constraints live in the database, not only in code: these tests write rows directly,
 * past the services, and expect the database itself to refuse them.
 */
describe.each(testDatabases())("schema constraints on $name", (kind) => {
  const testDb = useDatabase(kind);
  let db: Database;
  beforeAll(() => {
    db = testDb();
  });

  const refused = async (sql: string, params: unknown[]) => {
    try {
      await db.dataSource.query(sql, params);
    } catch (error) {
      return error;
    }
    throw new Error(`the database accepted: ${sql}`);
  };

  async function teamWithOwner() {
    const world = serviceWorld(db);
    const owner = world.user("owner");
    const team = await world.services.teams.create(owner, { name: "Constrained" });
    return { world, owner, team };
  }

  it("refuses a second team whose folded name is taken in the workspace", async () => {
    const { team } = await teamWithOwner();
    const error = await refused(
      "INSERT INTO teams (workspace_id, name, name_key, description, visibility, join_policy, resource_sharing, metadata, created_by, created_at, updated_at) VALUES (?, 'X', 'constrained', '', 'organization', 'open', 'all_members', '{}', 'U1', 0, 0)",
      [team.workspaceId],
    );
    expect(isUniqueViolation(error)).toBe(true);
  });

  it("refuses a second membership of one user in one team, and a second owner", async () => {
    const { owner, team } = await teamWithOwner();
    const insert =
      "INSERT INTO memberships (workspace_id, team_id, user_id, role_id, owner_marker, status, joined_at, updated_at) VALUES (?, ?, ?, (SELECT id FROM roles WHERE name_key = 'member' AND workspace_id IS NULL), ?, 'active', 0, 0)";
    expect(isUniqueViolation(await refused(insert, [team.workspaceId, team.id, owner.userId, null]))).toBe(
      true,
    );
    expect(isUniqueViolation(await refused(insert, [team.workspaceId, team.id, "UOTHER1", 1]))).toBe(true);
  });

  it("refuses a second usage row for one (team, transactionId)", async () => {
    const { owner, team } = await teamWithOwner();
    const insert =
      "INSERT INTO usage_events (workspace_id, team_id, user_id, tokens, resource, transaction_id, occurred_at, created_at) VALUES (?, ?, ?, 10, 'gpt', 'tx-1', 0, 0)";
    await db.dataSource.query(insert, [team.workspaceId, team.id, owner.userId]);
    expect(isUniqueViolation(await refused(insert, [team.workspaceId, team.id, owner.userId]))).toBe(true);
  });

  it("refuses rows pointing at a team or workspace that doesn't exist", async () => {
    const error = await refused(
      "INSERT INTO memberships (workspace_id, team_id, user_id, role_id, status, joined_at, updated_at) VALUES (?, 999999999, 'U1', 1, 'active', 0, 0)",
      [newWorkspaceId()],
    );
    expect(isForeignKeyViolation(error)).toBe(true);
  });

  it("deletes a team's rows with it, keeps its audit trail, and won't delete a parent from under its children", async () => {
    const { world, owner, team } = await teamWithOwner();
    await world.services.teams.create(owner, { name: "Child", parent: "Constrained" });
    expect(isForeignKeyViolation(await refused("DELETE FROM teams WHERE id = ?", [team.id]))).toBe(true);
    await world.services.teams.delete(owner, "Child");
    await world.services.access.grant(owner, "Constrained", "usage:view_all");
    await world.services.teams.delete(owner, "Constrained");
    const count = async (table: string) =>
      Number(
        (await db.dataSource.query(`SELECT COUNT(*) AS n FROM ${table} WHERE team_id = ?`, [team.id]))[0].n,
      );
    expect(await count("memberships")).toBe(0);
    expect(await count("team_grants")).toBe(0);
    expect(await count("audit_events")).toBeGreaterThanOrEqual(3);
  });

  it("refuses deleting a role still held by a membership", async () => {
    const { world, owner } = await teamWithOwner();
    world.workspaceAdmins.add(owner.userId);
    const role = await world.services.roles.create(owner, "reviewer", ["team:view"]);
    await world.services.members.add(owner, "Constrained", ["UHOLDER1"], "reviewer");
    expect(isForeignKeyViolation(await refused("DELETE FROM roles WHERE id = ?", [role.id]))).toBe(true);
  });

  it("has applied every migration and has nothing pending", async () => {
    expect(await db.dataSource.showMigrations()).toBe(false);
  });
});
