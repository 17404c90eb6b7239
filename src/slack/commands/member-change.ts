import type { TeamEntity } from "../../../entities";
import type { Actor } from "../../services/actor";
import type { SlackDeps } from "../deps";
import type { Args } from "./grammar";
import { clip, UsageError } from "./usage-error";

/** expectOnly's cap on positionals: the member service itself says how many people one change may name. */
export const MAX_POSITIONALS = 1_000;

type Members = Awaited<ReturnType<SlackDeps["services"]["members"]["list"]>>["members"];
export type Member = Members[number];

/** A team and its members by user id, as they are before a change. */
export interface MemberState {
  team: TeamEntity;
  byUser: Map<string, Member>;
}

/**
 * The people a member command names. Its first `words` positionals are names (teams, a role);
 * every other one must be an @mention: emails and "@text" are refused by `args.users()`, and a
 * stray word is refused here rather than silently ignored.
 */
export function namedUsers(args: Args, words: number): string[] {
  const users = args.users();
  const others = args.positionals().filter((t) => t.kind !== "user");
  const extra = others[words];
  if (extra) {
    const shown =
      extra.kind === "channel" ? `<#${extra.id}>` : `“${clip("value" in extra ? extra.value : "")}”`;
    throw new UsageError(`Unexpected ${shown}; name people as @mentions: ${args.usage}.`);
  }
  if (users.length === 0) throw new UsageError(`Name at least one person as an @mention: ${args.usage}.`);
  return users;
}

/** The team's members right now (team:view), read to say what a change will do or did. */
export async function memberState(deps: SlackDeps, actor: Actor, teamName: string): Promise<MemberState> {
  const { team, members } = await deps.services.members.list(actor, teamName);
  return { team, byUser: new Map(members.map((m) => [m.userId, m])) };
}
