import { clip } from "./usage-error";

/**
 * Slack's escaping of command text (the `/team` command has should_escape on): `&`, `<` and `>`
 * typed by the user arrive as `&amp;` `&lt;` `&gt;`, so a raw `<` always opens markup that Slack
 * wrote: `<@U123|alice>`, `<#C123|general>`, `<mailto:a@b.co|a@b.co>`, `<https://x.io|x.io>`,
 * `<!subteam^S1|@infra>`, `<!here>`. Input that did not come through Slack (the console, a test)
 * may hold a bare `<`; anything that isn't recognisable markup is left to be read as plain text.
 */
export type Markup =
  | { kind: "user"; id: string; label: string; end: number }
  | { kind: "channel"; id: string; name: string; end: number }
  | { kind: "email"; address: string; end: number }
  /** A link or date: stands for the text the user saw. */
  | { kind: "text"; text: string; end: number }
  /** A user group or @here/@channel/@everyone: never a way to name people in a command. */
  | { kind: "crowd"; text: string; error: string; end: number }
  /** `<@alice>` or `<#general>` typed by hand: looks like a reference but names no one. */
  | { kind: "fake"; text: string; error: string; end: number };

const USER_ID = /^[UW][A-Z0-9]{2,31}$/;
const CHANNEL_ID = /^[CG][A-Z0-9]{2,31}$/;
// Domain labels exclude the dot, so matching stays linear on a 4,000-character word.
const NOT_IN_EMAIL = `\\s@<>"'“”‘’,;:()[\\]`;
const EMAIL = new RegExp(`^[^${NOT_IN_EMAIL}]+@[^${NOT_IN_EMAIL}.]+(?:\\.[^${NOT_IN_EMAIL}.]+)+$`, "u");
const URL_SCHEME = /^[a-z][a-z0-9+.-]*:/i;
const BROADCAST = /^(here|channel|everyone)$/;

export function isEmail(text: string): boolean {
  return EMAIL.test(text);
}

export function decodeEntities(text: string): string {
  return text.replace(/&(amp|lt|gt);/g, (_, name: string) =>
    name === "amp" ? "&" : name === "lt" ? "<" : ">",
  );
}

/** Reads the markup that opens at `start` (a `<`), or returns null when the `<` is just a character. */
export function readMarkup(text: string, start: number): Markup | null {
  // Slack escapes < and > inside its markup, so meeting another < first means this one was text
  // (and stopping there keeps a line of 4,000 < linear).
  let close = start + 1;
  while (close < text.length && text[close] !== ">" && text[close] !== "<") close++;
  if (text[close] !== ">") return null;
  const inner = text.slice(start + 1, close);
  const end = close + 1;
  const bar = inner.indexOf("|");
  const target = bar < 0 ? inner : inner.slice(0, bar);
  const label = bar < 0 ? "" : decodeEntities(inner.slice(bar + 1));
  if (target === "" || /\s/u.test(target)) return null;

  switch (target[0]) {
    case "@": {
      const id = target.slice(1);
      if (USER_ID.test(id)) return { kind: "user", id, label, end };
      return {
        kind: "fake",
        text: label || decodeEntities(target),
        error: `Only a Slack mention names a person, and “${clip(decodeEntities(inner))}” is not one; type @ and pick the person from the list.`,
        end,
      };
    }
    case "#": {
      const id = target.slice(1);
      if (CHANNEL_ID.test(id)) return { kind: "channel", id, name: label, end };
      return {
        kind: "fake",
        text: label || decodeEntities(target),
        error: `Only a Slack channel link names a channel, and “${clip(decodeEntities(inner))}” is not one; type # and pick the channel from the list.`,
        end,
      };
    }
    case "!":
      return special(target.slice(1), label, end);
  }

  const address = decodeEntities(target);
  if (/^mailto:/i.test(address)) {
    const email = address.slice("mailto:".length);
    if (isEmail(email)) return { kind: "email", address: email, end };
    return { kind: "text", text: label || email || address, end };
  }
  if (URL_SCHEME.test(address)) return { kind: "text", text: label || address, end };
  return null;
}

function special(target: string, label: string, end: number): Markup | null {
  if (target.startsWith("subteam^")) {
    const group = label ? `User groups like ${clip(label)}` : "User groups";
    return {
      kind: "crowd",
      text: label || "@group",
      error: `${group} can't be used to name people here; mention the people themselves.`,
      end,
    };
  }
  if (BROADCAST.test(target)) {
    return {
      kind: "crowd",
      text: label || `@${target}`,
      error: "Mentions like @here, @channel and @everyone can't be used here; mention the people themselves.",
      end,
    };
  }
  // `<!date^1392734382^{date}|Feb 18, 2014>`: what the user saw is the fallback label.
  return label ? { kind: "text", text: label, end } : null;
}
