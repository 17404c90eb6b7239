import type { ActionsBlock, Button, ContextBlock, HeaderBlock, KnownBlock, SectionBlock } from "@slack/types";

/**
 * Small Block Kit builders that keep every message inside Slack's limits: 3,000 characters in a
 * section, 150 in a header, 75 in a button label, 2,000 in a button value, 50 blocks a message.
 */
export const LIMITS = {
  section: 3000,
  header: 150,
  buttonText: 75,
  buttonValue: 2000,
  messageBlocks: 50,
  viewBlocks: 100,
};

export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Escapes the three characters Slack's mrkdwn treats as markup, for text users typed. */
export function escapeText(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export function header(text: string): HeaderBlock {
  return { type: "header", text: { type: "plain_text", text: clip(text, LIMITS.header), emoji: true } };
}

export function section(markdown: string, accessory?: Button): SectionBlock {
  return {
    type: "section",
    text: { type: "mrkdwn", text: clip(markdown, LIMITS.section) },
    ...(accessory && { accessory }),
  };
}

export function fields(pairs: [label: string, value: string][]): SectionBlock {
  return {
    type: "section",
    fields: pairs
      .slice(0, 10)
      .map(([label, value]) => ({ type: "mrkdwn", text: clip(`*${label}*\n${value}`, 2000) })),
  };
}

export function context(markdown: string): ContextBlock {
  return { type: "context", elements: [{ type: "mrkdwn", text: clip(markdown, LIMITS.section) }] };
}

export function divider(): KnownBlock {
  return { type: "divider" };
}

export function button(
  text: string,
  actionId: string,
  value: string,
  style?: "primary" | "danger",
  confirm?: { title: string; text: string; confirm: string },
): Button {
  if (value.length > LIMITS.buttonValue)
    throw new Error(`button value over ${LIMITS.buttonValue} characters`);
  return {
    type: "button",
    text: { type: "plain_text", text: clip(text, LIMITS.buttonText), emoji: true },
    action_id: actionId,
    value,
    ...(style && { style }),
    ...(confirm && {
      confirm: {
        title: { type: "plain_text", text: clip(confirm.title, 100) },
        text: { type: "mrkdwn", text: clip(confirm.text, 300) },
        confirm: { type: "plain_text", text: clip(confirm.confirm, 30) },
        deny: { type: "plain_text", text: "Cancel" },
      },
    }),
  };
}

export function actions(blockId: string, elements: Button[]): ActionsBlock {
  return { type: "actions", block_id: blockId, elements: elements.slice(0, 25) };
}

/** `<@U123>`: Slack renders it as the person's name. */
export function mention(userId: string): string {
  return `<@${userId}>`;
}

export function channelLink(channelId: string): string {
  return `<#${channelId}>`;
}

/** A date Slack shows in the reader's own time zone. */
export function slackDate(epochMs: number, format = "{date_short}"): string {
  const seconds = Math.floor(epochMs / 1000);
  return `<!date^${seconds}^${format}|${new Date(epochMs).toISOString().slice(0, 10)}>`;
}

/** "1 member", "3 members". */
export function plural(count: number, noun: string, pluralNoun = `${noun}s`): string {
  return `${count.toLocaleString("en-US")} ${count === 1 ? noun : pluralNoun}`;
}

/** Team names are written back quoted when they contain spaces, ready to paste into a command. */
export function commandName(name: string): string {
  return /\s/.test(name) ? `"${name}"` : name;
}

/** Keeps a message within Slack's 50 blocks, saying what was left out rather than failing. */
export function fitBlocks(blocks: KnownBlock[], max = LIMITS.messageBlocks): KnownBlock[] {
  if (blocks.length <= max) return blocks;
  return [...blocks.slice(0, max - 1), context(`…and ${blocks.length - max + 1} more blocks not shown.`)];
}
