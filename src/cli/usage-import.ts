/**
 * `npm run usage:import -- <file.csv> --team <name> --workspace <T…>`: loads historical usage into
 * one team, through the same `UsageService.record` the HTTP API calls, so the same validation,
 * limits and idempotency apply: a row whose transactionId the team already has is a duplicate,
 * and running the same file twice imports nothing the second time.
 *
 * The CSV (RFC 4180, UTF-8) starts with a header naming its columns, in any order:
 *   transactionId  the caller's ID of the request, unique per team (1–191 characters)
 *   user           a Slack user ID (U0123ABCD), or an email address (see below)
 *   tokens         a whole number, 0 to 1,000,000,000,000
 *   resource       what was used, like a model name (1–191 characters)
 *   occurredAt     optional: ISO 8601 with a zone (2026-01-05T09:00:00Z), a date (midnight in
 *                  TIMEZONE) or epoch milliseconds; empty means now, as in the API
 * One file is one team, as one API key is: `--team` names it (its name, as in /team) and
 * `--workspace` the Slack workspace it is in (team names are unique only within a workspace).
 *
 * Emails are looked up in Slack (users.lookupByEmail, cached per address) when SLACK_BOT_TOKEN is
 * set, as the API does: exports from an AI platform usually know people by email, and Slack is the
 * only place that maps an email to the member Roster knows. Without a token, rows with emails are
 * invalid (they could only be guessed at). An email Slack doesn't know is rejected as not_a_member.
 *
 * The file is streamed (never read whole) and sent in batches of 500. Rows that break the rules
 * above are counted as invalid with their line, and the rest of their batch still goes in. On a
 * terminal, stderr shows a progress bar. Exit status: 0 when the whole file was read (whatever the
 * rows' outcomes), 1 when the import stopped, 2 for a bad command line.
 */
import { createReadStream, statSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { WebClient } from "@slack/web-api";
import { systemClock } from "../clock";
import { loadConfig } from "../config";
import { type Database, openDatabase } from "../db/database";
import { InvalidInput } from "../domain/errors";
import { nameKey, workspaceId as validWorkspaceId } from "../domain/validation";
import { createServices } from "../services";
import type { SpendInput } from "../services/usage.service";
import { PeopleDirectory } from "../slack/people";
import { readCsv } from "./csv-reader";
import { fmt, ProgressBar, type ProgressStream } from "./progress";
import { COLUMNS_HELP, type ImportRow, isEmail, RowParser } from "./usage-import-rows";
import { ImportTally } from "./usage-import-summary";

export const BATCH = 500;

const USAGE = `Usage: npm run usage:import -- <file.csv> --team <name> --workspace <T…>

Loads historical usage into one team, with the same validation, limits and
idempotency as POST /api/v1/usage: rows already recorded count as duplicates,
so running a file twice imports nothing the second time.

  <file.csv>          UTF-8 CSV whose header names the columns
                      ${COLUMNS_HELP}
  --team <name>       the team the usage belongs to (quote names with spaces)
  --workspace <T…>    the Slack workspace ID of that team
  -h, --help          this help

user is a Slack user ID (U0123ABCD) or, with SLACK_BOT_TOKEN set, an email
looked up in Slack. occurredAt is ISO 8601 with a zone, a date, or epoch ms.
DATABASE_URL, TIMEZONE, SLACK_BOT_TOKEN and SLACK_API_URL are read as by npm start.
`;

export interface CliIo {
  env?: NodeJS.ProcessEnv;
  stdout: { write(text: string): unknown };
  stderr: ProgressStream;
}

interface Options {
  file: string;
  team: string;
  workspace: string;
}

/** Runs the import; resolves with the exit status. Never throws. */
export async function runUsageImport(argv: string[], io: CliIo): Promise<number> {
  let options: Options | "help";
  try {
    options = parseOptions(argv);
  } catch (error) {
    io.stderr.write(`${message(error)}\n\n${USAGE}`);
    return 2;
  }
  if (options === "help") {
    io.stdout.write(USAGE);
    return 0;
  }
  let db: Database | undefined;
  const tally = new ImportTally();
  try {
    const config = io.env ? loadConfig(io.env) : loadConfig();
    const size = statSync(options.file).size;
    db = await openDatabase(config.DATABASE_URL, { poolSize: 2 });
    if (await db.dataSource.showMigrations())
      throw new Error("The database has pending migrations; run npm run migrate first.");
    const { workspace, team: teamName } = options;
    const team = await db.read((repos) => repos.teams.findByNameKey(workspace, nameKey(teamName)));
    if (!team) throw new Error(`There is no team called “${teamName}” in workspace ${workspace}.`);
    const services = createServices({
      db,
      clock: systemClock,
      orgAdmins: config.ORG_ADMINS,
      inviteTtlDays: config.INVITE_TTL_DAYS,
      timeZone: config.TIMEZONE,
      // Recording usage asks no one's admin status.
      workspaceAdminLookup: () => Promise.resolve(false),
    });
    const people = config.SLACK_BOT_TOKEN
      ? new PeopleDirectory(
          new WebClient(config.SLACK_BOT_TOKEN, { slackApiUrl: config.SLACK_API_URL }),
          systemClock,
        )
      : undefined;
    const emails = new Map<string, string | null>();
    const progress = new ProgressBar(io.stderr, size);

    const flush = async (batch: ImportRow[]) => {
      const events: SpendInput[] = [];
      const lines: number[] = [];
      for (const row of batch) {
        let userId = row.user;
        if (isEmail(row.user)) {
          if (!people) {
            tally.invalid(
              row.line,
              `user ${row.user} is an email address, and emails are looked up in Slack only when SLACK_BOT_TOKEN is set; use the Slack user ID.`,
            );
            continue;
          }
          const key = row.user.toLowerCase();
          if (!emails.has(key)) emails.set(key, await people.byEmail(row.user));
          const found = emails.get(key);
          if (!found) {
            tally.add({ status: "rejected", reason: "not_a_member" });
            continue;
          }
          userId = found;
        }
        events.push({
          transactionId: row.transactionId,
          userId,
          tokens: row.tokens,
          resource: row.resource,
          ...(row.occurredAt !== undefined && { occurredAt: row.occurredAt }),
        });
        lines.push(row.line);
      }
      // The service checks every event again and refuses the whole batch for one it won't take:
      // take that row out as invalid and send the rest, so what goes in never depends on batching.
      while (events.length > 0) {
        try {
          const { results, notices } = await services.usage.record(team.workspaceId, team.id, events);
          results.forEach((r) => tally.add(r));
          tally.notices += notices.length;
          return;
        } catch (error) {
          const at = error instanceof InvalidInput ? /^events\[(\d+)\]/.exec(error.field ?? "") : null;
          if (!at || !(error instanceof InvalidInput)) throw error;
          const i = Number(at[1]);
          tally.invalid(lines[i], error.message);
          events.splice(i, 1);
          lines.splice(i, 1);
        }
      }
    };

    let bytes = 0;
    const stream = createReadStream(options.file);
    const counted = async function* () {
      for await (const chunk of stream) {
        bytes += (chunk as Buffer).length;
        yield chunk as Buffer;
      }
    };
    let parser: RowParser | undefined;
    let batch: ImportRow[] = [];
    try {
      for await (const record of readCsv(counted())) {
        if (!parser) {
          parser = new RowParser(record, config.TIMEZONE);
          continue;
        }
        tally.rows++;
        const parsed = parser.parse(record);
        if ("invalid" in parsed) tally.invalid(parsed.invalid.line, parsed.invalid.reason);
        else batch.push(parsed.row);
        if (batch.length === BATCH) {
          await flush(batch);
          batch = [];
        }
        progress.update(tally.rows, bytes);
      }
      await flush(batch);
      progress.update(tally.rows, bytes, true);
    } finally {
      progress.clear();
      stream.destroy();
    }
    if (!parser)
      throw new Error(`${options.file} is empty; its first line must name the columns ${COLUMNS_HELP}.`);
    io.stdout.write(tally.render(`${path.basename(options.file)} → ${team.name} (${team.workspaceId})`));
    return 0;
  } catch (error) {
    if (tally.rows > 0) {
      io.stdout.write(tally.render(`Stopped after ${fmt(tally.rows)} rows`));
      io.stderr.write(
        "Batches already recorded stay recorded; run the same command again to import the rest (they will count as duplicates).\n",
      );
    }
    io.stderr.write(`${message(error)}\n`);
    return 1;
  } finally {
    await db?.close();
  }
}

function parseOptions(argv: string[]): Options | "help" {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      team: { type: "string" },
      workspace: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    allowPositionals: true,
  });
  if (values.help) return "help";
  if (positionals.length !== 1)
    throw new Error(positionals.length ? "Give one CSV file at a time." : "Give the CSV file to import.");
  if (!values.team) throw new Error("Name the team the usage belongs to with --team <name>.");
  if (!values.workspace)
    throw new Error(
      "Give the team's Slack workspace ID with --workspace <T…> (team names are unique per workspace).",
    );
  return { file: positionals[0], team: values.team, workspace: validWorkspaceId(values.workspace) };
}

function message(error: unknown): string {
  if (typeof error === "object" && error && "code" in error && error.code === "ENOENT" && "path" in error) {
    return `There is no file ${String(error.path)}.`;
  }
  return error instanceof Error ? error.message : String(error);
}

if (require.main === module) {
  void runUsageImport(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }).then(
    (code) => {
      process.exitCode = code;
    },
  );
}
