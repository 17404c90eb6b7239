import type { UpdateTeamInput } from "../../services/team.service";
import { settingsView, teamUpdatedReply } from "../blocks/team-admin.blocks";
import type { Subcommand } from "./subcommand";
import { UsageError } from "./usage-error";

const KEYS = ["name", "description", "parent", "channel", "policy", "visibility", "sharing", "meta.*"];
const POLICIES = ["open", "approval", "invite_only"] as const;
const VISIBILITY = ["organization", "private"] as const;
const SHARING = ["all_members", "admins_only"] as const;

/** `none` (any case) clears a parent or channel. */
function orNone(value: string | undefined): string | null | undefined {
  return value !== undefined && value.toLowerCase() === "none" ? null : value;
}

/** `/team set <team> <key>=<value>…`: every change in one update, all or nothing. */
export const teamSet: Subcommand = {
  name: "set",
  usage: "/team set <team> <key>=<value>…",
  summary: "Change a team's name, description, parent, channel, policy, visibility, sharing or metadata.",
  details: [
    "Keys: `name=`, `description=`, `parent=<team>` (`parent=none`: top level), `channel=#channel` (`channel=none`), " +
      "`policy=open|approval|invite_only`, `visibility=organization|private`, `sharing=all_members|admins_only`, " +
      '`meta.<key>=<value>` (`meta.<key>=""` removes the key).',
    'Example: `/team set "AI Platform" policy=approval meta.costCenter=4711 channel=#ai-platform`',
  ],
  async run({ args, actor, deps }) {
    args.expectOnly(KEYS, 1);
    const name = args.word(0, "team");
    const meta = Object.entries(args.options("meta."));
    const changes: UpdateTeamInput = {
      name: args.option("name"),
      description: args.option("description"),
      parent: orNone(args.option("parent")),
      channelId: orNone(args.option("channel")),
      joinPolicy: args.oneOf("policy", POLICIES),
      visibility: args.oneOf("visibility", VISIBILITY),
      resourceSharing: args.oneOf("sharing", SHARING),
      ...(meta.length > 0 && {
        metadata: Object.fromEntries(meta.map(([key, value]) => [key, value === "" ? null : value])),
      }),
    };
    if (Object.values(changes).every((v) => v === undefined)) {
      throw new UsageError(
        `Say what to change, like policy=approval or meta.costCenter=4711: ${args.usage}.`,
      );
    }
    const before = await deps.services.teams.get(actor, name);
    const updated = await deps.services.teams.update(actor, name, changes);
    let parentName = before.parent?.name ?? null;
    if (updated.parentId !== before.team.parentId) {
      // The new parent's name as stored, not as typed.
      parentName =
        updated.parentId === null
          ? null
          : ((await deps.services.teams.get(actor, updated.name)).parent?.name ?? null);
    }
    return teamUpdatedReply(
      settingsView(before.team, before.parent?.name ?? null),
      settingsView(updated, parentName),
    );
  },
};
