import { randomBytes } from "node:crypto";
import { fail, isRecord, ok, str, type ApiArgs, type ApiHandler, type ApiResult } from "./stand-in-args";
import { STAND_IN_APP_ID, STAND_IN_BOT_ID } from "./slack-objects";

/** A view as Slack answers it from views.open/update/push/publish, state included. */
export type StandInView = Record<string, unknown> & {
  id: string;
  type: string;
  hash: string;
  external_id: string;
  state: { values: Record<string, unknown> };
};

/** Slack's view limits that a real app trips over: 24-character titles and buttons, 100 blocks. */
function viewProblems(view: Record<string, unknown>, type: "modal" | "home"): string[] {
  const problems: string[] = [];
  const textOf = (field: unknown) =>
    isRecord(field) && typeof field.text === "string" ? field.text : undefined;
  if (view.type !== type) problems.push(`[ERROR] must be "${type}" [json-pointer:/view/type]`);
  if (!Array.isArray(view.blocks))
    problems.push("[ERROR] missing required field: blocks [json-pointer:/view]");
  else if (view.blocks.length > 100)
    problems.push("[ERROR] no more than 100 items allowed [json-pointer:/view/blocks]");
  if (type === "modal") {
    const title = textOf(view.title);
    if (title === undefined) problems.push("[ERROR] missing required field: title [json-pointer:/view]");
    for (const field of ["title", "submit", "close"]) {
      const text = textOf(view[field]);
      if (text !== undefined && text.length > 24) {
        problems.push(`[ERROR] must be less than 25 characters [json-pointer:/view/${field}/text]`);
      }
    }
  }
  if (typeof view.private_metadata === "string" && view.private_metadata.length > 3000) {
    problems.push("[ERROR] must be less than 3001 characters [json-pointer:/view/private_metadata]");
  }
  if (typeof view.callback_id === "string" && view.callback_id.length > 255) {
    problems.push("[ERROR] must be less than 256 characters [json-pointer:/view/callback_id]");
  }
  return problems;
}

function invalid(messages: string[]): ApiResult {
  return fail("invalid_arguments", { response_metadata: { messages } });
}

/** Modals and App Home tabs the app has opened, pushed, updated and published. */
export class StandInViews {
  /** Modals by view ID. Slack never tells the app a user closed one unless notify_on_close. */
  readonly modals = new Map<string, StandInView>();
  /** The latest published Home tab per user. */
  readonly homes = new Map<string, StandInView>();
  private readonly usedTriggers = new Set<string>();
  private sequence = 0;

  constructor(
    private readonly workspaceId: string,
    private readonly knownUser: (userId: string) => boolean,
    private readonly triggerTtlMs: number,
  ) {}

  handlers(): Record<string, ApiHandler> {
    return {
      "views.open": (args) => this.open(args, "views.open"),
      "views.push": (args) => this.open(args, "views.push"),
      "views.update": (args) => this.update(args),
      "views.publish": (args) => this.publish(args),
    };
  }

  /**
   * A trigger opens one view, within 3 seconds of the user's click, once. Triggers stamped by the
   * payload builders carry their issue time; others (Slack's fixtures: "111.222.xxx") can't expire.
   */
  private useTrigger(triggerId: string | undefined): ApiResult | undefined {
    if (!triggerId) return invalid(["[ERROR] missing required field: trigger_id"]);
    if (!/^\d+\.\d+\.[0-9a-z]+$/i.test(triggerId)) return fail("invalid_trigger_id");
    if (this.usedTriggers.has(triggerId)) return fail("exchanged_trigger_id");
    const issuedAt = Number(triggerId.split(".")[0]);
    if (issuedAt > 1e12 && Date.now() - issuedAt > this.triggerTtlMs) return fail("expired_trigger_id");
    this.usedTriggers.add(triggerId);
    return undefined;
  }

  private build(input: Record<string, unknown>, id: string, previous?: StandInView): StandInView {
    const { id: _id, hash: _hash, state: _state, ...fields } = input;
    return {
      team_id: this.workspaceId,
      private_metadata: "",
      callback_id: "",
      clear_on_close: false,
      notify_on_close: false,
      close: null,
      submit: null,
      previous_view_id: previous?.previous_view_id ?? null,
      root_view_id: previous?.root_view_id ?? id,
      app_id: STAND_IN_APP_ID,
      app_installed_team_id: this.workspaceId,
      bot_id: STAND_IN_BOT_ID,
      ...fields,
      id,
      type: typeof fields.type === "string" ? fields.type : "modal",
      external_id: typeof fields.external_id === "string" ? fields.external_id : "",
      hash: `${Math.floor(Date.now() / 1000)}.${randomBytes(4).toString("hex")}`,
      state: { values: {} },
    };
  }

  private nextId(): string {
    this.sequence += 1;
    return `V${String(this.sequence).padStart(8, "0")}`;
  }

  private open(args: ApiArgs, method: "views.open" | "views.push"): ApiResult {
    const refused = this.useTrigger(str(args, "trigger_id") ?? str(args, "interactivity_pointer"));
    if (refused) return refused;
    if (!isRecord(args.view)) return invalid(["[ERROR] missing required field: view"]);
    const problems = viewProblems(args.view, "modal");
    if (problems.length > 0) return invalid(problems);
    const view = this.build(args.view, this.nextId());
    if (method === "views.push") view.previous_view_id = null;
    this.modals.set(view.id, view);
    return ok({ view });
  }

  /** Slack refuses an update whose hash is stale: someone else changed the view meanwhile. */
  private update(args: ApiArgs): ApiResult {
    const viewId = str(args, "view_id");
    const externalId = str(args, "external_id");
    if (!viewId && !externalId) return invalid(["[ERROR] missing required field: view_id"]);
    const all = [...this.modals.values(), ...this.homes.values()];
    const current = all.find((v) => (viewId ? v.id === viewId : v.external_id === externalId));
    if (!current) return fail("not_found");
    const hash = str(args, "hash");
    if (hash !== undefined && hash !== current.hash) return fail("hash_conflict");
    if (!isRecord(args.view)) return invalid(["[ERROR] missing required field: view"]);
    const problems = viewProblems(args.view, current.type === "home" ? "home" : "modal");
    if (problems.length > 0) return invalid(problems);
    const view = this.build(args.view, current.id, current);
    if (current.type === "home") {
      for (const [user, home] of this.homes) if (home.id === current.id) this.homes.set(user, view);
    } else {
      this.modals.set(view.id, view);
    }
    return ok({ view });
  }

  /** A user's Home keeps one view ID; publishing replaces its content. */
  private publish(args: ApiArgs): ApiResult {
    const userId = str(args, "user_id");
    if (!userId) return invalid(["[ERROR] missing required field: user_id"]);
    if (!this.knownUser(userId)) return fail("user_not_found");
    if (!isRecord(args.view)) return invalid(["[ERROR] missing required field: view"]);
    const problems = viewProblems(args.view, "home");
    if (problems.length > 0) return invalid(problems);
    const current = this.homes.get(userId);
    const hash = str(args, "hash");
    if (current && hash !== undefined && hash !== current.hash) return fail("hash_conflict");
    const view = this.build(args.view, current?.id ?? this.nextId(), current);
    this.homes.set(userId, view);
    return ok({ view });
  }
}
