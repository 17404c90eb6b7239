/** The actor recorded for changes Roster makes on its own (expiry, escalation): not a Slack user. */
export const SYSTEM_ACTOR = "ROSTER";
