import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/database";
import type { Actor } from "../../src/services/actor";
import { testDatabases } from "../support/databases";
import { type SlackWorld, slackWorld } from "../support/slack-app";

const ALICE = "UALICE1"; // owns Platform
const BOB = "UBOB1"; // admin of Platform
const CAROL = "UCAROL1"; // plain member of Platform
const KEY = /rk_[A-Za-z0-9]{32}/g;

describe.each(testDatabases())("/team key create, list and revoke on $name", (kind) => {
  let db: Database;
  let world: SlackWorld;
  const as = (userId: string): Actor => ({ workspaceId: world.workspaceId, userId });

  beforeAll(async () => {
    db = await kind.open();
  });
  afterAll(async () => {
    await db.close();
  });
  beforeEach(async () => {
    world = await slackWorld(db);
    for (const id of [ALICE, BOB, CAROL]) world.person(id);
    expect((await world.command(ALICE, "create Platform")).json?.text).toContain("Created Platform");
    await world.roster.services.members.add(as(ALICE), "Platform", [BOB], "admin");
    await world.roster.services.members.add(as(ALICE), "Platform", [CAROL]);
  });
  afterEach(async () => {
    await world.close();
  });

  async function say(userId: string, text: string): Promise<{ text: string; all: string }> {
    const answer = await world.command(userId, text);
    expect(answer.status).toBe(200);
    expect(answer.json?.response_type).toBe("ephemeral");
    const reply = (answer.json?.text ?? "").replace(/^:no_entry_sign: /, "");
    return { text: reply, all: `${reply}\n${JSON.stringify(answer.json?.blocks ?? [])}` };
  }

  it("shows a new key once, privately, with a warning to store it, and lists only its first characters", async () => {
    const created = await say(BOB, "key create Platform ci-bot");
    expect(created.text).toBe("Created API key ci-bot for Platform. Copy it now: it is shown only once.");
    const keys = created.all.match(KEY) ?? [];
    expect(new Set(keys).size).toBe(1);
    const key = keys[0] ?? "";
    expect(created.all).toMatch(/store it somewhere safe/);
    expect(await world.roster.services.apiKeys.authenticate(key)).toMatchObject({ teamName: "Platform" });

    const list = await say(ALICE, "key list Platform");
    expect(list.text).toBe("Platform has 1 API key: ci-bot.");
    expect(list.all).toContain(`${key.slice(0, 10)}…`);
    expect(list.all).not.toContain(key);
    expect(list.all).toMatch(/last used/); // authenticate() above used it
    // Nothing anywhere shows it again, and the audit trail keeps its name only.
    const activity = await say(ALICE, "activity Platform");
    expect(activity.all).toContain("ci-bot");
    expect(activity.all).not.toContain(key);
  });

  it("refuses a second live key of the same name, and frees the name once revoked", async () => {
    const first = (await say(ALICE, "key create Platform ci-bot")).all.match(KEY)?.[0] ?? "";
    const again = await say(ALICE, "key create Platform CI-BOT");
    expect(again.text).toBe(
      "Platform already has an API key called CI-BOT; choose another name or revoke that one first.",
    );
    expect(again.all).not.toMatch(KEY);

    const revoked = await say(ALICE, "key revoke platform ci-bot");
    expect(revoked.text).toBe(
      "Revoked API key ci-bot of Platform; requests with it are refused from now on.",
    );
    expect(await world.roster.services.apiKeys.authenticate(first)).toBeNull();
    expect((await say(ALICE, "key list Platform")).text).toBe("Platform has no API keys.");

    const second = (await say(ALICE, "key create Platform ci-bot")).all.match(KEY)?.[0] ?? "";
    expect(second).not.toBe(first);
    expect(await world.roster.services.apiKeys.authenticate(second)).not.toBeNull();
    expect((await say(ALICE, "key revoke Platform ci-bot")).text).toContain("Revoked");
    expect((await say(ALICE, "key revoke Platform ci-bot")).text).toBe(
      "Platform has no API key called “ci-bot”; /team key list Platform shows its keys.",
    );
  });

  it("needs keys:manage for every key command, and a refusal makes no key", async () => {
    for (const text of ["key create Platform mine", "key list Platform", "key revoke Platform mine"]) {
      const refused = await say(CAROL, text);
      expect(refused.text).toMatch(/^You need the keys:manage permission in Platform to /);
      expect(refused.all).not.toMatch(KEY);
    }
    expect((await say(ALICE, "key list Platform")).text).toBe("Platform has no API keys.");
  });

  it("explains what it expects when the command is incomplete or the name is bad", async () => {
    expect((await say(ALICE, "key")).text).toBe(
      "Say what to do with keys: /team key create|list|revoke <team> [<name>], like /team key create Platform ci-bot.",
    );
    expect((await say(ALICE, "key rotate Platform x")).text).toMatch(/^There is no \/team key rotate: /);
    expect((await say(ALICE, "key create Platform")).text).toMatch(/^Name the key's name: /);
    expect((await say(ALICE, 'key create Platform "two words"')).text).toMatch(
      /^A key name is 1 to 64 letters/,
    );
    expect((await say(ALICE, "key create Nowhere x")).text).toMatch(/^There is no team called “Nowhere”/);
    expect((await say(ALICE, "key list Platform")).text).toBe("Platform has no API keys.");
  });
});
