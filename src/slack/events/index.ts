import type { App } from "@slack/bolt";
import type { SlackDeps } from "../deps";
import { onAppHomeOpened } from "./app-home-opened.event";
import { onTeamJoin } from "./team-join.event";

export function register(app: App, deps: SlackDeps): void {
  app.event("app_home_opened", onAppHomeOpened(deps));
  app.event("team_join", onTeamJoin(deps));
}
