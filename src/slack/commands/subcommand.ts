import type { WebClient } from "@slack/web-api";
import type { Actor } from "../../services/actor";
import type { SlackDeps } from "../deps";
import type { Reply } from "../reply";
import type { Args } from "./grammar";

/** What a subcommand handler gets: who asked, their parsed words, and the Slack context it may need. */
export interface SubcommandInput {
  actor: Actor;
  args: Args;
  deps: SlackDeps;
  client: WebClient;
  /** For opening a modal (valid for 3 seconds after the command). */
  triggerId: string;
  channelId: string;
  /** The whole command text after `/team`, as typed (a Confirm button carries it). */
  text: string;
  /** True when the user has pressed Confirm on this command's preview. */
  confirmed: boolean;
}

/**
 * One `/team` subcommand. `run` parses its arguments with `args`, calls one service, and returns
 * the reply (or undefined after opening a modal). Domain errors thrown by it become the reply.
 */
export interface Subcommand {
  name: string;
  usage: string;
  summary: string;
  /** Extra lines for `/team help <name>`: options, examples. */
  details?: string[];
  run(input: SubcommandInput): Promise<Reply | undefined>;
}
