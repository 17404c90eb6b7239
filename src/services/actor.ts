/** Who is asking: a user of one workspace. Every service call is scoped to `workspaceId`. */
export interface Actor {
  workspaceId: string;
  userId: string;
}
