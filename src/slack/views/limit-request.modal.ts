import type { ModalView } from "@slack/types";
import type { LimitPeriod } from "../../../entities";
import type { RequestTarget } from "../../services/digest.service";
import { clip, escapeText } from "../blocks/common";

export const LIMIT_REQUEST_CALLBACK = "limit_request_modal";

const PER: Record<LimitPeriod, string> = {
  none: "in all",
  daily: "a day",
  weekly: "a week",
  monthly: "a month",
};

/** What the form carries between opening and submission: the team, by name, as /team request takes it. */
export interface LimitRequestMetadata {
  team: string;
}

/**
 * The form behind a digest's "Request more tokens": how many tokens, and why. Submitting it makes
 * the same limit request as `/team request <team> total=<tokens> reason="…"`.
 */
export function limitRequestModal(target: RequestTarget): ModalView {
  const { team, current } = target;
  const now = current
    ? `Your total limit there is ${current.totalMax.toLocaleString("en-US")} tokens ${PER[current.period]}; ask for more than that.`
    : "You have no total limit there now.";
  const metadata: LimitRequestMetadata = { team: team.name };
  return {
    type: "modal",
    callback_id: LIMIT_REQUEST_CALLBACK,
    private_metadata: JSON.stringify(metadata),
    title: { type: "plain_text", text: "Request more tokens" },
    submit: { type: "plain_text", text: "Send request" },
    close: { type: "plain_text", text: "Cancel" },
    blocks: [
      {
        type: "section",
        text: {
          type: "mrkdwn",
          text: clip(`Ask the admins of *${escapeText(team.name)}* for a higher total limit. ${now}`, 3000),
        },
      },
      {
        type: "input",
        block_id: "tokens",
        label: { type: "plain_text", text: "Total limit you need (tokens)" },
        hint: {
          type: "plain_text",
          text: `Like 500000, 500k or 1.5m.${current ? ` It stays ${PER[current.period]}.` : ""}`,
        },
        element: {
          type: "plain_text_input",
          action_id: "value",
          max_length: 30,
          placeholder: { type: "plain_text", text: "500k" },
        },
      },
      {
        type: "input",
        block_id: "reason",
        optional: true,
        label: { type: "plain_text", text: "Why you need it" },
        element: {
          type: "plain_text_input",
          action_id: "value",
          multiline: true,
          max_length: 500,
          placeholder: { type: "plain_text", text: "Eval runs for the Q3 launch" },
        },
      },
    ],
  };
}
