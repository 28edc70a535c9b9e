/**
 * Defects of issue 30 found in a browser walk-through, each proven over HTTP (PGlite and PostgreSQL).
 */
import { sql, type SQL } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { rowsOf, APP_ROLE } from "../../db/client";
import { withSystem } from "../../app/utils/db.server";
import { HELPDESK_ADMINISTRATOR } from "../../app/modules/delegated-admin/admin-roles";
import { createCustomer, createPartner, relate, uniq, type OrgFixture } from "../support/factories";
import { installTestDatabase } from "../support/db";
import { Browser } from "../support/http";
import { runJobs } from "../support/jobs";

installTestDatabase();

const USER_ADMIN = "fe930be7-5e62-47db-91af-98c3a49a38b1";
const one = async <T>(q: SQL) => (await withSystem(async (tx) => rowsOf<T>(await tx.execute(q))))[0]!;
const signedIn = async (org: OrgFixture, role: string) => {
  const b = new Browser();
  await b.signIn(org.users[role]!.email);
  return b;
};

async function certifiedPartnerWithCustomer() {
  const p = await createPartner();
  await withSystem((tx) => tx.execute(sql`update organisations set is_dap_certified = true where id = ${p.orgId}`));
  const c = await createCustomer();
  await relate(p, c);
  const agent = await signedIn(p, "admin_agent");
  return { p, c, agent };
}

async function requestGdap(agent: Browser, customerDomain: string, displayName = `Helpdesk ${uniq()}`) {
  const res = await agent.fetch("/partner/relationships/new", { form: { displayName, durationDays: "30", roles: [USER_ADMIN, HELPDESK_ADMINISTRATOR], customerDomain } });
  expect(res.status).toBe(302);
  return res.headers.get("Location")!.split("/").pop()!;
}

/** The outcome of one statement as the app role in the organisation's context (rolled back). */
async function asApp(org: OrgFixture, statement: SQL): Promise<"ok" | "denied"> {
  class Rollback extends Error {}
  let outcome: "ok" | "denied" = "ok";
  try {
    await withSystem(async (tx) => {
      await tx.execute(sql`select set_config('app.org_id', ${org.orgId}, true), set_config('app.user_id', ${org.users.global_admin!.id}, true)`);
      await tx.execute(sql.raw(`set local role ${APP_ROLE}`));
      try {
        await tx.execute(statement);
      } catch (error) {
        const cause = ((error as Error).cause ?? error) as { code?: string };
        if (cause.code !== "42501") throw error;
        outcome = "denied";
      }
      throw new Rollback();
    });
  } catch (error) {
    if (!(error instanceof Rollback)) throw error;
  }
  return outcome;
}

describe("issue 30: the phantom delegated-admin request", () => {
  it("lists only real pending requests; the GDAP summary row is neither listed nor approvable, in the app or the database", async () => {
    const { p, c, agent } = await certifiedPartnerWithCustomer();
    const gdapId = await requestGdap(agent, c.domain, "Real GDAP request");
    const summary = await one<{ id: string; status: string }>(sql`select id, status from relationships where partner_org_id = ${p.orgId} and customer_org_id = ${c.orgId} and type = 'gdap'`);
    expect(summary.status).toBe("requested");

    const ga = await signedIn(c, "global_admin");
    const page = await ga.html("/customer/requests");
    expect(page.status).toBe(200);
    expect(page.text).toContain("Real GDAP request");
    expect(page.text).not.toContain("its admin agents act as your global administrators");
    expect(page.text).not.toContain(summary.id);

    for (const intent of ["approve", "decline"]) {
      const res = await ga.fetch("/customer/requests", { form: { intent, id: summary.id } });
      expect([404, 409], intent).toContain(res.status);
    }
    expect(await one(sql`select status from relationships where id = ${summary.id}`)).toEqual({ status: "requested" });
    expect(await one(sql`select status from admin_relationships where id = ${gdapId}`)).toEqual({ status: "approval_pending" });
    expect((await ga.html("/customer/partners")).text).not.toContain("Granular delegated admin Active");

    // The database refuses it too: the customer's context activates the summary row only while an active GDAP exists.
    expect(await asApp(c, sql`update relationships set status = 'active', started_at = now() where id = ${summary.id}`)).toBe("denied");
    // A real DAP request is still listed and approvable.
    const dap = await one<{ id: string }>(sql`insert into relationships (partner_org_id, customer_org_id, type, status) values (${p.orgId}, ${c.orgId}, 'dap', 'requested') returning id`);
    expect((await ga.html("/customer/requests")).text).toContain(dap.id);
    expect((await ga.fetch("/customer/requests", { form: { intent: "approve", id: dap.id } })).status).toBe(302);
    expect(await one(sql`select status from relationships where id = ${dap.id}`)).toEqual({ status: "active" });
    // Approving the real GDAP request activates the summary row (the guard allows it then).
    expect((await ga.fetch(`/customer/requests/${gdapId}`, { form: { intent: "approve" } })).status).toBe(302);
    expect(await one(sql`select status from relationships where id = ${summary.id}`)).toEqual({ status: "active" });
  });
});

describe("issue 30: switching organisation lands on the same page", () => {
  it("keeps the page when it exists in the new organisation for its kind and role, else the home; only same-origin paths", async () => {
    const first = await createPartner(["global_admin"]);
    const second = await createPartner(["global_admin"]);
    const customer = await createCustomer(["global_admin"]);
    const userId = first.users.global_admin!.id;
    await withSystem(async (tx) => {
      await tx.execute(sql`insert into memberships (org_id, user_id, roles, status) values (${second.orgId}, ${userId}, '{sales_agent}', 'active')`);
      await tx.execute(sql`insert into memberships (org_id, user_id, roles, status) values (${customer.orgId}, ${userId}, '{global_admin}', 'active')`);
    });
    const b = await signedIn(first, "global_admin");
    const to = async (orgId: string, redirectTo: string) => {
      const res = await b.fetch("/switch-organisation", { form: { orgId, redirectTo } });
      expect(res.status).toBe(302);
      return res.headers.get("Location");
    };
    // The same list in the other partner (a sales agent sees customers).
    expect(await to(second.orgId, "/partner/customers")).toBe("/partner/customers");
    // A record of the organisation left behind: its list in the new one.
    expect(await to(first.orgId, `/partner/customers/${customer.orgId}`)).toBe("/partner/customers");
    // A page the role has not there: the home.
    expect(await to(second.orgId, "/partner/staff")).toBe("/partner");
    expect(await to(first.orgId, "/partner/staff")).toBe("/partner/staff");
    // Another kind: the home of the new organisation.
    expect(await to(customer.orgId, "/partner/customers")).toBe("/customer");
    expect(await to(first.orgId, "/customer/users")).toBe("/partner");
    // Only same-origin paths.
    for (const evil of ["//evil.example/partner/customers", "https://evil.example/partner", "/\\evil.example"]) {
      expect(await to(first.orgId, evil)).toBe("/partner");
    }
    expect(await to(customer.orgId, "/customer/users")).toBe("/customer/users");
  });
});

describe("issue 30: declined requests read Declined", () => {
  it("a declined GDAP or DAP request reads Declined with when, on the partner's and the customer's pages, with no end date ahead", async () => {
    const { p, c, agent } = await certifiedPartnerWithCustomer();
    const name = `Declined ${uniq()}`;
    const gdapId = await requestGdap(agent, c.domain, name);
    const ga = await signedIn(c, "global_admin");
    expect((await ga.fetch(`/customer/requests/${gdapId}`, { form: { intent: "decline" } })).status).toBe(302);
    const dap = await one<{ id: string }>(sql`insert into relationships (partner_org_id, customer_org_id, type, status) values (${p.orgId}, ${c.orgId}, 'dap', 'requested') returning id`);
    expect((await ga.fetch("/customer/requests", { form: { intent: "decline", id: dap.id } })).status).toBe(302);

    const badge = (label: string) => new RegExp(`class="badge[^"]*">${label}<`);
    const pages = {
      "partner list": await agent.html("/partner/relationships"),
      "partner GDAP": await agent.html(`/partner/relationships/${gdapId}`),
      "partner DAP": await agent.html(`/partner/relationships/dap/${dap.id}`),
      "customer partners": await ga.html("/customer/partners"),
      "customer request": await ga.html(`/customer/requests/${gdapId}`),
    };
    for (const [where, page] of Object.entries(pages)) {
      if (page.status === 404 && where === "partner DAP") continue; // no DAP detail page
      expect(page.status, where).toBe(200);
      expect(page.text, where).toMatch(badge("Declined"));
      expect(page.text, where).not.toMatch(badge("Terminated"));
      expect(page.text, where).not.toMatch(badge("Ended"));
      expect(page.text, where).not.toContain("days after approval");
      expect(page.text, where).toMatch(/Declined( on)? \d/);
    }
  });
});

describe("issue 30: notifications are complete and can be cleared", () => {
  it("a request's notification reads as a whole sentence with its link; each and all can be marked read and dismissed", async () => {
    const { c, agent } = await certifiedPartnerWithCustomer();
    await requestGdap(agent, c.domain, `Notice ${uniq()}`);
    expect((await agent.fetch("/partner/relationships?index", { form: { intent: "dap", customerId: c.orgId } })).status).toBe(302);
    await runJobs(["notify"]);
    const ga = await signedIn(c, "global_admin");
    const rows = await withSystem(async (tx) =>
      rowsOf<{ id: string; title: string; body: string | null; link: string | null }>(await tx.execute(sql`select id, title, body, link from notifications where user_id = ${c.users.global_admin!.id} order by created_at`)),
    );
    expect(rows.length).toBeGreaterThanOrEqual(1);
    for (const n of rows) {
      expect(n.body ?? n.title, n.title).not.toMatch(/[:,]\s*$/);
      expect(n.link, n.title).toMatch(/^\//);
    }
    let page = await ga.html("/notifications");
    expect(page.status).toBe(200);
    expect(page.text).not.toMatch(/decline:\s*</);
    for (const n of rows) expect(page.text).toContain(`href="${n.link}"`);

    // Mark one read, dismiss one, then clear all.
    expect((await ga.fetch("/notifications", { form: { intent: "read", id: rows[0]!.id } })).status).toBe(302);
    expect(await one(sql`select read_at is not null as read from notifications where id = ${rows[0]!.id}`)).toEqual({ read: true });
    expect((await ga.fetch("/notifications", { form: { intent: "dismiss", id: rows[0]!.id } })).status).toBe(302);
    expect(await one(sql`select count(*)::int as n from notifications where id = ${rows[0]!.id}`)).toEqual({ n: 0 });
    await withSystem((tx) => tx.execute(sql`insert into notifications (org_id, user_id, kind, title, link) values (${c.orgId}, ${c.users.global_admin!.id}, 'test', 'Another', '/customer')`));
    page = await ga.html("/notifications");
    expect(page.text).toContain("Clear all");
    expect((await ga.fetch("/notifications", { form: { intent: "dismiss-all" } })).status).toBe(302);
    expect(await one(sql`select count(*)::int as n from notifications where user_id = ${c.users.global_admin!.id} and org_id = ${c.orgId}`)).toEqual({ n: 0 });
    // Someone else's notification is not theirs to clear.
    const other = await createCustomer();
    const [theirs] = await withSystem(async (tx) =>
      rowsOf<{ id: string }>(await tx.execute(sql`insert into notifications (org_id, user_id, kind, title) values (${other.orgId}, ${other.users.global_admin!.id}, 'test', 'Theirs') returning id`)),
    );
    expect((await ga.fetch("/notifications", { form: { intent: "dismiss", id: theirs!.id } })).status).toBe(404);
    expect(await one(sql`select count(*)::int as n from notifications where id = ${theirs!.id}`)).toEqual({ n: 1 });
  });
});
