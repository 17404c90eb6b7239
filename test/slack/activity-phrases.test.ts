import { describe, expect, it } from "vitest";
import { describeEvent } from "../../src/slack/blocks/activity.blocks";

const event = (
  action: string,
  targetType: string,
  targetId: string,
  after: Record<string, string | number> | null = null,
) => ({
  action,
  targetType,
  targetId,
  before: null,
  after,
});

describe("activity phrases", () => {
  it("says in words what happened to invitations, requests, limits and keys", () => {
    expect(describeEvent(event("invitation.created", "invitation", "UBOB1", { role: "admin" }))).toBe(
      "invited <@UBOB1> as admin",
    );
    expect(
      describeEvent(event("invitation.created", "invitation", "dana@example.com", { role: "member" })),
    ).toBe("invited dana@example.com as member");
    expect(describeEvent(event("request.created", "limit_request", "UBOB1", { total: 500000 }))).toBe(
      "asked for a total limit of 500,000 tokens",
    );
    expect(describeEvent(event("request.approved", "join_request", "UBOB1"))).toBe(
      "approved <@UBOB1>'s request to join",
    );
    expect(
      describeEvent(
        event("limit.set", "member_limit", "UBOB1", { totalMax: 1000, period: "daily", transactionMax: 100 }),
      ),
    ).toBe("set <@UBOB1>'s limit: 1,000 tokens a day, at most 100 a request");
    expect(
      describeEvent(event("limit.set", "budget_limit", "Platform", { totalMax: 5000, period: "monthly" })),
    ).toBe("set the team's budget: 5,000 tokens a month");
    expect(describeEvent(event("limit.removed", "default_limit", "Platform"))).toBe(
      "removed the default limit per member",
    );
    expect(describeEvent(event("key.created", "api_key", "ci"))).toBe("created the API key `ci`");
  });
});
