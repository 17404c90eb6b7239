import type { Server } from "node:http";
import { App, type CustomRoute, HTTPReceiver, LogLevel, SocketModeReceiver } from "@slack/bolt";
import { WebClient } from "@slack/web-api";
import { type Clock, systemClock } from "./clock";
import type { Config } from "./config";
import type { Database } from "./db/database";
import { apiRoutes } from "./http/api-routes";
import type { Logger } from "./logger";
import { createServices, type Services } from "./services";
import * as actions from "./slack/actions";
import { boltLogger } from "./slack/bolt-logger";
import { stopOnAmbiguousFailure } from "./slack/client-retries";
import * as commands from "./slack/commands";
import type { SlackDeps } from "./slack/deps";
import * as events from "./slack/events";
import { DigestJob, type DigestJobOptions } from "./jobs/digest.job";
import { HomePublisher } from "./slack/home";
import { LimitNotices } from "./slack/limit-notices";
import { PeopleDirectory } from "./slack/people";
import { ignoreRedeliveries } from "./slack/redelivery.middleware";
import { TeamSyncer } from "./slack/team-sync";
import * as views from "./slack/views";

export interface RosterAppOptions {
  config: Config;
  db: Database;
  logger: Logger;
  clock?: Clock;
  /** Retries of failed Web API calls; tests turn them off so a failure shows at once. */
  slackRetries?: number;
  /** The digest's leases and Slack retries; tests shorten them. */
  digest?: DigestJobOptions;
}

export interface RosterApp {
  app: App;
  services: Services;
  deps: SlackDeps;
  /** Starts listening; resolves with the HTTP port actually bound (PORT=0 picks a free one). */
  start(): Promise<{ port: number }>;
  stop(): Promise<void>;
}

/**
 * Builds Roster: the services on the database, the Bolt app with every listener, and the HTTP
 * routes that live beside Slack's (`/healthz`). Socket Mode when SLACK_APP_TOKEN is set, HTTP mode
 * otherwise. The console, `npm start` and the tests all build the app here.
 */
export function createRosterApp(options: RosterAppOptions): RosterApp {
  const { config, db, logger } = options;
  const clock = options.clock ?? systemClock;
  const token = config.SLACK_BOT_TOKEN ?? "xoxb-missing";
  const clientOptions = {
    slackApiUrl: config.SLACK_API_URL,
    retryConfig: { retries: options.slackRetries ?? 10, onFailedAttempt: stopOnAmbiguousFailure },
    logLevel: LogLevel.WARN,
  };
  const client = new WebClient(token, { ...clientOptions, logger: boltLogger(logger) });
  const people = new PeopleDirectory(client, clock);
  const services = createServices({
    db,
    clock,
    orgAdmins: config.ORG_ADMINS,
    inviteTtlDays: config.INVITE_TTL_DAYS,
    timeZone: config.TIMEZONE,
    workspaceAdminLookup: (_workspaceId, userId) => people.isWorkspaceAdmin(userId),
    onLookupError: (error) => logger.warn({ err: error }, "could not ask Slack whether a user is an admin"),
  });
  const home = new HomePublisher(services, client, logger);
  const digests = new DigestJob({ services, people, logger, clock, client }, config, options.digest);
  const sync = new TeamSyncer(services, client, people, logger);
  const deps: SlackDeps = { services, db, people, home, logger, clock, digests, sync };
  const notices = new LimitNotices(client, services, logger, config.TIMEZONE);

  const routes: CustomRoute[] = [
    {
      path: "/healthz",
      method: ["GET"],
      handler: (_req, res) => {
        void db.ping().then((up) => {
          res.writeHead(up ? 200 : 503, { "Content-Type": "application/json" });
          res.end(JSON.stringify({ status: up ? "ok" : "database unavailable" }));
        });
      },
    },
    ...apiRoutes(deps, notices, config.TIMEZONE),
  ];

  const receiver = config.SLACK_APP_TOKEN
    ? new SocketModeReceiver({
        appToken: config.SLACK_APP_TOKEN,
        customRoutes: routes,
        installerOptions: { port: config.PORT },
        logger: boltLogger(logger),
      })
    : new HTTPReceiver({
        signingSecret: config.SLACK_SIGNING_SECRET ?? "",
        endpoints: "/slack/events",
        customRoutes: routes,
        logger: boltLogger(logger),
      });
  if (receiver instanceof HTTPReceiver) refuseFutureTimestamps(receiver);
  const app = new App({ token, receiver, clientOptions, logger: boltLogger(logger) });

  app.use(ignoreRedeliveries(deps));
  commands.register(app, deps);
  actions.register(app, deps);
  views.register(app, deps);
  events.register(app, deps);
  app.error(async (error) => {
    logger.error({ err: error }, "unhandled error in a Slack listener");
  });

  return {
    app,
    services,
    deps,
    async start() {
      const server = (await app.start(config.PORT)) as Server | undefined;
      const address = server?.address();
      return { port: typeof address === "object" && address ? address.port : config.PORT };
    },
    async stop() {
      await home.flush();
      await sync.flush();
      await notices.flush();
      await app.stop();
    },
  };
}

/**
 * Bolt refuses a request signed more than five minutes ago but not one dated in the future; SPEC
 * section 9 refuses both (a clock-skewed replay is still a replay). Checked before Bolt reads the
 * body, so a refused request touches nothing.
 */
function refuseFutureTimestamps(receiver: HTTPReceiver): void {
  const next = receiver.requestListener;
  receiver.requestListener = (req, res) => {
    const stamp = Number(req.headers["x-slack-request-timestamp"]);
    if (Number.isFinite(stamp) && stamp - Date.now() / 1000 > 5 * 60) {
      res.writeHead(401, { "Content-Type": "text/plain" });
      res.end("The request's timestamp is more than five minutes in the future.");
      return;
    }
    next(req, res);
  };
}
