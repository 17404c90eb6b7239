import type { KnownBlock } from "@slack/types";
import type { TeamEntity } from "../../../entities";
import type { InvitationView } from "../../services/invitation.service";
import { INVITATION_ACCEPT, INVITATION_DECLINE, INVITATION_RESEND, INVITATION_REVOKE } from "../action-ids";
import type { Reply } from "../reply";
import {
  actions,
  button,
  commandName,
  context,
  escapeText,
  header,
  mention,
  plural,
  section,
  slackDate,
} from "./common";

const EXPIRY_FORMAT = "{date_short_pretty} at {time}";

/** An invitee as written back: a mention, or the email address of someone not in the workspace. */
export function invitee(idOrEmail: string): string {
  return idOrEmail.includes("@") ? escapeText(idOrEmail) : mention(idOrEmail);
}

function inviteeOf(invitation: InvitationView): string {
  return invitee(invitation.inviteeUserId ?? invitation.inviteeEmail ?? "someone");
}

/** The DM an invitee gets: who invited them to which team as what, until when; Accept and Decline. */
export function invitationMessage(invitation: InvitationView): Reply {
  const { team, role } = invitation;
  const blocks: KnownBlock[] = [
    section(
      `:envelope: ${mention(invitation.inviterUserId)} invited you to join *${escapeText(team.name)}* as *${escapeText(role.name)}*.`,
    ),
  ];
  if (team.description) blocks.push(context(escapeText(team.description)));
  blocks.push(
    context(`This invitation expires ${slackDate(invitation.expiresAt, EXPIRY_FORMAT)}.`),
    actions(`invitation_${invitation.id}`, [
      button("Accept", `${INVITATION_ACCEPT}:dm`, String(invitation.id), "primary"),
      button("Decline", `${INVITATION_DECLINE}:dm`, String(invitation.id)),
    ]),
  );
  return {
    text: `${mention(invitation.inviterUserId)} invited you to join ${team.name} as ${role.name}.`,
    blocks,
  };
}

/** The same DM once the invitation is settled: what happened, and no buttons left to press. */
export function settledInvitationMessage(invitation: InvitationView): Reply {
  const team = `*${escapeText(invitation.team.name)}*`;
  const role = `*${escapeText(invitation.role.name)}*`;
  const outcomes: Record<InvitationView["status"], string> = {
    pending: `:envelope: Your invitation to ${team} is waiting for your answer.`,
    accepted: `:white_check_mark: You joined ${team} as ${role}.`,
    declined: `:no_entry_sign: Declined: you did not join ${team}.`,
    revoked: `:x: Your invitation to ${team} was revoked by an admin.`,
    expired: `:hourglass: Your invitation to ${team} expired; ask one of its admins for a new one.`,
  };
  const line = outcomes[invitation.status];
  return {
    text: line.replace(/^:[a-z_]+: /, "").replace(/\*/g, ""),
    blocks: [
      section(line),
      context(
        `${mention(invitation.inviterUserId)} invited you as ${role} on ${slackDate(invitation.createdAt)}.`,
      ),
    ],
  };
}

/** An earlier DM of an invitation that was sent again: it points at the newer one. */
export function supersededInvitationMessage(invitation: InvitationView): Reply {
  const text = `This invitation to ${invitation.team.name} was sent again; answer the newer message below.`;
  return {
    text,
    blocks: [
      section(
        `:arrows_counterclockwise: This invitation to *${escapeText(invitation.team.name)}* was sent again; answer the newer message below.`,
      ),
    ],
  };
}

/** What one `/team invite` did, person by person. */
export interface InviteSummary {
  team: TeamEntity;
  role: string;
  /** Newly invited people in the workspace (user IDs). */
  invited: string[];
  /** New invitations to emails nobody in the workspace has yet. */
  waiting: string[];
  /** Pending invitations renewed and sent again, with the role they keep. */
  renewed: { invitee: string; role: string; expiresAt: number }[];
  /** Already members: nothing sent. */
  members: string[];
  /** People whose DM Slack refused (the invitation stands; the App Home shows it). */
  undelivered: string[];
}

// Leaves room in a 3,000-character section for the sentence around a list of names.
const NAMES_BUDGET = 1_800;

/** "<@A>, <@B> and <@C>", cut short with "and N more" past what a section holds. */
function names(list: string[]): string {
  const shown: string[] = [];
  let length = 0;
  for (const item of list) {
    const written = invitee(item);
    if (shown.length > 0 && length + written.length > NAMES_BUDGET) break;
    shown.push(written);
    length += written.length + 2;
  }
  const rest = list.length - shown.length;
  if (rest > 0) return `${shown.join(", ")} and ${plural(rest, "more", "more")}`;
  return shown.length < 2 ? shown.join("") : `${shown.slice(0, -1).join(", ")} and ${shown.at(-1)}`;
}

const isAre = (list: unknown[]) => (list.length === 1 ? "is" : "are");

/** The reply to `/team invite` (and the DM after the invite form). */
export function invitedReply(summary: InviteSummary): Reply {
  const team = `*${escapeText(summary.team.name)}*`;
  const lines: [icon: string, text: string][] = [];
  if (summary.invited.length > 0) {
    lines.push([
      ":white_check_mark:",
      `Invited ${names(summary.invited)} to ${team} as *${escapeText(summary.role)}*: a DM with Accept and Decline is on its way.`,
    ]);
  }
  if (summary.waiting.length > 0) {
    lines.push([
      ":email:",
      `${names(summary.waiting)} ${isAre(summary.waiting)} not in this workspace yet: the invitation waits and reaches them when they join.`,
    ]);
  }
  const byRole = new Map<string, { invitees: string[]; expiresAt: number }>();
  for (const { invitee: who, role, expiresAt } of summary.renewed) {
    const group = byRole.get(role) ?? { invitees: [], expiresAt };
    group.invitees.push(who);
    byRole.set(role, group);
  }
  for (const [role, { invitees, expiresAt }] of byRole) {
    lines.push([
      ":arrows_counterclockwise:",
      `${names(invitees)} already had a pending invitation: renewed as *${escapeText(role)}* until ${slackDate(expiresAt)} and sent again rather than doubled.`,
    ]);
  }
  if (summary.members.length > 0) {
    const noun = summary.members.length === 1 ? "a member" : "members";
    lines.push([
      ":information_source:",
      `${names(summary.members)} ${isAre(summary.members)} already ${noun} of ${team}; no invitation sent.`,
    ]);
  }
  if (summary.undelivered.length > 0) {
    lines.push([
      ":warning:",
      `Slack wouldn't deliver a DM to ${names(summary.undelivered)}; the invitation stands, and they can answer it from Roster's App Home.`,
    ]);
  }
  return {
    text: lines.map(([, text]) => text.replace(/\*/g, "")).join(" "),
    blocks: lines.map(([icon, text]) => section(`${icon} ${text}`)),
  };
}

export const INVITES_PAGE_SIZE = 15;

export interface InvitesList {
  team: TeamEntity;
  /** Every pending invitation to the team, oldest first. */
  invitations: InvitationView[];
  page: number;
  now: number;
}

/** `/team invites`: one row per pending invitation with Resend and Revoke, a page at a time. */
export function invitesListReply(list: InvitesList, notice?: string): Reply {
  const { team, invitations, now } = list;
  const top: KnownBlock[] = notice ? [section(notice)] : [];
  if (invitations.length === 0) {
    const text = `No pending invitations to ${team.name}.`;
    return {
      text,
      blocks: [
        ...top,
        section(
          `${escapeText(text)} Invite people with \`/team invite ${escapeText(commandName(team.name))} @name\`.`,
        ),
      ],
    };
  }
  const pages = Math.ceil(invitations.length / INVITES_PAGE_SIZE);
  const page = Math.min(Math.max(1, list.page), pages);
  const rows = invitations.slice((page - 1) * INVITES_PAGE_SIZE, page * INVITES_PAGE_SIZE);
  const blocks: KnownBlock[] = [...top, header(`Pending invitations to ${team.name}`)];
  for (const invitation of rows) {
    const expiry = invitation.expiresAt <= now ? "expired" : "expires";
    const notYet = invitation.inviteeUserId ? "" : " · _not in the workspace yet_";
    blocks.push(
      section(
        `${inviteeOf(invitation)} · ${escapeText(invitation.role.name)}${notYet}\n` +
          `invited by ${mention(invitation.inviterUserId)} ${slackDate(invitation.createdAt)} · ${expiry} ${slackDate(invitation.expiresAt)}`,
      ),
      actions(`invitation_row_${invitation.id}`, [
        button("Resend", `${INVITATION_RESEND}:p${page}`, String(invitation.id)),
        button("Revoke", `${INVITATION_REVOKE}:p${page}`, String(invitation.id), "danger", {
          title: "Revoke this invitation?",
          text: `${inviteeOf(invitation)} will no longer be able to join ${escapeText(team.name)} with it.`,
          confirm: "Revoke",
        }),
      ]),
    );
  }
  blocks.push(
    context(
      `Page ${page} of ${pages} · ${plural(invitations.length, "pending invitation")} · Resend renews the expiry and sends the DM again.`,
    ),
  );
  const base = `invites ${commandName(team.name)}`;
  const pager = [];
  if (page > 1) pager.push(button("◀ Previous", "team_page:previous", `${base} page=${page - 1}`));
  if (page < pages) pager.push(button("Next ▶", "team_page:next", `${base} page=${page + 1}`));
  if (pager.length > 0) blocks.push(actions("pager", pager));
  return {
    text: `${team.name}: ${plural(invitations.length, "pending invitation")}, page ${page} of ${pages}.`,
    blocks,
  };
}

/** The line above the list after Resend or Revoke. */
export function resentNotice(invitation: InvitationView, delivered: boolean): string {
  const who = inviteeOf(invitation);
  const until = slackDate(invitation.expiresAt, EXPIRY_FORMAT);
  if (!invitation.inviteeUserId)
    return `:arrows_counterclockwise: Renewed the invitation to ${who} until ${until}; it reaches them when they join the workspace.`;
  if (!delivered)
    return `:warning: Renewed ${who}'s invitation until ${until}, but Slack wouldn't deliver the DM; they can answer it from Roster's App Home.`;
  return `:arrows_counterclockwise: Sent ${who}'s invitation again; it now expires ${until}.`;
}

export function revokedNotice(invitation: InvitationView): string {
  return `:x: Revoked ${inviteeOf(invitation)}'s invitation to *${escapeText(invitation.team.name)}*.`;
}
