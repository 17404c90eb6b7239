import type { KnownBlock } from "@slack/types";
import type { Digest } from "../../services/digest.service";
import type { Person } from "../people";
import type { Reply } from "../reply";
import {
  actions,
  button,
  channelLink,
  commandName,
  context,
  escapeText,
  LIMITS,
  plural,
  section,
} from "./common";
import { DIGEST_MEMBERS_PAGE, digestMessage } from "./digest.blocks";
import { count, dayLabel, memberLine, membersCommand, periodLabel, sections } from "./digest-format";

/** "Show all members": one page of every member's spend against their limit for the digest's week. */
export function digestMembersReply(digest: Digest, page: number): Reply {
  const team = escapeText(digest.team.name);
  const range = periodLabel(digest.period.days);
  const pages = Math.max(1, Math.ceil(digest.members.length / DIGEST_MEMBERS_PAGE));
  const current = Math.min(Math.max(1, page), pages);
  const start = (current - 1) * DIGEST_MEMBERS_PAGE;
  const rows = digest.members.slice(start, start + DIGEST_MEMBERS_PAGE);
  const title = `*Spend by member in ${team}* · ${range}${digest.period.partial ? " (so far)" : ""}`;
  if (rows.length === 0)
    return { text: `${team} has no active members.`, blocks: [section(`${title}\nNo active members.`)] };
  const blocks: KnownBlock[] = [
    ...sections(
      title,
      rows.map((m, i) => memberLine(m, start + i + 1)),
    ),
    context(
      `Page ${current} of ${pages} · ${plural(digest.members.length, "member")} · ${count(digest.total)} tokens`,
    ),
  ];
  const pager = [];
  if (current > 1)
    pager.push(button("◀ Previous", "team_page:previous", membersCommand(digest, current - 1)));
  if (current < pages) pager.push(button("Next ▶", "team_page:next", membersCommand(digest, current + 1)));
  if (pager.length) blocks.push(actions("digest_members_pager", pager));
  return {
    text: `Spend by member in ${digest.team.name}, ${range}: page ${current} of ${pages}.`,
    blocks,
  };
}

/** `/team digest <team>`: the digest as the channel would get it, with a line on where it goes. */
export function digestPreviewReply(digest: Digest, names: Map<string, Person | null>): Reply {
  const message = digestMessage(digest, names);
  const name = commandName(escapeText(digest.team.name));
  const where = digest.team.channelId
    ? `The weekly digest goes to ${channelLink(digest.team.channelId)}; \`/team digest ${name} post\` sends this one there now.`
    : `${escapeText(digest.team.name)} has no channel, so it gets no weekly digest; give it one with \`/team set ${name} channel=#channel\`.`;
  return {
    text: message.text,
    blocks: [
      ...message.blocks.slice(0, LIMITS.messageBlocks - 1),
      context(`Preview, only for you. ${where}`),
    ],
  };
}

/** What `/team digest <team> post` did. */
export function digestPostedReply(
  digest: Digest,
  outcome: "posted" | "dm_fallback" | "undeliverable" | "already_sent",
): Reply {
  const team = escapeText(digest.team.name);
  const channel = digest.team.channelId ? channelLink(digest.team.channelId) : "its channel";
  const week = `the week of ${dayLabel(digest.period.key, true)}`;
  const text = {
    posted: `:white_check_mark: Posted ${team}'s digest for ${week} (so far) to ${channel}; it counts as that week's digest.`,
    dm_fallback: `:warning: ${channel} can't take messages (it is gone or archived, or Roster isn't in it), so ${team}'s digest went to its admins by DM. Fix the channel with \`/team set ${commandName(team)} channel=#channel\`.`,
    undeliverable: `:warning: ${team}'s digest couldn't be delivered: ${channel} can't take messages and no admin could be reached by DM.`,
    already_sent: `${team}'s digest for ${week} has already gone out, so it isn't sent twice; the next one covers next week.`,
  }[outcome];
  return { text, blocks: [section(text)] };
}
