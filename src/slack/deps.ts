import type { Clock } from "../clock";
import type { Database } from "../db/database";
import type { DigestJob } from "../jobs/digest.job";
import type { Logger } from "../logger";
import type { Services } from "../services";
import type { HomePublisher } from "./home";
import type { PeopleDirectory } from "./people";
import type { TeamSyncer } from "./team-sync";

/** What every listener may use: the services, and the few Slack-side helpers. */
export interface SlackDeps {
  services: Services;
  /** Only to tell whether a command changed anything (`watchCommits`); services do the work. */
  db: Database;
  people: PeopleDirectory;
  home: HomePublisher;
  logger: Logger;
  clock: Clock;
  /** The weekly digest: the scheduler's ticks, and `/team digest <team> post`. */
  digests: DigestJob;
  /** `/team sync`, and keeping synced teams in step after every change. */
  sync: TeamSyncer;
}
