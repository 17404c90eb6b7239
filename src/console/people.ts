import { dmChannelId, STAND_IN_BOT_USER_ID, type SlackUserInput } from "../stand-in/slack-objects";
import type { SlackStandIn } from "../stand-in/slack-stand-in";

/** The demo workspace the console starts with: four people and two channels. */
export const DEMO_PEOPLE: SlackUserInput[] = [
  { id: "UALICE", name: "alice", realName: "Alice Adams", email: "alice@example.com", isAdmin: true },
  { id: "UBOB", name: "bob", realName: "Bob Brown", email: "bob@example.com" },
  { id: "UCAROL", name: "carol", realName: "Carol Chen", email: "carol@example.com" },
  { id: "UDAVE", name: "dave", realName: "Dave Davis", email: "dave@example.com" },
];

/** Where commands are typed, as in a real workspace: #general, with everyone and the bot in it. */
export const COMMAND_CHANNEL = { id: "CGENERAL", name: "general" };

export function seedWorkspace(standIn: SlackStandIn): void {
  for (const person of DEMO_PEOPLE) standIn.addUser(person);
  const everyone = DEMO_PEOPLE.map((p) => p.id);
  standIn.addChannel({ ...COMMAND_CHANNEL, members: [...everyone, STAND_IN_BOT_USER_ID] });
  // A second channel for `channel=#platform`; the bot is not in it until the app joins it.
  standIn.addChannel({ id: "CPLATFORM", name: "platform", members: ["UALICE", "UBOB", "UCAROL"] });
}

/** Looks people and channels up by name (what the user types) and by ID (what Slack sends). */
export class Directory {
  constructor(private readonly standIn: SlackStandIn) {}

  /** Everyone but bots, in the order they were added. */
  people(): SlackUserInput[] {
    return [...this.standIn.users.values()].filter((u) => !u.isBot);
  }

  userName(id: string): string | undefined {
    return this.standIn.users.get(id)?.name;
  }

  channelName(id: string): string | undefined {
    return this.standIn.channels.get(id)?.name;
  }

  /** `@bob`, `bob` or `UBOB`; case doesn't matter. */
  userByName(name: string): string | undefined {
    const wanted = name.replace(/^@/, "").toLowerCase();
    return this.people().find((u) => u.name.toLowerCase() === wanted || u.id.toLowerCase() === wanted)?.id;
  }

  /** `#general`, `general` or `CGENERAL`. */
  channelByName(name: string): string | undefined {
    const wanted = name.replace(/^#/, "").toLowerCase();
    for (const channel of this.standIn.channels.values())
      if (channel.name.toLowerCase() === wanted || channel.id.toLowerCase() === wanted) return channel.id;
    return undefined;
  }

  /** Who can see a conversation's messages: a DM's one person, or everyone (a channel post). */
  canSee(userId: string, conversation: string): boolean {
    return conversation.startsWith("D") ? conversation === dmChannelId(userId) : true;
  }

  /** "DM from Roster", "in #general". */
  where(conversation: string): string {
    if (conversation.startsWith("D")) return "DM from Roster";
    const name = this.channelName(conversation);
    return name ? `in #${name}` : `in ${conversation}`;
  }
}

/**
 * What Slack sends for text typed into a command with should_escape on: `&`, `<` and `>` escaped,
 * `@bob` as `<@UBOB|bob>`, `#general` as `<#CGENERAL|general>`, emails as `<mailto:x|x>`, links as
 * `<https://…>`. A name that matches no one stays as typed, as in Slack.
 */
export function slackCommandText(typed: string, directory: Directory): string {
  const escaped = typed.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  const token =
    /(^|[\s=,("“'])(?:([^\s@<>"',;:()=]+@[^\s@<>"',;:()]+\.[^\s@<>"',;:().]+)|@([\w.-]+)|#([\w-]+)|(https?:\/\/[^\s<>"]+))/g;
  return escaped.replace(
    token,
    (whole, before: string, email?: string, user?: string, channel?: string, url?: string) => {
      if (email) return `${before}<mailto:${email}|${email}>`;
      if (url) return `${before}<${url}>`;
      if (channel) {
        const id = directory.channelByName(channel);
        return id ? `${before}<#${id}|${channel}>` : whole;
      }
      const name = (user ?? "").replace(/\.+$/, "");
      const trailing = (user ?? "").slice(name.length);
      if (/^(here|channel|everyone)$/.test(name)) return `${before}<!${name}>${trailing}`;
      const id = directory.userByName(name);
      return id ? `${before}<@${id}|${name}>${trailing}` : whole;
    },
  );
}
