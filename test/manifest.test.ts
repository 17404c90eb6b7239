import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import Ajv from "ajv";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

/**
 * manifest.yml is what a Slack admin pastes into "Create an app from a manifest". Slack rejects a
 * manifest its schema refuses, and an app that calls a method without its scope fails at run time
 * with `missing_scope`; asking for scopes the code never uses makes admins refuse to install it.
 * So: validate against Slack's own schema, and derive the scopes from the code.
 */
const ROOT = path.resolve(__dirname, "..");
/**
 * Slack's schemas, copied unchanged (MIT) from ../shared/slack-manifest-schema so the test runs on
 * any clone; when the shared folder is beside this repository, the copy must still match it.
 */
const SCHEMA_DIR = path.resolve(__dirname, "fixtures/slack-manifest-schema");
const SHARED_SCHEMA_DIR = path.resolve(__dirname, "../../shared/slack-manifest-schema");
const SRC = path.join(ROOT, "src");

/**
 * The bot scopes each Web API method needs (https://docs.slack.dev/reference/methods). A method
 * the code calls that is missing here fails the test: look up its scopes and add it.
 */
const METHOD_SCOPES: Record<string, string[]> = {
  "chat.postMessage": ["chat:write"],
  "chat.postEphemeral": ["chat:write"],
  "chat.update": ["chat:write"],
  "chat.delete": ["chat:write"],
  "chat.scheduleMessage": ["chat:write"],
  "users.info": ["users:read"],
  "users.list": ["users:read"],
  "users.lookupByEmail": ["users:read.email"],
  "views.open": [],
  "views.publish": [],
  "views.update": [],
  "views.push": [],
  "auth.test": [],
  "conversations.open": ["im:write"],
  "conversations.info": ["channels:read", "groups:read"],
  "conversations.members": ["channels:read", "groups:read"],
  "conversations.history": ["channels:history", "groups:history"],
  "conversations.invite": ["channels:manage", "groups:write"],
  "conversations.kick": ["channels:manage", "groups:write"],
  "usergroups.list": ["usergroups:read"],
  "usergroups.users.list": ["usergroups:read"],
  "usergroups.create": ["usergroups:write"],
  "usergroups.update": ["usergroups:write"],
  "usergroups.enable": ["usergroups:write"],
  "usergroups.disable": ["usergroups:write"],
  "usergroups.users.update": ["usergroups:write"],
  filesUploadV2: ["files:write"],
  "files.uploadV2": ["files:write"],
  "files.getUploadURLExternal": ["files:write"],
  "files.completeUploadExternal": ["files:write"],
  "reactions.add": ["reactions:write"],
  "team.info": ["team:read"],
};

/** Bot scopes an event subscription needs (https://docs.slack.dev/reference/events). */
const EVENT_SCOPES: Record<string, string[]> = {
  app_home_opened: [],
  team_join: ["users:read"],
};

// Web API families, so that `httpClient.get(` is not mistaken for a Slack call.
const FAMILIES =
  "admin|apps|assistant|auth|bookmarks|bots|calls|canvases|chat|conversations|dialog|dnd|emoji|files|functions|pins|reactions|reminders|search|stars|team|usergroups|users|views|workflows";
// `client.chat.postMessage(`, `this.client.users.info(`, `deps.client.usergroups.users.update(`,
// `client.filesUploadV2(`, and `client.apiCall(` (which hides the method, so it is refused).
const CALL = new RegExp(
  `\\b\\w*[cC]lient\\s*\\.\\s*((?:(?:${FAMILIES})(?:\\s*\\.\\s*[A-Za-z]\\w*)+)|filesUploadV2|apiCall)\\s*\\(`,
  "g",
);
const EVENT_LISTENER = /\.event\(\s*["'`]([a-z_.]+)["'`]/g;

interface Manifest {
  _metadata?: { major_version?: number };
  features?: {
    slash_commands?: { command: string; should_escape?: boolean; description: string }[];
    bot_user?: { display_name: string };
    app_home?: { home_tab_enabled?: boolean; messages_tab_enabled?: boolean };
  };
  oauth_config?: { scopes?: { bot?: string[] } };
  settings?: {
    event_subscriptions?: { bot_events?: string[] };
    interactivity?: { is_enabled: boolean };
    socket_mode_enabled?: boolean;
  };
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    // The stand-in plays Slack's side of the API; it is not the app calling Slack.
    if (statSync(full).isDirectory())
      return full.endsWith(path.join("src", "stand-in")) ? [] : sourceFiles(full);
    return name.endsWith(".ts") ? [full] : [];
  });
}

/** Every match of `pattern` in src/, with where it was found. */
function scan(pattern: RegExp): { name: string; at: string }[] {
  return sourceFiles(SRC).flatMap((file) => {
    const text = readFileSync(file, "utf8");
    return [...text.matchAll(pattern)].map((m) => ({
      name: m[1].replace(/\s+/g, ""),
      at: `${path.relative(ROOT, file)}:${text.slice(0, m.index).split("\n").length}`,
    }));
  });
}

function loadManifest(): Manifest {
  return parse(readFileSync(path.join(ROOT, "manifest.yml"), "utf8")) as Manifest;
}

describe("manifest.yml", () => {
  const manifest = loadManifest();

  it.runIf(existsSync(SHARED_SCHEMA_DIR))("uses the same schemas as ../shared/slack-manifest-schema", () => {
    for (const file of ["manifest.schema.1.0.0.json", "manifest.schema.2.0.0.json"]) {
      expect(readFileSync(path.join(SCHEMA_DIR, file), "utf8")).toBe(
        readFileSync(path.join(SHARED_SCHEMA_DIR, file), "utf8"),
      );
    }
  });

  it("validates against Slack's own manifest schema for its major version", () => {
    const major = manifest._metadata?.major_version ?? 1;
    const file = path.join(SCHEMA_DIR, `manifest.schema.${major}.0.0.json`);
    expect(existsSync(file), `No schema for manifest major_version ${major}: ${file}`).toBe(true);

    // strictTypes lints how a schema is written (Slack's omits some `type`s); it is not validation.
    const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false });
    // Slack's schema writes one pattern as `regex` and annotates with `_note` and `requires`,
    // which aren't JSON Schema keywords: enforce the pattern, accept the annotations.
    ajv.addKeyword({
      keyword: "regex",
      type: "string",
      schemaType: "string",
      validate: (pattern: string, value: string) => new RegExp(pattern).test(value),
    });
    ajv.addKeyword("_note");
    ajv.addKeyword("requires");
    // The one format it uses (for a `$schema` link), without pulling in ajv-formats.
    ajv.addFormat("uri", (value: string) => URL.canParse(value));
    const validate = ajv.compile(JSON.parse(readFileSync(file, "utf8")) as object);
    const valid = validate(manifest);
    expect(ajv.errorsText(validate.errors, { dataVar: "manifest" })).toBe("No errors");
    expect(valid).toBe(true);
  });

  it("declares /team with Slack-escaped text, the App Home, interactivity and Socket Mode", () => {
    const commands = manifest.features?.slash_commands ?? [];
    expect(commands.map((c) => c.command)).toEqual(["/team"]);
    // The grammar reads mentions, channels and emails only in their escaped <@U…> forms.
    expect(commands[0].should_escape).toBe(true);
    expect(manifest.features?.app_home).toMatchObject({ home_tab_enabled: true, messages_tab_enabled: true });
    expect(manifest.features?.bot_user?.display_name).toBe("roster");
    expect(manifest.settings?.interactivity?.is_enabled).toBe(true);
    expect(manifest.settings?.socket_mode_enabled).toBe(true);
  });

  it("subscribes to app_home_opened, team_join and every event the code listens to", () => {
    const subscribed = manifest.settings?.event_subscriptions?.bot_events ?? [];
    expect(subscribed).toEqual(expect.arrayContaining(["app_home_opened", "team_join"]));
    for (const { name, at } of scan(EVENT_LISTENER)) {
      expect(subscribed, `${at} listens to ${name}, which manifest.yml doesn't subscribe to`).toContain(name);
    }
  });

  it("asks for exactly the bot scopes the code needs", () => {
    const calls = scan(CALL);
    // A pattern that matched nothing would make the rest of this test vacuous.
    expect(calls.map((c) => c.name)).toContain("chat.postMessage");

    const needed = new Map<string, string>();
    for (const { name, at } of calls) {
      const scopes = METHOD_SCOPES[name];
      expect(
        scopes,
        name === "apiCall"
          ? `${at} calls client.apiCall; call the method by name so its scope can be checked`
          : `${at} calls ${name}, which is not in this test's METHOD_SCOPES; add it with the scopes Slack documents`,
      ).toBeDefined();
      for (const scope of scopes) if (!needed.has(scope)) needed.set(scope, `${name} (${at})`);
    }
    for (const event of manifest.settings?.event_subscriptions?.bot_events ?? []) {
      const scopes = EVENT_SCOPES[event];
      expect(scopes, `event ${event} is not in this test's EVENT_SCOPES; add it`).toBeDefined();
      for (const scope of scopes) if (!needed.has(scope)) needed.set(scope, `the ${event} event`);
    }
    if (manifest.features?.slash_commands?.length) needed.set("commands", "the slash commands");

    const declared = manifest.oauth_config?.scopes?.bot ?? [];
    expect(new Set(declared).size, "a bot scope is listed twice").toBe(declared.length);
    const undeclared = [...needed].filter(([scope]) => !declared.includes(scope));
    const unused = declared.filter((scope) => !needed.has(scope));
    expect(
      undeclared.map(([scope, why]) => `${scope} (needed by ${why})`),
      "scopes the code needs but manifest.yml doesn't ask for",
    ).toEqual([]);
    expect(unused, "scopes manifest.yml asks for but nothing in src/ uses").toEqual([]);
  });
});
