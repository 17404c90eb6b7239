import type { Subcommand } from "./subcommand";
import { teamCreate } from "./team-create.command";
import { teamHelp } from "./team-help.command";
import { teamInfo } from "./team-info.command";
import { teamList } from "./team-list.command";
import { notYetAvailable } from "./not-yet-available.command";

/**
 * Every `/team` subcommand, in the order `/team help` lists them. Each lives in its own
 * `team-<name>.command.ts`; the rule it enforces lives in the service it calls.
 */
export const SUBCOMMANDS: Subcommand[] = [
  teamHelp,
  teamCreate,
  teamList,
  teamInfo,
  notYetAvailable("invite", "/team invite <team> <user|email>… [role=<role>]", "Invite people to a team."),
  notYetAvailable("invites", "/team invites <team>", "Pending invitations, with Resend and Revoke."),
  notYetAvailable(
    "limit",
    "/team limit <team> [<user>] [tx=<tokens>] [total=<tokens>] [period=…] [budget]",
    "Set or explain token limits.",
  ),
  notYetAvailable("request", '/team request <team> total=<tokens> [reason="…"]', "Ask for a higher limit."),
  notYetAvailable(
    "sync",
    "/team sync <team> [handle=<name>]",
    "Keep a user group and the team channel in step.",
  ),
  notYetAvailable(
    "usage",
    "/team usage <team> [<user>] [from=YYYY-MM-DD] [to=YYYY-MM-DD] [by=user|resource|day]",
    "Token usage.",
  ),
  notYetAvailable("digest", "/team digest <team> [post]", "Preview or post the weekly digest."),
  notYetAvailable("key", "/team key create|list|revoke <team> [<name>]", "API keys for the AI platform."),
];

export function findSubcommand(name: string): Subcommand | undefined {
  return SUBCOMMANDS.find((s) => s.name === name);
}
