import type { Config } from "../config";
import { Conflict } from "../domain/errors";
import type { Logger } from "../logger";
import type { Actor } from "../services/actor";
import { digestClaimKey, type DueDigest } from "../services/digest-schedule.service";
import {
  type Digest,
  type DigestPeriod,
  digestWeekEndedBefore,
  digestWeekSoFar,
} from "../services/digest.service";
import { type HeldClaim, LeaseLost } from "../services/job-claim.service";
import { digestMessage, digestNamed } from "../slack/blocks/digest.blocks";
import { digestChartInput } from "../slack/digest-chart";
import { deliverDigest, type DigestOutcome, type DigestProgress } from "../slack/digest-delivery";
import type { Person } from "../slack/people";
import { SlackSender, type RetryPolicy } from "../slack/slack-retry";
import { CronFiring } from "./cron-firing";
import type { WebClient } from "@slack/web-api";
import type { SlackDeps } from "../slack/deps";

/** What the digest uses: the services, names from Slack, and a client to post with. */
export type DigestJobDeps = Pick<SlackDeps, "services" | "people" | "logger" | "clock"> & {
  client: WebClient;
};

export interface DigestJobOptions {
  /** How long a process holds a team's digest before another may take it over (it died). */
  leaseMs?: number;
  /** How long a digest that failed waits before a tick tries it again. */
  retryLaterMs?: number;
  /** Slack retries: tests shorten the waits. */
  retry?: RetryPolicy;
}

export interface DigestRun {
  /** The week covered (its Monday), or null when DIGEST_CRON hasn't fired in the lookback. */
  period: string | null;
  /** Digests this process delivered, by outcome. */
  delivered: Partial<Record<DigestOutcome, number>>;
  /** Digests that failed this time and wait for a later tick. */
  failed: number;
}

const LEASE_MS = 5 * 60_000;
const RETRY_LATER_MS = 5 * 60_000;
/** Leases taken at a time: each batch of digests is built with one set of queries. */
const BATCH = 25;

/**
 * The weekly digest (SPEC section 4). Every process runs it at DIGEST_CRON and again every few
 * minutes to catch up; each tick works out which week is due (the one that ended before
 * DIGEST_CRON last fired), asks which teams are still owed it, and delivers those whose claim it
 * can take. So with any number of processes, a restart, or a crash half-way, each team gets each
 * week's digest once (JobClaimService; deliverDigest for the Slack side).
 */
export class DigestJob {
  private readonly firing: CronFiring;
  private readonly sender: SlackSender;
  private readonly leaseMs: number;
  private readonly retryLaterMs: number;

  constructor(
    private readonly deps: DigestJobDeps,
    private readonly config: Pick<Config, "DIGEST_CRON" | "TIMEZONE">,
    options: DigestJobOptions = {},
  ) {
    this.firing = new CronFiring(config.DIGEST_CRON, config.TIMEZONE);
    this.sender = new SlackSender(deps.client, deps.logger, options.retry);
    this.leaseMs = options.leaseMs ?? LEASE_MS;
    this.retryLaterMs = options.retryLaterMs ?? RETRY_LATER_MS;
  }

  /** One tick: the due week's digests still owed, those this process can claim. */
  async handleDigest(): Promise<DigestRun> {
    const dueAt = await this.firing.lastAtOrBefore(this.deps.clock.now());
    const run: DigestRun = { period: null, delivered: {}, failed: 0 };
    if (dueAt === null) return run;
    const period = digestWeekEndedBefore(dueAt, this.config.TIMEZONE);
    run.period = period.key;
    const owed = await this.deps.services.digestSchedule.due(period.key, dueAt);
    // Processes start at different places in the list, so that they rarely race for one team.
    const start = Math.floor(Math.random() * Math.max(owed.length, 1));
    const order = [...owed.slice(start), ...owed.slice(0, start)];
    for (let i = 0; i < order.length; i += BATCH) {
      const held = await this.takeLeases(order.slice(i, i + BATCH));
      await this.deliverBatch(held, period, run);
    }
    if (owed.length > 0) this.deps.logger.info({ ...run, owed: owed.length }, "digest tick done");
    return run;
  }

  /**
   * `/team digest <team> post`: sends the week so far to the team's channel now, as that week's
   * digest (claimed like the scheduled one, so the week's digest still goes out once).
   */
  async postNow(
    actor: Actor,
    teamName: string,
  ): Promise<{ outcome: DigestOutcome | "already_sent"; digest: Digest }> {
    const team = await this.deps.services.digests.requirePoster(actor, teamName);
    const period = digestWeekSoFar(this.deps.clock.now(), this.config.TIMEZONE);
    const [digest] = await this.deps.services.digests.build(team.workspaceId, [team.id], period);
    if (!digest) {
      throw new Conflict(
        `${team.name} has no channel to post its digest to; give it one with \`/team set "${team.name}" channel=#channel\`.`,
      );
    }
    const key = digestClaimKey(team.workspaceId, team.id, period.key);
    await this.deps.services.jobClaims.ensure([key]);
    const claim = await this.deps.services.jobClaims.take<DigestProgress>(key, this.leaseMs);
    if (!claim) return { outcome: "already_sent", digest };
    try {
      return { outcome: await this.deliverOne(claim, digest), digest };
    } catch (error) {
      // Hand it straight back: a second `post`, or the scheduled run, carries on from here.
      await claim.release(0, "post failed").catch(() => undefined);
      throw error;
    }
  }

  private async takeLeases(
    batch: DueDigest[],
  ): Promise<{ due: DueDigest; claim: HeldClaim<DigestProgress> }[]> {
    const held: { due: DueDigest; claim: HeldClaim<DigestProgress> }[] = [];
    for (const due of batch) {
      const claim = await this.deps.services.jobClaims.take<DigestProgress>(due.key, this.leaseMs);
      if (claim) held.push({ due, claim });
    }
    return held;
  }

  private async deliverBatch(
    held: { due: DueDigest; claim: HeldClaim<DigestProgress> }[],
    period: DigestPeriod,
    run: DigestRun,
  ): Promise<void> {
    const byWorkspace = new Map<string, typeof held>();
    for (const entry of held) {
      const list = byWorkspace.get(entry.due.workspaceId) ?? [];
      list.push(entry);
      byWorkspace.set(entry.due.workspaceId, list);
    }
    for (const [workspaceId, entries] of byWorkspace) {
      const digests = await this.deps.services.digests.build(
        workspaceId,
        entries.map((e) => e.due.teamId),
        period,
      );
      const byTeam = new Map(digests.map((d) => [d.team.id, d]));
      for (const { due, claim } of entries) {
        const digest = byTeam.get(due.teamId);
        try {
          // The team lost its channel (or was deleted) since the list was made: nothing to send.
          const outcome = digest ? await this.deliverOne(claim, digest) : "undeliverable";
          if (!digest) await claim.finish("no channel any more");
          run.delivered[outcome] = (run.delivered[outcome] ?? 0) + 1;
        } catch (error) {
          run.failed += 1;
          await this.failed(claim, error, this.deps.logger.child({ teamId: due.teamId, period: period.key }));
        }
      }
    }
  }

  /** Delivers one digest under its claim and marks the claim done. */
  private async deliverOne(claim: HeldClaim<DigestProgress>, digest: Digest): Promise<DigestOutcome> {
    const { services, people, logger } = this.deps;
    // Mentions name everyone in the text; only the chart's legend and the buttons need names.
    const names = await people.many(digestNamed(digest));
    const { text, blocks } = digestMessage(digest, names);
    const outcome = await deliverDigest(
      this.sender,
      claim,
      {
        teamId: digest.team.id,
        period: digest.period.key,
        channel: digest.team.channelId ?? "",
        text,
        blocks,
        chart: () => digestChart(digest, names),
        fallbackUsers: () => services.approvals.deciders(digest.workspaceId, digest.team.id, "join"),
      },
      logger.child({ teamId: digest.team.id, period: digest.period.key }),
    );
    await claim.finish(outcome);
    return outcome;
  }

  private async failed(claim: HeldClaim<DigestProgress>, error: unknown, logger: Logger): Promise<void> {
    if (error instanceof LeaseLost) {
      logger.warn("another process took this digest over (this one was too slow); leaving it to that one");
      return;
    }
    logger.error({ err: error }, "a digest could not be delivered; a later tick tries again");
    await claim.release(this.retryLaterMs, "failed; retrying").catch((releaseError: unknown) => {
      logger.error({ err: releaseError }, "could not hand the digest back; its lease will run out instead");
    });
  }
}

async function digestChart(digest: Digest, names: Map<string, Person | null>) {
  const { renderUsageChart } = await import("../charts/usage-chart");
  const input = digestChartInput(digest, names);
  if (!input) return null;
  return { png: await renderUsageChart(input), title: input.title, altText: input.title };
}
