import { isDeepStrictEqual } from "node:util";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidInput } from "../../src/domain/errors";
import { Args, parseCommand, type Token, tokenize, UsageError } from "../../src/slack/commands/grammar";

const LIMIT_USAGE =
  "/team limit <team> [<user>] [tx=<tokens>] [total=<tokens>] [period=none|daily|weekly|monthly] [budget]";
const CREATE_USAGE =
  '/team create <name> [parent=<team>] [channel=<#channel>] [policy=open|approval|invite_only] [visibility=organization|private] [description="…"]';

function usageErrorOf(run: () => unknown): UsageError {
  try {
    run();
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error("expected a UsageError, but nothing was thrown");
}

/** One sentence a user can read: a capital, no second sentence, a period, short. */
function expectSentence(message: string): void {
  expect(message).toMatch(/^[A-Z]/);
  expect(message).toMatch(/\.$/);
  expect(message.length).toBeLessThan(300);
  expect(message).not.toMatch(/[.!?]\s+[A-Z]/);
  expect(message).not.toMatch(/[\n\r]/);
}

function errorMessage(run: () => unknown): string {
  const message = usageErrorOf(run).message;
  expectSentence(message);
  return message;
}

const word = (value: string, quoted = false): Token => ({ kind: "word", value, quoted });
const args = (text: string, usage = LIMIT_USAGE) => new Args(tokenize(text), usage);

describe("tokenize: words and quotes", () => {
  it("splits on any Unicode whitespace, including the no-break space Slack clients paste", () => {
    expect(tokenize(" a\tb\nc\u00a0d\u3000e\u2003f\u202fg\r\nh\u0085i ")).toEqual(
      ["a", "b", "c", "d", "e", "f", "g", "h", "i"].map((w) => word(w)),
    );
    expect(tokenize("")).toEqual([]);
    expect(tokenize(" \u00a0\n\t")).toEqual([]);
  });

  it.each([
    ['"AI Platform"', "straight"],
    ["“AI Platform”", "smart"],
    ["”AI Platform”", "smart closing quotes on both sides, as a Mac types after ="],
    ["„AI Platform“", "low-high"],
    ["'AI Platform'", "single"],
    ["‘AI Platform’", "smart single"],
  ])("reads %s (%s quotes) as one quoted word", (text) => {
    expect(tokenize(`create ${text} x`)).toEqual([word("create"), word("AI Platform", true), word("x")]);
  });

  it("keeps apostrophes inside words and inside single-quoted text", () => {
    expect(tokenize("O'Brien don’t 'Bob's team' ‘Ann’s’")).toEqual([
      word("O'Brien"),
      word("don’t"),
      word("Bob's team", true),
      word("Ann’s", true),
    ]);
  });

  it("closes a quote only with one of its own family", () => {
    expect(tokenize(`"rock 'n' roll" ‘say “hi” there’`)).toEqual([
      word("rock 'n' roll", true),
      word("say “hi” there", true),
    ]);
  });

  it("reads a backslash before a quote or a backslash as literal, and any other backslash as itself", () => {
    expect(tokenize(String.raw`"say \"hi\" now" "C:\dir\\" \x`)).toEqual([
      word('say "hi" now', true),
      word("C:\\dir\\", true),
      word("\\x"),
    ]);
    expect(tokenize('"" x')).toEqual([word("", true), word("x")]);
  });

  it("refuses a quote that is never closed, showing where it starts", () => {
    expect(errorMessage(() => tokenize('create "AI Platform'))).toBe(
      'The quote that starts at “"AI Platform” is never closed; close it with a matching quote.',
    );
    expect(errorMessage(() => tokenize("create “AI Platform x=1"))).toMatch(/^The quote that starts at ““AI/);
    expect(errorMessage(() => tokenize(`x "${"long ".repeat(30)}`))).toContain("…” is never closed");
  });

  it("decodes the entities Slack writes for & < > in plain and quoted text", () => {
    expect(tokenize('R&amp;D &lt;x&gt; &amp;lt; "a &amp; b"')).toEqual([
      word("R&D"),
      word("<x>"),
      word("&lt;"),
      word("a & b", true),
    ]);
  });
});

describe("tokenize: Slack's mentions, channels, emails and links", () => {
  it("reads user mentions with and without a name, including Enterprise Grid W ids", () => {
    expect(tokenize("<@U123ABC> <@U0456|alice> <@W99999>")).toEqual([
      { kind: "user", id: "U123ABC" },
      { kind: "user", id: "U0456" },
      { kind: "user", id: "W99999" },
    ]);
  });

  it("treats commas after people as separators, as in “@alice, @bob”", () => {
    expect(tokenize("<@U1AA>, <@U2BB>,<@U3CC> bob@x.io, carol@y.io")).toEqual([
      { kind: "user", id: "U1AA" },
      { kind: "user", id: "U2BB" },
      { kind: "user", id: "U3CC" },
      { kind: "email", value: "bob@x.io" },
      { kind: "email", value: "carol@y.io" },
    ]);
  });

  it("splits a mention from text written against it", () => {
    expect(tokenize("hi<@U1AA>there")).toEqual([word("hi"), { kind: "user", id: "U1AA" }, word("there")]);
  });

  it("reads channel links, keeping the name only when Slack sends one", () => {
    expect(tokenize("<#C123ABC|general> <#G99ZZ> <#C777|>")).toStrictEqual([
      { kind: "channel", id: "C123ABC", name: "general" },
      { kind: "channel", id: "G99ZZ" },
      { kind: "channel", id: "C777" },
    ]);
  });

  it("reads email addresses typed bare or escaped as mailto links; quoted, one is just text", () => {
    expect(tokenize('bob@example.com <mailto:Ann.Lee@corp.co.uk|Ann.Lee@corp.co.uk> "c@d.io"')).toEqual([
      { kind: "email", value: "bob@example.com" },
      { kind: "email", value: "Ann.Lee@corp.co.uk" },
      word("c@d.io", true),
    ]);
    expect(tokenize("@alice a@b")).toEqual([word("@alice"), word("a@b")]);
  });

  it("reads Slack's auto-links as the text the user typed", () => {
    expect(
      tokenize(
        "<http://roster.io|roster.io> <https://x.io/a?b=1&amp;c=2> <http://roster.io|Roster.io>'s <!date^1392734382^{date}|Feb 18, 2014>",
      ),
    ).toEqual([word("roster.io"), word("https://x.io/a?b=1&c=2"), word("Roster.io's"), word("Feb 18, 2014")]);
  });

  it("turns markup inside quotes into what the user saw, so quoted text never pings anyone", () => {
    expect(
      tokenize(
        '"Ask <@U1AA|alice> or <@U2BB> in <#C1AA|help>, <http://x.io|x.io>, <mailto:a@b.co|a@b.co>, <!here>"',
      ),
    ).toEqual([word("Ask @alice or @U2BB in #help, x.io, a@b.co, @here", true)]);
    expect(tokenize('"<!subteam^S1|@infra> team" "R&amp;D <@U1AA|al>"')).toEqual([
      word("@infra team", true),
      word("R&D @al", true),
    ]);
  });

  it("refuses user groups and @here, @channel, @everyone: people are named one by one", () => {
    expect(errorMessage(() => tokenize("add P <!subteam^S123|@infra>"))).toBe(
      "User groups like @infra can't be used to name people here; mention the people themselves.",
    );
    expect(errorMessage(() => tokenize("add P <!subteam^S123>"))).toBe(
      "User groups can't be used to name people here; mention the people themselves.",
    );
    for (const crowd of ["<!here>", "<!channel|channel>", "<!everyone>", "x=<!here>"]) {
      expect(errorMessage(() => tokenize(`add P ${crowd}`))).toBe(
        "Mentions like @here, @channel and @everyone can't be used here; mention the people themselves.",
      );
    }
  });

  it("refuses hand-typed look-alikes of mentions and channel links", () => {
    expect(errorMessage(() => tokenize("add P <@alice>"))).toBe(
      "Only a Slack mention names a person, and “@alice” is not one; type @ and pick the person from the list.",
    );
    expect(errorMessage(() => tokenize("create P channel=<#general>"))).toBe(
      "Only a Slack channel link names a channel, and “#general” is not one; type # and pick the channel from the list.",
    );
  });

  it("keeps a < that opens no markup as plain text (input that did not come through Slack)", () => {
    expect(tokenize("a < b > <foo> <x")).toEqual([
      word("a"),
      word("<"),
      word("b"),
      word(">"),
      word("<foo>"),
      word("<x"),
    ]);
  });
});

describe("tokenize: options", () => {
  const option = (key: string, value: string, valueToken: Token = word(value)): Token => ({
    kind: "option",
    key,
    value,
    valueToken,
  });

  it("reads key=value with the key lowercased up to its first dot", () => {
    expect(tokenize("TX=10k Meta.costCenter=42 meta.Region=eu policy=Open a-b_c.D=1")).toEqual([
      option("tx", "10k"),
      option("meta.costCenter", "42"),
      option("meta.Region", "eu"),
      option("policy", "Open"),
      option("a-b_c.D", "1"),
    ]);
  });

  it("reads quoted, smart-quoted, channel, user, email and link values", () => {
    expect(
      tokenize(
        'description="AI and ML" reason=”more please” channel=<#C1AA|ai> owner=<@U1AA|al> to=<mailto:b@c.io|b@c.io> e=b@c.io site=<http://x.io|x.io>',
      ),
    ).toEqual([
      option("description", "AI and ML", word("AI and ML", true)),
      option("reason", "more please", word("more please", true)),
      option("channel", "C1AA", { kind: "channel", id: "C1AA", name: "ai" }),
      option("owner", "U1AA", { kind: "user", id: "U1AA" }),
      option("to", "b@c.io", { kind: "email", value: "b@c.io" }),
      option("e", "b@c.io", { kind: "email", value: "b@c.io" }),
      option("site", "x.io"),
    ]);
  });

  it("keeps everything after the first = in the value, and reads non-keys as words", () => {
    expect(tokenize('a=b=c =x 1x=2 "k=v" model:gpt-4')).toEqual([
      option("a", "b=c"),
      word("=x"),
      word("1x=2"),
      word("k=v", true),
      word("model:gpt-4"),
    ]);
  });

  it("refuses an option with nothing after the =", () => {
    expect(errorMessage(() => tokenize("create P parent= x"))).toBe(
      'Give parent= a value, in quotes if it has spaces, like parent="…".',
    );
    expect(errorMessage(() => tokenize("create P parent="))).toBe(
      'Give parent= a value, in quotes if it has spaces, like parent="…".',
    );
  });
});

describe("tokenize: input of any shape", () => {
  it("refuses more than 4,000 characters, counting characters rather than UTF-16 units", () => {
    expect(errorMessage(() => tokenize("x".repeat(4001)))).toBe(
      "A command can be at most 4,000 characters, and this one has 4,001; shorten it.",
    );
    expect(errorMessage(() => tokenize("&".repeat(10_240)))).toContain("this one has 10,240");
    expect(tokenize("😀".repeat(4000))).toEqual([word("😀".repeat(4000))]);
  });

  it("refuses control characters and broken (lone surrogate) characters", () => {
    expect(errorMessage(() => tokenize("create a\u0000b"))).toBe(
      "The command contains an invisible control character (U+0000); remove it and send the command again.",
    );
    expect(errorMessage(() => tokenize("create \u001b[31m"))).toContain("(U+001B)");
    expect(errorMessage(() => tokenize("create a\ud800b"))).toBe(
      "The command contains a broken character (U+D800); retype that part and send the command again.",
    );
  });
});

describe("parseCommand", () => {
  it("takes the first bare word, lowercased, as the subcommand", () => {
    expect(parseCommand("  CREATE “AI Platform” policy=open")).toEqual({
      subcommand: "create",
      tokens: [
        word("AI Platform", true),
        { kind: "option", key: "policy", value: "open", valueToken: word("open") },
      ],
    });
    expect(parseCommand("role-create Auditor")).toEqual({
      subcommand: "role-create",
      tokens: [word("Auditor")],
    });
  });

  it("has no subcommand for empty text or text that starts with anything but a bare word", () => {
    expect(parseCommand("")).toEqual({ subcommand: null, tokens: [] });
    expect(parseCommand('"create" x')).toEqual({
      subcommand: null,
      tokens: [word("create", true), word("x")],
    });
    expect(parseCommand("<@U1AA> x").subcommand).toBeNull();
    expect(parseCommand("a=b").subcommand).toBeNull();
  });

  it("throws UsageError, which is an InvalidInput so the one error renderer shows it", () => {
    const error = usageErrorOf(() => parseCommand('"x'));
    expect(error).toBeInstanceOf(InvalidInput);
    expect(error.code).toBe("invalid_input");
    expect(error.name).toBe("UsageError");
  });
});

describe("Args", () => {
  it("lists positionals without options, and reads the n-th word skipping mentions", () => {
    const a = args('Platform <@U1AA> tx=5 "AI Lab" <#C1AA> admin');
    expect(a.usage).toBe(LIMIT_USAGE);
    expect(a.positionals().map((t) => t.kind)).toEqual(["word", "user", "word", "channel", "word"]);
    expect([a.word(0, "team"), a.word(1, "team"), a.word(2, "role")]).toEqual([
      "Platform",
      "AI Lab",
      "admin",
    ]);
    expect(a.optionalWord(3)).toBeUndefined();
    expect(errorMessage(() => a.word(3, "role"))).toBe(`Name the role: ${LIMIT_USAGE}.`);
  });

  it("collects mentioned users from a position on, each once", () => {
    const a = args("Platform <@U1AA> <@U2BB> <@U1AA> admin");
    expect(a.users()).toEqual(["U1AA", "U2BB"]);
    expect(a.users(2)).toEqual(["U2BB", "U1AA"]);
    expect(args("Platform").users(1)).toEqual([]);
  });

  it("refuses an email or a plain-text @name where only mentions name people", () => {
    expect(errorMessage(() => args("P bob@x.io").users(1))).toBe(
      `Mention people with @ here rather than by email address (“bob@x.io”): ${LIMIT_USAGE}.`,
    );
    expect(errorMessage(() => args("P <@U1AA> @bob").users(1))).toBe(
      `Pick “@bob” from the list Slack shows as you type @, so it becomes a mention: ${LIMIT_USAGE}.`,
    );
    expect(args('P "@bob"').users()).toEqual([]);
  });

  it("collects users and emails, each once regardless of the email's case", () => {
    expect(args("P <@U1AA> bob@x.io <mailto:Bob@X.io|Bob@X.io> <@U1AA> c@d.io").usersAndEmails(1)).toEqual({
      users: ["U1AA"],
      emails: ["bob@x.io", "c@d.io"],
    });
    expect(errorMessage(() => args("P @carol").usersAndEmails(1))).toContain("Pick “@carol”");
  });

  it("reads option values, ids for channels and users, and refuses an option given twice", () => {
    const a = args("P channel=<#C1AA|ai> owner=<@U1AA> parent=Eng");
    expect([a.option("channel"), a.option("owner"), a.option("parent"), a.option("nope")]).toEqual([
      "C1AA",
      "U1AA",
      "Eng",
      undefined,
    ]);
    expect(errorMessage(() => args("P policy=open policy=approval").option("policy"))).toBe(
      `Give policy= only once: ${LIMIT_USAGE}.`,
    );
  });

  it("reads prefixed options with the prefix stripped and the key's case kept", () => {
    const a = args('P Meta.costCenter=42 meta.Region="EU west" meta.__proto__=x tx=1');
    const meta = a.options("meta.");
    expect(meta).toEqual({ costCenter: "42", Region: "EU west", ["__proto__"]: "x" });
    expect(Object.getPrototypeOf(meta)).toBe(Object.prototype);
    expect(errorMessage(() => args("P meta.=1").options("meta."))).toBe(
      `Write a key after meta., like meta.<key>=<value>: ${LIMIT_USAGE}.`,
    );
    expect(errorMessage(() => args("P meta.a=1 meta.a=2").options("meta."))).toBe(
      `Give meta.a= only once: ${LIMIT_USAGE}.`,
    );
  });

  it("finds flags in any case, removes them from the positionals, and never takes a quoted word or a name", () => {
    const a = args("Platform <@U1AA> BUDGET");
    expect(a.flag("budget")).toBe(true);
    expect(a.flag("post")).toBe(false);
    expect(a.positionals()).toEqual([word("Platform"), { kind: "user", id: "U1AA" }]);
    expect(args('"budget"').flag("budget")).toBe(false);
    const named = args("budget budget");
    expect(named.word(0, "team")).toBe("budget");
    expect(named.flag("budget")).toBe(true);
    expect(named.positionals()).toEqual([word("budget")]);
  });

  it("reads whole numbers written the way people write token counts", () => {
    const a = args("tx=123 a=10k b=1.5m c=2M d=1_000 e=1,000,000 f=3b g=1.0 h=0.5k");
    const range = { min: 0, max: 1e12 };
    expect(["tx", "a", "b", "c", "d", "e", "f", "g", "h"].map((k) => a.int(k, range))).toEqual([
      123, 10_000, 1_500_000, 2_000_000, 1000, 1_000_000, 3_000_000_000, 1, 500,
    ]);
    expect(a.int("missing", range)).toBeUndefined();
  });

  it.each(["abc", "1.5", "1.2345k", "1,00", "10kk", "1e6", "<@U1AA>"])(
    "refuses %s as a whole number, naming the key and an example",
    (value) => {
      expect(errorMessage(() => args(`P tx=${value}`).int("tx", { min: 0, max: 1e12 }))).toMatch(
        /^Give tx= a whole number like tx=10k, not “.+”: \/team limit/,
      );
    },
  );

  it("refuses numbers out of range, saying the range", () => {
    expect(errorMessage(() => args("P page=0").int("page", { min: 1, max: 100_000 }))).toBe(
      `Give page= a whole number from 1 to 100,000, not “0”: ${LIMIT_USAGE}.`,
    );
    expect(errorMessage(() => args("P page=x").int("page", { min: 1, max: 100 }))).toContain("like page=1,");
    expect(errorMessage(() => args("P tx=-5").int("tx", { min: 0, max: 10 }))).toContain("from 0 to 10");
    expect(errorMessage(() => args(`P tx=${"9".repeat(400)}`).int("tx", { min: 0, max: 10 }))).toContain(
      "…”",
    );
  });

  it("reads one of a fixed set of values in any case, returning its canonical spelling", () => {
    const policies = ["open", "approval", "invite_only"] as const;
    expect(args("P policy=Invite_Only").oneOf("policy", policies)).toBe("invite_only");
    expect(args("P").oneOf("policy", policies)).toBeUndefined();
    expect(errorMessage(() => args("P policy=closed", CREATE_USAGE).oneOf("policy", policies))).toBe(
      `Give policy= one of open, approval or invite_only, not “closed”: ${CREATE_USAGE}.`,
    );
  });

  it("refuses options a command doesn't take, listing those it does", () => {
    const a = args("P colour=red", CREATE_USAGE);
    expect(errorMessage(() => a.expectOnly(["parent", "policy", "meta.*"], 1))).toBe(
      "There is no option “colour=” for /team create; it accepts parent=, policy= or meta.<key>=.",
    );
    expect(errorMessage(() => args("P x=1", "/team info <team>").expectOnly([], 1))).toBe(
      "This command takes no options, so remove “x=”: /team info <team>.",
    );
    expect(errorMessage(() => args("P meta.=1").expectOnly(["meta.*"], 1))).toContain(
      "Write a key after meta.",
    );
    expect(errorMessage(() => args("P tx=1 TX=2").expectOnly(["tx"], 1))).toBe(
      `Give tx= only once: ${LIMIT_USAGE}.`,
    );
    expect(() => args("P meta.a=1 meta.b=2 tx=1").expectOnly(["tx", "meta.*"], 1)).not.toThrow();
  });

  it("refuses more positionals than a command takes, naming the first one too many", () => {
    expect(errorMessage(() => args("P <@U1AA> extra").expectOnly([], 2))).toBe(
      `Unexpected “extra”; write the command like this: ${LIMIT_USAGE}.`,
    );
    expect(errorMessage(() => args("P <@U1AA>").expectOnly([], 1))).toBe(
      `Unexpected <@U1AA>; write the command like this: ${LIMIT_USAGE}.`,
    );
    const flagged = args("P <@U1AA> budget");
    flagged.flag("budget");
    expect(() => flagged.expectOnly([], 2)).not.toThrow();
  });
});

// ---------------------------------------------------------------------------------------------
// Properties

const SPACES = [" ", "  ", "\t", "\n", "\r\n", "\u0085", "\u00a0", "\u3000", "\u2003", "\u202f"];
const QUOTE_PAIRS: [string, string][] = [
  ['"', '"'],
  ["“", "”"],
  ["”", "”"],
  ["„", "“"],
  ["'", "'"],
  ["‘", "’"],
];
const NOT_BARE = /[\s\p{White_Space}\p{Cc}\p{Cs}@]/u;
const KEY_PREFIX = /^[A-Za-z][A-Za-z0-9._-]*=/;

/** How Slack writes user text with should_escape on. */
const slackEscape = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const quote = (value: string, [open, close] = ['"', '"']) =>
  open + slackEscape(value.replace(/[\\"“”„'‘’]/g, "\\$&")) + close;
const normaliseKey = (key: string) => key.replace(/^[^.]*/, (head) => head.toLowerCase());

const text = fc
  .string({ unit: "grapheme", maxLength: 30 })
  .filter((s) => !/[\p{Cc}\p{Cs}]/u.test(s.replace(/[\t\n\r]/g, "")));
const bareText = fc
  .string({ unit: "grapheme", minLength: 1, maxLength: 12 })
  .filter((s) => !NOT_BARE.test(s) && !`"“”„'‘’`.includes(s[0]) && !KEY_PREFIX.test(s));
const id = (first: string) => fc.stringMatching(new RegExp(`^${first}[A-Z0-9]{2,11}$`));
const labelText = fc.string({ maxLength: 10 }).filter((s) => !/[\p{Cc}|]/u.test(s));
const emailText = fc
  .tuple(fc.stringMatching(/^[a-z0-9._+-]{1,10}$/), fc.stringMatching(/^[a-z0-9-]{1,8}(\.[a-z]{2,4}){1,2}$/))
  .map(([local, domain]) => `${local}@${domain}`);

interface Part {
  source: string;
  token: Token;
}
const wordPart = fc.oneof(
  bareText.map((value): Part => ({ source: slackEscape(value), token: word(value) })),
  fc
    .tuple(text, fc.constantFrom(...QUOTE_PAIRS))
    .map(([value, pair]): Part => ({ source: quote(value, pair), token: word(value, true) })),
);
const userPart = fc.tuple(id("[UW]"), fc.option(labelText)).map(([userId, label]): Part => ({
  source: label === null ? `<@${userId}>` : `<@${userId}|${slackEscape(label)}>`,
  token: { kind: "user", id: userId },
}));
const channelPart = fc.tuple(id("[CG]"), fc.option(labelText)).map(([channelId, name]): Part => ({
  source: name === null ? `<#${channelId}>` : `<#${channelId}|${slackEscape(name)}>`,
  token: name ? { kind: "channel", id: channelId, name } : { kind: "channel", id: channelId },
}));
const emailPart = fc.tuple(emailText, fc.boolean()).map(([email, linked]): Part => ({
  source: linked ? `<mailto:${email}|${email}>` : email,
  token: { kind: "email", value: email },
}));
const valuePart = fc.oneof(wordPart, userPart, channelPart, emailPart);
const optionPart = fc
  .tuple(fc.stringMatching(/^[A-Za-z][A-Za-z0-9._-]{0,12}$/), valuePart)
  .map(([key, value]): Part => ({
    source: `${key}=${value.source}`,
    token: {
      kind: "option",
      key: normaliseKey(key),
      value:
        value.token.kind === "user" || value.token.kind === "channel"
          ? value.token.id
          : (value.token as { value: string }).value,
      valueToken: value.token,
    },
  }));
const partsArb = fc.array(fc.oneof(wordPart, userPart, channelPart, emailPart, optionPart), { maxLength: 8 });
const spaceArb = fc.array(fc.constantFrom(...SPACES), { minLength: 1, maxLength: 3 }).map((s) => s.join(""));

/** Writes tokens back as Slack would send them, every word quoted. */
function render(token: Token): string {
  switch (token.kind) {
    case "word":
      return quote(token.value);
    case "user":
      return `<@${token.id}>`;
    case "channel":
      return token.name === undefined ? `<#${token.id}>` : `<#${token.id}|${slackEscape(token.name)}>`;
    case "email":
      return token.value;
    case "option":
      return `${token.key}=${render(token.valueToken)}`;
  }
}
const allQuoted = (tokens: Token[]): Token[] =>
  tokens.map((t) =>
    t.kind === "word"
      ? { ...t, quoted: true }
      : t.kind === "option"
        ? { ...t, valueToken: allQuoted([t.valueToken])[0] }
        : t,
  );

/** Slack-shaped noise: the fragments the grammar cares about, in any order. */
// prettier-ignore
const FRAGMENTS = [
  "a", "Zz", "x=", "=", "meta.K=", '"', "“", "”", "'", "’", "\\", "<", ">", "|", "@", "#", "!", ",", "&amp;",
  "&lt;", "&", ";", " ", "\u00a0", "\u0085", "\n", "<@U1AB>", "<@U1AB|al>", "<@", "<#C1AB|x>", "<#",
  "<mailto:a@b.co|a@b.co>", "mailto:", "<http://x.io|x.io>", "http:", "<!here>", "<!subteam^S1|@g>", "<!date^1|d>",
  "a@b.co", "10k", "1,000", "😀", "\u0301", "\u200b",
];
const noise = fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 25 }).map((f) => f.join(""));
const dirtyNoise = fc
  .array(fc.constantFrom(...FRAGMENTS, "\ud800", "\udc00", "\u0000", "\u007f"), { maxLength: 25 })
  .map((f) => f.join(""));
const loneSurrogates = fc.string({
  unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
});

/**
 * Tokenizes, or checks the refusal is a UsageError sentence. Plain checks rather than `expect`,
 * which would cost most of the time of thousands of runs.
 */
function parsesOrRefuses(input: string): Token[] | undefined {
  try {
    return tokenize(input);
  } catch (error) {
    checkRefusal(error);
    // Echoed input must never become Slack markup in the reply.
    if (/<[!#@]/.test((error as Error).message)) throw new Error(`markup in: ${(error as Error).message}`);
    return undefined;
  }
}

function checkRefusal(error: unknown): void {
  if (!(error instanceof UsageError)) throw error;
  if (!/^[A-Z][^]*\.$/.test(error.message) || error.message.length >= 300) {
    throw new Error(`not one short sentence: ${error.message}`);
  }
}

describe("properties", () => {
  const runs = { numRuns: 2000 };

  it("any string either parses or is refused with a UsageError sentence", () => {
    for (const arb of [
      fc.string(),
      fc.string({ unit: "grapheme" }),
      fc.string({ unit: "binary" }),
      loneSurrogates,
      dirtyNoise,
    ]) {
      fc.assert(
        fc.property(arb, (input) => {
          const tokens = parsesOrRefuses(input);
          if (!tokens) return;
          const parsed = parseCommand(input);
          const again = parsed.subcommand === null ? parsed.tokens : [tokens[0], ...parsed.tokens];
          return isDeepStrictEqual(again, tokens);
        }),
        runs,
      );
    }
  });

  it("large garbage is refused by its length, and near the cap it still parses or refuses cleanly", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", minLength: 4001, maxLength: 10_240 }), (input) => {
        expect(usageErrorOf(() => tokenize(input)).message).toMatch(/^A command can be at most 4,000/);
      }),
      { numRuns: 50 },
    );
    fc.assert(
      fc.property(fc.array(noise, { minLength: 150, maxLength: 200 }), (chunks) => {
        parsesOrRefuses(chunks.join(""));
      }),
      {
        numRuns: 50,
      },
    );
  });

  it("commands built from parts parse back to exactly those parts", () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z][a-z-]{0,10}$/),
        partsArb,
        spaceArb,
        spaceArb,
        (sub, parts, gap, edge) => {
          const source = [sub.toUpperCase(), ...parts.map((p) => p.source)].join(gap);
          expect(parseCommand(edge + source + edge)).toStrictEqual({
            subcommand: sub,
            tokens: parts.map((p) => p.token),
          });
        },
      ),
      runs,
    );
  });

  it("whatever parses, written back as Slack would send it, parses to the same tokens", () => {
    fc.assert(
      fc.property(fc.oneof(noise, fc.string({ unit: "grapheme" })), (input) => {
        const tokens = parsesOrRefuses(input);
        if (tokens)
          expect(allQuoted(tokenize(tokens.map(render).join(" ")))).toStrictEqual(allQuoted(tokens));
      }),
      runs,
    );
  });

  it("Args accessors either answer or throw a UsageError sentence, whatever the tokens", () => {
    const keys = fc.constantFrom("tx", "policy", "meta.", "a", "x");
    fc.assert(
      fc.property(
        fc.oneof(
          noise,
          partsArb.map((p) => p.map((x) => x.source).join(" ")),
        ),
        keys,
        fc.nat(3),
        (input, key, n) => {
          const tokens = parsesOrRefuses(input);
          if (!tokens) return;
          const a = new Args(tokens, LIMIT_USAGE);
          const calls = [
            () => a.word(n, "team"),
            () => a.optionalWord(n),
            () => a.users(n),
            () => a.usersAndEmails(n),
            () => a.option(key),
            () => a.options(key),
            () => a.flag("budget"),
            () => a.int(key, { min: 0, max: 1e9 }),
            () => a.oneOf(key, ["open", "approval"]),
            () => a.expectOnly(["tx", "meta.*"], n),
          ];
          for (const call of calls) {
            try {
              call();
            } catch (error) {
              checkRefusal(error);
            }
          }
        },
      ),
      runs,
    );
  });
});

describe("regressions found by the property tests", () => {
  it("reads a key written partly through Slack markup the way it reads back", () => {
    // Counterexample of "whatever parses … parses to the same tokens": once an email, once an option.
    expect(tokenize("<!date^1|d>x=a@b.co")).toMatchObject([{ kind: "option", key: "dx", value: "a@b.co" }]);
  });
});
