import type { WebClient } from "@slack/web-api";
import type { Logger } from "../logger";
import type { Services } from "../services";
import { homeView } from "./blocks/home.blocks";

/**
 * Publishes users' App Home tabs. After a change, `refreshSoon` republishes the tabs of the people
 * it touched in the background: the command's reply doesn't wait for it, and a burst of changes
 * for one person within a second costs one publish.
 */
export class HomePublisher {
  private readonly pending = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly services: Services,
    private readonly client: WebClient,
    private readonly logger: Logger,
    private readonly delayMs = 500,
  ) {}

  async publish(workspaceId: string, userId: string): Promise<void> {
    const view = homeView(await this.services.home.overview({ workspaceId, userId }));
    await this.client.views.publish({ user_id: userId, view });
  }

  refreshSoon(workspaceId: string, userIds: string[]): void {
    for (const userId of new Set(userIds)) {
      const key = `${workspaceId}:${userId}`;
      clearTimeout(this.pending.get(key));
      const timer = setTimeout(() => {
        this.pending.delete(key);
        this.publish(workspaceId, userId).catch((error: unknown) =>
          this.logger.warn({ err: error, workspaceId, userId }, "could not republish App Home"),
        );
      }, this.delayMs);
      timer.unref();
      this.pending.set(key, timer);
    }
  }

  /** Publishes whatever is pending now (for shutdown and tests). */
  async flush(): Promise<void> {
    const keys = [...this.pending.keys()];
    for (const key of keys) {
      clearTimeout(this.pending.get(key));
      this.pending.delete(key);
      const [workspaceId, userId] = key.split(":");
      await this.publish(workspaceId, userId).catch((error: unknown) =>
        this.logger.warn({ err: error, workspaceId, userId }, "could not republish App Home"),
      );
    }
  }
}
