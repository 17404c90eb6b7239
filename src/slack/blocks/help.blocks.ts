import type { Reply } from "../reply";
import type { Subcommand } from "../commands/subcommand";
import { context, header, section } from "./common";

export function helpBlocks(subcommands: Subcommand[]): Reply {
  const lines = subcommands.map((s) => `\`/team ${s.name}\` ${s.summary}`);
  // Sections hold 3,000 characters: split the list into a few.
  const chunks: string[] = [];
  for (const line of lines) {
    const last = chunks.at(-1);
    if (last !== undefined && last.length + line.length + 1 < 2900)
      chunks[chunks.length - 1] = `${last}\n${line}`;
    else chunks.push(line);
  }
  return {
    text: "Roster commands: /team help <command> for details.",
    blocks: [
      header("Roster: run your teams from Slack"),
      ...chunks.map((chunk) => section(chunk)),
      context(
        'Teams with spaces go in quotes (`"AI Platform"`), people are @mentions, options are `key=value`. `/team help <command>` for details.',
      ),
    ],
  };
}

export function subcommandHelpBlocks(subcommand: Subcommand): Reply {
  return {
    text: `Usage: ${subcommand.usage}`,
    blocks: [
      section(`*/team ${subcommand.name}*: ${subcommand.summary}\n\`${subcommand.usage}\``),
      ...(subcommand.details ?? []).map((d) => section(d)),
    ],
  };
}
