import type { HomeView, KnownBlock } from "@slack/types";
import type { HomeOverview } from "../../services/home.service";
import { INVITATION_ACCEPT, INVITATION_DECLINE, REQUEST_APPROVE, REQUEST_DENY } from "../action-ids";
import {
  actions,
  button,
  commandName,
  context,
  divider,
  escapeText,
  header,
  LIMITS,
  plural,
  section,
  slackDate,
} from "./common";

/** The App Home tab: the user's teams with role and status, and buttons for the common actions. */
export function homeView(overview: HomeOverview): HomeView {
  const blocks: KnownBlock[] = [
    header("Your teams"),
    actions("home_actions", [
      button("Create a team", "home_create_team", "create", "primary"),
      button("Browse teams", "team_run_command:browse", "list"),
    ]),
    divider(),
  ];
  blocks.push(...waitingBlocks(overview));
  if (overview.teams.length === 0) {
    blocks.push(
      section(
        "You're not in any team yet. Create one, or find one with `/team list` and `/team join <team>`.",
      ),
    );
  }
  const room = LIMITS.viewBlocks - blocks.length - 2;
  for (const { team, role, status, memberCount, canManage } of overview.teams.slice(0, room)) {
    const state = status === "inactive" ? " · _deactivated_" : "";
    const summary = `*${escapeText(team.name)}* · ${role}${state} · ${plural(memberCount, "member")}${
      team.description ? `\n${escapeText(team.description)}` : ""
    }`;
    const label = canManage ? "Manage" : "Open";
    blocks.push(
      section(summary, button(label, `team_run_command:team-${team.id}`, `info ${commandName(team.name)}`)),
    );
  }
  if (overview.teams.length > room) {
    blocks.push(context(`…and ${overview.teams.length - room} more; \`/team list mine\` shows them all.`));
  }
  blocks.push(
    context(
      `Type \`/team help\` in any channel for every command.${overview.isOrgAdmin ? " You're an org admin." : ""}`,
    ),
  );
  return { type: "home", blocks };
}

const SHOWN = 10;

/** What waits for the user: invitations to answer, requests to decide, and their own requests. */
function waitingBlocks(overview: HomeOverview): KnownBlock[] {
  const blocks: KnownBlock[] = [];
  for (const invitation of overview.invitations.slice(0, SHOWN)) {
    blocks.push(
      section(
        `:envelope: <@${invitation.inviterUserId}> invited you to *${escapeText(invitation.team.name)}* as ${invitation.role.name}.`,
      ),
      actions(`home_invitation_${invitation.id}`, [
        button("Accept", `${INVITATION_ACCEPT}:home`, String(invitation.id), "primary"),
        button("Decline", `${INVITATION_DECLINE}:home`, String(invitation.id)),
      ]),
    );
  }
  for (const request of overview.waiting.slice(0, SHOWN)) {
    const asks =
      request.kind === "join"
        ? "asks to join"
        : `asks for a total limit of ${Number(request.details.total).toLocaleString("en-US")} tokens in`;
    blocks.push(
      section(
        `:raising_hand: <@${request.requesterUserId}> ${asks} *${escapeText(request.team.name)}* (${slackDate(request.createdAt)}).`,
      ),
      actions(`home_request_${request.id}`, [
        button("Approve", `${REQUEST_APPROVE}:home`, String(request.id), "primary"),
        button("Deny", `${REQUEST_DENY}:home`, String(request.id)),
      ]),
    );
  }
  const more = overview.invitations.length + overview.waiting.length - 2 * SHOWN;
  if (more > 0) blocks.push(context(`…and ${plural(more, "more item")} waiting.`));
  for (const request of overview.requests.slice(0, SHOWN)) {
    const what = request.kind === "join" ? "to join" : "for a higher limit in";
    blocks.push(
      context(
        `:hourglass_flowing_sand: Your request ${what} *${escapeText(request.team.name)}* is waiting for an admin.`,
      ),
    );
  }
  if (blocks.length > 0) blocks.unshift(header("Waiting for you"));
  if (blocks.length > 0) blocks.push(divider());
  return blocks;
}
