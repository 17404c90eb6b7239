import type { WebClient } from "@slack/web-api";
import type { Clock } from "../clock";

export interface Person {
  id: string;
  name: string;
  email: string | null;
  isAdmin: boolean;
  deleted: boolean;
  /** A bot or app user (Slackbot included): never someone to remove from a channel. */
  bot: boolean;
}

const CACHE_MS = 5 * 60_000;
/** Slackbot is listed by users.list as a user, not a bot (is_bot false). */
const SLACKBOT = "USLACKBOT";

/**
 * People as Slack knows them (users.info), cached for five minutes so a members list of a big team
 * costs each profile once. Also the source of "is this user a workspace admin or owner?" for the
 * org-admin rule, which the services receive as an injected lookup.
 */
export class PeopleDirectory {
  private readonly cache = new Map<string, { person: Person | null; until: number }>();
  private admins: { ids: string[]; until: number } | undefined;

  constructor(
    private readonly client: WebClient,
    private readonly clock: Clock,
  ) {}

  /** The person, or null when Slack doesn't know the ID. Network failures propagate. */
  async get(userId: string): Promise<Person | null> {
    const cached = this.cache.get(userId);
    if (cached && cached.until > this.clock.now()) return cached.person;
    let person: Person | null = null;
    try {
      const { user } = await this.client.users.info({ user: userId });
      if (user?.id) {
        person = {
          id: user.id,
          name: user.profile?.display_name || user.real_name || user.name || user.id,
          email: user.profile?.email ?? null,
          isAdmin: Boolean(user.is_admin || user.is_owner || user.is_primary_owner),
          deleted: Boolean(user.deleted),
          bot: Boolean(user.is_bot || user.is_app_user || user.id === SLACKBOT),
        };
      }
    } catch (error) {
      if (slackError(error) !== "user_not_found") throw error;
    }
    this.cache.set(userId, { person, until: this.clock.now() + CACHE_MS });
    return person;
  }

  /** Profiles of many people at once, fetched a few at a time (users.info is Tier 4: generous). */
  async many(userIds: string[]): Promise<Map<string, Person | null>> {
    const result = new Map<string, Person | null>();
    const unique = [...new Set(userIds)];
    for (let i = 0; i < unique.length; i += 10) {
      const batch = unique.slice(i, i + 10);
      const people = await Promise.all(batch.map((id) => this.get(id).catch(() => null)));
      batch.forEach((id, j) => result.set(id, people[j]));
    }
    return result;
  }

  async isWorkspaceAdmin(userId: string): Promise<boolean> {
    return (await this.get(userId))?.isAdmin ?? false;
  }

  /**
   * The workspace's admins and owners (users.list, paged by cursor), without deactivated accounts
   * and bots; cached for five minutes like profiles. users.list is Tier 2, and a big workspace
   * takes many pages, so callers ask only when they have someone to tell (an escalation).
   */
  async workspaceAdmins(): Promise<string[]> {
    if (this.admins && this.admins.until > this.clock.now()) return this.admins.ids;
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.client.users.list({ limit: 200, ...(cursor ? { cursor } : {}) });
      for (const user of page.members ?? []) {
        if (!user.id || user.deleted || user.is_bot || user.id === SLACKBOT) continue;
        if (user.is_admin || user.is_owner || user.is_primary_owner) ids.push(user.id);
      }
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (cursor);
    this.admins = { ids, until: this.clock.now() + CACHE_MS };
    return ids;
  }

  /** The workspace member with this email, or null. */
  async byEmail(email: string): Promise<string | null> {
    try {
      const { user } = await this.client.users.lookupByEmail({ email });
      return user?.id ?? null;
    } catch (error) {
      if (slackError(error) === "users_not_found") return null;
      throw error;
    }
  }
}

/** The `error` code of a failed Web API call (`user_not_found`, …), if it is one. */
export function slackError(error: unknown): string | undefined {
  const data = (error as { data?: { error?: string } } | undefined)?.data;
  return data?.error;
}
