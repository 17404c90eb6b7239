import type { KnownBlock } from "@slack/types";
import type { RequestView } from "../../services/approval.service";
import { REQUEST_APPROVE, REQUEST_DENY } from "../action-ids";
import type { Reply } from "../reply";
import { actions, button, context, escapeText, mention, section, slackDate } from "./common";

/** Where a new request's cards went: the team's channel, or these deciders by DM. */
export interface CardDelivery {
  channelId: string | null;
  dmTo: string[];
}

const WHEN = "{date_short_pretty} at {time}";

function tokens(total: string | number): string {
  return `${Number(total).toLocaleString("en-US")} tokens`;
}

/** "asks to join *Platform*" / "asks for a total limit of *500,000 tokens* a week in *Platform* (now 50,000 tokens)". */
function asks(request: RequestView, markup: boolean): string {
  const team = markup ? `*${escapeText(request.team.name)}*` : request.team.name;
  if (request.kind === "join") return `asks to join ${team}`;
  const amount = markup ? `*${tokens(request.details.total)}*` : tokens(request.details.total);
  const period = PER[String(request.details.period)] ?? "";
  const from = request.details.current
    ? ` (now ${tokens(request.details.current)})`
    : " (no limit of their own now)";
  return `asks for a total limit of ${amount}${period} in ${team}${from}`;
}

const PER: Record<string, string> = {
  daily: " a day",
  weekly: " a week",
  monthly: " a month",
  none: " in all",
};

/** What the request is, shared by the pending and the decided card. */
function summaryBlocks(request: RequestView): KnownBlock[] {
  const blocks: KnownBlock[] = [
    section(`:bell: ${mention(request.requesterUserId)} ${asks(request, true)}.`),
  ];
  const reason = String(request.details.reason ?? "").trim();
  if (request.kind === "limit" && reason) blocks.push(section(`*Reason:* ${escapeText(reason)}`));
  blocks.push(context(`Asked ${slackDate(request.createdAt, WHEN)}`));
  return blocks;
}

/**
 * The card deciders press: who asks, for which team, when, what (a limit's total and reason), and
 * Approve/Deny carrying the request's ID. `note` heads it (an escalation says why it came to you).
 */
export function requestCard(request: RequestView, note?: string): Reply {
  const blocks: KnownBlock[] = note ? [context(note)] : [];
  blocks.push(
    ...summaryBlocks(request),
    actions(`request_${request.id}`, [
      button("Approve", `${REQUEST_APPROVE}:card`, String(request.id), "primary"),
      button("Deny", `${REQUEST_DENY}:card`, String(request.id)),
    ]),
  );
  return { text: `${mention(request.requesterUserId)} ${asks(request, false)}.`, blocks };
}

/** "✅ Approved by @x" / "❌ Denied by @x", with when. */
function verdict(request: RequestView): string {
  const by = request.decidedBy ? mention(request.decidedBy) : "an admin";
  const when = request.decidedAt ? ` · ${slackDate(request.decidedAt, WHEN)}` : "";
  return request.status === "approved"
    ? `:white_check_mark: Approved by ${by}${when}`
    : `:x: Denied by ${by}${when}`;
}

/** The card once decided: the same summary, the decision and who made it, no buttons. */
export function decidedCard(request: RequestView): Reply {
  return {
    text: `${verdict(request)}: ${mention(request.requesterUserId)} ${asks(request, false)}.`,
    blocks: [...summaryBlocks(request), section(verdict(request))],
  };
}

/** The requester's DM once their request is decided. */
export function decisionDm(request: RequestView): Reply {
  const by = request.decidedBy ? mention(request.decidedBy) : "an admin";
  const team = `*${escapeText(request.team.name)}*`;
  let text: string;
  if (request.kind === "join") {
    text =
      request.status === "approved"
        ? `:white_check_mark: ${by} approved your request to join ${team}; you're a member now.`
        : `:x: ${by} denied your request to join ${team}.`;
  } else {
    const amount = tokens(request.details.total);
    text =
      request.status === "approved"
        ? `:white_check_mark: ${by} approved your request for a total limit of ${amount} in ${team}; it applies now.`
        : `:x: ${by} denied your request for a total limit of ${amount} in ${team}; your limit is unchanged.`;
  }
  return { text, blocks: [section(text)] };
}

/** The requester's reply when a request was just made: where it went. */
export function requestSentReply(request: RequestView, delivery: CardDelivery): Reply {
  let where: string;
  if (delivery.channelId) where = `It's in <#${delivery.channelId}> for the team's admins.`;
  else if (delivery.dmTo.length > 0)
    where = `It went to ${delivery.dmTo.map(mention).join(", ")} to approve or deny.`;
  else where = "No one in the team can decide it but you, so it waits for an org admin on their App Home.";
  const asked = (team: string) =>
    request.kind === "join"
      ? `${team} needs an admin's approval, so you asked to join.`
      : `You asked for a total limit of ${tokens(request.details.total)} in ${team}.`;
  const then = "You'll get a DM when it's decided.";
  return {
    text: `${asked(request.team.name)} ${where} ${then}`,
    blocks: [
      section(`:hourglass_flowing_sand: ${asked(`*${escapeText(request.team.name)}*`)} ${where} ${then}`),
    ],
  };
}

/** Asked again while the first request is still pending: nothing new is posted. */
export function stillWaitingReply(request: RequestView): Reply {
  const what =
    request.kind === "join"
      ? `to join ${request.team.name}`
      : `for a total limit of ${tokens(request.details.total)} in ${request.team.name}`;
  const text = `Your request ${what} is still waiting for an admin; you'll get a DM when it's decided.`;
  return {
    text,
    blocks: [
      section(`:hourglass_flowing_sand: ${escapeText(text)}`),
      context(`Asked ${slackDate(request.createdAt, WHEN)}`),
    ],
  };
}

/** Told privately to whoever presses after the decision: nothing changed. */
export function alreadyDecidedReply(request: RequestView, presserId: string): Reply {
  const who =
    request.decidedBy === presserId ? "you" : request.decidedBy ? mention(request.decidedBy) : "an admin";
  const how = request.status === "approved" ? "approved" : "denied";
  const text = `This request was already ${how} by ${who}; nothing changed.`;
  return { text, blocks: [section(text)] };
}
