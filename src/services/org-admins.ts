import type { Clock } from "../clock";

/** Asks the workspace (Slack's `users.info`) whether a user is one of its admins or owners. */
export type WorkspaceAdminLookup = (workspaceId: string, userId: string) => Promise<boolean>;

const CACHE_MS = 60_000;
/**
 * How long a change waits for Slack's answer. The question is asked inside the change's database
 * transaction (the policy runs there), and on SQLite every other request of the process waits for
 * that transaction: a slow or rate-limited Slack must not hold them all up.
 */
const LOOKUP_WAIT_MS = 1_000;

/**
 * Org admins: the workspace's own admins and owners, plus the users named in ORG_ADMINS. Answers
 * from the workspace are cached for a minute, so a burst of commands costs one Slack call; a failed
 * lookup counts as "not an admin" (the safe answer) and is not cached. So does one Slack doesn't
 * answer within a second, though its late answer is cached for the requests after it.
 */
export class OrgAdminDirectory {
  private readonly cache = new Map<string, { admin: boolean; until: number }>();

  constructor(
    private readonly configured: readonly string[],
    private readonly lookup: WorkspaceAdminLookup,
    private readonly clock: Clock,
    private readonly onLookupError: (error: unknown) => void = () => undefined,
  ) {}

  async isOrgAdmin(workspaceId: string, userId: string): Promise<boolean> {
    if (this.configured.includes(userId)) return true;
    const key = `${workspaceId}:${userId}`;
    const cached = this.cache.get(key);
    const now = this.clock.now();
    if (cached && cached.until > now) return cached.admin;
    const lookup = this.lookup(workspaceId, userId).then((admin) => {
      // An answer that came too late for this request still serves the next ones.
      this.cache.set(key, { admin, until: this.clock.now() + CACHE_MS });
      return admin;
    });
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<"late">((resolve) => {
      timer = setTimeout(() => resolve("late"), LOOKUP_WAIT_MS);
    });
    try {
      const answer = await Promise.race([lookup, late]);
      if (answer !== "late") return answer;
      lookup.catch((error: unknown) => this.onLookupError(error));
      this.onLookupError(
        new Error(`Slack didn't say within ${LOOKUP_WAIT_MS} ms whether ${userId} is an admin`),
      );
      return false;
    } catch (error) {
      this.onLookupError(error);
      return false;
    } finally {
      clearTimeout(timer);
    }
  }
}
