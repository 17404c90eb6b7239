import { textReply } from "../reply";
import type { Subcommand } from "./subcommand";

/** A subcommand whose capability hasn't shipped yet: a clear answer rather than "unknown command". */
export function notYetAvailable(name: string, usage: string, summary: string): Subcommand {
  return {
    name,
    usage,
    summary: `${summary} (not yet available)`,
    run: async () =>
      textReply(`:construction: \`/team ${name}\` is not yet available in this version of Roster.`),
  };
}
