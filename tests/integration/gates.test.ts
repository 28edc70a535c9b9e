/**
 * The signed-in gates (a temporary password to replace, the customer agreement to accept) hold on
 * every request — documents, single-fetch `.data` requests and actions — not only in the layout;
 * and a deactivated member's sessions in that organisation end at once (issue 28 item 6).
 */
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { rowsOf } from "../../db/client";
import { withSystem } from "../../app/utils/db.server";
import { createCustomer, createPartner, PASSWORD, relate } from "../support/factories";
import { installTestDatabase } from "../support/db";
import { Browser } from "../support/http";

installTestDatabase();

const one = async <T>(q: ReturnType<typeof sql>) => (await withSystem(async (tx) => rowsOf<T>(await tx.execute(q))))[0]!;

/** Where a single-fetch `.data` response sends the browser, if anywhere: Remix answers a redirect with 202 and a SingleFetchRedirect. */
async function dataRedirect(res: Response) {
  if (res.status !== 202) return null;
  const body = await res.text();
  return body.startsWith('[["SingleFetchRedirect"') ? (body.match(/"redirect","([^"]*)"/)?.[1] ?? null) : null;
}

/** A single-fetch POST (what useSubmit/fetchers send): the form to `<path>.data`. */
const dataPost = (b: Browser, path: string, form: Record<string, string>) => b.fetch(`${path}.data`, { form });

describe("must change password", () => {
  it("sends page loads and .data requests to /account, refuses actions with 403, and lifts once the password is changed", async () => {
    const p = await createPartner(["global_admin"]);
    await withSystem((tx) => tx.execute(sql`update users set password_must_change = true where id = ${p.users.global_admin!.id}`));
    const b = new Browser();
    await b.signIn(p.users.global_admin!.email);

    for (const path of ["/partner", "/partner/staff", "/partner/customers", "/notifications", "/partner/customers/export.csv"]) {
      const page = await b.html(path);
      expect(page.status, path).toBe(302);
      expect(page.location, path).toBe("/account?required=1");
    }
    // The single-fetch data requests the app makes when navigating, for the layout and the page.
    for (const path of ["/partner.data?_routes=routes%2F_app%2Croutes%2F_app.partner._index", "/partner/profile.data?_routes=routes%2F_app.partner.profile"]) {
      const res = await b.fetch(path);
      expect(res.status, path).not.toBe(200);
      expect(await dataRedirect(res), path).toBe("/account?required=1");
    }
    // Actions, as a form post and as a single-fetch post: refused, and nothing changes.
    const before = await one<{ name: string }>(sql`select name from organisations where id = ${p.orgId}`);
    expect((await b.fetch("/partner/profile", { form: { name: "Taken over" } })).status).toBe(403);
    expect((await dataPost(b, "/partner/profile", { name: "Taken over" })).status).toBe(403);
    expect(await one(sql`select name from organisations where id = ${p.orgId}`)).toEqual(before);

    // The gate's own page, sign-out's neighbours, stay open.
    expect((await b.html("/account")).status).toBe(200);
    expect((await b.fetch("/account.data?_routes=routes%2F_app.account")).status).toBe(200);
    const changed = await b.fetch("/account", { form: { currentPassword: PASSWORD, password: "a-new-long-password", confirmPassword: "a-new-long-password" } });
    expect(changed.status).toBe(302);
    expect((await b.html("/partner")).status).toBe(200);
    expect((await b.fetch("/partner/profile", { form: { name: "Renamed by its admin" } })).status).toBe(302);
  });
});

describe("customer agreement pending", () => {
  it("sends a customer's global admin to the agreement on pages and .data requests, refuses actions, and lifts once accepted", async () => {
    const partner = await createPartner(["global_admin"]);
    const c = await createCustomer(["global_admin", "billing_admin"], { agreement: "pending" });
    await relate(partner, c);
    const admin = new Browser();
    await admin.signIn(c.users.global_admin!.email);

    for (const path of ["/customer", "/customer/partners", "/customer/users", "/notifications"]) {
      const page = await admin.html(path);
      expect(page.status, path).toBe(302);
      expect(page.location, path).toBe("/customer/agreement");
    }
    for (const path of ["/customer.data?_routes=routes%2F_app%2Croutes%2F_app.customer._index", "/customer/partners.data?_routes=routes%2F_app.customer.partners"]) {
      const res = await admin.fetch(path);
      expect(res.status, path).not.toBe(200);
      expect(await dataRedirect(res), path).toBe("/customer/agreement");
    }
    const removal = { intent: "remove-partner", partnerId: partner.orgId };
    expect((await admin.fetch("/customer/partners", { form: removal })).status).toBe(403);
    expect((await dataPost(admin, "/customer/partners", removal)).status).toBe(403);
    expect((await one<{ n: number }>(sql`select count(*)::int as n from relationships where customer_org_id = ${c.orgId} and status <> 'ended'`)).n).toBe(1);

    const agreement = await admin.html("/customer/agreement");
    expect(agreement.status).toBe(200);
    expect((await admin.html("/account")).status).toBe(200);
  });
});

describe("deactivation", () => {
  it("ends the deactivated member's sessions in that organisation at once: the next request is signed out", async () => {
    const p = await createPartner(["global_admin", "sales_agent"]);
    const member = new Browser();
    await member.signIn(p.users.sales_agent!.email);
    expect((await member.html("/partner")).status).toBe(200);
    const admin = new Browser();
    await admin.signIn(p.users.global_admin!.email);

    const res = await admin.fetch(`/partner/staff/${p.users.sales_agent!.id}`, { form: { intent: "deactivate" } });
    expect(res.status).toBe(302);
    expect((await one<{ n: number }>(sql`select count(*)::int as n from sessions where user_id = ${p.users.sales_agent!.id} and org_id = ${p.orgId}`)).n).toBe(0);
    const next = await member.html("/partner");
    expect(next.status).toBe(302);
    expect(next.location).toMatch(/^\/signin/);
    const data = await member.fetch("/partner.data?_routes=routes%2F_app");
    expect(await dataRedirect(data)).toMatch(/^\/signin/);
    // The admin's own session is untouched.
    expect((await admin.html("/partner")).status).toBe(200);
  });

  it("keeps the person's sessions in their other organisations", async () => {
    const p = await createPartner(["global_admin", "sales_agent"]);
    const other = await createPartner(["global_admin"]);
    // The same person is also an active member of another partner.
    await withSystem((tx) =>
      tx.execute(sql`insert into memberships (org_id, user_id, roles, status, activated_at) values (${other.orgId}, ${p.users.sales_agent!.id}, '{sales_agent}', 'active', now())`),
    );
    const here = new Browser();
    await here.signIn(p.users.sales_agent!.email);
    const elsewhere = new Browser();
    await elsewhere.signIn(p.users.sales_agent!.email);
    expect((await elsewhere.fetch("/switch-organisation", { form: { orgId: other.orgId } })).status).toBe(302);

    const admin = new Browser();
    await admin.signIn(p.users.global_admin!.email);
    expect((await admin.fetch(`/partner/staff/${p.users.sales_agent!.id}`, { form: { intent: "deactivate" } })).status).toBe(302);
    expect((await here.html("/partner")).location).toMatch(/^\/signin/);
    expect((await elsewhere.html("/partner")).status).toBe(200);
  });
});
