import type { BlockAction } from "@slack/bolt";
import type { ModalView } from "@slack/types";
import type { WebClient } from "@slack/web-api";
import { fitBlocks, LIMITS, section } from "../blocks/common";
import type { Reply } from "../reply";

/**
 * Shows a command's reply where a button on the App Home or in a modal was pressed: from the Home
 * tab a new modal opens; from a modal the reply is pushed on top, or (for paging) replaces it.
 */
export async function showInModal(
  client: WebClient,
  body: BlockAction,
  reply: Reply,
  replace: boolean,
): Promise<void> {
  const view = replyModal(reply);
  if (body.view?.type === "modal" && replace) {
    await client.views.update({ view_id: body.view.id, view });
  } else if (body.view?.type === "modal") {
    await client.views.push({ trigger_id: body.trigger_id, view });
  } else {
    await client.views.open({ trigger_id: body.trigger_id, view });
  }
}

export function replyModal(reply: Reply): ModalView {
  return {
    type: "modal",
    title: { type: "plain_text", text: "Roster" },
    close: { type: "plain_text", text: "Close" },
    blocks: fitBlocks(reply.blocks ?? [section(reply.text)], LIMITS.viewBlocks),
  };
}
