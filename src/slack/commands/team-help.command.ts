import { helpBlocks, subcommandHelpBlocks } from "../blocks/help.blocks";
import { InvalidInput } from "../../domain/errors";
import type { Subcommand } from "./subcommand";
import { SUBCOMMANDS } from "./subcommands";
import { clip } from "./usage-error";

export const teamHelp: Subcommand = {
  name: "help",
  usage: "/team help [command]",
  summary: "Every command, or one command in detail.",
  async run({ args }) {
    args.expectOnly([], 1);
    const name = args.optionalWord(0)?.toLowerCase();
    if (!name) return helpBlocks(SUBCOMMANDS);
    const subcommand = SUBCOMMANDS.find((s) => s.name === name);
    if (!subcommand)
      throw new InvalidInput(`There is no /team ${clip(name)}; /team help lists every command.`);
    return subcommandHelpBlocks(subcommand);
  },
};
