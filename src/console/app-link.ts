import { postToSlackApp, type PostResult, type SlackAppBody } from "../stand-in/signed-request";
import type { SlackStandIn, StandInCall } from "../stand-in/slack-stand-in";
import type { Screen } from "./screen";

/**
 * The console's line to the app: requests signed with the app's secret and POSTed to its Slack
 * endpoint as Slack would, and the wait for what the app does with Slack after it has answered.
 */
export class AppLink {
  constructor(
    private readonly appUrl: string,
    private readonly signingSecret: string,
    private readonly standIn: SlackStandIn,
    private readonly screen: Screen,
    private readonly quietMs = 250,
  ) {}

  async post(body: SlackAppBody): Promise<PostResult | undefined> {
    try {
      return await postToSlackApp(this.appUrl, this.signingSecret, body);
    } catch (error) {
      this.screen.note(`Could not reach the app: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    } finally {
      this.screen.lastActivity = Date.now();
    }
  }

  /**
   * Waits until the app has left Slack alone for a moment. Button presses are acked at once and
   * answered through the response_url after; this is how the console knows the answer has come.
   */
  async settle(): Promise<void> {
    const until = Date.now() + 5000;
    while (Date.now() - this.screen.lastActivity < this.quietMs && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Resolves true at the first Web API call that matches, false after `ms`. */
  waitFor(match: (call: StandInCall) => boolean, ms = 5000): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        stop();
        resolve(false);
      }, ms);
      const stop = this.standIn.onCall((call) => {
        if (!match(call)) return;
        clearTimeout(timer);
        stop();
        resolve(true);
      });
    });
  }
}
