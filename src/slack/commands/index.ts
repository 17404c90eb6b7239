import type { App } from "@slack/bolt";
import type { SlackDeps } from "../deps";
import { onTeamCommand } from "./team.command";

export function register(app: App, deps: SlackDeps): void {
  app.command("/team", onTeamCommand(deps));
}
