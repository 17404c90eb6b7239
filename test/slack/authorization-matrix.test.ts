import { beforeEach, describe, expect, it } from "vitest";
import type { Actor } from "../../src/services/actor";
import { testDatabases } from "../support/databases";
import { useSlackWorld } from "../support/fixtures";
import type { SlackAnswer, SlackWorld } from "../support/slack-app";

/**
 * Every state-changing subcommand, run by the owner, an admin, a member, an outsider and an org
 * admin, against SPEC section 2: the change happens exactly for those the catalog allows, and
 * everyone else gets a sentence naming what they lack while nothing changes.
 */
type Who = "owner" | "admin" | "member" | "outsider" | "orgAdmin";
const EVERYONE: Who[] = ["owner", "admin", "member", "outsider", "orgAdmin"];

interface Case {
  command: string;
  /** Who may run it (SPEC section 2). */
  allowed: Who[];
  /** Whether the change is visible afterwards. */
  changed(world: SlackWorld, owner: Actor): Promise<boolean>;
}

const members = async (world: SlackWorld, owner: Actor) =>
  (await world.roster.services.members.list(owner, "Matrix")).members;
const roleOf = async (world: SlackWorld, owner: Actor, userId: string) =>
  (await members(world, owner)).find((m) => m.userId === userId);

const CASES: Case[] = [
  {
    command: "set Matrix description=changed",
    allowed: ["owner", "admin", "orgAdmin"],
    changed: async (w, o) => (await w.roster.services.teams.get(o, "Matrix")).team.description === "changed",
  },
  {
    command: "create Child parent=Matrix",
    allowed: ["owner", "admin", "orgAdmin"],
    changed: async (w, o) => (await w.roster.services.teams.search(o, { text: "child" })).total === 1,
  },
  {
    command: "add Matrix <@UNEWBIE1>",
    allowed: ["owner", "admin", "orgAdmin"],
    changed: async (w, o) => Boolean(await roleOf(w, o, "UNEWBIE1")),
  },
  {
    command: "remove Matrix <@UPLAIN2>",
    allowed: ["owner", "admin", "orgAdmin"],
    changed: async (w, o) => !(await roleOf(w, o, "UPLAIN2")),
  },
  {
    command: "role Matrix <@UPLAIN2> admin",
    allowed: ["owner", "admin", "orgAdmin"],
    changed: async (w, o) => (await roleOf(w, o, "UPLAIN2"))?.role.name === "admin",
  },
  {
    command: "deactivate Matrix <@UPLAIN2>",
    allowed: ["owner", "admin", "orgAdmin"],
    changed: async (w, o) => (await roleOf(w, o, "UPLAIN2"))?.status === "inactive",
  },
  {
    command: "move Matrix Other <@UPLAIN2>",
    allowed: ["owner", "admin", "orgAdmin"],
    changed: async (w, o) => !(await roleOf(w, o, "UPLAIN2")),
  },
  {
    command: "transfer Matrix <@UPLAIN2>",
    allowed: ["owner", "orgAdmin"],
    changed: async (w, o) => (await roleOf(w, o, "UPLAIN2"))?.role.name === "owner",
  },
  {
    command: "grant Matrix usage:view_all",
    allowed: ["owner", "admin", "orgAdmin"],
    changed: async (w, o) => (await w.roster.services.access.list(o, "Matrix")).grants.length === 1,
  },
  {
    command: "share Matrix model:gpt-4o read,execute",
    allowed: ["owner", "admin", "orgAdmin"],
    changed: async (w, o) => (await w.roster.services.access.list(o, "Matrix")).resources.length === 1,
  },
  {
    command: "delete Matrix",
    allowed: ["owner", "orgAdmin"],
    changed: async (w, o) => (await w.roster.services.teams.search(o, { text: "matrix" })).total === 0,
  },
  {
    command: "role-create reviewer team:view,usage:view_all",
    allowed: ["orgAdmin"],
    changed: async (w, o) => (await w.roster.services.roles.list(o)).some((r) => r.name === "reviewer"),
  },
];

describe.each(testDatabases())("authorisation matrix on $name", (kind) => {
  const testWorld = useSlackWorld(kind);
  let world: SlackWorld;
  const ids: Record<Who, string> = {
    owner: "UOWNER1",
    admin: "UADMIN1",
    member: "UPLAIN1",
    outsider: "UOUTSIDE1",
    orgAdmin: "UORGADMIN1",
  };
  beforeEach(async () => {
    world = testWorld();
    for (const [who, id] of Object.entries(ids)) world.person(id, { admin: who === "orgAdmin" });
    world.person("UPLAIN2");
    world.person("UNEWBIE1");
    const owner = ids.owner;
    await expectOk(await world.command(owner, "create Matrix"));
    await expectOk(await world.command(owner, "create Other"));
    await expectOk(await world.command(owner, `add Matrix <@${ids.admin}> role=admin`));
    await expectOk(await world.command(owner, `add Matrix <@${ids.member}> <@UPLAIN2>`));
    await expectOk(await world.command(owner, `add Other <@${ids.admin}> role=admin`));
  });

  for (const testCase of CASES) {
    for (const who of EVERYONE) {
      const allowed = testCase.allowed.includes(who);
      it(`${who} ${allowed ? "may" : "may not"} /team ${testCase.command}`, async () => {
        const owner = { workspaceId: world.workspaceId, userId: ids.owner };
        const answer = await runConfirmed(world, ids[who], testCase.command);
        expect(await testCase.changed(world, owner)).toBe(allowed);
        if (!allowed) {
          expect(answer).toMatch(/permission|org admins|no team called/i);
          expect(answer.split(/(?<=\.)\s/).length).toBeLessThanOrEqual(2);
        }
      });
    }
  }
});

async function expectOk(answer: SlackAnswer): Promise<void> {
  expect(answer.status).toBe(200);
  expect(answer.json?.text ?? "").not.toMatch(/:no_entry_sign:|went wrong/);
}

/** Runs the command; if it answers with a preview, presses its Confirm as the same person. Returns the last reply's text. */
async function runConfirmed(world: SlackWorld, userId: string, command: string): Promise<string> {
  const answer = await world.command(userId, command);
  const confirm = findButton(answer.json?.blocks ?? [], "team_confirm_command");
  if (!confirm) return answer.json?.text ?? "";
  const before = world.slack.responses.length;
  await world.press(userId, confirm.action_id, confirm.value);
  for (let i = 0; i < 100 && world.slack.responses.length === before; i++)
    await new Promise((r) => setTimeout(r, 10));
  const body = world.slack.responses.at(-1)?.body as { text?: string } | undefined;
  return body?.text ?? "";
}

function findButton(blocks: unknown[], family: string): { action_id: string; value: string } | undefined {
  for (const block of blocks as { elements?: { action_id?: string; value?: string }[] }[]) {
    for (const element of block.elements ?? []) {
      if (element.action_id?.startsWith(family))
        return { action_id: element.action_id, value: element.value ?? "" };
    }
  }
  return undefined;
}
