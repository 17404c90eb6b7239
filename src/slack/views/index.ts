import type { App } from "@slack/bolt";
import type { SlackDeps } from "../deps";
import { CREATE_TEAM_CALLBACK } from "./team-create.modal";
import { onTeamCreateSubmitted } from "./team-create.view";
import { EDIT_TEAM_CALLBACK } from "./team-edit.modal";
import { onTeamEditSubmitted } from "./team-edit.view";
import { INVITE_CALLBACK } from "./team-invite.modal";
import { onTeamInviteSubmitted } from "./team-invite.view";
import { LIMIT_REQUEST_CALLBACK } from "./limit-request.modal";
import { onLimitRequestSubmitted } from "./limit-request.view";

export function register(app: App, deps: SlackDeps): void {
  app.view(CREATE_TEAM_CALLBACK, onTeamCreateSubmitted(deps));
  app.view(EDIT_TEAM_CALLBACK, onTeamEditSubmitted(deps));
  app.view(INVITE_CALLBACK, onTeamInviteSubmitted(deps));
  app.view(LIMIT_REQUEST_CALLBACK, onLimitRequestSubmitted(deps));
}
