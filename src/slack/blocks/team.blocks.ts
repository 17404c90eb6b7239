import type { KnownBlock } from "@slack/types";
import type { SharedResourceEntity, TeamEntity, TeamGrantEntity } from "../../../entities";
import type { TeamDetails, TeamPage, TeamSearchInput } from "../../services/team.service";
import type { Reply } from "../reply";
import {
  actions,
  button,
  channelLink,
  commandName,
  context,
  escapeText,
  fields,
  header,
  mention,
  plural,
  section,
  slackDate,
} from "./common";

const POLICY_LABEL = {
  open: "Open: anyone may join",
  approval: "Approval: admins approve requests",
  invite_only: "Invite only",
};

export function teamCreatedReply(team: TeamEntity): Reply {
  const name = commandName(team.name);
  return {
    text: `Created ${team.name}; you're its owner.`,
    blocks: [
      section(`:white_check_mark: Created *${escapeText(team.name)}*; you're its owner.`),
      context(
        `Next: \`/team add ${name} @someone\` · \`/team set ${name} channel=#…\` · \`/team info ${name}\``,
      ),
    ],
  };
}

export function teamInfoReply(
  details: TeamDetails,
  access: { grants: TeamGrantEntity[]; resources: SharedResourceEntity[] },
): Reply {
  const { team, parent, children, ownerId, memberCount, viewerRole } = details;
  const blocks: KnownBlock[] = [header(team.name)];
  if (team.description) blocks.push(section(escapeText(team.description)));
  blocks.push(
    fields([
      ["Owner", ownerId ? mention(ownerId) : "none"],
      ["Members", plural(memberCount, "active member")],
      ["Parent", parent ? escapeText(parent.name) : "none (top level)"],
      ["Channel", team.channelId ? channelLink(team.channelId) : "none"],
      ["Joining", POLICY_LABEL[team.joinPolicy]],
      [
        "Visibility",
        team.visibility === "private" ? "Private: members and org admins" : "Whole organisation",
      ],
      [
        "Resources",
        team.resourceSharing === "admins_only" ? "Shared with admins only" : "Shared with all members",
      ],
      ["Your role", viewerRole ?? "not a member"],
    ]),
  );
  if (children.length)
    blocks.push(section(`*Sub-teams:* ${children.map((c) => escapeText(c.name)).join(", ")}`));
  const meta = Object.entries(team.metadata);
  if (meta.length)
    blocks.push(section(`*Metadata:* ${meta.map(([k, v]) => `${k}=${escapeText(v)}`).join(" · ")}`));
  if (access.grants.length)
    blocks.push(
      section(`*Granted to all members:* ${access.grants.map((g) => `\`${g.permission}\``).join(", ")}`),
    );
  if (access.resources.length) {
    const shared = access.resources.map(
      (r) => `\`${r.resourceType}:${r.resourceId}\` (${r.permissions.join(", ")})`,
    );
    blocks.push(section(`*Shared resources:* ${shared.join(", ")}`));
  }
  blocks.push(context(`Created ${slackDate(team.createdAt)} · updated ${slackDate(team.updatedAt)}`));
  const name = commandName(team.name);
  blocks.push(
    actions("team_info_actions", [
      button("Members", "team_run_command:members", `members ${name}`),
      button("Sub-team tree", "team_run_command:tree", `tree ${name}`),
      button("Activity", "team_run_command:activity", `activity ${name}`),
    ]),
  );
  return {
    text: `${team.name}: owner ${ownerId ? mention(ownerId) : "none"}, ${plural(memberCount, "member")}.`,
    blocks,
  };
}

export function teamListReply(page: TeamPage, query: TeamSearchInput & { text?: string }): Reply {
  if (page.total === 0) {
    return {
      text: "No teams match.",
      blocks: [
        section(
          query.text || query.member || query.parent
            ? "No teams match that search."
            : "There are no teams yet; create one with `/team create <name>`.",
        ),
      ],
    };
  }
  const rows = page.teams.map((t) => {
    const flags = [
      t.visibility === "private" ? ":lock:" : "",
      t.joinPolicy !== "open" ? `_${t.joinPolicy.replace("_", " ")}_` : "",
    ].filter(Boolean);
    return `• *${escapeText(t.name)}* · ${plural(t.memberCount, "member")}${flags.length ? ` · ${flags.join(" ")}` : ""}${
      t.description ? ` · ${escapeText(t.description.slice(0, 80))}` : ""
    }`;
  });
  const blocks: KnownBlock[] = [
    section(rows.join("\n")),
    context(`Page ${page.page} of ${page.pages} · ${plural(page.total, "team")}`),
  ];
  const pager = pagerButtons("list", query, page.page, page.pages);
  if (pager) blocks.push(pager);
  return { text: `${plural(page.total, "team")}, page ${page.page} of ${page.pages}.`, blocks };
}

/** Previous/Next buttons that replay the list command with another page. */
function pagerButtons(
  command: string,
  query: TeamSearchInput & { text?: string },
  current: number,
  pages: number,
) {
  const parts = [command];
  if (query.text) parts.push(JSON.stringify(query.text));
  if (query.member) parts.push("mine");
  if (query.parent) parts.push(`parent=${JSON.stringify(query.parent)}`);
  if (query.sort) parts.push(`sort=${query.sort}`);
  const base = parts.join(" ");
  const buttons = [];
  if (current > 1) buttons.push(button("◀ Previous", "team_page:previous", `${base} page=${current - 1}`));
  if (current < pages) buttons.push(button("Next ▶", "team_page:next", `${base} page=${current + 1}`));
  return buttons.length ? actions("pager", buttons) : undefined;
}
