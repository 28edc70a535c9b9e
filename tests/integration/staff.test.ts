import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { rowsOf } from "../../db/client";
import { withSystem, withTenant } from "../../app/utils/db.server";
import { changeStaffRoles } from "../../app/modules/staff/staff.server";
import { createPartner } from "../support/factories";
import { lastMailTo } from "../support/mail";
import { testDbKind, installTestDatabase } from "../support/db";
import { Browser } from "../support/http";

installTestDatabase();


describe("partner staff", () => {
  it("a global admin adds a staff member who activates from the emailed link and signs in", async () => {
    const p = await createPartner(["global_admin"]);
    const admin = new Browser();
    await admin.signIn(p.users.global_admin!.email);
    const email = `new-agent@${p.domain}`;
    const res = await admin.fetch("/partner/staff", { form: { displayName: "Nora Agent", email, roles: ["admin_agent", "sales_agent"] } });
    expect(res.status).toBe(302);
    const list = await admin.html("/partner/staff");
    expect(list.text).toContain("Nora Agent");
    expect(list.text).toContain("Invited");

    const link = (await lastMailTo(email)).match(/\/activate\/[\w-]+/)![0];
    const nora = new Browser();
    expect((await nora.html(link)).text).toContain(`Join ${p.name}`);
    const activated = await nora.fetch(link, { form: { displayName: "Nora Agent", password: "nora-secret-password", confirmPassword: "nora-secret-password" } });
    expect(activated.status).toBe(302);
    // Partners require a second factor: she sets up an authenticator app before anything else.
    expect((await nora.html("/partner")).location).toBe("/account/security?required=1");
    const { secret, recoveryCodes } = await nora.enrolTotp("nora-secret-password");
    expect(recoveryCodes).toHaveLength(10);
    expect((await nora.html("/partner")).status).toBe(200);
    expect((await new Browser().html(link)).status).toBe(410); // used
    await new Browser().signIn(email, "nora-secret-password", { totpSecret: secret });
    expect((await admin.html("/partner/staff")).text).not.toContain(">Invited<");
  });

  it("validates the form: field messages and 400, duplicates 409, nothing created", async () => {
    const p = await createPartner(["global_admin", "sales_agent"]);
    const admin = new Browser();
    await admin.signIn(p.users.global_admin!.email);
    const bad = await admin.fetch("/partner/staff", { form: { displayName: "", email: "not-an-email" } });
    expect(bad.status).toBe(400);
    const text = await bad.text();
    expect(text).toContain("Enter a valid email address.");
    expect(text).toContain("Choose at least one role.");
    const dup = await admin.fetch("/partner/staff", { form: { displayName: "Again", email: p.users.sales_agent!.email, roles: "sales_agent" } });
    expect(dup.status).toBe(409);
    expect(await dup.text()).toContain("already a member");
  });

  it("resend replaces the link; revoke removes the invitation", async () => {
    const p = await createPartner(["global_admin"]);
    const admin = new Browser();
    await admin.signIn(p.users.global_admin!.email);
    const email = `temp@${p.domain}`;
    await admin.fetch("/partner/staff", { form: { displayName: "Temp", email, roles: "billing_admin" } });
    const first = (await lastMailTo(email)).match(/\/activate\/[\w-]+/)![0];
    const [{ id }] = await withSystem(async (tx) => rowsOf<{ id: string }>(await tx.execute(sql`select id from users where email = ${email}`))) as [{ id: string }];
    expect((await admin.fetch(`/partner/staff/${id}`, { form: { intent: "resend" } })).status).toBe(302);
    const second = (await lastMailTo(email)).match(/\/activate\/[\w-]+/)![0];
    expect(second).not.toBe(first);
    expect((await new Browser().html(first)).status).toBe(410);
    expect((await admin.fetch(`/partner/staff/${id}`, { form: { intent: "revoke" } })).status).toBe(302);
    expect((await new Browser().html(second)).status).toBe(410);
    expect((await admin.html("/partner/staff")).text).not.toContain(email);
  });

  it("changes roles, deactivates (access ends at once) and reactivates", async () => {
    const p = await createPartner(["global_admin", "sales_agent"]);
    const admin = new Browser();
    await admin.signIn(p.users.global_admin!.email);
    const sales = new Browser();
    await sales.signIn(p.users.sales_agent!.email);
    const id = p.users.sales_agent!.id;
    expect((await admin.fetch(`/partner/staff/${id}`, { form: { intent: "roles", roles: ["billing_admin"] } })).status).toBe(302);
    const detail = (await admin.html(`/partner/staff/${id}`)).text;
    expect(detail).toMatch(/checked="" value="billing_admin"/);
    expect(detail).not.toMatch(/checked="" value="sales_agent"/);
    expect((await admin.fetch(`/partner/staff/${id}`, { form: { intent: "deactivate" } })).status).toBe(302);
    expect((await sales.html("/partner")).location).toMatch(/^\/signin/);
    expect((await admin.fetch(`/partner/staff/${id}`, { form: { intent: "reactivate" } })).status).toBe(302);
    await new Browser().signIn(p.users.sales_agent!.email);
  });

  it("the last global admin cannot be demoted or deactivated", async () => {
    const p = await createPartner(["global_admin"]);
    const admin = new Browser();
    await admin.signIn(p.users.global_admin!.email);
    const id = p.users.global_admin!.id;
    const demote = await admin.fetch(`/partner/staff/${id}`, { form: { intent: "roles", roles: "sales_agent" } });
    expect(demote.status).toBe(409);
    expect(await demote.text()).toContain("at least one active global admin");
    expect((await admin.fetch(`/partner/staff/${id}`, { form: { intent: "deactivate" } })).status).toBe(409);
  });

  it.runIf(testDbKind() === "postgres")("two global admins demoting each other at once leave one global admin (PostgreSQL)", async () => {
    const p = await createPartner(["global_admin", "sales_agent"]);
    const second = p.users.sales_agent!.id;
    await withSystem((tx) => tx.execute(sql`update memberships set roles = '{global_admin}' where user_id = ${second}`));
    const first = p.users.global_admin!.id;
    const demote = (actor: string, target: string) =>
      withTenant({ orgId: p.orgId, userId: actor }, (tx) =>
        changeStaffRoles(tx, { orgId: p.orgId, actor: { userId: actor, orgId: p.orgId }, userId: target, roles: ["sales_agent"] }),
      );
    const results = await Promise.allSettled([demote(first, second), demote(second, first)]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const [row] = await withSystem(async (tx) =>
      rowsOf<{ n: number }>(await tx.execute(sql`select count(*)::int as n from memberships where org_id = ${p.orgId} and 'global_admin' = any(roles)`)),
    );
    expect(row!.n).toBe(1);
  });
});

describe("company profile", () => {
  it("all staff view it; only the global admin edits; input is validated", async () => {
    const p = await createPartner(["global_admin", "sales_agent"]);
    const sales = new Browser();
    await sales.signIn(p.users.sales_agent!.email);
    expect((await sales.html("/partner/profile")).status).toBe(200);
    expect((await sales.fetch("/partner/profile", { form: { name: "Hijack" } })).status).toBe(403);
    const admin = new Browser();
    await admin.signIn(p.users.global_admin!.email);
    const bad = await admin.fetch("/partner/profile", { form: { name: "Ok Name", email: "bad", website: "ftp://x", phone: "call me" } });
    expect(bad.status).toBe(400);
    const text = await bad.text();
    expect(text).toContain("Enter a valid email address.");
    expect(text).toContain("Enter a phone number");
    const ok = await admin.fetch("/partner/profile", { form: { name: "Renamed Partner", email: "hello@renamed.test", website: "https://renamed.test", phone: "+45 11 22 33 44", country: "dk" } });
    expect(ok.status).toBe(302);
    const page = await sales.html("/partner/profile");
    expect(page.text).toContain("Renamed Partner");
    expect(page.text).toContain("+45 11 22 33 44");
    expect((await admin.html("/partner/audit")).text).toContain("profile.updated");
  });
});
