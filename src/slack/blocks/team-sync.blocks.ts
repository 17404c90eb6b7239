import type { TeamEntity } from "../../../entities";
import type { Reply } from "../reply";
import { type ChannelPlan, noGroupsReason, type SyncOutcome, type SyncPlan } from "../team-sync-plan";
import { channelLink, commandName, escapeText, mention, plural, section } from "./common";

// People listed by name in one line; the rest are counted.
const NAMED = 40;

/** "<@A>, <@B> and 3 more". */
function some(users: string[]): string {
  const named = users.slice(0, NAMED).map(mention);
  const more = users.length - named.length;
  if (more > 0) return `${named.join(", ")} and ${more} more`;
  return named.length < 2 ? named.join("") : `${named.slice(0, -1).join(", ")} and ${named.at(-1)}`;
}

function teamName(team: TeamEntity): string {
  return `*${escapeText(team.name)}*`;
}

function group(handle: string): string {
  return `\`@${handle}\``;
}

/** The sentence that says what happens after the sync, in the preview and the reply. */
function afterwards(plan: SyncPlan, when: "From then on" | "From now on"): string {
  const { channel } = plan;
  const kept = [plan.group.kind !== "none" && "the group", channel && "the channel"].filter(Boolean);
  const others =
    channel && !channel.keepsOthers
      ? ` Anyone else who joins ${channelLink(channel.id)} is removed at the next check (every 15 minutes).`
      : "";
  return `${when}, Roster updates ${kept.join(" and ")} within seconds whenever someone joins, leaves, is added, removed, moved, deactivated or reactivated.${others}`;
}

function groupPlanLine(plan: SyncPlan): string {
  const { group: g, target } = plan;
  if (g.kind === "none")
    return `• No user group: ${noGroupsReason(g.reason)}; the channel is kept in step all the same.`;
  if (g.kind === "create")
    return `• ${group(g.handle)}: create it with ${plural(target.members.length, "member")}.`;
  const changes = [
    g.group.handle !== g.handle && `rename it from ${group(g.group.handle)}`,
    !g.group.enabled && "enable it again (it was disabled in Slack)",
    g.add.length > 0 && `add ${some(g.add)}`,
    g.remove.length > 0 && `take out ${some(g.remove)}`,
  ].filter(Boolean);
  return `• ${group(g.handle)}: ${changes.length ? changes.join("; ") : "already in step"}.`;
}

function channelPlanLine(channel: ChannelPlan | null, team: TeamEntity): string {
  if (!channel) return noChannelLine(team);
  const changes = [
    channel.invite.length > 0 && `invite ${some(channel.invite)}`,
    channel.remove.length > 0 &&
      `remove ${plural(channel.remove.length, "person", "people")} who ${channel.remove.length === 1 ? "isn't an active member" : "aren't active members"}: ${some(channel.remove)}`,
  ].filter(Boolean);
  return `• ${channelLink(channel.id)}: ${changes.length ? changes.join("; ") : "already in step"}.${keepsOthersNote(channel)}`;
}

function noChannelLine(team: TeamEntity): string {
  return `• ${teamName(team)} has no channel; give it one with \`/team set ${escapeText(commandName(team.name))} channel=#…\` and run /team sync again to keep that in step too.`;
}

function keepsOthersNote(channel: ChannelPlan): string {
  if (channel.keepsOthers === "general")
    return " It is the workspace's general channel, from which Slack removes no one, so Roster only invites there.";
  if (channel.keepsOthers === "external")
    return " It is shared with another organisation, so Roster only invites there and removes no one.";
  return "";
}

/** The preview shown when the sync would remove people from the channel. */
export function syncPreview(plan: SyncPlan): string {
  const { team, members } = plan.target;
  return [
    `:warning: Keep ${teamName(team)} in step with its ${plural(members.length, "active member")}:`,
    groupPlanLine(plan),
    channelPlanLine(plan.channel, team),
    afterwards(plan, "From then on"),
    "Nothing changes until you press Confirm.",
  ].join("\n");
}

export function syncConfirmLabel(plan: SyncPlan): string {
  return `Sync and remove ${plural(plan.channel?.remove.length ?? 0, "person", "people")}`;
}

/** What `/team sync` did. */
export function syncedReply(outcome: SyncOutcome): Reply {
  const { plan } = outcome;
  const { team, members } = plan.target;
  const lines = [
    `:white_check_mark: ${teamName(team)} is in step with its ${plural(members.length, "active member")}:`,
    groupDoneLine(outcome),
    plan.channel ? channelDoneLine(outcome, plan.channel) : noChannelLine(team),
  ];
  if (outcome.refused.length > 0) {
    const refusals = outcome.refused
      .slice(0, NAMED)
      .map(
        (r) =>
          `${r.doing === "invite" ? "inviting" : "removing"} ${mention(r.user)} (\`${escapeText(r.error)}\`)`,
      );
    lines.push(`• Slack refused ${refusals.join(", ")}${outcome.refused.length > NAMED ? " and more" : ""}.`);
  }
  lines.push(
    `${afterwards(outcome.group.kind === "none" ? { ...plan, group: outcome.group } : plan, "From now on")} \`/team sync ${escapeText(commandName(team.name))} off\` stops it.`,
  );
  const text = lines.join("\n");
  return { text: text.replace(/\*/g, ""), blocks: [section(text)] };
}

function groupDoneLine(outcome: SyncOutcome): string {
  const { group: g, plan } = outcome;
  if (g.kind === "none")
    return `• No user group: ${noGroupsReason(g.reason)}; the channel is kept in step all the same.`;
  const count = plural(plan.target.members.length, "member");
  if (g.created) {
    return g.users === "empty"
      ? `• ${group(g.handle)}: created; Slack can't hold an empty group, so it waits for the first active member.`
      : `• ${group(g.handle)}: created with ${count}.`;
  }
  const before = plan.group.kind === "existing" ? plan.group : null;
  const changes = [
    g.handleChangedFrom && `renamed from ${group(g.handleChangedFrom)}`,
    g.enabled && "enabled again",
    g.users === "updated" && before && before.add.length > 0 && `added ${some(before.add)}`,
    g.users === "updated" && before && before.remove.length > 0 && `took out ${some(before.remove)}`,
    g.users === "empty" && "left as it is (Slack can't empty a group)",
  ].filter(Boolean);
  return `• ${group(g.handle)}: ${changes.length ? changes.join("; ") : "already in step"} (${count}).`;
}

function channelDoneLine(outcome: SyncOutcome, channel: ChannelPlan): string {
  const changes = [
    outcome.invited.length > 0 && `invited ${some(outcome.invited)}`,
    outcome.removed.length > 0 && `removed ${some(outcome.removed)}`,
  ].filter(Boolean);
  return `• ${channelLink(channel.id)}: ${changes.length ? changes.join("; ") : "already in step"}.${keepsOthersNote(channel)}`;
}

/** `/team sync <team> off`. */
export function syncStoppedReply(
  team: TeamEntity,
  sync: { handle: string; usergroupId: string | null },
): Reply {
  const parts = [sync.usergroupId && group(sync.handle), team.channelId && channelLink(team.channelId)];
  const what = parts.filter(Boolean).join(" and ") || "Slack";
  const text = `:white_check_mark: Roster no longer keeps ${what} in step with ${teamName(team)}; everyone stays where they are now.`;
  return { text: text.replace(/\*/g, ""), blocks: [section(text)] };
}
