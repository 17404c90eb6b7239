import { keyCreatedReply, keyListReply, keyRevokedReply } from "../blocks/api-key.blocks";
import type { Subcommand } from "./subcommand";
import { clip, UsageError } from "./usage-error";

const USAGE = "/team key create|list|revoke <team> [<name>]";

/**
 * `/team key create <team> <name>` · `/team key list <team>` · `/team key revoke <team> <name>`:
 * the API keys the AI platform uses (keys:manage). A new key is shown once, in this reply only.
 */
export const teamKey: Subcommand = {
  name: "key",
  usage: USAGE,
  summary: "API keys for the AI platform: create (shown once), list, revoke.",
  details: [
    "`/team key create <team> <name>` makes a key and shows it once; copy it then.",
    "`/team key list <team>` shows each key's name and first characters, never the key.",
    "`/team key revoke <team> <name>` stops a key at once.",
  ],
  async run({ args, actor, deps }) {
    const action = args.optionalWord(0)?.toLowerCase();
    if (action === "create") {
      args.expectOnly([], 3);
      const team = args.word(1, "team");
      const name = args.word(2, "key's name");
      const created = await deps.services.apiKeys.create(actor, team, name);
      return keyCreatedReply(created.team, created.summary.name, created.key);
    }
    if (action === "list") {
      args.expectOnly([], 2);
      const { team, keys } = await deps.services.apiKeys.list(actor, args.word(1, "team"));
      return keyListReply(team, keys);
    }
    if (action === "revoke") {
      args.expectOnly([], 3);
      const team = args.word(1, "team");
      const name = args.word(2, "key's name");
      const revoked = await deps.services.apiKeys.revoke(actor, team, name);
      return keyRevokedReply(revoked.team, revoked.key);
    }
    const problem =
      action === undefined ? "Say what to do with keys" : `There is no /team key ${clip(action)}`;
    throw new UsageError(`${problem}: ${USAGE}, like /team key create Platform ci-bot.`);
  },
};
