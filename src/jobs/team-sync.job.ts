import type { SlackDeps } from "../slack/deps";
import type { SyncRun } from "../slack/team-sync";

/**
 * Every 15 minutes, every synced team's user group and channel are compared with its active
 * members and brought in step: this catches what Roster can't see happen (someone left the
 * channel, or changed the group in Slack) and any change whose immediate sync failed. Each sync is
 * claimed by one process per interval (TeamSyncService.claimCheck).
 */
export async function handleTeamSync(deps: SlackDeps): Promise<SyncRun> {
  const run = await deps.sync.checkAll();
  if (run.failed > 0 || run.forgotten > 0) deps.logger.info(run, "checked synced teams");
  return run;
}
