import type { Clock } from "../clock";

/** Asks the workspace (Slack's `users.info`) whether a user is one of its admins or owners. */
export type WorkspaceAdminLookup = (workspaceId: string, userId: string) => Promise<boolean>;

const CACHE_MS = 60_000;

/**
 * Org admins: the workspace's own admins and owners, plus the users named in ORG_ADMINS. Answers
 * from the workspace are cached for a minute, so a burst of commands costs one Slack call; a failed
 * lookup counts as "not an admin" (the safe answer) and is not cached.
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
    try {
      const admin = await this.lookup(workspaceId, userId);
      this.cache.set(key, { admin, until: now + CACHE_MS });
      return admin;
    } catch (error) {
      this.onLookupError(error);
      return false;
    }
  }
}
