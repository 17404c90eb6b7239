import type { WebClient } from "@slack/web-api";
import type { Config } from "../config";
import type { Escalation } from "../services/approval.service";
import { escapeText, plural } from "../slack/blocks/common";
import type { SlackDeps } from "../slack/deps";
import { slackError } from "../slack/people";
import { dmRequestCards } from "../slack/request-cards";

const HOUR = 3_600_000;

export interface EscalationRun {
  /** Requests this process escalated (each is escalated once, by one process). */
  escalated: number;
  /** Escalated requests whose card reached nobody (every DM failed, or no one to send it to). */
  undelivered: number;
}

/**
 * SPEC section 4: a join or limit request left undecided for JOIN_REQUEST_TTL_HOURS is escalated
 * once, to the parent team's deciders, or to the org admins (ORG_ADMINS and the workspace's admins
 * and owners) for a top-level team. The database hands each request to exactly one process
 * (ApprovalService.escalateDue); this one then DMs the card, with Approve/Deny, to each of them.
 */
export async function handleRequestEscalation(
  deps: SlackDeps,
  client: WebClient,
  config: Pick<Config, "ORG_ADMINS" | "JOIN_REQUEST_TTL_HOURS">,
): Promise<EscalationRun> {
  const hours = config.JOIN_REQUEST_TTL_HOURS;
  const escalations = await deps.services.approvals.escalateDue(hours * HOUR);
  let orgAdmins: Promise<string[]> | undefined;
  // Asked at most once per run, and only when some request has to go to the org admins.
  const theOrgAdmins = () => (orgAdmins ??= orgAdminIds(deps, config.ORG_ADMINS));
  let undelivered = 0;
  for (const escalation of escalations) {
    const { request } = escalation;
    const parentDeciders =
      escalation.to === "org_admins"
        ? []
        : escalation.to.userIds.filter((id) => id !== request.requesterUserId);
    // A parent team with nobody who may decide there would leave the request with no one at all.
    const toParent = escalation.to !== "org_admins" && parentDeciders.length > 0;
    const recipients = toParent
      ? parentDeciders
      : (await theOrgAdmins()).filter((id) => id !== request.requesterUserId);
    const sent = await dmRequestCards(
      client,
      deps,
      request,
      recipients,
      escalationNote(escalation, toParent, hours),
    );
    if (sent.length === 0 && recipients.length > 0) {
      // Slack refused every DM: give the escalation back so the next tick tries again.
      undelivered += 1;
      await deps.services.approvals.releaseEscalation(request);
      deps.logger.error(
        { workspaceId: request.workspaceId, requestId: request.id, recipients },
        "an escalated request's cards reached nobody; the next run will try again",
      );
    } else if (sent.length === 0) {
      undelivered += 1;
      deps.logger.error(
        { workspaceId: request.workspaceId, requestId: request.id },
        "an escalated request has nobody to go to; it waits on the org admins' App Home",
      );
    }
    deps.home.refreshSoon(request.workspaceId, sent);
  }
  if (escalations.length > 0) {
    deps.logger.info({ escalated: escalations.length, undelivered }, "escalated undecided requests");
  }
  return { escalated: escalations.length, undelivered };
}

/** ORG_ADMINS and the workspace's admins and owners; only ORG_ADMINS if Slack can't be asked. */
async function orgAdminIds(deps: SlackDeps, configured: readonly string[]): Promise<string[]> {
  try {
    return [...new Set([...configured, ...(await deps.people.workspaceAdmins())])];
  } catch (error) {
    deps.logger.error(
      { error: slackError(error) ?? String(error) },
      "could not list the workspace's admins; escalating to ORG_ADMINS only",
    );
    return [...configured];
  }
}

/** The line heading the escalated card: why it came to this person. */
function escalationNote(escalation: Escalation, toParent: boolean, hours: number): string {
  const team = `*${escapeText(escalation.request.team.name)}*`;
  const waited = `nobody in ${team} decided it within ${plural(hours, "hour")}`;
  if (toParent && escalation.to !== "org_admins") {
    return `:arrow_up: Escalated to the admins of *${escapeText(escalation.to.parent.name)}*: ${waited}.`;
  }
  return `:arrow_up: Escalated to the org admins: ${waited}.`;
}
