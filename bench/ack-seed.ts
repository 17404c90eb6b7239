import { systemClock } from "../src/clock";
import type { Database } from "../src/db/database";
import { createServices } from "../src/services";
import type { Actor } from "../src/services/actor";
import type { SlackStandIn } from "../src/stand-in/slack-stand-in";

export interface AckWorld {
  workspaceId: string;
  team: string;
  /** Who sends the commands, in turn: every member of the team (one in ten an admin). */
  senders: string[];
  members: number;
  events: number;
}

const DAY = 86_400_000;
const CHUNK = 500;
const RESOURCES = ["gpt-4o", "claude-sonnet", "llama-70b", "embeddings"];

/**
 * The team the ack bench asks about: Platform with `members` members (one in ten an admin, who
 * sees everyone's usage) and two sub-teams of 20, `events` usage events spread over the last 30
 * days, and every person in the Slack stand-in's directory so users.info knows them. Teams go
 * through the services (three calls); members and usage by bulk INSERTs.
 */
export async function seedAck(
  db: Database,
  slack: SlackStandIn,
  size: { members: number; events: number },
): Promise<AckWorld> {
  const workspaceId = slack.workspaceId;
  const services = createServices({
    db,
    clock: systemClock,
    orgAdmins: [],
    inviteTtlDays: 7,
    timeZone: "UTC",
    workspaceAdminLookup: () => Promise.resolve(false),
  });
  const owner: Actor = { workspaceId, userId: "UACKOWNER01" };
  const platform = await services.teams.create(owner, {
    name: "Platform",
    description: "Models, evals and the serving stack",
  });
  const evals = await services.teams.create(owner, { name: "Evals", parent: "Platform" });
  const infra = await services.teams.create(owner, { name: "Infra", parent: "Platform" });

  const roles = await db.dataSource.query<{ id: number; name_key: string }[]>(
    "SELECT id, name_key FROM roles WHERE workspace_id IS NULL AND name_key IN ('admin', 'member')",
  );
  const role = (key: string) => Number(roles.find((r) => r.name_key === key)?.id);
  const senders = Array.from({ length: size.members }, (_, i) => `UACK${String(i).padStart(6, "0")}`);
  const joined = Date.now() - 90 * DAY;
  const memberships = [
    ...senders.map((userId, i) => [platform.id, userId, role(i % 10 === 0 ? "admin" : "member")] as const),
    ...senders.slice(0, 20).map((userId) => [evals.id, userId, role("member")] as const),
    ...senders.slice(20, 40).map((userId) => [infra.id, userId, role("member")] as const),
  ];
  for (let i = 0; i < memberships.length; i += CHUNK) {
    const chunk = memberships.slice(i, i + CHUNK);
    await db.dataSource.query(
      `INSERT INTO memberships (workspace_id, team_id, user_id, role_id, owner_marker, status, joined_at, updated_at) VALUES ${chunk.map(() => "(?, ?, ?, ?, NULL, 'active', ?, ?)").join(", ")}`,
      chunk.flatMap(([teamId, userId, roleId]) => [workspaceId, teamId, userId, roleId, joined, joined]),
    );
  }

  const now = Date.now();
  const teams = [platform.id, platform.id, platform.id, evals.id, infra.id];
  for (let i = 0; i < size.events; i += CHUNK) {
    const rows = Array.from({ length: Math.min(CHUNK, size.events - i) }, (_, j) => {
      const n = i + j;
      const teamId = teams[n % teams.length];
      const pool = teamId === platform.id ? senders : senders.slice(teamId === evals.id ? 0 : 20, 40);
      const at = now - 60_000 - ((n * 7919) % (29 * DAY));
      return [
        workspaceId,
        teamId,
        pool[(n * 31) % pool.length],
        1 + ((n * 37) % 4000),
        RESOURCES[n % 4],
        `ack-${n}`,
        at,
        at,
      ];
    });
    await db.dataSource.query(
      `INSERT INTO usage_events (workspace_id, team_id, user_id, tokens, resource, transaction_id, occurred_at, created_at) VALUES ${rows.map(() => "(?, ?, ?, ?, ?, ?, ?, ?)").join(", ")}`,
      rows.flat(),
    );
  }

  for (const id of [owner.userId, ...senders]) {
    slack.addUser({
      id,
      name: id.toLowerCase(),
      realName: `Person ${id.slice(4)}`,
      email: `${id.toLowerCase()}@example.com`,
    });
  }
  return { workspaceId, team: "Platform", senders, members: size.members, events: size.events };
}
