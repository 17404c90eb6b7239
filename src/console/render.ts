/*
 * Block Kit as terminal text, for the console: pure functions from what the app sends Slack to
 * readable lines, with every button numbered so the user can press it by its number.
 */

import { EMOJI, mrkdwn, paint } from "./mrkdwn";

export { mrkdwn, paint };

type Json = Record<string, unknown>;

/** Turns the IDs in Slack markup back into the names a Slack client would show. */
export interface Names {
  user(id: string): string | undefined;
  channel(id: string): string | undefined;
}

export interface RenderOptions {
  /** ANSI colour and bold; off when stdout is not a terminal. */
  color: boolean;
  names: Names;
  /** The number the first button gets: numbering runs across everything on screen. */
  firstButton?: number;
}

/** A button as shown, with what pressing it must send. */
export interface ShownButton {
  n: number;
  label: string;
  actionId: string;
  value?: string;
  blockId?: string;
  url?: string;
  /** Slack asks "are you sure?" before sending a press on a button with a confirm dialog. */
  confirm?: { title: string; text: string; confirm: string };
}

export interface Rendered {
  text: string;
  buttons: ShownButton[];
}

export function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** A text object (`plain_text` or `mrkdwn`) as text. */
export function textOf(value: unknown, opts: RenderOptions): string {
  if (!isRecord(value)) return "";
  const text = str(value.text) ?? "";
  return value.type === "mrkdwn" ? mrkdwn(text, opts) : text;
}

export function plain(value: unknown): string {
  return isRecord(value) ? (str(value.text) ?? "") : "";
}

/** A section field `*Label*\nvalue` reads as "Label: value". */
function field(value: unknown, opts: RenderOptions): string {
  if (!isRecord(value)) return "";
  const raw = str(value.text) ?? "";
  const labelled = value.type === "mrkdwn" ? /^\*([^*\n]+)\*\n([\s\S]*)$/.exec(raw) : null;
  if (!labelled) return textOf(value, opts).replace(/\n/g, " ");
  const label = labelled[1].replace(/:$/, "");
  return `${paint(opts.color, "bold", `${label}:`)} ${mrkdwn(labelled[2], opts).replace(/\n/g, " ")}`;
}

class Buttons {
  readonly shown: ShownButton[] = [];
  constructor(
    private next: number,
    private readonly opts: RenderOptions,
  ) {}

  /** "[3] Approve", remembering what pressing 3 sends. */
  add(element: Json, blockId: string | undefined): string {
    const confirm = isRecord(element.confirm)
      ? {
          title: plain(element.confirm.title),
          text: textOf(element.confirm.text, this.opts),
          confirm: plain(element.confirm.confirm) || "Confirm",
        }
      : undefined;
    const button: ShownButton = {
      n: this.next++,
      label: plain(element.text),
      actionId: str(element.action_id) ?? "",
      ...(str(element.value) !== undefined && { value: str(element.value) }),
      ...(blockId !== undefined && { blockId }),
      ...(str(element.url) !== undefined && { url: str(element.url) }),
      ...(confirm && { confirm }),
    };
    this.shown.push(button);
    const style = element.style === "primary" ? "green" : element.style === "danger" ? "red" : "cyan";
    return `${paint(this.opts.color, "bold", `[${button.n}]`)} ${paint(this.opts.color, style, button.label)}`;
  }
}

/** Selects, pickers and other elements that aren't buttons: described, not pressable. */
function describeElement(element: Json, opts: RenderOptions): string {
  const placeholder = plain(element.placeholder);
  const kind = str(element.type)?.replace(/_/g, " ") ?? "element";
  return paint(opts.color, "dim", `‹${placeholder || kind}›`);
}

function renderElements(
  elements: unknown[],
  blockId: string | undefined,
  buttons: Buttons,
  opts: RenderOptions,
) {
  return elements
    .filter(isRecord)
    .map((el) => (el.type === "button" ? buttons.add(el, blockId) : describeElement(el, opts)))
    .join("  ");
}

function richText(block: Json): string {
  const walk = (node: unknown): string => {
    if (!isRecord(node)) return "";
    if (typeof node.text === "string") return node.text;
    if (node.type === "user") return `@${str(node.user_id) ?? ""}`;
    if (node.type === "channel") return `#${str(node.channel_id) ?? ""}`;
    if (node.type === "link") return str(node.url) ?? "";
    if (node.type === "emoji") return EMOJI[str(node.name) ?? ""] ?? `:${str(node.name) ?? ""}:`;
    const children = Array.isArray(node.elements) ? node.elements.map(walk) : [];
    return children.join(node.type === "rich_text_list" ? "\n• " : "");
  };
  return walk(block);
}

/** One block's lines; `buttons` numbers the buttons it holds. */
function renderBlock(block: Json, buttons: Buttons, opts: RenderOptions): string | undefined {
  const blockId = str(block.block_id);
  switch (block.type) {
    case "header": {
      const text = plain(block.text);
      return opts.color ? paint(true, ["bold", "underline"], text) : `${text}\n${"═".repeat(text.length)}`;
    }
    case "section": {
      const lines: string[] = [];
      if (block.text !== undefined) lines.push(textOf(block.text, opts));
      if (Array.isArray(block.fields)) lines.push(...block.fields.map((f) => field(f, opts)));
      const accessory = isRecord(block.accessory) ? block.accessory : undefined;
      if (accessory?.type === "button") {
        const last = lines.pop() ?? "";
        lines.push(`${last}  ${buttons.add(accessory, blockId)}`);
      }
      return lines.join("\n");
    }
    case "context": {
      const elements = Array.isArray(block.elements) ? block.elements.filter(isRecord) : [];
      const text = elements
        .map((el) => (el.type === "image" ? `[${str(el.alt_text) ?? "image"}]` : textOf(el, opts)))
        .join("  ");
      return paint(opts.color, "dim", text);
    }
    case "divider":
      return paint(opts.color, "dim", "─".repeat(40));
    case "actions":
      return renderElements(Array.isArray(block.elements) ? block.elements : [], blockId, buttons, opts);
    case "image":
      return paint(opts.color, "dim", `[image: ${str(block.alt_text) ?? plain(block.title)}]`);
    case "rich_text":
      return mrkdwn(richText(block), opts);
    case "markdown":
      return mrkdwn(str(block.text) ?? "", opts);
    case "input":
      return `${plain(block.label)}: ${isRecord(block.element) ? describeElement(block.element, opts) : ""}`;
    default:
      return undefined;
  }
}

/** Blocks as lines of text, buttons numbered from `opts.firstButton` (1 by default). */
export function renderBlocks(blocks: unknown[], opts: RenderOptions): Rendered {
  const buttons = new Buttons(opts.firstButton ?? 1, opts);
  const lines = blocks
    .filter(isRecord)
    .map((block) => renderBlock(block, buttons, opts))
    .filter((line): line is string => line !== undefined && line !== "");
  return { text: lines.join("\n"), buttons: buttons.shown };
}

function indent(text: string, prefix: string): string {
  return text
    .split("\n")
    .map((line) => `${prefix}${line}`)
    .join("\n");
}

/**
 * A message under a line saying where it came from ("only you can see this", "DM from Roster",
 * "in #general", "(updated)"). Without blocks, its text is the message.
 */
export function renderMessage(
  message: { text?: string; blocks?: unknown[] },
  source: string,
  opts: RenderOptions,
): Rendered {
  const body =
    message.blocks && message.blocks.length > 0
      ? renderBlocks(message.blocks, opts)
      : { text: mrkdwn(message.text ?? "", opts), buttons: [] };
  const title = `${paint(opts.color, ["bold", "magenta"], "Roster")} ${paint(opts.color, "dim", `· ${source}`)}`;
  return { text: `${title}\n${indent(body.text, "  ")}`, buttons: body.buttons };
}

/** The text and blocks of a message body (an ack, a response_url post, chat.postMessage arguments). */
export function content(body: Record<string, unknown>): { text: string; blocks: unknown[] } {
  return {
    text: typeof body.text === "string" ? body.text : "",
    blocks: Array.isArray(body.blocks) ? body.blocks : [],
  };
}

/** One input of a form as the user sees it: its current value, and errors from the last submit. */
export interface FormField {
  blockId: string;
  label: string;
  optional: boolean;
  /** The current value as text, or undefined when empty. */
  value?: string;
  /** What may be typed: a placeholder, the choices of a select. */
  hint?: string;
  error?: string;
}

export interface FormParts {
  title: string;
  submit?: string;
  close?: string;
  /** Input blocks as fields; any other block in between is rendered as in a message. */
  items: ({ field: FormField } | { blocks: unknown[] })[];
}

/** A modal as a framed form: each field with its current value, then how to fill and submit it. */
export function renderForm(form: FormParts, opts: RenderOptions): Rendered {
  const bar = paint(opts.color, "dim", "│");
  const lines = [paint(opts.color, "dim", "╭─ ") + paint(opts.color, "bold", form.title)];
  let next = opts.firstButton ?? 1;
  const buttons: ShownButton[] = [];
  for (const item of form.items) {
    if ("blocks" in item) {
      const rendered = renderBlocks(item.blocks, { ...opts, firstButton: next });
      next += rendered.buttons.length;
      buttons.push(...rendered.buttons);
      if (rendered.text) lines.push(indent(rendered.text, `${bar} `));
      continue;
    }
    const { field } = item;
    const label = `${field.label}${field.optional ? "" : " *"}`;
    const key = paint(opts.color, "dim", `[${field.blockId}]`);
    const value =
      field.value === undefined
        ? paint(opts.color, "dim", "‹empty›")
        : paint(opts.color, "cyan", field.value);
    lines.push(`${bar} ${paint(opts.color, "bold", label)} ${key}: ${value}`);
    if (field.hint) lines.push(`${bar}     ${paint(opts.color, "dim", field.hint)}`);
    if (field.error) lines.push(`${bar}     ${paint(opts.color, "red", `⚠ ${field.error}`)}`);
  }
  const hasFields = form.items.some((item) => "field" in item);
  const actions = [
    ...(hasFields ? ["fill <field> <value>"] : []),
    ...(form.submit ? [`submit (${form.submit})`] : []),
    `cancel (${form.close ?? "Close"})`,
  ];
  lines.push(paint(opts.color, "dim", `╰─ ${actions.join(" · ")}`));
  return { text: lines.join("\n"), buttons };
}

/** The App Home tab, framed like a page of its own. */
export function renderHome(blocks: unknown[], source: string, opts: RenderOptions): Rendered {
  const body = renderBlocks(blocks, opts);
  const bar = paint(opts.color, "dim", "│");
  const top = `${paint(opts.color, "dim", "╭─ ")}${paint(opts.color, ["bold", "magenta"], "Roster · Home")}${source ? ` ${paint(opts.color, "dim", source)}` : ""}`;
  return {
    text: `${top}\n${indent(body.text, `${bar} `)}\n${paint(opts.color, "dim", "╰─")}`,
    buttons: body.buttons,
  };
}
