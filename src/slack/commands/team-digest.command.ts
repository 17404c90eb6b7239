import { digestNamed } from "../blocks/digest.blocks";
import { digestMembersReply, digestPostedReply, digestPreviewReply } from "../blocks/digest-replies.blocks";
import type { Subcommand } from "./subcommand";
import { UsageError } from "./usage-error";

/**
 * `/team digest <team> [post]`: a private preview of the week so far (team:view; admins also see
 * what waits for them). `post` sends it to the team's channel now as this week's digest
 * (team:update; the delivery is the digest job's). `members [week=…] [page=…]` lists everyone's
 * spend for a week: the digest's "Show all members" button runs it.
 */
export const teamDigest: Subcommand = {
  name: "digest",
  usage: "/team digest <team> [post]",
  summary: "Preview the weekly usage digest of a team, or post it to the team's channel now.",
  details: [
    "The preview covers the week so far (Monday to now, in the organisation's time zone) against the same days last week, and only you see it.",
    "`post` sends it to the team's channel now, as this week's digest: the scheduled one then doesn't repeat it. It takes the team:update permission.",
    "`/team digest <team> members [week=YYYY-MM-DD] [page=<n>]` lists every member's spend against their limit for the week starting that Monday.",
  ],
  async run({ args, actor, deps }) {
    const name = args.word(0, "team");
    const post = args.flag("post");
    const members = args.flag("members");
    args.expectOnly(members ? ["week", "page"] : [], 1);
    if (post && members) {
      throw new UsageError(`Use post or members, not both: ${args.usage}.`);
    }
    if (post) {
      const { outcome, digest } = await deps.digests.postNow(actor, name);
      return digestPostedReply(digest, outcome);
    }
    if (members) {
      const page = args.int("page", { min: 1, max: 100_000 }) ?? 1;
      const digest = await deps.services.digests.preview(actor, name, args.option("week"));
      return digestMembersReply(digest, page);
    }
    const digest = await deps.services.digests.preview(actor, name);
    return digestPreviewReply(digest, await deps.people.many(digestNamed(digest)));
  },
};
