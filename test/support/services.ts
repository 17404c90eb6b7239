import { ManualClock } from "../../src/clock";
import type { Database } from "../../src/db/database";
import type { Actor } from "../../src/services/actor";
import { createServices, type Services } from "../../src/services";
import { newUserId, newWorkspaceId } from "./databases";

export interface ServiceWorld {
  db: Database;
  services: Services;
  clock: ManualClock;
  workspaceId: string;
  /** Users Slack reports as workspace admins or owners (org admins). */
  workspaceAdmins: Set<string>;
  /** A fresh user in this world's workspace. */
  user(label?: string): Actor;
}

/** Services over a real database, in a workspace of their own, with a clock that moves when told. */
export function serviceWorld(
  db: Database,
  options: { orgAdmins?: string[]; timeZone?: string } = {},
): ServiceWorld {
  const clock = new ManualClock();
  const workspaceId = newWorkspaceId();
  const workspaceAdmins = new Set<string>();
  const services = createServices({
    db,
    clock,
    orgAdmins: options.orgAdmins ?? [],
    inviteTtlDays: 7,
    timeZone: options.timeZone ?? "UTC",
    workspaceAdminLookup: async (_workspace, userId) => workspaceAdmins.has(userId),
  });
  return {
    db,
    services,
    clock,
    workspaceId,
    workspaceAdmins,
    user: (label = "user") => ({ workspaceId, userId: newUserId(label) }),
  };
}

/** The error a promise rejects with; fails the test if it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the call to be refused, but it succeeded");
}
