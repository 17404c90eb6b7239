import type { Directory } from "./people";
import { isRecord, plain, type FormField, type FormParts } from "./render";

type Json = Record<string, unknown>;

/** A view as the stand-in answered views.open/push/update: id, blocks and the rest of Slack's fields. */
export type SlackView = Json & { id: string; blocks?: unknown[] };

interface Input {
  block: Json;
  blockId: string;
  actionId: string;
  label: string;
  optional: boolean;
  element: Json;
  type: string;
}

/** A bad `fill`: the sentence to show. */
export class FillError extends Error {}

function options(element: Json): Json[] {
  const flat = Array.isArray(element.options) ? element.options : [];
  const groups = Array.isArray(element.option_groups) ? element.option_groups.filter(isRecord) : [];
  const grouped = groups.flatMap((g) => (Array.isArray(g.options) ? g.options : []));
  return [...flat, ...grouped].filter(isRecord);
}

const TEXT_TYPES = new Set(["plain_text_input", "number_input", "email_text_input", "url_text_input"]);
const ONE_OPTION = new Set(["static_select", "radio_buttons", "external_select"]);
const MANY_OPTIONS = new Set(["multi_static_select", "checkboxes", "multi_external_select"]);

/** The key of each element type's value in `view.state.values`, and its initial_* field. */
const VALUE_KEY: Record<string, [key: string, initial: string]> = {
  conversations_select: ["selected_conversation", "initial_conversation"],
  multi_conversations_select: ["selected_conversations", "initial_conversations"],
  channels_select: ["selected_channel", "initial_channel"],
  multi_channels_select: ["selected_channels", "initial_channels"],
  users_select: ["selected_user", "initial_user"],
  multi_users_select: ["selected_users", "initial_users"],
  datepicker: ["selected_date", "initial_date"],
  timepicker: ["selected_time", "initial_time"],
};

function keyOf(type: string): [key: string, initial: string] {
  if (TEXT_TYPES.has(type)) return ["value", "initial_value"];
  if (ONE_OPTION.has(type)) return ["selected_option", "initial_option"];
  if (MANY_OPTIONS.has(type)) return ["selected_options", "initial_options"];
  return VALUE_KEY[type] ?? ["value", "initial_value"];
}

/**
 * An open modal and what the user has typed into it, kept the way Slack keeps a form's state: one
 * value per input block, sent back as `view.state.values` on submit and with button presses.
 */
export class ModalForm {
  readonly inputs: Input[];
  private readonly values = new Map<string, unknown>();
  errors: Record<string, string> = {};

  constructor(
    readonly view: SlackView,
    previous?: ModalForm,
  ) {
    const blocks = Array.isArray(view.blocks) ? view.blocks.filter(isRecord) : [];
    this.inputs = blocks
      .filter((b) => b.type === "input" && isRecord(b.element))
      .map((b, i) => {
        const element = b.element as Json;
        return {
          block: b,
          blockId: typeof b.block_id === "string" ? b.block_id : `input_${i + 1}`,
          actionId: typeof element.action_id === "string" ? element.action_id : "value",
          label: plain(b.label),
          optional: b.optional === true,
          element,
          type: typeof element.type === "string" ? element.type : "plain_text_input",
        };
      });
    // Slack keeps what was typed in a block that is still there (same block_id) after an update.
    for (const input of this.inputs) {
      const kept = previous?.values.get(input.blockId);
      const initial = input.element[keyOf(input.type)[1]];
      this.values.set(input.blockId, kept !== undefined ? kept : (initial ?? null));
    }
  }

  /** The field `fill <words>` names, and the value after it: by block_id or label, longest first. */
  locate(words: string): { input: Input; value: string } {
    const quoted = /^["“]([^"”]+)["”]\s*([\s\S]*)$/.exec(words);
    const tries = quoted
      ? [[quoted[1], quoted[2]]]
      : words
          .split(/\s+/)
          .map((_, k, all) => [all.slice(0, all.length - k).join(" "), all.slice(all.length - k).join(" ")]);
    for (const [name, value] of tries) {
      const wanted = name.toLowerCase();
      const input = this.inputs.find(
        (i) => i.blockId.toLowerCase() === wanted || i.label.toLowerCase() === wanted,
      );
      if (input) return { input, value: value.replace(/^["“]([\s\S]*)["”]$/, "$1") };
    }
    const first = words.split(/\s+/)[0].toLowerCase();
    const prefixed = this.inputs.filter((i) => i.label.toLowerCase().startsWith(first));
    if (first && prefixed.length === 1)
      return { input: prefixed[0], value: words.slice(first.length).trim() };
    const names = this.inputs.map((i) => i.blockId).join(", ");
    throw new FillError(`This form has no field “${words.split(/\s+/)[0]}”; its fields are ${names}.`);
  }

  /** Sets a field from what the user typed; returns the value as shown. */
  fill(words: string, directory: Directory): { label: string; shown: string } {
    const { input, value } = this.locate(words);
    this.values.set(input.blockId, this.parse(input, value.trim(), directory));
    delete this.errors[input.blockId];
    return { label: input.label, shown: this.display(input, directory) ?? "‹empty›" };
  }

  private parse(input: Input, raw: string, directory: Directory): unknown {
    const { element, type } = input;
    if (raw === "") return MANY_OPTIONS.has(type) || type.startsWith("multi_") ? [] : null;
    const list = () => raw.split(/[\s,]+/).filter(Boolean);
    const channel = (name: string) => {
      const id = directory.channelByName(name);
      if (!id) throw new FillError(`There is no channel ${name}; try #general or #platform.`);
      return id;
    };
    const user = (name: string) => {
      const id = directory.userByName(name);
      if (!id) throw new FillError(`There is no one called ${name}; \`users\` lists everyone.`);
      return id;
    };
    if (TEXT_TYPES.has(type)) return this.text(element, type, raw);
    if (ONE_OPTION.has(type)) return this.option(element, raw);
    if (MANY_OPTIONS.has(type)) return raw.split(",").map((part) => this.option(element, part.trim()));
    if (type === "conversations_select" || type === "channels_select") return channel(raw);
    if (type === "multi_conversations_select" || type === "multi_channels_select") return list().map(channel);
    if (type === "users_select") return user(raw);
    if (type === "multi_users_select") return list().map(user);
    if (type === "datepicker" && /^\d{4}-\d{2}-\d{2}$/.test(raw)) return raw;
    if (type === "timepicker" && /^\d{2}:\d{2}$/.test(raw)) return raw;
    if (type === "datepicker" || type === "timepicker")
      throw new FillError(
        `${input.label} takes a ${type === "datepicker" ? "date, YYYY-MM-DD" : "time, HH:MM"}.`,
      );
    throw new FillError(`The console can't fill a ${type.replace(/_/g, " ")} yet.`);
  }

  /** Slack checks lengths and number formats in the client, before the app sees anything. */
  private text(element: Json, type: string, raw: string): string {
    const max = typeof element.max_length === "number" ? element.max_length : 3000;
    const min = typeof element.min_length === "number" ? element.min_length : 0;
    if (raw.length > max)
      throw new FillError(`That is ${raw.length} characters; this field takes at most ${max}.`);
    if (raw.length < min) throw new FillError(`This field needs at least ${min} characters.`);
    if (type === "number_input") {
      const pattern = element.is_decimal_allowed === true ? /^-?\d+(\.\d+)?$/ : /^-?\d+$/;
      if (!pattern.test(raw)) throw new FillError("This field takes a number.");
    }
    if (type === "email_text_input" && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(raw))
      throw new FillError("This field takes an email address.");
    if (type === "url_text_input" && !/^https?:\/\/\S+$/.test(raw))
      throw new FillError("This field takes a URL.");
    return raw;
  }

  private option(element: Json, raw: string): Json {
    const all = options(element);
    const wanted = raw.toLowerCase();
    const exact = all.find(
      (o) => String(o.value).toLowerCase() === wanted || plain(o.text).toLowerCase() === wanted,
    );
    const prefixed = all.filter((o) => plain(o.text).toLowerCase().startsWith(wanted));
    const chosen = exact ?? (prefixed.length === 1 ? prefixed[0] : undefined);
    if (!chosen) {
      const choices = all.map((o) => String(o.value)).join(", ");
      throw new FillError(`“${raw}” is not one of the choices: ${choices}.`);
    }
    return chosen;
  }

  private display(input: Input, directory: Directory): string | undefined {
    const value = this.values.get(input.blockId);
    if (value === null || value === undefined || value === "" || (Array.isArray(value) && value.length === 0))
      return undefined;
    const one = (v: unknown): string => {
      if (isRecord(v)) return plain(v.text);
      const id = String(v);
      if (input.type.includes("user")) return `@${directory.userName(id) ?? id}`;
      if (input.type.includes("conversation") || input.type.includes("channel"))
        return `#${directory.channelName(id) ?? id}`;
      return id;
    };
    return Array.isArray(value) ? value.map(one).join(", ") : one(value);
  }

  private hint(input: Input): string | undefined {
    const { element, type } = input;
    const parts: string[] = [];
    const placeholder = plain(element.placeholder);
    if (ONE_OPTION.has(type) || MANY_OPTIONS.has(type))
      parts.push(
        `one of: ${options(element)
          .map((o) => String(o.value))
          .join(" | ")}`,
      );
    else if (type.includes("conversation") || type.includes("channel"))
      parts.push("a channel, e.g. #general");
    else if (type.includes("user"))
      parts.push(type.startsWith("multi_") ? "people, e.g. @bob @carol" : "a person, e.g. @bob");
    else if (placeholder) parts.push(`e.g. ${placeholder}`);
    const blockHint = plain(input.block.hint);
    if (blockHint) parts.push(blockHint);
    return parts.length ? parts.join(" · ") : undefined;
  }

  /** Required fields left empty; Slack refuses to submit until they are filled. */
  missing(): string[] {
    return this.inputs
      .filter((i) => !i.optional)
      .filter((i) => {
        const v = this.values.get(i.blockId);
        return v === null || v === undefined || v === "" || (Array.isArray(v) && v.length === 0);
      })
      .map((i) => i.blockId);
  }

  /** `view.state.values` exactly as Slack sends it: block_id → action_id → typed value. */
  stateValues(): Record<string, Record<string, Json>> {
    const state: Record<string, Record<string, Json>> = {};
    for (const input of this.inputs) {
      const value = this.values.get(input.blockId);
      state[input.blockId] = {
        [input.actionId]: { type: input.type, [keyOf(input.type)[0]]: value ?? null },
      };
    }
    return state;
  }

  /** The view with its current state, as Slack embeds it in a submission or a button press. */
  withState(): SlackView & { state: { values: Record<string, unknown> } } {
    return { ...this.view, state: { values: this.stateValues() } };
  }

  /** What render.ts draws: the title, each field with its value, hint and error. */
  parts(directory: Directory): FormParts {
    const blocks = Array.isArray(this.view.blocks) ? this.view.blocks.filter(isRecord) : [];
    const items: FormParts["items"] = [];
    for (const block of blocks) {
      const input = this.inputs.find((i) => i.block === block);
      if (!input) {
        items.push({ blocks: [block] });
        continue;
      }
      const field: FormField = {
        blockId: input.blockId,
        label: input.label,
        optional: input.optional,
        ...(this.display(input, directory) !== undefined && { value: this.display(input, directory) }),
        ...(this.hint(input) !== undefined && { hint: this.hint(input) }),
        ...(this.errors[input.blockId] !== undefined && { error: this.errors[input.blockId] }),
      };
      items.push({ field });
    }
    return {
      title: plain(this.view.title) || "Form",
      ...(plain(this.view.submit) && { submit: plain(this.view.submit) }),
      ...(plain(this.view.close) && { close: plain(this.view.close) }),
      items,
    };
  }
}
