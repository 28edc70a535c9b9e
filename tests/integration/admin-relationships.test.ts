/**
 * Delegated administration: GDAP and DAP requests from the partner, the customer's approval,
 * decline and removal, open requests by approval link, and the lifecycle with a controllable clock.
 */
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { rowsOf } from "../../db/client";
import { withSystem, withTenant } from "../../app/utils/db.server";
import { GLOBAL_ADMINISTRATOR, HELPDESK_ADMINISTRATOR } from "../../app/modules/delegated-admin/admin-roles";
import { displayStatus, listAdminRelationships, runGdapLifecycle } from "../../app/modules/delegated-admin/admin-relationships.server";
import { createCustomer, createCustomersFor, createPartner, relate, uniq, type OrgFixture } from "../support/factories";
import { installTestDatabase } from "../support/db";
import { Browser } from "../support/http";

installTestDatabase();

const USER_ADMIN = "fe930be7-5e62-47db-91af-98c3a49a38b1";
const DAY = 86_400_000;
const one = async <T>(q: ReturnType<typeof sql>) => (await withSystem(async (tx) => rowsOf<T>(await tx.execute(q))))[0]!;

async function certifiedPartnerWithCustomer() {
  const p = await createPartner();
  await withSystem((tx) => tx.execute(sql`update organisations set is_dap_certified = true where id = ${p.orgId}`));
  const c = await createCustomer();
  await relate(p, c);
  const agent = new Browser();
  await agent.signIn(p.users.admin_agent!.email);
  return { p, c, agent };
}

async function requestGdap(agent: Browser, form: Record<string, string | string[]>) {
  return agent.fetch("/partner/relationships/new", { form: { displayName: `Helpdesk ${uniq()}`, durationDays: "30", roles: [USER_ADMIN, HELPDESK_ADMINISTRATOR], ...form } });
}

const idFrom = (res: Response) => res.headers.get("Location")!.split("/").pop()!;
const codeOf = async (id: string) => (await one<{ code: string }>(sql`select approval_code as code from admin_relationships where id = ${id}`)).code;
const signedIn = async (org: OrgFixture, role: string) => {
  const b = new Browser();
  await b.signIn(org.users[role]!.email);
  return b;
};

describe("GDAP requests", () => {
  it("validates the request with field messages: name length and uniqueness, duration, auto-extend, roles, customer", async () => {
    const { c, agent } = await certifiedPartnerWithCustomer();
    const cases: [Record<string, string | string[]>, number, string][] = [
      [{ displayName: "x".repeat(51), customerDomain: c.domain }, 400, "Use at most 50 characters."],
      [{ durationDays: "0", customerDomain: c.domain }, 400, "At least 1 day."],
      [{ durationDays: "731", customerDomain: c.domain }, 400, "At most 730 days."],
      [{ autoExtend: "on", roles: [GLOBAL_ADMINISTRATOR], customerDomain: c.domain }, 400, "Auto-extend is not allowed when Global Administrator is among the roles."],
      [{ roles: [], customerDomain: c.domain }, 400, "Choose at least one role."],
      [{ customerDomain: "someone-else.example" }, 404, "None of your customers has this primary domain."],
    ];
    for (const [form, status, message] of cases) {
      const res = await requestGdap(agent, form);
      expect(res.status, message).toBe(status);
      expect(await res.text()).toContain(message);
    }
    const ok = await requestGdap(agent, { displayName: "Contoso helpdesk", customerDomain: c.domain, autoExtend: "on" });
    expect(ok.status).toBe(302);
    const dup = await requestGdap(agent, { displayName: "CONTOSO helpdesk", customerDomain: c.domain });
    expect(dup.status).toBe(409);
    expect(await dup.text()).toContain("Names are unique within your organisation.");
    expect((await one<{ n: number }>(sql`select count(*)::int as n from admin_relationships where customer_org_id = ${c.orgId}`)).n).toBe(1);
  });

  it("only global admins and admin agents of certified partners request admin roles", async () => {
    const { p, c } = await certifiedPartnerWithCustomer();
    for (const role of ["sales_agent", "helpdesk_agent", "billing_admin"]) {
      const b = await signedIn(p, role);
      expect((await b.html("/partner/relationships")).status, role).toBe(403);
      expect((await requestGdap(b, { customerDomain: c.domain })).status, role).toBe(403);
    }
    const plain = await createPartner();
    const c2 = await createCustomer();
    await relate(plain, c2);
    const admin = await signedIn(plain, "global_admin");
    expect((await admin.html("/partner/relationships/new")).text).toContain("Only partners certified for delegated administration");
    expect((await requestGdap(admin, { customerDomain: c2.domain })).status).toBe(403);
  });

  it("the customer's global admin approves from the emailed link; the partner sees it active", async () => {
    const { p, c, agent } = await certifiedPartnerWithCustomer();
    const res = await requestGdap(agent, { displayName: "Helpdesk 30 days", customerDomain: c.domain });
    const id = idFrom(res);
    const detail = await agent.html(`/partner/relationships/${id}`);
    const code = await codeOf(id);
    expect(detail.text).toContain(`/gdap/${code}`);
    // The customer's global admins are told, with the approval link.
    const job = await one<{ payload: { orgId: string; link: string; roles: string[] } }>(
      sql`select payload from jobs where kind = 'notify' and payload->>'orgId' = ${c.orgId} order by id desc limit 1`,
    );
    expect(job.payload).toMatchObject({ link: `/gdap/${code}`, roles: ["global_admin"] });

    const ga = await signedIn(c, "global_admin");
    expect((await ga.html(`/gdap/${code}`)).location).toBe(`/customer/requests/${id}`);
    const page = await ga.html(`/customer/requests/${id}`);
    expect(page.text).toContain("User Administrator");
    expect(page.text).toContain("Password resets for non-admins and helpdesk admins; support requests.");
    expect(page.text, page.text.slice(0, 3000)).toContain("30 days from approval");
    const billing = await signedIn(c, "billing_admin");
    expect((await billing.html(`/customer/requests/${id}`)).text).toContain("global admin can approve or decline this request");
    expect((await billing.fetch(`/customer/requests/${id}`, { form: { intent: "approve" } })).status).toBe(403);

    expect((await ga.fetch(`/customer/requests/${id}`, { form: { intent: "approve" } })).status).toBe(302);
    const row = await one<{ status: string; days: number }>(sql`select status, round(extract(epoch from ends_at - approved_at) / 86400)::int as days from admin_relationships where id = ${id}`);
    expect(row).toEqual({ status: "active", days: 30 });
    expect((await ga.fetch(`/customer/requests/${id}`, { form: { intent: "approve" } })).status).toBe(409);
    expect((await one<{ types: string }>(sql`select relationship_types as types from partner_customers where partner_org_id = ${p.orgId} and customer_org_id = ${c.orgId}`)).types).toBe("gdap,reseller");
    const list = await agent.html("/partner/relationships?status=expiring");
    expect(list.status).toBe(200);
    expect(list.text).toContain("Helpdesk 30 days");
    expect((await agent.html("/partner/relationships?status=pending")).text).not.toContain("Helpdesk 30 days");
    expect((await ga.html("/customer/partners")).text).toContain("Helpdesk 30 days");
  });

  it("declining grants nothing; a customer with the agreement pending must accept it first", async () => {
    const { p, agent } = await certifiedPartnerWithCustomer();
    const pendingCustomer = await createCustomer(undefined, { agreement: "pending" });
    await relate(p, pendingCustomer, "pending");
    const id = idFrom(await requestGdap(agent, { customerDomain: pendingCustomer.domain }));
    const ga = await signedIn(pendingCustomer, "global_admin");
    // The agreement gate refuses every action of a customer's global admin until it is accepted (ADR 0029).
    const refused = await ga.fetch(`/customer/requests/${id}`, { form: { intent: "approve" } });
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain("Accept the current customer agreement first.");
    expect((await ga.fetch(`/customer/requests/${id}`, { form: { intent: "decline" } })).status).toBe(403);
    expect(await one(sql`select status from admin_relationships where id = ${id}`)).toEqual({ status: "approval_pending" });
    const { version } = await one<{ version: string }>(sql`select pd_current_agreement_version() as version`);
    expect((await ga.fetch("/customer/agreement", { form: { version, read: "on" } })).status).toBe(302);
    expect((await ga.fetch(`/customer/requests/${id}`, { form: { intent: "decline" } })).status).toBe(302);
    expect(await one(sql`select status, end_reason from admin_relationships where id = ${id}`)).toEqual({ status: "terminated", end_reason: "declined" });
    expect((await one<{ status: string }>(sql`select status from relationships where customer_org_id = ${pendingCustomer.orgId} and type = 'gdap'`)).status).toBe("ended");
  });

  it("an open request is claimed by the first customer whose global admin opens it; others find nothing", async () => {
    const { agent } = await certifiedPartnerWithCustomer();
    const id = idFrom(await requestGdap(agent, { displayName: `Open ${uniq()}` }));
    expect((await agent.html(`/partner/relationships/${id}`)).text).toContain("Open request");
    const code = await codeOf(id);
    const stranger = await createCustomer();
    const other = await createCustomer();
    const ga = await signedIn(stranger, "global_admin");
    const page = await ga.html(`/gdap/${code}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain("Review for my organisation");
    // Opening changed nothing; the billing admin may look but not claim.
    expect((await one<{ c: string | null }>(sql`select customer_org_id as c from admin_relationships where id = ${id}`)).c).toBeNull();
    expect((await (await signedIn(stranger, "billing_admin")).fetch(`/gdap/${code}`, { form: {} })).status).toBe(403);
    const claimed = await ga.fetch(`/gdap/${code}`, { form: {} });
    expect(claimed.headers.get("Location")).toBe(`/customer/requests/${id}`);
    expect((await ga.fetch(`/customer/requests/${id}`, { form: { intent: "approve" } })).status).toBe(302);
    const late = await signedIn(other, "global_admin");
    expect((await late.html(`/gdap/${code}`)).status).toBe(404);
    expect((await late.fetch(`/gdap/${code}`, { form: {} })).status).toBe(404);
    expect((await late.html(`/gdap/not-a-real-code-at-all-xxxx`)).status).toBe(404);
  });
});

describe("DAP requests and removing admin roles", () => {
  it("the partner requests DAP; the customer approves; removing admin roles ends DAP and GDAP but keeps the reseller", async () => {
    const { p, c, agent } = await certifiedPartnerWithCustomer();
    expect((await agent.fetch("/partner/relationships?index", { form: { intent: "dap", customerId: c.orgId } })).status).toBe(302);
    const dap = () => one<{ id: string; status: string }>(sql`select id, status from relationships where customer_org_id = ${c.orgId} and partner_org_id = ${p.orgId} and type = 'dap'`);
    expect((await dap()).status).toBe("requested");
    const ga = await signedIn(c, "global_admin");
    expect((await ga.fetch("/customer/requests", { form: { intent: "approve", id: (await dap()).id } })).status).toBe(302);
    const gdapId = idFrom(await requestGdap(agent, { customerDomain: c.domain }));
    await ga.fetch(`/customer/requests/${gdapId}`, { form: { intent: "approve" } });
    expect((await one<{ types: string }>(sql`select relationship_types as types from partner_customers where partner_org_id = ${p.orgId} and customer_org_id = ${c.orgId}`)).types).toBe("dap,gdap,reseller");

    const billing = await signedIn(c, "billing_admin");
    expect((await billing.fetch("/customer/partners", { form: { intent: "remove-roles", partnerId: p.orgId } })).status).toBe(403);
    const page = await ga.html("/customer/partners");
    expect(page.text).toContain("Remove admin roles");
    expect((await ga.fetch("/customer/partners", { form: { intent: "remove-roles", partnerId: p.orgId } })).status).toBe(302);
    expect((await dap()).status).toBe("ended");
    expect(await one(sql`select status, end_reason from admin_relationships where id = ${gdapId}`)).toEqual({ status: "terminated", end_reason: "removed by the customer" });
    expect((await one<{ types: string }>(sql`select relationship_types as types from partner_customers where partner_org_id = ${p.orgId} and customer_org_id = ${c.orgId}`)).types).toBe("reseller");
    expect((await ga.fetch("/customer/partners", { form: { intent: "remove-roles", partnerId: p.orgId } })).status).toBe(404);
    expect((await agent.html("/partner/relationships?status=terminated")).text).toContain("Terminated");
  });
});

describe("the partner ends a relationship", () => {
  it("terminating an active one stops its roles at once and completes by scheduled work; a pending one is withdrawn", async () => {
    const { p, c, agent } = await certifiedPartnerWithCustomer();
    const active = idFrom(await requestGdap(agent, { customerDomain: c.domain }));
    await (await signedIn(c, "global_admin")).fetch(`/customer/requests/${active}`, { form: { intent: "approve" } });
    const pending = idFrom(await requestGdap(agent, { customerDomain: c.domain }));
    expect((await agent.fetch(`/partner/relationships/${active}`, { form: { intent: "terminate" } })).status).toBe(302);
    expect((await one<{ status: string }>(sql`select status from admin_relationships where id = ${active}`)).status).toBe("termination_requested");
    expect((await agent.fetch(`/partner/relationships/${active}`, { form: { intent: "terminate" } })).status).toBe(409);
    expect((await agent.fetch(`/partner/relationships/${pending}`, { form: { intent: "terminate" } })).status).toBe(302);
    expect(await one(sql`select status, end_reason from admin_relationships where id = ${pending}`)).toEqual({ status: "terminated", end_reason: "withdrawn by the partner" });
    await withSystem((tx) => runGdapLifecycle(tx));
    expect((await one<{ status: string }>(sql`select status from admin_relationships where id = ${active}`)).status).toBe("terminated");
    expect((await one<{ status: string }>(sql`select status from relationships where partner_org_id = ${p.orgId} and customer_org_id = ${c.orgId} and type = 'gdap'`)).status).toBe("ended");
    // A sales agent cannot end anything.
    const sales = await signedIn(p, "sales_agent");
    expect((await sales.fetch(`/partner/relationships/${active}`, { form: { intent: "terminate" } })).status).toBe(403);
  });
});

describe("lifecycle (controllable clock)", () => {
  async function approved(days: number, { autoExtend = false } = {}) {
    const { p, c, agent } = await certifiedPartnerWithCustomer();
    const id = idFrom(await requestGdap(agent, { customerDomain: c.domain, durationDays: String(days), ...(autoExtend ? { autoExtend: "on" } : {}) }));
    await (await signedIn(c, "global_admin")).fetch(`/customer/requests/${id}`, { form: { intent: "approve" } });
    const { ends } = await one<{ ends: Date }>(sql`select ends_at as ends from admin_relationships where id = ${id}`);
    return { p, c, id, ends: new Date(ends) };
  }
  const notices = (id: string) => one<{ n: number }>(sql`select count(*)::int as n from job_effects where key like ${`gdap-notice:${id}:%`}`);

  it("derives 'expiring' in the last 30 days, sends each notice once, and expires at the end", async () => {
    const { id, ends } = await approved(60);
    expect(displayStatus({ status: "active", endsAt: ends }, new Date(ends.getTime() - 31 * DAY))).toBe("active");
    expect(displayStatus({ status: "active", endsAt: ends }, new Date(ends.getTime() - 29 * DAY))).toBe("expiring");
    for (const [daysBefore, expected] of [[29, 1], [29, 1], [6, 2], [0.5, 3], [0.4, 3]] as const) {
      await withSystem((tx) => runGdapLifecycle(tx, { now: new Date(ends.getTime() - daysBefore * DAY) }));
      expect((await notices(id)).n, `${daysBefore} days before`).toBe(expected);
    }
    await withSystem((tx) => runGdapLifecycle(tx, { now: new Date(ends.getTime() + 1000) }));
    expect(await one(sql`select status, end_reason from admin_relationships where id = ${id}`)).toEqual({ status: "expired", end_reason: "reached its end date" });
  });

  it("auto-extends by 180 days at the end instead of expiring", async () => {
    const { id, ends } = await approved(10, { autoExtend: true });
    await withSystem((tx) => runGdapLifecycle(tx, { now: new Date(ends.getTime() + 1000) }));
    const row = await one<{ status: string; ends: Date }>(sql`select status, ends_at as ends from admin_relationships where id = ${id}`);
    expect(row.status).toBe("active");
    expect(Math.round((new Date(row.ends).getTime() - ends.getTime()) / DAY)).toBe(180);
  });

  it("expires a request nobody approved within 90 days", async () => {
    const { c, agent } = await certifiedPartnerWithCustomer();
    const id = idFrom(await requestGdap(agent, { customerDomain: c.domain }));
    await withSystem((tx) => runGdapLifecycle(tx, { now: new Date(Date.now() + 89 * DAY) }));
    expect((await one<{ status: string }>(sql`select status from admin_relationships where id = ${id}`)).status).toBe("approval_pending");
    await withSystem((tx) => runGdapLifecycle(tx, { now: new Date(Date.now() + 91 * DAY) }));
    expect((await one<{ status: string }>(sql`select status from admin_relationships where id = ${id}`)).status).toBe("expired");
  });

  it.runIf(process.env.TEST_DB === "postgres")("two processes running the lifecycle at once send each notice once", async () => {
    const { id, ends } = await approved(20);
    const now = new Date(ends.getTime() - 6 * DAY);
    await Promise.all([withSystem((tx) => runGdapLifecycle(tx, { now })), withSystem((tx) => runGdapLifecycle(tx, { now }))]);
    expect((await notices(id)).n).toBe(1);
    const jobs = await one<{ n: number }>(sql`select count(*)::int as n from jobs where kind = 'notify' and payload->>'kind' = 'gdap.ending' and payload->>'title' like ${"%ends in 7 days"}`);
    expect(jobs.n).toBeGreaterThanOrEqual(2); // partner and customer
  });
});

describe("the admin relationships list at scale", () => {
  // 12 DAP and 20 GDAP relationships of one partner, created in pairs at the same instant (ties across
  // both tables), and another partner's relationships with the same customers.
  const base = Date.parse("2026-06-01T12:00:00Z");
  let p: OrgFixture;
  let other: OrgFixture;
  let customerIds: string[];
  const list = (org: OrgFixture, query: Parameters<typeof listAdminRelationships>[1]["query"]) =>
    withTenant({ orgId: org.orgId, userId: org.users.global_admin!.id }, (tx) => listAdminRelationships(tx, { partnerId: org.orgId, query, now: new Date(base) }));

  it("sets up", async () => {
    p = await createPartner();
    other = await createPartner();
    const tag = uniq();
    customerIds = await createCustomersFor(p, Array.from({ length: 12 }, (_, i) => ({ name: `Paging ${tag} ${String(i).padStart(2, "0")}`, types: ["reseller", "dap"] as const })).map((s) => ({ ...s, types: [...s.types] })));
    await withSystem(async (tx) => {
      for (const [i, id] of customerIds.entries()) {
        await tx.execute(sql`update relationships set status = ${i % 3 === 0 ? "requested" : "active"}, created_at = ${new Date(base - Math.floor(i / 2) * 60_000).toISOString()}::timestamptz
          where partner_org_id = ${p.orgId} and customer_org_id = ${id} and type = 'dap'`);
        await tx.execute(sql`insert into relationships (partner_org_id, customer_org_id, type, status) values (${other.orgId}, ${id}, 'dap', 'active')`);
      }
      for (let i = 0; i < 20; i++) {
        const status = i % 4 === 0 ? "approval_pending" : i % 4 === 1 ? "expired" : "active";
        await tx.execute(sql`insert into admin_relationships (partner_org_id, customer_org_id, display_name, duration_days, roles, status, approval_code, request_expires_at, created_at, ends_at)
          values (${p.orgId}, ${customerIds[i % 12]!}, ${`Helpdesk ${tag} ${i}`}, 30, ${`{${HELPDESK_ADMINISTRATOR}}`}::text[], ${status}, ${`code-${tag}-${i}`},
                  now() + interval '90 days', ${new Date(base - Math.floor(i / 3) * 60_000).toISOString()}::timestamptz,
                  ${status === "active" ? new Date(base + (i % 2 ? 10 : 100) * DAY).toISOString() : null}::timestamptz)`);
      }
    });
  });

  it("walks every page forward and back in (created, id) order without skipping or repeating", async () => {
    const expected = (
      await withSystem(async (tx) =>
        rowsOf<{ id: string }>(
          await tx.execute(sql`select id from (select id, created_at from admin_relationships where partner_org_id = ${p.orgId}
            union all select id, created_at from relationships where partner_org_id = ${p.orgId} and type = 'dap') u order by created_at desc, id desc`),
        ),
      )
    ).map((r) => r.id);
    expect(expected).toHaveLength(32);
    const forward: string[] = [];
    let page = await list(p, { size: 7 });
    expect(page.newer).toBeNull();
    expect(page.total).toEqual({ count: 32, more: false });
    forward.push(...page.rows.map((r) => r.id));
    while (page.older) {
      page = await list(p, { size: 7, after: page.older });
      forward.push(...page.rows.map((r) => r.id));
    }
    expect(forward).toEqual(expected);
    const backward: string[] = [];
    page = await list(p, { size: 7, last: true });
    expect(page.rows).toHaveLength(7);
    expect(page.older).toBeNull();
    backward.unshift(...page.rows.map((r) => r.id));
    while (page.newer) {
      page = await list(p, { size: 7, before: page.newer });
      backward.unshift(...page.rows.map((r) => r.id));
    }
    expect(backward).toEqual(expected);
  });

  it("filters by status across GDAP and DAP, searches by name or customer, and shows only the partner's own", async () => {
    const all = async (query: Parameters<typeof list>[1]) => (await list(p, { size: 200, ...query })).rows;
    const pending = await all({ filter: "pending" });
    expect(pending.filter((r) => r.kind === "gdap")).toHaveLength(5);
    expect(pending.filter((r) => r.kind === "dap")).toHaveLength(4);
    expect(pending.every((r) => r.status === "approval_pending" || r.status === "requested")).toBe(true);
    // Active GDAP ending within 30 days are "expiring", not "active"; DAP is never expiring.
    const expiring = await all({ filter: "expiring" });
    expect(expiring.length).toBeGreaterThan(0);
    expect(expiring.every((r) => r.kind === "gdap" && r.status === "expiring")).toBe(true);
    expect((await all({ filter: "active" })).every((r) => r.status === "active")).toBe(true);
    expect((await all({ filter: "expired" })).map((r) => r.kind)).toEqual(Array(5).fill("gdap"));
    // Customer 03 has one DAP and the GDAP relationships 3 and 15; "Helpdesk … 1" matches 1 and 10–19.
    const byCustomer = await all({ q: (await list(p, { size: 200 })).rows.find((r) => r.customerId === customerIds[3])!.customerName!.slice(-9) });
    expect(byCustomer.map((r) => r.customerId)).toEqual(Array(3).fill(customerIds[3]));
    const byName = await all({ q: `${(await all({ filter: "expired" }))[0]!.displayName.split(" ").slice(0, 2).join(" ")} 1` });
    expect(byName.map((r) => r.displayName.split(" ").pop()).sort((a, b) => Number(a) - Number(b))).toEqual(["1", ...Array.from({ length: 10 }, (_, i) => String(10 + i))]);
    expect((await all({ q: "100%_" })).length).toBe(0);
    // The other partner sees its own 12 DAP rows and none of p's GDAP.
    const theirs = (await list(other, { size: 200 })).rows;
    expect(theirs).toHaveLength(12);
    expect(theirs.every((r) => r.kind === "dap")).toBe(true);
    expect((await list(other, { size: 200, q: "Helpdesk" })).rows).toHaveLength(0);
  });

  it("pages over HTTP with the total; a bad cursor shows the first page", async () => {
    const b = new Browser();
    await b.signIn(p.users.global_admin!.email);
    const first = await b.html("/partner/relationships?size=25");
    expect(first.status).toBe(200);
    expect(first.text).toContain("32 relationships, newest first.");
    expect(first.text).not.toContain('rel="prev"');
    const next = first.text.match(/<a [^>]*href="(\/partner\/relationships\?size=25&amp;after=[^"]+)"/)?.[1];
    expect(next).toBeTruthy();
    // Page 2 has the 7 remaining rows and a link back to the first page.
    const second = await b.html(next!.replace(/&amp;/g, "&"));
    expect(second.status).toBe(200);
    expect((second.text.match(/<tr/g) ?? []).length - 1).toBe(7);
    expect(second.text).toContain('rel="prev"');
    // A bad cursor falls back to the first page.
    expect((await b.html("/partner/relationships?after=not-a-cursor")).text).toContain("32 relationships");
  });
});
