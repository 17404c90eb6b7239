import { dmChannelId, nowTs } from "../stand-in/slack-objects";
import type { SlackStandIn, StandInCall, StandInResponse } from "../stand-in/slack-stand-in";
import { ModalForm, type SlackView } from "./form";
import { Directory } from "./people";
import {
  content,
  isRecord,
  paint,
  renderForm,
  renderHome,
  renderMessage,
  type RenderOptions,
  type Rendered,
  type ShownButton,
} from "./render";

/** A message on screen: enough to press its buttons as Slack would report the press. */
export interface Message {
  conversation: string;
  ts: string;
  ephemeral: boolean;
  /** Who sees an ephemeral message. */
  viewer?: string;
  text: string;
  blocks: unknown[];
}

/** What a numbered button is on: a message, a modal, or the Home tab. */
export type Target = { button: ShownButton } & ({ message: Message } | { viewId: string; home: boolean });

/**
 * What the person at the console sees. It watches every Web API call and response_url post the app
 * makes to Slack's stand-in and shows those the current user could see in Slack (their DMs, private
 * replies, modals and Home, and channel posts); the rest waits until the console becomes their reader.
 */
export class Screen {
  user: string;
  viewing: "chat" | "home" = "chat";
  /** Set when the user opens the Home tab: its next publish is shown even if nothing changed. */
  homeOpened = false;
  /** When the app last talked to Slack, to tell when a request's output is complete. */
  lastActivity = 0;
  readonly directory: Directory;
  private readonly buttons = new Map<number, Target>();
  /** The next button shown starts the numbering again: the user did something new. */
  private fresh = true;
  private readonly forms = new Map<string, ModalForm[]>();
  /** trigger_id → who it was issued to: views.open names no user. */
  private readonly triggers = new Map<string, string>();
  private readonly replies = new Map<string, { presser: string; message: Message }>();
  private readonly unseen = new Map<string, (() => void)[]>();
  private homeShown = "";
  private readonly unsubscribe: (() => void)[];

  constructor(
    private readonly standIn: SlackStandIn,
    private readonly color: boolean,
    private readonly print: (text: string) => void,
    user?: string,
  ) {
    this.directory = new Directory(standIn);
    this.user = user ?? this.directory.people()[0].id;
    this.unsubscribe = [
      standIn.onCall((call) => this.onCall(call)),
      standIn.onResponse((response) => this.onResponse(response)),
    ];
  }

  close(): void {
    for (const stop of this.unsubscribe) stop();
  }

  say(text: string): undefined {
    this.print(text);
    return undefined;
  }

  note(text: string): undefined {
    return this.say(paint(this.color, "dim", text));
  }

  bold(text: string): string {
    return paint(this.color, "bold", text);
  }

  /** The user did something new: the next buttons shown are numbered from 1 again. */
  newScreen(): void {
    this.fresh = true;
  }

  button(n: number): Target | undefined {
    return this.buttons.get(n);
  }

  get buttonCount(): number {
    return this.buttons.size;
  }

  /** A trigger_id for this user's request, so the modal it opens is shown to them. */
  trigger(): string {
    const id = this.standIn.triggerId();
    this.triggers.set(id, this.user);
    return id;
  }

  /** A response_url for a reply to `message`, remembered so what comes back is shown in place. */
  responseUrl(message: Message): string {
    const origin = message.ephemeral
      ? { channel: message.conversation, userId: this.user }
      : { channel: message.conversation, messageTs: message.ts, userId: this.user };
    const url = this.standIn.responseUrl(origin);
    this.replies.set(url, { presser: this.user, message });
    return url;
  }

  /** Becomes `id`: keeps the buttons they can see too, and shows what arrived for them meanwhile. */
  become(id: string): void {
    this.user = id;
    this.viewing = "chat";
    for (const [n, target] of this.buttons) if (!this.canSee(target)) this.buttons.delete(n);
    this.fresh = this.buttons.size === 0;
    const waiting = this.unseen.get(id) ?? [];
    this.unseen.delete(id);
    if (waiting.length) this.note("While you were away:");
    for (const show of waiting) show();
    if (this.form()) this.showForm();
  }

  form(): ModalForm | undefined {
    return this.forms.get(this.user)?.at(-1);
  }

  formById(viewId: string): ModalForm | undefined {
    return this.forms.get(this.user)?.find((form) => form.view.id === viewId);
  }

  /** The current user's stack of open modals (Slack allows three). */
  formStack(): ModalForm[] {
    const stack = this.forms.get(this.user) ?? [];
    this.forms.set(this.user, stack);
    return stack;
  }

  show(message: Message, source: string): void {
    this.number(
      (first) => renderMessage(message, source, this.options(first)),
      (button) => ({ button, message }),
    );
  }

  showForm(): undefined {
    const form = this.form();
    if (!form) return this.note("No form is open.");
    const viewId = form.view.id;
    this.number(
      (first) => renderForm(form.parts(this.directory), this.options(first)),
      (button) => ({ button, viewId, home: false }),
      true,
    );
  }

  /** The Home tab: when the user opened it, or when it changed while they look at it. */
  showHome(): void {
    const home = this.standIn.homeOf(this.user);
    if (!home) return;
    const blocks = Array.isArray(home.blocks) ? home.blocks : [];
    const shown = `${this.user}:${JSON.stringify(blocks)}`;
    const opened = this.homeOpened;
    this.homeOpened = false;
    if (!opened && shown === this.homeShown) return;
    this.homeShown = shown;
    this.number(
      (first) => renderHome(blocks, opened ? "" : "(updated)", this.options(first)),
      (button) => ({ button, viewId: home.id, home: true }),
      true,
    );
  }

  private onCall(call: StandInCall): void {
    this.lastActivity = Date.now();
    const { method, args, result } = call;
    if (!result?.ok) {
      if (/^(chat|views)\./.test(method))
        this.note(`Slack refused ${method}: ${result?.error ?? call.status}.`);
      return;
    }
    if (method === "chat.postMessage" || method === "chat.update") {
      const conversation = String(result.channel);
      const raw = isRecord(result.message) ? result.message : {};
      const message = { conversation, ts: String(result.ts), ephemeral: false, ...content(raw) };
      const updated = method === "chat.update" ? " (updated)" : "";
      this.deliver(message, `${this.directory.where(conversation)}${updated}`);
    } else if (method === "chat.postEphemeral") {
      const channel = String(args.channel);
      const conversation = /^[UW]/.test(channel) ? dmChannelId(channel) : channel;
      const viewer = String(args.user);
      const message = {
        conversation,
        ts: String(result.message_ts),
        ephemeral: true,
        viewer,
        ...content(args),
      };
      this.deliver(message, "only you can see this");
    } else if (method === "chat.delete") {
      if (this.directory.canSee(this.user, String(result.channel))) this.note("(Roster deleted a message)");
    } else if ((method === "views.open" || method === "views.push") && isRecord(result.view)) {
      const owner = this.triggers.get(String(args.trigger_id ?? args.interactivity_pointer)) ?? this.user;
      const stack = method === "views.push" ? (this.forms.get(owner) ?? []) : [];
      stack.push(new ModalForm(result.view as SlackView));
      this.forms.set(owner, stack);
      if (owner === this.user) this.showForm();
    } else if (method === "views.update" && isRecord(result.view)) {
      this.updateView(result.view as SlackView);
    } else if (method === "views.publish" && args.user_id === this.user && this.viewing === "home") {
      this.showHome();
    } else if (method === "files.completeUploadExternal" && typeof args.channel_id === "string") {
      this.note(`📎 Roster shared a file ${this.directory.where(args.channel_id)}.`);
    }
  }

  private onResponse(response: StandInResponse): void {
    this.lastActivity = Date.now();
    const entry = this.replies.get(response.url);
    if (!entry || !isRecord(response.body)) return;
    if (response.status !== 200) return void this.note(`Slack refused a reply (HTTP ${response.status}).`);
    const body = response.body;
    const { presser, message } = entry;
    if (body.delete_original === true) return void this.note("(the message was deleted)");
    if (body.replace_original === true) {
      entry.message = { ...message, ...content(body) };
      const where = message.ephemeral ? "only you can see this" : this.directory.where(message.conversation);
      return this.deliver(entry.message, `${where} (updated)`);
    }
    const inChannel = body.response_type === "in_channel";
    const { conversation } = message;
    const reply = { conversation, ts: nowTs(), ephemeral: !inChannel, viewer: presser, ...content(body) };
    this.deliver(reply, inChannel ? this.directory.where(conversation) : "only you can see this");
  }

  /** Shows a message if the current user can see it; otherwise keeps it for its reader. */
  private deliver(message: Message, source: string): void {
    const dm = message.conversation.startsWith("D") ? message.conversation.slice(1) : undefined;
    const owner = message.ephemeral ? message.viewer : dm;
    if (owner === undefined || owner === this.user) return this.show(message, source);
    const name = this.directory.userName(owner) ?? owner;
    this.note(
      `(Roster sent @${name} ${message.ephemeral ? "a private reply" : "a DM"}; \`as @${name}\` to read it)`,
    );
    const waiting = this.unseen.get(owner) ?? [];
    waiting.push(() => this.show(message, source));
    this.unseen.set(owner, waiting);
  }

  private updateView(view: SlackView): void {
    if (view.type === "home") {
      if (this.viewing === "home" && this.standIn.homeOf(this.user)?.id === view.id) this.showHome();
      return;
    }
    for (const [owner, stack] of this.forms) {
      const index = stack.findIndex((form) => form.view.id === view.id);
      if (index < 0) continue;
      stack[index] = new ModalForm(view, stack[index]);
      if (owner === this.user && index === stack.length - 1) this.showForm();
    }
  }

  /**
   * Prints what `render` returns, numbering its buttons after those already on screen. A modal or
   * the Home tab fills the `whole` window: only its own buttons can be pressed.
   */
  private number(
    render: (first: number) => Rendered,
    target: (button: ShownButton) => Target,
    whole = false,
  ): void {
    if (whole) {
      this.buttons.clear();
      this.fresh = true;
    }
    const first = this.fresh ? 1 : Math.max(0, ...this.buttons.keys()) + 1;
    const rendered = render(first);
    if (rendered.buttons.length) {
      if (this.fresh) this.buttons.clear();
      this.fresh = false;
      for (const button of rendered.buttons) this.buttons.set(button.n, target(button));
    }
    this.print(rendered.text);
  }

  private options(firstButton: number): RenderOptions {
    const names = {
      user: (id: string) => this.directory.userName(id),
      channel: (id: string) => this.directory.channelName(id),
    };
    return { color: this.color, names, firstButton };
  }

  private canSee(target: Target): boolean {
    if (!("message" in target)) return false;
    const m = target.message;
    return m.ephemeral ? m.viewer === this.user : this.directory.canSee(this.user, m.conversation);
  }
}
