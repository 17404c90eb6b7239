import type { WebClient } from "@slack/web-api";
import type { Actor } from "../../services/actor";
import type { InvitationView } from "../../services/invitation.service";
import { type InviteSummary, invitedReply } from "../blocks/invitation.blocks";
import type { SlackDeps } from "../deps";
import { deliverInvitations } from "../invitation-delivery";
import type { Reply } from "../reply";
import { inviteModal } from "../views/team-invite.modal";
import { MAX_POSITIONALS } from "./member-change";
import { isEmail } from "./slack-markup";
import type { Subcommand } from "./subcommand";
import { clip, UsageError } from "./usage-error";

const USAGE = "/team invite <team> <user|email>… [role=<role>]";

/**
 * `/team invite <team> <user|email>… [role=<role>]`: invites people with one role; each person in
 * the workspace gets a DM with Accept and Decline. With nobody named, a form opens (with the team
 * filled in when one was named).
 */
export const teamInvite: Subcommand = {
  name: "invite",
  usage: USAGE,
  summary: "Invite people to a team; they answer in a DM (no people: a form).",
  details: [
    "Example: `/team invite Platform @alice @bob carol@example.com role=admin`",
    "Someone not in the workspace yet gets the invitation when they join it.",
    "Inviting someone already invited sends their invitation again with a new expiry.",
  ],
  async run({ args, actor, deps, client, triggerId }) {
    args.expectOnly(["role"], MAX_POSITIONALS);
    const people = args.usersAndEmails();
    const others = args.positionals().filter((t) => t.kind !== "user" && t.kind !== "email");
    const extra = others[1] ?? (others[0]?.kind === "channel" ? others[0] : undefined);
    if (extra) {
      const shown =
        extra.kind === "channel" ? `<#${extra.id}>` : `“${clip("value" in extra ? extra.value : "")}”`;
      throw new UsageError(`Unexpected ${shown}; name people as @mentions or email addresses: ${USAGE}.`);
    }
    const role = args.option("role");
    if (people.users.length + people.emails.length === 0) {
      const team = args.optionalWord(0);
      // A form that can only end in a refusal wastes the user's typing: ask the policy first.
      if (team !== undefined) await deps.services.invitations.pending(actor, team);
      const roles = await deps.services.roles.list(actor);
      await client.views.open({ trigger_id: triggerId, view: inviteModal({ team, role, roles }) });
      return undefined;
    }
    const invited = await invitePeople(deps, actor, args.word(0, "team"), people, role ?? "member");
    return deliverInvites(deps, client, actor, invited);
  },
};

type Invited = Awaited<ReturnType<typeof invitePeople>>;

/**
 * Invites people named by mention or email (shared by the command and the form). An email that
 * belongs to someone in the workspace (users.lookupByEmail) invites that person, so they get a DM
 * now; an email nobody has waits for its owner to join.
 */
export async function invitePeople(
  deps: SlackDeps,
  actor: Actor,
  teamName: string,
  people: { users: string[]; emails: string[] },
  role: string,
) {
  const users = [...people.users];
  const emails: string[] = [];
  for (let i = 0; i < people.emails.length; i += 10) {
    const batch = people.emails.slice(i, i + 10);
    // Malformed addresses are not worth a Slack call: the service refuses them in one sentence.
    const found = await Promise.all(
      batch.map((email) => (isEmail(email) ? deps.people.byEmail(email) : Promise.resolve(null))),
    );
    batch.forEach((email, j) => {
      const userId = found[j];
      if (userId) users.push(userId);
      else emails.push(email);
    });
  }
  return deps.services.invitations.invite(actor, teamName, { users, emails }, role);
}

/** DMs each new or renewed invitation to its invitee, and says what happened to each person. */
export async function deliverInvites(
  deps: SlackDeps,
  client: WebClient,
  actor: Actor,
  invited: Invited,
): Promise<Reply> {
  const { team, role, outcomes } = invited;
  const summary: InviteSummary = {
    team,
    role: role.name,
    invited: [],
    waiting: [],
    renewed: [],
    members: [],
    undelivered: [],
  };
  const toDeliver: InvitationView[] = [];
  const rolesById = new Map([[role.id, role]]);
  for (const outcome of outcomes) {
    const invitation = outcome.invitation;
    if (outcome.kind === "already_member" || !invitation) {
      summary.members.push(outcome.invitee);
      continue;
    }
    // A renewed invitation now carries the role asked for this time.
    let invitationRole = rolesById.get(invitation.roleId);
    if (!invitationRole) {
      invitationRole = (await deps.services.roles.list(actor)).find((r) => r.id === invitation.roleId);
    }
    if (!invitationRole) continue;
    rolesById.set(invitationRole.id, invitationRole);
    toDeliver.push({ ...invitation, team, role: invitationRole });
    if (outcome.kind === "invited") summary.invited.push(outcome.invitee);
    else if (outcome.kind === "waiting_for_join") summary.waiting.push(outcome.invitee);
    else {
      summary.renewed.push({
        invitee: outcome.invitee,
        role: invitationRole.name,
        expiresAt: invitation.expiresAt,
      });
    }
  }
  summary.undelivered = await deliverInvitations(
    { client, services: deps.services, logger: deps.logger },
    toDeliver,
  );
  deps.home.refreshSoon(
    team.workspaceId,
    toDeliver.flatMap((i) => (i.inviteeUserId ? [i.inviteeUserId] : [])),
  );
  return invitedReply(summary);
}
