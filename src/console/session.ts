import { nowTs } from "../stand-in/slack-objects";
import * as payloads from "../stand-in/slack-payloads";
import type { SlackStandIn } from "../stand-in/slack-stand-in";
import { AppLink } from "./app-link";
import { FillError, ModalForm } from "./form";
import { COMMAND_CHANNEL, slackCommandText } from "./people";
import { content, isRecord } from "./render";
import { Screen, type Message, type Target } from "./screen";

export interface SessionOptions {
  standIn: SlackStandIn;
  /** The app's Slack endpoint, e.g. http://127.0.0.1:PORT/slack/events. */
  appUrl: string;
  signingSecret: string;
  color: boolean;
  /** Where output goes, a block of lines at a time; it may also be called between inputs. */
  print(text: string): void;
  user?: string;
  /** After a request, its output is complete once the app has left Slack alone this long. */
  quietMs?: number;
}

export const HELP = `Type what you would type in Slack, or a console command:
  /team create Platform        a slash command; @bob, #general and emails work as in Slack
  press 2  (or just 2)         press button [2] of what is on screen
  fill <field> <value>         fill in a field of the open form; then submit, or cancel
  show                         show the open form again
  home                         open your App Home tab
  as @bob                      become someone else;  users  lists everyone
  help, quit (or Ctrl-D)`;

/**
 * One person at the console, driving the real app as Slack would: each line becomes a request
 * signed with the app's secret (slash command, button press, form submission, event), built by the
 * same payload builders the tests use. What comes back is shown by the Screen.
 */
export class Session {
  readonly screen: Screen;
  private readonly link: AppLink;
  private readonly workspaceId: string;
  private confirming?: Target;

  constructor(private readonly opts: SessionOptions) {
    this.screen = new Screen(opts.standIn, opts.color, opts.print, opts.user);
    this.link = new AppLink(opts.appUrl, opts.signingSecret, opts.standIn, this.screen, opts.quietMs);
    this.workspaceId = opts.standIn.workspaceId;
  }

  get user(): string {
    return this.screen.user;
  }

  get userName(): string {
    return this.screen.directory.userName(this.user) ?? this.user;
  }

  prompt(): string {
    return `${this.userName}> `;
  }

  close(): void {
    this.screen.close();
  }

  /** Handles one line of input; resolves once its output has arrived. "quit" ends the session. */
  async handle(line: string): Promise<"quit" | undefined> {
    const input = line.trim();
    if (this.confirming) {
      const target = this.confirming;
      this.confirming = undefined;
      if (/^y(es)?$/i.test(input)) return this.send(target);
      this.screen.note("Not pressed.");
    }
    if (input === "") return;
    if (input.startsWith("/")) return this.command(input);
    const [word] = input.split(/\s+/);
    const rest = input.slice(word.length).trim();
    switch (word.toLowerCase()) {
      case "as":
        return this.become(rest);
      case "users":
        return this.listPeople();
      case "press":
        return this.press(rest);
      case "fill":
        return this.fill(rest);
      case "submit":
        return this.submit();
      case "cancel":
        return this.cancel();
      case "show":
        return this.screen.showForm();
      case "home":
        return this.home();
      case "help":
      case "?":
        return this.screen.say(HELP);
      case "quit":
      case "exit":
        return "quit";
    }
    if (/^\d+$/.test(word) && rest === "") return this.press(word);
    return this.screen.note(`“${word}” is not something the console knows; type help, or a /team command.`);
  }

  /** `/team …` typed in #general: Slack's form-encoded command; the ack body is the reply. */
  private async command(input: string): Promise<undefined> {
    const [, name, text] = /^\/(\S+)\s*([\s\S]*)$/.exec(input) ?? [];
    if (name !== "team") return this.screen.note("Only /team is installed in this workspace.");
    this.screen.viewing = "chat";
    this.screen.newScreen();
    const channel = COMMAND_CHANNEL.id;
    const message: Message = {
      conversation: channel,
      ts: nowTs(),
      ephemeral: true,
      viewer: this.user,
      text: "",
      blocks: [],
    };
    const answer = await this.link.post({
      form: payloads.slashCommand({
        workspaceId: this.workspaceId,
        userId: this.user,
        userName: this.userName,
        channelId: channel,
        channelName: COMMAND_CHANNEL.name,
        text: slackCommandText(text, this.screen.directory),
        responseUrl: this.screen.responseUrl(message),
        triggerId: this.screen.trigger(),
      }),
    });
    const body = answer?.json;
    if (isRecord(body) && (typeof body.text === "string" || Array.isArray(body.blocks))) {
      const inChannel = body.response_type === "in_channel";
      const reply = { ...message, ephemeral: !inChannel, ...content(body) };
      this.screen.show(reply, inChannel ? this.screen.directory.where(channel) : "only you can see this");
    } else if (answer && answer.status !== 200) {
      this.screen.note(`The app answered HTTP ${answer.status}.`);
    }
    await this.link.settle();
  }

  private async press(arg: string): Promise<undefined> {
    const target = this.screen.button(Number(arg));
    if (!target) {
      const none = this.screen.buttonCount === 0;
      return this.screen.note(
        none ? "There are no buttons on screen." : `There is no button ${arg} on screen.`,
      );
    }
    const { confirm } = target.button;
    if (!confirm) return this.send(target);
    // Slack asks first, in a dialog of the button's own words.
    this.confirming = target;
    return this.screen.say(
      `${this.screen.bold(confirm.title)}: ${confirm.text}\nType yes to ${confirm.confirm}.`,
    );
  }

  /** A button press as Slack's block_actions, from a message, a modal or the Home tab. */
  private async send(target: Target): Promise<undefined> {
    this.screen.newScreen();
    const { button } = target;
    const base = {
      workspaceId: this.workspaceId,
      userId: this.user,
      userName: this.userName,
      actionId: button.actionId,
      value: button.value ?? "",
      blockId: button.blockId,
      triggerId: this.screen.trigger(),
    };
    let payload;
    if ("message" in target) {
      const m = target.message;
      payload = payloads.blockActions({
        ...base,
        message: { ts: m.ts, channel: m.conversation, blocks: m.blocks, text: m.text },
        responseUrl: this.screen.responseUrl(m),
        container: {
          type: "message",
          message_ts: m.ts,
          channel_id: m.conversation,
          is_ephemeral: m.ephemeral,
        },
      });
    } else {
      const home = this.opts.standIn.homeOf(this.user);
      const view = target.home ? home : this.screen.formById(target.viewId)?.withState();
      if (!view) return this.screen.note("That is no longer open.");
      payload = payloads.blockActions({ ...base, view: { ...view, blocks: view.blocks as unknown[] } });
    }
    const answer = await this.link.post({ payload });
    if (answer && answer.status !== 200)
      this.screen.note("Nothing happened: the app doesn't handle that button.");
    await this.link.settle();
  }

  private fill(rest: string): undefined {
    const form = this.screen.form();
    if (!form) return this.screen.note("No form is open; `/team create` with no arguments opens one.");
    try {
      const { label, shown } = form.fill(rest, this.screen.directory);
      return this.screen.say(`✓ ${label}: ${shown}`);
    } catch (error) {
      if (!(error instanceof FillError)) throw error;
      return this.screen.note(error.message);
    }
  }

  /** Sends the open form as a view_submission and does what the app's ack says. */
  private async submit(): Promise<undefined> {
    const form = this.screen.form();
    if (!form) return this.screen.note("No form is open.");
    // Slack's client refuses to submit with a required field empty; the app never hears of it.
    const missing = form.missing();
    for (const blockId of missing) form.errors[blockId] = "Please complete this required field.";
    if (missing.length) return this.screen.showForm();
    this.screen.newScreen();
    const view = form.withState();
    const answer = await this.link.post({
      payload: payloads.viewSubmission({
        workspaceId: this.workspaceId,
        userId: this.user,
        userName: this.userName,
        view: {
          ...view,
          blocks: view.blocks ?? [],
          callback_id: typeof view.callback_id === "string" ? view.callback_id : "",
          private_metadata: typeof view.private_metadata === "string" ? view.private_metadata : "",
        },
        triggerId: this.screen.trigger(),
      }),
    });
    if (!answer) return;
    const body = isRecord(answer.json) ? answer.json : {};
    const action = body.response_action;
    const stack = this.screen.formStack();
    if (answer.status !== 200) {
      this.screen.note(`The app answered HTTP ${answer.status}; the form stays open.`);
    } else if (action === "errors" && isRecord(body.errors)) {
      form.errors = Object.fromEntries(Object.entries(body.errors).map(([k, v]) => [k, String(v)]));
      this.screen.showForm();
    } else if ((action === "update" || action === "push") && isRecord(body.view)) {
      const id = action === "update" ? form.view.id : `${form.view.id}-pushed-${stack.length}`;
      if (action === "update") stack.pop();
      stack.push(new ModalForm({ ...body.view, id }, action === "update" ? form : undefined));
      this.screen.showForm();
    } else {
      if (action === "clear") stack.length = 0;
      else stack.pop();
      this.screen.note("(form closed)");
      if (stack.length) this.screen.showForm();
    }
    await this.link.settle();
  }

  private cancel(): undefined {
    const stack = this.screen.formStack();
    if (!stack.pop()) return this.screen.note("No form is open.");
    this.screen.note("(form closed; nothing was sent)");
    if (stack.length) this.screen.showForm();
  }

  /** Opening the Home tab: Slack sends app_home_opened, and the app publishes the view. */
  private async home(): Promise<undefined> {
    this.screen.viewing = "home";
    this.screen.homeOpened = true;
    this.screen.newScreen();
    const published = this.link.waitFor(
      (call) => call.method === "views.publish" && call.args.user_id === this.user,
    );
    const view = this.opts.standIn.homeOf(this.user);
    const event = payloads.appHomeOpened(this.user, view ? { view } : {});
    await this.link.post({ json: payloads.eventCallback({ workspaceId: this.workspaceId, event }) });
    if (!(await published)) this.screen.note("The app published no Home tab.");
    await this.link.settle();
  }

  private become(name: string): undefined {
    const id = this.screen.directory.userByName(name);
    if (!id)
      return this.screen.note(`There is no one called ${name || "that"} here; \`users\` lists everyone.`);
    this.confirming = undefined;
    const person = this.screen.directory.people().find((p) => p.id === id);
    this.screen.say(`You are @${person?.name ?? id} now${person?.realName ? ` (${person.realName})` : ""}.`);
    this.screen.become(id);
  }

  private listPeople(): undefined {
    const rows = this.screen.directory.people().map((p) => {
      const role = p.isOwner ? "workspace owner" : p.isAdmin ? "workspace admin" : "";
      const me = p.id === this.user ? "  ← you" : "";
      const columns = [`@${p.name}`.padEnd(9), (p.realName ?? "").padEnd(14), (p.email ?? "").padEnd(20)];
      return `  ${columns.join(" ")} ${role}${me}`.trimEnd();
    });
    return this.screen.say(rows.join("\n"));
  }
}
