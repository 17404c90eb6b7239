import { InvalidInput } from "../../domain/errors";
import type { Reply } from "../reply";
import { Args, parseCommand } from "./grammar";
import type { SubcommandInput } from "./subcommand";
import { findSubcommand } from "./subcommands";
import { clip } from "./usage-error";

export type DispatchInput = Omit<SubcommandInput, "args">;

/**
 * Parses `/team <text>` and runs the subcommand it names. Shared by the slash command and by
 * Confirm buttons, which replay the confirmed command text through here. `changed` says whether it
 * changed anything: only then do the App Homes of the people it names, and synced Slack groups,
 * need bringing up to date.
 */
export async function dispatch(
  input: DispatchInput,
): Promise<{ reply: Reply | undefined; mentioned: string[]; changed: boolean }> {
  const { subcommand: name, tokens } = parseCommand(input.text);
  const subcommand = findSubcommand(name ?? "help");
  if (!subcommand) {
    throw new InvalidInput(`There is no /team ${clip(name ?? "")}; /team help lists every command.`);
  }
  const full = { ...input, args: new Args(tokens, subcommand.usage) };
  const { result: reply, committed } = await input.deps.db.watchCommits(() => subcommand.run(full));
  const mentioned = tokens.flatMap((t) =>
    t.kind === "user" ? [t.id] : t.kind === "option" && t.valueToken.kind === "user" ? [t.valueToken.id] : [],
  );
  return { reply, mentioned, changed: committed };
}
