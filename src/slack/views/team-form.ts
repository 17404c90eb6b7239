import type { InputBlock, PlainTextOption } from "@slack/types";
import { z } from "zod";
import type { TeamDetails } from "../../services/team.service";

// The create and edit forms are one form: the same input blocks (block_id = the field, action_id
// "value"), read back by the same schema, with errors shown under the same blocks.

const option = (text: string, value: string): PlainTextOption => ({
  text: { type: "plain_text", text },
  value,
});

// The first option of each is what a new team gets.
const POLICIES = [
  option("Anyone (open)", "open"),
  option("Anyone, once an admin approves", "approval"),
  option("Only people invited", "invite_only"),
];
const VISIBILITY = [
  option("The whole organisation", "organization"),
  option("Members and org admins only", "private"),
];
const SHARING = [option("All members", "all_members"), option("Admins and the owner only", "admins_only")];

function select(blockId: string, label: string, options: PlainTextOption[], current?: string): InputBlock {
  return {
    type: "input",
    block_id: blockId,
    label: { type: "plain_text", text: label },
    element: {
      type: "static_select",
      action_id: "value",
      options,
      initial_option: options.find((o) => o.value === current) ?? options[0],
    },
  };
}

/**
 * The form's input blocks: empty with the defaults for a new team, or filled in with `existing`'s
 * current settings; only an existing team's form has the sharing choice.
 */
export function teamFormBlocks(existing?: TeamDetails): InputBlock[] {
  const team = existing?.team;
  const parent = existing?.parent;
  const blocks: InputBlock[] = [
    {
      type: "input",
      block_id: "name",
      label: { type: "plain_text", text: "Name" },
      element: {
        type: "plain_text_input",
        action_id: "value",
        max_length: 80,
        ...(team
          ? { initial_value: team.name }
          : { placeholder: { type: "plain_text", text: "AI Platform" } }),
      },
    },
    {
      type: "input",
      block_id: "description",
      optional: true,
      label: { type: "plain_text", text: "Description" },
      element: {
        type: "plain_text_input",
        action_id: "value",
        multiline: true,
        max_length: 500,
        ...(team?.description && { initial_value: team.description }),
      },
    },
    {
      type: "input",
      block_id: "parent",
      optional: true,
      label: { type: "plain_text", text: "Parent team" },
      hint: {
        type: "plain_text",
        text: team
          ? "The name of the team this one belongs under; empty for top level."
          : "The name of an existing team this one belongs under.",
      },
      element: {
        type: "plain_text_input",
        action_id: "value",
        max_length: 80,
        ...(parent && { initial_value: parent.name }),
      },
    },
    {
      type: "input",
      block_id: "channel",
      optional: true,
      label: { type: "plain_text", text: "Team channel" },
      element: {
        type: "conversations_select",
        action_id: "value",
        filter: { include: ["public", "private"], exclude_bot_users: true },
        ...(team?.channelId && { initial_conversation: team.channelId }),
      },
    },
    select("policy", "Who can join", POLICIES, team?.joinPolicy),
    select("visibility", "Visible to", VISIBILITY, team?.visibility),
  ];
  if (team) blocks.push(select("sharing", "Shared resources are for", SHARING, team.resourceSharing));
  return blocks;
}

const text = z.object({ value: z.object({ value: z.string().nullish() }) });
const choice = <T extends z.ZodType<string>>(value: T) =>
  z.object({ value: z.object({ selected_option: z.object({ value }).nullish() }) });

const FIELDS = {
  name: text,
  description: text.optional(),
  parent: text.optional(),
  channel: z.object({ value: z.object({ selected_conversation: z.string().nullish() }) }).optional(),
};

/**
 * The create form's fields, read from Slack's `view.state.values`. Its choices are left to the
 * service, whose refusal names the field and so shows under it.
 */
export const newTeamForm = z.object({
  ...FIELDS,
  policy: choice(z.string()).optional(),
  visibility: choice(z.string()).optional(),
});

/** The edit form's fields, read from Slack's `view.state.values`: only the choices it offers. */
export const existingTeamForm = z.object({
  ...FIELDS,
  policy: choice(z.enum(["open", "approval", "invite_only"])).optional(),
  visibility: choice(z.enum(["organization", "private"])).optional(),
  sharing: choice(z.enum(["all_members", "admins_only"])).optional(),
});

/**
 * The block a service's refusal shows under, by the error's field (the create form is never
 * refused for sharing, which it doesn't send). Once the form's own team was found, a team not
 * found is the parent typed in the form.
 */
export const TEAM_FORM_BLOCK_FOR_FIELD: Record<string, string> = {
  name: "name",
  description: "description",
  parent: "parent",
  team: "parent",
  channel: "channel",
  policy: "policy",
  visibility: "visibility",
  sharing: "sharing",
};
