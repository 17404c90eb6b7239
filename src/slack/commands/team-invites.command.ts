import { invitesListReply } from "../blocks/invitation.blocks";
import type { Subcommand } from "./subcommand";

/** `/team invites <team> [page=<n>]`: the pending invitations, each with Resend and Revoke. */
export const teamInvites: Subcommand = {
  name: "invites",
  usage: "/team invites <team> [page=<n>]",
  summary: "Pending invitations to a team, with Resend and Revoke.",
  details: ["Resend renews an invitation's expiry and sends the DM again; Revoke withdraws it."],
  async run({ args, actor, deps }) {
    args.expectOnly(["page"], 1);
    const name = args.word(0, "team");
    const page = args.int("page", { min: 1, max: 100_000 }) ?? 1;
    const { team, invitations } = await deps.services.invitations.pending(actor, name);
    return invitesListReply({ team, invitations, page, now: deps.clock.now() });
  },
};
