import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StandInMessage } from "../../src/stand-in/slack-stand-in";
import { newUserId } from "../support/databases";
import { ERROR_LEVEL, type LogLine, WARN_LEVEL } from "./app-process";
import { BOT_TOKEN, buttonsOf, Cluster, SIGNING_SECRET } from "./cluster";

const mysqlUrl = process.env.TEST_MYSQL_URL;

/** A digest tick every 2 seconds in every process (node-cron's 6-field form, seconds first). */
const DIGEST_CRON = "*/2 * * * * *";
const MINUTE = 60_000;
const BUDGET = 30_000;
const KEY = /rk_[A-Za-z0-9]{32}/;

interface SpendResult {
  transactionId: string;
  status: "accepted" | "duplicate" | "rejected";
  reason?: string;
  remaining: number | null;
}

/**
 * SPEC section 7: HTTP mode is stateless, so copies of the bot run behind a load balancer on one
 * MySQL, and scheduled jobs run in every copy yet act once. Three real `npm start` processes on
 * one MariaDB database of their own, with traffic sent to all of them at once (round-robin):
 * commands, approvals pressed on every process, spends against one budget, digest ticks.
 */
describe.skipIf(!mysqlUrl)(
  "three app processes on one MariaDB (skipped without TEST_MYSQL_URL: they share a MariaDB server)",
  () => {
    let cluster: Cluster;
    const OWNER = newUserId("owner");
    const ADMIN = newUserId("admin");
    const REQUESTERS = [1, 2, 3, 4].map((i) => newUserId(`req${i}`));
    const SPENDERS = [1, 2, 3, 4, 5].map((i) => newUserId(`spend${i}`));
    /** The Slack channels of the teams that have one (and so are owed a digest), by name. */
    const channels: Record<string, { id: string; mention: string }> = {};
    let apiKey = "";

    beforeAll(async () => {
      cluster = await Cluster.create(mysqlUrl ?? "");
      for (const id of [OWNER, ADMIN, ...REQUESTERS, ...SPENDERS]) cluster.person(id);
      const env = { DIGEST_CRON, LOG_LEVEL: "debug" };
      // The first process applies the migrations alone: TypeORM takes no lock around them, and
      // three at once on an empty database race (two die on "Table 'workspaces' already exists").
      // The other two start once it runs, and find nothing pending.
      await cluster.start(["app-1"], env, 45_000);
      await cluster.start(["app-2", "app-3"], env, 45_000);
    }, 100_000);

    afterAll(async () => {
      await cluster?.close();
    }, 30_000);

    const [A, B, C] = [0, 1, 2];
    const ALL = [A, B, C];

    it("runs the commands sent to any of them, and one wins a race for the same name", async () => {
      for (const name of ["approvals", "spend", "digest-1", "digest-2", "digest-sub"]) {
        channels[name] = cluster.channel(name, [OWNER, ADMIN]);
      }
      const creates = [
        `create Approvals policy=approval channel=${channels.approvals.mention}`,
        `create Spend channel=${channels.spend.mention}`,
        `create Digest-1 channel=${channels["digest-1"].mention}`,
        `create Digest-2 channel=${channels["digest-2"].mention}`,
        "create Quiet-1",
        "create Quiet-2",
      ];
      const created = await Promise.all(creates.map((text, i) => cluster.command(i, OWNER, text)));
      expect(created.map((r) => r.text)).toEqual(
        ["Approvals", "Spend", "Digest-1", "Digest-2", "Quiet-1", "Quiet-2"].map(
          (name) => `Created ${name}; you're its owner.`,
        ),
      );

      // The same name through all three at once, by three people: one team, two clear refusals.
      const racers = [OWNER, ADMIN, SPENDERS[0]];
      const race = await Promise.all(ALL.map((app) => cluster.command(app, racers[app], "create Dup")));
      expect(race.filter((r) => r.text === "Created Dup; you're its owner.")).toHaveLength(1);
      for (const refused of race.filter((r) => !r.text.startsWith("Created"))) {
        expect(refused.text).toMatch(/Dup.*already/);
      }

      const mentions = (ids: string[]) => ids.map((id) => `<@${id}>`).join(" ");
      const setup = await Promise.all([
        cluster.command(
          A,
          OWNER,
          `create Digest-Sub parent=Digest-1 channel=${channels["digest-sub"].mention}`,
        ),
        cluster.command(B, OWNER, `add Approvals <@${ADMIN}> role=admin`),
        cluster.command(C, OWNER, `add Spend ${mentions(SPENDERS)}`),
        cluster.command(A, OWNER, "limit Spend total=30k budget"),
      ]);
      expect(setup.map((r) => r.text)).toEqual([
        "Created Digest-Sub; you're its owner.",
        `Added <@${ADMIN}> to Approvals as admin.`,
        expect.stringMatching(/^Added .* to Spend as member\.$/),
        "Spend's budget: none → 30,000 tokens (lifetime).",
      ]);

      const key = await cluster.command(B, OWNER, "key create Spend mp-load");
      expect(key.text).toBe("Created API key mp-load for Spend. Copy it now: it is shown only once.");
      apiKey = KEY.exec(JSON.stringify(key.blocks))?.[0] ?? "";
      expect(apiKey).not.toBe("");

      const teams = await cluster.query<{ name: string }>("SELECT name FROM teams ORDER BY name");
      expect(teams.map((t) => t.name)).toEqual([
        "Approvals",
        "Digest-1",
        "Digest-2",
        "Digest-Sub",
        "Dup",
        "Quiet-1",
        "Quiet-2",
        "Spend",
      ]);
    }, 60_000);

    it("decides each join request once, whichever process and however many presses", async () => {
      const asked = await Promise.all(REQUESTERS.map((id, i) => cluster.command(i, id, "join Approvals")));
      for (const reply of asked) expect(reply.text).toContain("Approvals needs an admin's approval");
      const cards = () =>
        cluster.slack.messagesTo(channels.approvals.id).filter((m) => m.text?.includes("asks to join"));
      expect(cards()).toHaveLength(REQUESTERS.length);

      // Three presses on each process for every card, all at once, by the owner and the admin; the
      // last requester's card also gets Deny presses, so that Approve and Deny race.
      const RACED = REQUESTERS[REQUESTERS.length - 1];
      const presses: Promise<number>[] = [];
      cards().forEach((card) => {
        const [approve, deny] = buttonsOf(card);
        const raced = card.text === `<@${RACED}> asks to join Approvals.`;
        for (let n = 0; n < 9; n++) {
          const button = raced && n % 2 === 1 ? deny : approve;
          presses.push(cluster.press(n % 3, n % 2 ? ADMIN : OWNER, button, card));
        }
      });
      expect(await Promise.all(presses)).toEqual(presses.map(() => 200));

      // Settled: every requester told once, every other press answered privately.
      const dmsTo = (id: string) =>
        cluster.slack.messagesTo(id).filter((m) => /request to join/.test(m.text ?? ""));
      const alreadyDecided = () =>
        cluster.slack.responses.filter((r) => /already (approved|denied)/.test(JSON.stringify(r.body)))
          .length;
      await expect
        .poll(
          () =>
            REQUESTERS.every((id) => dmsTo(id).length > 0) &&
            alreadyDecided() >= presses.length - cards().length,
          {
            timeout: 20_000,
          },
        )
        .toBe(true);

      const requests = await cluster.query<{ requester_user_id: string; status: string; decided_by: string }>(
        "SELECT requester_user_id, status, decided_by FROM approval_requests WHERE kind = 'join'",
      );
      expect(requests).toHaveLength(REQUESTERS.length);
      for (const request of requests) {
        expect([OWNER, ADMIN]).toContain(request.decided_by);
        const raced = request.requester_user_id === RACED;
        expect(raced ? ["approved", "denied"] : ["approved"]).toContain(request.status);
      }
      const audits = await cluster.query<{ target_id: string; n: number }>(
        "SELECT target_id, COUNT(*) AS n FROM audit_events WHERE action IN ('request.approved', 'request.denied') GROUP BY target_id",
      );
      expect(Object.fromEntries(audits.map((a) => [a.target_id, Number(a.n)]))).toEqual(
        Object.fromEntries(REQUESTERS.map((id) => [id, 1])),
      );
      const approved = requests.filter((r) => r.status === "approved").map((r) => r.requester_user_id);
      const members = await cluster.query<{ user_id: string }>(
        "SELECT m.user_id FROM memberships m JOIN teams t ON t.id = m.team_id WHERE t.name = 'Approvals' AND m.user_id IN (?)",
        [REQUESTERS],
      );
      expect(members.map((m) => m.user_id).sort()).toEqual([...approved].sort());

      for (const card of cards()) {
        const updates = cluster.slack
          .callsTo("chat.update")
          .filter((call) => call.args.ts === card.ts && call.args.channel === channels.approvals.id);
        expect(updates, `updates of the card ${card.ts}`).toHaveLength(1);
        const requester = /<@(U[A-Z0-9]+)> asks to join/.exec(card.text ?? "")?.[1];
        const status = requests.find((r) => r.requester_user_id === requester)?.status;
        expect(card.text).toMatch(
          status === "approved" ? /^:white_check_mark: Approved by / : /^:x: Denied by /,
        );
      }
      for (const id of REQUESTERS) expect(dmsTo(id), `DMs to ${id}`).toHaveLength(1);
      expect(alreadyDecided()).toBe(presses.length - cards().length);
    }, 60_000);

    it("never spends past the budget, with batches on all three at once, and accepts all that fit", async () => {
      const users = [OWNER, ...SPENDERS];
      let seed = 7;
      const nextTokens = () => {
        seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
        return [100, 200, 300][seed % 3];
      };
      const batches = Array.from({ length: 12 }, (_, b) =>
        Array.from({ length: 25 }, (_, e) => ({
          transactionId: `mp-${b}-${e}`,
          user: users[(b + e) % users.length],
          tokens: nextTokens(),
          resource: "gpt-4o",
        })),
      );
      const tokensOf = new Map(batches.flat().map((e) => [e.transactionId, e.tokens]));
      const demand = [...tokensOf.values()].reduce((a, b) => a + b, 0);
      expect(demand).toBeGreaterThan(1.5 * BUDGET);

      // Every batch once, to processes in turn; the first three also to a second process at the same time.
      const send = (app: number, events: unknown[]) =>
        cluster.api<{ results: SpendResult[] }>(app, "POST", "/api/v1/usage", apiKey, { events });
      const answers = await Promise.all([
        ...batches.map((events, b) => send(b, events)),
        ...batches.slice(0, 3).map((events, b) => send(b + 1, events)),
      ]);
      expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
      const results = answers.flatMap((a) => a.json.results);

      const accepted = results.filter((r) => r.status === "accepted");
      const acceptedIds = accepted.map((r) => r.transactionId);
      expect(new Set(acceptedIds).size, "an event accepted twice").toBe(acceptedIds.length);
      // A duplicate is always of an event accepted by the other copy of its batch.
      const duplicates = results.filter((r) => r.status === "duplicate").map((r) => r.transactionId);
      expect(duplicates.filter((id) => !acceptedIds.includes(id))).toEqual([]);
      const spent = acceptedIds.reduce((sum, id) => sum + (tokensOf.get(id) ?? 0), 0);
      const rejected = results.filter((r) => r.status === "rejected");
      expect(new Set(rejected.map((r) => r.reason))).toEqual(new Set(["budget"]));
      // No overspend, and nothing refused that would still fit in what is left.
      expect(spent).toBeLessThanOrEqual(BUDGET);
      const smallestRefused = Math.min(...rejected.map((r) => tokensOf.get(r.transactionId) ?? 0));
      expect(BUDGET - spent).toBeLessThan(smallestRefused);
      // The acceptances form one sequence: each saw every earlier one (no two decided on the same total).
      const inOrder = [...accepted].sort((x, y) => (y.remaining ?? 0) - (x.remaining ?? 0));
      let running = BUDGET;
      for (const result of inOrder) {
        running -= tokensOf.get(result.transactionId) ?? 0;
        expect(result.remaining, result.transactionId).toBe(running);
      }
      console.log(
        `spends: ${results.length} answers, ${accepted.length} accepted (${spent} of ${BUDGET} tokens), ${rejected.length} refused`,
      );

      // A retry of everything, spread over the three, counts nothing again.
      const retried = await Promise.all(batches.map((events, b) => send(b + 2, events)));
      const again = retried.flatMap((a) => a.json.results);
      expect(again.filter((r) => r.status === "accepted")).toEqual([]);
      expect(
        again
          .filter((r) => r.status === "duplicate")
          .map((r) => r.transactionId)
          .sort(),
      ).toEqual([...acceptedIds].sort());

      // What each process reports, the rows and the budget's counter all agree.
      for (const app of ALL) {
        const usage = await cluster.api<{ total: number }>(app, "GET", "/api/v1/usage", apiKey);
        expect(usage.json.total).toBe(spent);
      }
      const [rows] = await cluster.query<{ tokens: string; n: string }>(
        "SELECT SUM(tokens) AS tokens, COUNT(*) AS n FROM usage_events",
      );
      expect([Number(rows.tokens), Number(rows.n)]).toEqual([spent, accepted.length]);
      const counters = await cluster.query<{ tokens: string }>(
        "SELECT c.tokens FROM limit_counters c JOIN limits l ON l.id = c.limit_id WHERE l.scope = 'budget'",
      );
      expect(counters.map((c) => Number(c.tokens))).toEqual([spent]);

      // One notice per threshold in the team's channel, whichever process crossed it.
      const notice = (pct: number) =>
        cluster.slack
          .messagesTo(channels.spend.id)
          .filter((m) => m.text === `Spend has used ${pct}% of its 30,000-token lifetime budget.`);
      await expect.poll(() => notice(80).length, { timeout: 10_000 }).toBe(1);
      if (spent === BUDGET) await expect.poll(() => notice(100).length, { timeout: 10_000 }).toBe(1);
      else expect(notice(100)).toHaveLength(0);
    }, 60_000);

    it("posts one digest per team with a channel, after several ticks of every process", async () => {
      // The digest due at a firing covers teams created before it; CronFiring works in whole
      // minutes, so the first firing that covers every team here is the next whole minute.
      const [latest] = await cluster.query<{ at: string }>("SELECT MAX(created_at) AS at FROM teams");
      const dueAt = Math.floor(Number(latest.at) / MINUTE) * MINUTE + MINUTE;
      const ticksAfter = (logs: LogLine[]) =>
        logs.filter((l) => l.job === "digest" && l.msg === "scheduled job done" && l.time > dueAt).length;
      // Ticks of one process never overlap, so of four that ended after it, at least three began after it.
      await expect
        .poll(() => cluster.apps.every((app) => ticksAfter(app.logs) >= 4), {
          timeout: Math.max(dueAt - Date.now(), 0) + 30_000,
          interval: 500,
        })
        .toBe(true);

      const owed = await cluster.query<{ id: number; name: string; channel_id: string }>(
        "SELECT id, name, channel_id FROM teams WHERE channel_id IS NOT NULL ORDER BY id",
      );
      expect(owed.map((t) => t.name).sort()).toEqual([
        "Approvals",
        "Digest-1",
        "Digest-2",
        "Digest-Sub",
        "Spend",
      ]);
      const digests = cluster.slack.messages.filter((m) => m.metadata?.event_type === "roster_digest");
      const perTeamAndPeriod = new Map<string, StandInMessage[]>();
      for (const digest of digests) {
        const { team_id, period } = digest.metadata?.event_payload ?? {};
        const key = `${String(team_id)}/${String(period)}`;
        perTeamAndPeriod.set(key, [...(perTeamAndPeriod.get(key) ?? []), digest]);
      }
      const twice = [...perTeamAndPeriod].filter(([, list]) => list.length > 1).map(([key]) => key);
      expect(twice, "digests sent twice").toEqual([]);
      const teamsDigested = new Set(digests.map((d) => Number(d.metadata?.event_payload.team_id)));
      expect([...teamsDigested].sort((x, y) => x - y)).toEqual(owed.map((t) => Number(t.id)));
      for (const team of owed) {
        const inChannel = digests.filter(
          (d) => Number(d.metadata?.event_payload.team_id) === Number(team.id),
        );
        expect(inChannel.map((d) => d.conversation)).toEqual([team.channel_id]);
      }
      const claims = await cluster.query<{ status: string; n: string }>(
        "SELECT status, COUNT(*) AS n FROM job_claims WHERE job = 'digest' GROUP BY status",
      );
      expect(claims.map((c) => [c.status, Number(c.n)])).toEqual([["done", owed.length]]);

      const byProcess = cluster.apps.map((app) => {
        const delivered = app.logs
          .filter((l) => l.job === "digest" && l.msg === "scheduled job done")
          .map((l) => (l.result as { delivered?: { posted?: number } } | undefined)?.delivered?.posted ?? 0);
        return `${app.name} ${delivered.reduce((a, b) => a + b, 0)} in ${delivered.length} ticks`;
      });
      console.log(`digests posted: ${byProcess.join(", ")}`);
    }, 130_000);

    it("keeps every process running with no error and no secret in its logs, and each stops cleanly", async () => {
      for (const app of cluster.apps) {
        expect(app.exit, `${app.name} exited:\n${app.transcript()}`).toBeNull();
        const errors = app.logs.filter((l) => l.level >= ERROR_LEVEL).map((l) => JSON.stringify(l));
        expect(errors, `${app.name} logged errors`).toEqual([]);
        expect(app.otherOutput, `${app.name} wrote outside its JSON log`).toEqual([]);
        // Even at debug level, where Bolt logs every Web API request it makes.
        const output = JSON.stringify([app.logs, app.otherOutput]);
        for (const secret of [BOT_TOKEN, SIGNING_SECRET, apiKey]) expect(output).not.toContain(secret);
      }
      console.log(`started in ${JSON.stringify(cluster.startMs)} ms`);
      for (const app of cluster.apps) {
        const warnings = new Map<string, number>();
        for (const line of app.logs.filter((l) => l.level === WARN_LEVEL)) {
          warnings.set(String(line.msg), (warnings.get(String(line.msg)) ?? 0) + 1);
        }
        console.log(
          `${app.name}: ${app.logs.length} log lines; warnings: ${JSON.stringify(Object.fromEntries(warnings))}`,
        );
      }
      const pids = cluster.apps.map((app) => app.pid);
      const exits = await Promise.all(cluster.apps.map((app) => app.stop(10_000)));
      expect(exits).toEqual(exits.map(() => ({ code: 0, signal: null })));
      // Nothing left of any process group (tsx and the node process it started).
      const groupAlive = (pid: number) => {
        try {
          process.kill(-pid, 0);
          return true;
        } catch {
          return false;
        }
      };
      await expect.poll(() => pids.filter(groupAlive), { timeout: 5_000 }).toEqual([]);
    });
  },
);
