import { InvalidInput } from "../../domain/errors";
import type { Reply } from "../reply";
import { Args, parseCommand } from "./grammar";
import type { SubcommandInput } from "./subcommand";
import { findSubcommand } from "./subcommands";
import { clip } from "./usage-error";

export type DispatchInput = Omit<SubcommandInput, "args">;

/**
 * Parses `/team <text>` and runs the subcommand it names. Shared by the slash command and by
 * Confirm buttons, which replay the confirmed command text through here.
 */
export async function dispatch(
  input: DispatchInput,
): Promise<{ reply: Reply | undefined; mentioned: string[] }> {
  const { subcommand: name, tokens } = parseCommand(input.text);
  const subcommand = findSubcommand(name ?? "help");
  if (!subcommand) {
    throw new InvalidInput(`There is no /team ${clip(name ?? "")}; /team help lists every command.`);
  }
  const full = { ...input, args: new Args(tokens, subcommand.usage) };
  const reply = await subcommand.run(full);
  const mentioned = tokens.flatMap((t) =>
    t.kind === "user" ? [t.id] : t.kind === "option" && t.valueToken.kind === "user" ? [t.valueToken.id] : [],
  );
  return { reply, mentioned };
}
