import type { Clock } from "../clock";
import type { Database } from "../db/database";

const KEEP_MS = 24 * 3_600_000;

/**
 * Recognises redeliveries: Slack retries an event it believes was lost, up to three times within
 * minutes. The first delivery of a key wins, across every process sharing the database.
 */
export class DeliveryService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  /** True the first time `key` is seen; false for every later delivery of it. */
  async firstTime(key: string): Promise<boolean> {
    // On the ack path of every command: one INSERT, committed on its own.
    return this.db.single((repos) => repos.deliveries.record(key.slice(0, 191), this.clock.now()));
  }

  /** Forgets keys older than a day: Slack stops retrying long before that. */
  async prune(): Promise<void> {
    await this.db.transaction((repos) => repos.deliveries.deleteOlderThan(this.clock.now() - KEEP_MS));
  }
}
