/**
 * Multi-intent actions (ADR 0032): the action dispatches on `intent` to a named function that
 * parses its own schema; an intent the page does not have is a 400, and a domain refusal comes back
 * through the one mapper (handleDomainError) on the field it names, with its status.
 */
import { describe, expect, it } from "vitest";
import { createCustomer, createPartner } from "../support/factories";
import { installTestDatabase } from "../support/db";
import { Browser } from "../support/http";

installTestDatabase();

const text = async (res: Response) => (await res.text()).replaceAll("<!-- -->", "");

describe("multi-intent actions", () => {
  it("answer an unknown or missing intent with 400 and change nothing", async () => {
    const p = await createPartner(["global_admin"]);
    const admin = new Browser();
    await admin.signIn(p.users.global_admin!.email);
    const forms: Record<string, string>[] = [{ intent: "explode", name: "Night shift" }, { name: "Night shift" }];
    for (const form of forms) {
      const res = await admin.fetch("/partner/staff/groups", { form });
      expect(res.status).toBe(400);
      expect(await text(res)).toContain("intent is not one this page knows");
    }
    expect((await admin.html("/partner/staff/groups")).text).not.toContain("Night shift");

    const c = await createCustomer(["global_admin"]);
    const customer = new Browser();
    await customer.signIn(c.users.global_admin!.email);
    expect((await customer.fetch("/customer/users", { form: { intent: "delete-everyone" } })).status).toBe(400);
    expect((await customer.fetch("/customer/requests", { form: { intent: "approve-all" } })).status).toBe(400);
  });

  it("show each intent's own field message with 400, and a domain refusal on its field with its status", async () => {
    const p = await createPartner(["global_admin"]);
    const admin = new Browser();
    await admin.signIn(p.users.global_admin!.email);
    const empty = await admin.fetch("/partner/staff/groups", { form: { intent: "create", name: "  " } });
    expect(empty.status).toBe(400);
    expect(await text(empty)).toContain("Name the group.");
    const missing = await admin.fetch("/partner/staff/groups", { form: { intent: "create" } });
    expect(missing.status).toBe(400);
    expect(await text(missing)).toContain("Name the group.");

    expect((await admin.fetch("/partner/staff/groups", { form: { intent: "create", name: "Helpdesk" } })).status).toBe(302);
    const taken = await admin.fetch("/partner/staff/groups", { form: { intent: "create", name: "helpdesk" } });
    expect(taken.status).toBe(409);
    expect(await text(taken)).toContain("A group named &quot;helpdesk&quot; exists.");

    const c = await createCustomer(["global_admin"]);
    const customer = new Browser();
    await customer.signIn(c.users.global_admin!.email);
    const noName = await customer.fetch("/customer/users", { form: { intent: "create", email: `someone@${c.domain}` } });
    expect(noName.status).toBe(400);
    expect(await text(noName)).toContain("Enter the user&#x27;s name.");
    expect((await customer.fetch("/customer/users", { form: { intent: "reset", userId: "not-a-uuid" } })).status).toBe(400);
  });
});
