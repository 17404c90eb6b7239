import type { Clock } from "../clock";
import type { Logger } from "../logger";
import type { Services } from "../services";
import type { HomePublisher } from "./home";
import type { PeopleDirectory } from "./people";

/** What every listener may use: the services, and the few Slack-side helpers. */
export interface SlackDeps {
  services: Services;
  people: PeopleDirectory;
  home: HomePublisher;
  logger: Logger;
  clock: Clock;
}
