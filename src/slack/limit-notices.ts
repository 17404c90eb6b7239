import type { WebClient } from "@slack/web-api";
import { nextReset, startOfLocalDay } from "../domain/periods";
import type { Logger } from "../logger";
import type { Services } from "../services";
import type { LimitNotice } from "../services/usage.service";
import { limitNoticeMessage } from "./blocks/limit-notice.blocks";
import type { Reply } from "./reply";

/**
 * Tells people that a limit crossed 80% or 100% (UsageService.record reports each crossing once
 * per limit, threshold and period, across processes). A member's own or default limit: a DM to the
 * member. A budget: a post in the budget's team channel, or a DM to its owner when it has no
 * channel (or the post fails). Sent after the API has answered; failures are logged, never thrown,
 * since the spend they describe is already recorded.
 */
export class LimitNotices {
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly client: WebClient,
    private readonly services: Pick<Services, "usage">,
    private readonly logger: Logger,
    private readonly timeZone: string,
  ) {}

  deliver(workspaceId: string, notices: LimitNotice[]): void {
    for (const notice of notices) {
      const sending = this.send(workspaceId, notice)
        .catch((error: unknown) => {
          this.logger.warn(
            {
              err: error,
              workspaceId,
              teamId: notice.limit.teamId,
              limitId: notice.limit.id,
              threshold: notice.threshold,
            },
            "could not deliver a limit notice",
          );
        })
        .finally(() => this.pending.delete(sending));
      this.pending.add(sending);
    }
  }

  /** Waits for the notices under way (on shutdown, so none is cut off halfway). */
  async flush(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }

  private async send(workspaceId: string, notice: LimitNotice): Promise<void> {
    const { limit } = notice;
    const began = startOfLocalDay(notice.periodStart || "1970-01-01", this.timeZone);
    const resetsAt = limit.period === "none" ? null : nextReset(limit.period, began, this.timeZone);
    const view = { limit, threshold: notice.threshold, resetsAt, timeZone: this.timeZone };
    if (notice.userId !== null) {
      await this.post(notice.userId, limitNoticeMessage({ ...view, team: notice.team }));
      return;
    }
    const audience = await this.services.usage.noticeAudience(workspaceId, limit.teamId);
    if (!audience) return; // the team was deleted since: nobody left to tell
    const message = limitNoticeMessage({ ...view, team: audience.team });
    if (audience.team.channelId) {
      try {
        await this.post(audience.team.channelId, message);
        return;
      } catch (error) {
        this.logger.warn(
          { err: error, workspaceId, teamId: audience.team.id, channelId: audience.team.channelId },
          "could not post a budget notice in the team's channel; telling its owner instead",
        );
      }
    }
    if (audience.ownerId) await this.post(audience.ownerId, message);
  }

  private async post(channel: string, message: Reply): Promise<void> {
    await this.client.chat.postMessage({ channel, text: message.text, blocks: message.blocks });
  }
}
