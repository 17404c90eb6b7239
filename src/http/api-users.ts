import type { Clock } from "../clock";
import { Unavailable } from "../domain/errors";
import { isEmail } from "./api-schemas";

/** Who has an email address in the workspace (PeopleDirectory.byEmail: users.lookupByEmail). */
export type EmailLookup = (email: string) => Promise<string | null>;

const FOUND_MS = 5 * 60_000;
/** Someone not in the workspace yet may join any minute: forget a miss sooner. */
const MISSED_MS = 60_000;
const MAX_ENTRIES = 10_000;
/** users.lookupByEmail is Tier 3 (50+/min): a batch of new emails is looked up a few at a time. */
const PARALLEL = 5;

/**
 * Turns the API's `user` values (Slack IDs or emails) into Slack user IDs. Emails are looked up
 * once and cached for a few minutes, so a platform reporting by email costs Slack one call per
 * person, not one per event.
 */
export class ApiUsers {
  private readonly cache = new Map<string, { userId: string | null; until: number }>();

  constructor(
    private readonly lookup: EmailLookup,
    private readonly clock: Clock,
  ) {}

  /** Each value's Slack user ID, or null for an email nobody in the workspace has. */
  async resolve(values: string[]): Promise<Map<string, string | null>> {
    const resolved = new Map<string, string | null>();
    const emails = new Set<string>();
    for (const value of values) {
      // A batch names each of its users many times: each is looked at once.
      if (resolved.has(value) || emails.has(value)) continue;
      if (!isEmail(value)) resolved.set(value, value);
      else emails.add(value);
    }
    const now = this.clock.now();
    const missing: string[] = [];
    for (const email of emails) {
      const cached = this.cache.get(email.toLowerCase());
      if (cached && cached.until > now) resolved.set(email, cached.userId);
      else missing.push(email);
    }
    for (let i = 0; i < missing.length; i += PARALLEL) {
      const batch = missing.slice(i, i + PARALLEL);
      const found = await Promise.all(batch.map((email) => this.ask(email)));
      batch.forEach((email, j) => resolved.set(email, found[j]));
    }
    return resolved;
  }

  async resolveOne(value: string): Promise<string | null> {
    return (await this.resolve([value])).get(value) ?? null;
  }

  private async ask(email: string): Promise<string | null> {
    let userId: string | null;
    try {
      userId = await this.lookup(email);
    } catch (error) {
      // Nothing is recorded when Slack can't say who someone is: the caller retries the batch.
      const unavailable = new Unavailable(
        "Roster can't reach Slack to look up users by email right now; try again in a minute.",
      );
      throw Object.assign(unavailable, { cause: error });
    }
    if (this.cache.size >= MAX_ENTRIES) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(email.toLowerCase(), {
      userId,
      until: this.clock.now() + (userId ? FOUND_MS : MISSED_MS),
    });
    return userId;
  }
}
