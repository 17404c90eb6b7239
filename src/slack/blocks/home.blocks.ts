import type { HomeView, KnownBlock } from "@slack/types";
import type { HomeOverview } from "../../services/home.service";
import {
  actions,
  button,
  commandName,
  context,
  divider,
  escapeText,
  header,
  LIMITS,
  plural,
  section,
} from "./common";

/** The App Home tab: the user's teams with role and status, and buttons for the common actions. */
export function homeView(overview: HomeOverview): HomeView {
  const blocks: KnownBlock[] = [
    header("Your teams"),
    actions("home_actions", [
      button("Create a team", "home_create_team", "create", "primary"),
      button("Browse teams", "team_run_command:browse", "list"),
    ]),
    divider(),
  ];
  if (overview.teams.length === 0) {
    blocks.push(
      section(
        "You're not in any team yet. Create one, or find one with `/team list` and `/team join <team>`.",
      ),
    );
  }
  const room = LIMITS.viewBlocks - blocks.length - 2;
  for (const { team, role, status, memberCount, canManage } of overview.teams.slice(0, room)) {
    const state = status === "inactive" ? " · _deactivated_" : "";
    const summary = `*${escapeText(team.name)}* · ${role}${state} · ${plural(memberCount, "member")}${
      team.description ? `\n${escapeText(team.description)}` : ""
    }`;
    const label = canManage ? "Manage" : "Open";
    blocks.push(
      section(summary, button(label, `team_run_command:team-${team.id}`, `info ${commandName(team.name)}`)),
    );
  }
  if (overview.teams.length > room) {
    blocks.push(context(`…and ${overview.teams.length - room} more; \`/team list mine\` shows them all.`));
  }
  blocks.push(
    context(
      `Type \`/team help\` in any channel for every command.${overview.isOrgAdmin ? " You're an org admin." : ""}`,
    ),
  );
  return { type: "home", blocks };
}
