import { membersReply } from "../blocks/member.blocks";
import type { Subcommand } from "./subcommand";

const PAGE_SIZE = 20;
const STATUSES = ["active", "inactive"] as const;

/** `/team members <team> [role=…] [status=…] [page=<n>]`: members only; invitations and requests are listed elsewhere. */
export const teamMembers: Subcommand = {
  name: "members",
  usage: "/team members <team> [role=<role>] [status=active|inactive] [page=<n>]",
  summary: "A team's members: name, email, role, status and when they joined.",
  details: ["Example: `/team members Platform role=admin status=active`"],
  async run({ args, actor, deps }) {
    args.expectOnly(["role", "status", "page"], 1);
    const name = args.word(0, "team");
    const filter = { role: args.option("role"), status: args.oneOf("status", STATUSES) };
    const wanted = args.int("page", { min: 1, max: 100_000 }) ?? 1;
    const { team, members } = await deps.services.members.list(actor, name, filter);
    const pages = Math.max(1, Math.ceil(members.length / PAGE_SIZE));
    // A page past the end (the list shrank since the button was made) shows the last one.
    const page = Math.min(wanted, pages);
    const shown = members.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
    const people = await deps.people.many(shown.map((m) => m.userId));
    return membersReply({ team, members: shown, total: members.length, page, pages, people, filter });
  },
};
