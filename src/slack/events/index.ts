import type { App } from "@slack/bolt";
import type { SlackDeps } from "../deps";
import { onAppHomeOpened } from "./app-home-opened.event";

export function register(app: App, deps: SlackDeps): void {
  app.event("app_home_opened", onAppHomeOpened(deps));
}
