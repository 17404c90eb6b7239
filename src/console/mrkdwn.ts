/*
 * Slack's mrkdwn as terminal text: *bold*, _italic_, ~strike~, `code`, > quotes, :emoji:, and the
 * <@U…>, <#C…>, <!date^…|…> and <url|label> references turned back into what a Slack client shows.
 */
import type { RenderOptions } from "./render";

const ANSI = {
  bold: [1, 22],
  dim: [2, 22],
  italic: [3, 23],
  underline: [4, 24],
  strike: [9, 29],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  cyan: [36, 39],
  magenta: [35, 39],
} as const;

export type Style = keyof typeof ANSI;

export function paint(color: boolean, styles: Style | Style[], text: string): string {
  if (!color || text === "") return text;
  const list = Array.isArray(styles) ? styles : [styles];
  return list.reduce((inner, style) => {
    const [on, off] = ANSI[style].map((code) => `\u001b[${code}m`);
    // Bold and dim share one reset: a bold name inside a dim line must not end the dimming.
    return `${on}${inner.split(off).join(`${off}${on}`)}${off}`;
  }, text);
}

// The emoji Roster's messages use, and a few common ones; the rest stay as :shortcodes:.
export const EMOJI: Record<string, string> = {
  white_check_mark: "✅",
  heavy_check_mark: "✔️",
  x: "❌",
  no_entry: "⛔",
  no_entry_sign: "🚫",
  warning: "⚠️",
  lock: "🔒",
  construction: "🚧",
  wastebasket: "🗑️",
  tada: "🎉",
  wave: "👋",
  bell: "🔔",
  hourglass: "⌛",
  hourglass_flowing_sand: "⏳",
  bar_chart: "📊",
  chart_with_upwards_trend: "📈",
  email: "📧",
  envelope: "✉️",
  key: "🔑",
  busts_in_silhouette: "👥",
  bust_in_silhouette: "👤",
  information_source: "ℹ️",
  arrow_right: "➡️",
  red_circle: "🔴",
  large_green_circle: "🟢",
  large_yellow_circle: "🟡",
  crown: "👑",
  rocket: "🚀",
};

function decodeEntities(text: string): string {
  return text.replace(/&(amp|lt|gt);/g, (_, n: string) => (n === "amp" ? "&" : n === "lt" ? "<" : ">"));
}

/** `<@U1>`, `<#C1|x>`, `<!date^…|fallback>`, `<url|label>`: what a Slack client shows for each. */
function reference(inner: string, opts: RenderOptions): string {
  const bar = inner.indexOf("|");
  const target = bar < 0 ? inner : inner.slice(0, bar);
  const label = bar < 0 ? "" : decodeEntities(inner.slice(bar + 1));
  const mention = (text: string) => paint(opts.color, "bold", text);
  if (target.startsWith("@"))
    return mention(`@${opts.names.user(target.slice(1)) ?? (label || target.slice(1))}`);
  if (target.startsWith("#"))
    return mention(`#${opts.names.channel(target.slice(1)) ?? (label || target.slice(1))}`);
  if (target.startsWith("!")) {
    const special = target.slice(1);
    if (/^(here|channel|everyone)$/.test(special)) return mention(`@${special}`);
    if (special.startsWith("subteam^")) return mention(label || "@group");
    return label || special;
  }
  const address = decodeEntities(target);
  if (address.startsWith("mailto:")) return label || address.slice("mailto:".length);
  if (!label || label === address) return paint(opts.color, "underline", address);
  return `${paint(opts.color, "underline", label)}${paint(opts.color, "dim", ` (${address})`)}`;
}

/** Slack mrkdwn (*bold*, _italic_, ~strike~, `code`, > quotes, <references>, :emoji:) as text. */
export function mrkdwn(text: string, opts: RenderOptions): string {
  const parts = text.split(/(```[\s\S]*?```|`[^`\n]+`)/);
  return parts
    .map((part, index) => {
      if (index % 2 === 1) {
        const fence = part.startsWith("```");
        const inner = decodeEntities(fence ? part.slice(3, -3).replace(/^\n|\n$/g, "") : part.slice(1, -1));
        if (fence)
          return inner
            .split("\n")
            .map((line) => `  ${paint(opts.color, "cyan", line)}`)
            .join("\n");
        return opts.color ? paint(true, "cyan", inner) : `\`${inner}\``;
      }
      return inline(part, opts);
    })
    .join("");
}

function inline(text: string, opts: RenderOptions): string {
  // References become placeholders first, so a name with an underscore is never read as italics.
  const saved: string[] = [];
  const keep = (value: string) => `\uE000${saved.push(value) - 1}\uE000`;
  let out = text.replace(/<([^<>\s][^<>]*)>/g, (_, inner: string) => keep(reference(inner, opts)));
  out = out.replace(/:([a-z0-9_+-]+):/g, (whole, name: string) => EMOJI[name] ?? whole);
  const wrap = (marker: string) =>
    new RegExp(`(^|[^\\w${marker}])\\${marker}(?=\\S)([^${marker}\\n]*?\\S)\\${marker}(?!\\w)`, "g");
  const styled = (style: Style) => (_: string, before: string, inner: string) =>
    `${before}${paint(opts.color, style, inner)}`;
  out = out.replace(wrap("*"), styled("bold"));
  out = out.replace(wrap("_"), styled("italic"));
  out = out.replace(wrap("~"), styled("strike"));
  out = out.replace(/^&gt; ?/gm, paint(opts.color, "dim", "│ "));
  out = decodeEntities(out);
  return out.replace(/\uE000(\d+)\uE000/g, (_, i: string) => saved[Number(i)]);
}
