import { describe, expect, it } from "vitest";
import { useConsole } from "../support/console";

describe("a join request in the console", () => {
  const testConsole = useConsole();
  const type = (line: string) => testConsole().type(line);

  it("sets a team to approval, asks to join as someone else, approves, and shows the card change", async () => {
    await type("/team create Platform");
    expect(await type("/team set Platform policy=approval")).toContain("policy open → approval");
    await type("as @dave");
    const asked = await type("/team join Platform");
    expect(asked).toContain("(Roster sent @alice a DM; `as @alice` to read it)");
    expect(asked).toContain(
      "⏳ Platform needs an admin's approval, so you asked to join. It went to @alice to approve or deny.",
    );
    expect(await type("/team join Platform")).toContain(
      "⏳ Your request to join Platform is still waiting for an admin",
    );

    const card = await type("as @alice");
    expect(card).toContain(
      "While you were away:\nRoster · DM from Roster\n  🔔 @dave asks to join Platform.",
    );
    expect(card).toContain("[1] Approve  [2] Deny");

    const approved = await type("press 1");
    expect(approved).toContain("Roster · DM from Roster (updated)\n  🔔 @dave asks to join Platform.");
    expect(approved).toMatch(/✅ Approved by @alice · \d{4}-\d\d-\d\d/);
    expect(approved).not.toContain("[1] Approve");
    expect(approved).toContain("(Roster sent @dave a DM; `as @dave` to read it)");

    expect(await type("as @dave")).toContain(
      "✅ @alice approved your request to join Platform; you're a member now.",
    );
    const info = await type("/team info Platform");
    expect(info).toContain("Members: 2 active members");
    expect(info).toContain("Your role: member");
  });
});
