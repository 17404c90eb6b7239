import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fail, type ApiResult } from "./stand-in-args";
import {
  DEFAULT_WORKSPACE_ID,
  STAND_IN_BOT_ID,
  STAND_IN_BOT_USER_ID,
  newTriggerId,
  type SlackUserInput,
} from "./slack-objects";
import {
  StandInDirectory,
  type ChannelInput,
  type StandInChannel,
  type StandInUser,
} from "./stand-in-directory";
import {
  StandInMessages,
  type ResponseOrigin,
  type StandInEphemeral,
  type StandInFile,
  type StandInMessage,
} from "./stand-in-messages";
import {
  StandInRecorder,
  type StandInCall,
  type StandInFault,
  type StandInResponse,
} from "./stand-in-recorder";
import { RESPONSE_URL_FAULT, StandInRouter, send } from "./stand-in-router";
import type { StandInUserGroup } from "./stand-in-user-groups";
import { StandInViews, type StandInView } from "./stand-in-views";

export { RESPONSE_URL_FAULT, STAND_IN_BOT_ID, STAND_IN_BOT_USER_ID };
export type {
  ChannelInput,
  ResponseOrigin,
  SlackUserInput,
  StandInCall,
  StandInChannel,
  StandInEphemeral,
  StandInFault,
  StandInFile,
  StandInMessage,
  StandInResponse,
  StandInUser,
  StandInUserGroup,
  StandInView,
};

export interface SlackStandInOptions {
  workspaceId?: string;
  /** How long a builder-issued trigger_id can open a view; Slack allows 3 seconds. */
  triggerTtlMs?: number;
}

/**
 * Slack at its HTTP boundary: answers the Web API as WebClient calls it (POST /api/<method>, HTTP
 * 200 with { ok, ... } even for errors), accepts file uploads and response_url POSTs, records every
 * call, and fails on request. Tests and the console point SLACK_API_URL at `apiUrl`.
 */
export class SlackStandIn {
  readonly workspaceId: string;
  private readonly directory: StandInDirectory;
  private readonly store: StandInMessages;
  private readonly views: StandInViews;
  private readonly recorder = new StandInRecorder();
  private readonly router: StandInRouter;
  private server?: Server;
  private port?: number;

  constructor(options: SlackStandInOptions = {}) {
    this.workspaceId = options.workspaceId ?? DEFAULT_WORKSPACE_ID;
    this.directory = new StandInDirectory(this.workspaceId);
    this.store = new StandInMessages(this.directory, () => this.baseUrl);
    this.views = new StandInViews(
      this.workspaceId,
      (id) => this.directory.users.has(id),
      options.triggerTtlMs ?? 3000,
    );
    const handlers = {
      "auth.test": () => this.authTest(),
      ...this.directory.handlers(),
      ...this.store.handlers(),
      ...this.views.handlers(),
    };
    this.router = new StandInRouter(handlers, this.recorder, this.store);
  }

  async start(port = 0): Promise<void> {
    if (this.server) throw new Error("the Slack stand-in is already started");
    const server = createServer((req, res) => {
      this.router.handle(this.baseUrl, req, res).catch((error: unknown) => {
        if (!res.headersSent)
          send(res, 500, JSON.stringify(fail("internal_error", { detail: String(error) })));
        else res.destroy();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    this.recorder.releaseHangs();
    await new Promise<void>((resolve, reject) =>
      server.close((error) => (error ? reject(error) : resolve())),
    );
  }

  /** e.g. http://127.0.0.1:PORT/ */
  get baseUrl(): string {
    if (this.port === undefined) throw new Error("start() the Slack stand-in before asking for its URL");
    return `http://127.0.0.1:${this.port}/`;
  }

  /** With the trailing slash WebClient's slackApiUrl expects. */
  get apiUrl(): string {
    return `${this.baseUrl}api/`;
  }

  addUser(user: SlackUserInput): void {
    this.directory.addUser(user);
  }

  /** Everyone in the workspace, the app's own bot user (UROSTERBOT) included. */
  get users(): ReadonlyMap<string, StandInUser> {
    return this.directory.users;
  }

  addChannel(channel: ChannelInput): void {
    this.directory.addChannel(channel);
  }

  get channels(): ReadonlyMap<string, StandInChannel> {
    return this.directory.channels;
  }

  get userGroups(): ReadonlyMap<string, StandInUserGroup> {
    return this.directory.userGroups;
  }

  /** A user group someone made in Slack itself (by default a person, not the app). Returns its ID. */
  addUserGroup(group: { name: string; handle: string; users?: string[]; createdBy?: string }): string {
    const id = `S${String(this.directory.userGroups.size + 1).padStart(8, "0")}`;
    const now = Math.floor(Date.now() / 1000);
    this.directory.userGroups.set(id, {
      id,
      name: group.name,
      handle: group.handle,
      description: "",
      users: [...(group.users ?? [])],
      channels: [],
      enabled: true,
      createdBy: group.createdBy ?? "USOMEONE",
      dateCreate: now,
      dateUpdate: now,
    });
    return id;
  }

  /** Free workspaces have no user groups: every usergroups.* call answers paid_teams_only. */
  get userGroupsPlan(): "paid" | "free" {
    return this.directory.userGroupsPlan;
  }

  set userGroupsPlan(plan: "paid" | "free") {
    this.directory.userGroupsPlan = plan;
  }

  get messages(): readonly StandInMessage[] {
    return this.store.messages;
  }

  get ephemerals(): readonly StandInEphemeral[] {
    return this.store.ephemerals;
  }

  messagesTo(channelOrUser: string): StandInMessage[] {
    return this.store.messagesTo(channelOrUser);
  }

  get files(): ReadonlyMap<string, StandInFile> {
    return this.store.files;
  }

  /** Modals opened or pushed, at their latest version (Slack doesn't report closes). */
  get openViews(): StandInView[] {
    return [...this.views.modals.values()];
  }

  homeOf(userId: string): StandInView | undefined {
    return this.views.homes.get(userId);
  }

  /** A fresh trigger_id, valid for one view within Slack's 3 seconds. */
  triggerId(): string {
    return newTriggerId();
  }

  /**
   * A fresh response_url. Give the origin (the message with the button, who pressed it) to have
   * replace_original, delete_original and ephemeral replies land where Slack would put them.
   */
  responseUrl(origin: ResponseOrigin = {}): string {
    return this.router.issueResponseUrl(this.baseUrl, origin);
  }

  get responses(): readonly StandInResponse[] {
    return this.recorder.responses;
  }

  get calls(): readonly StandInCall[] {
    return this.recorder.calls;
  }

  callsTo(method: string): StandInCall[] {
    return this.recorder.calls.filter((call) => call.method === method);
  }

  /** Forgets recorded calls, responses and pending faults; the workspace and its messages stay. */
  clear(): void {
    this.recorder.clear();
  }

  /** Every Web API call as it is answered; returns the way to stop listening. */
  onCall(listener: (call: StandInCall) => void): () => void {
    return this.recorder.onCall(listener);
  }

  onResponse(listener: (response: StandInResponse) => void): () => void {
    return this.recorder.onResponse(listener);
  }

  /** The next `times` calls to `method` (or RESPONSE_URL_FAULT for response_urls) fail this way. */
  failNext(method: string, fault: StandInFault, times = 1): void {
    this.recorder.failNext(method, fault, times);
  }

  private authTest(): ApiResult {
    return {
      ok: true,
      url: `https://${this.workspaceId.toLowerCase()}.slack.com/`,
      team: "Roster",
      user: "roster",
      team_id: this.workspaceId,
      user_id: STAND_IN_BOT_USER_ID,
      bot_id: STAND_IN_BOT_ID,
      is_enterprise_install: false,
    };
  }
}
