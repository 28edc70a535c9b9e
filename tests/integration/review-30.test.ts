/**
 * Adversarial review of issue 30 (relationship lifecycle, customer Users page, MPSA sharing, LOB
 * apps, customer service requests, partner details, audit and relationships exports): other
 * tenants' ids, other roles, partner staff acting in a customer, the database as the app role,
 * bad input, CSV injection, redirects and races. Each case here guards something that holds.
 */
import { sql, type SQL } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { APP_ROLE, rowsOf } from "../../db/client";
import { withSystem } from "../../app/utils/db.server";
import { createCustomer, createPartner, relate, type OrgFixture } from "../support/factories";
import { installTestDatabase } from "../support/db";
import { Browser } from "../support/http";
import { HELPDESK_ADMINISTRATOR } from "../../app/modules/delegated-admin/admin-roles";

installTestDatabase();

const one = async <T>(q: SQL) => (await withSystem(async (tx) => rowsOf<T>(await tx.execute(q))))[0]!;
const exec = (q: SQL) => withSystem((tx) => tx.execute(q));
const signedIn = async (org: OrgFixture, role: string) => {
  const b = new Browser();
  await b.signIn(org.users[role]!.email);
  return b;
};
const statusOf = (p: OrgFixture, c: OrgFixture, type: string) =>
  one<{ status: string } | undefined>(sql`select status from relationships where partner_org_id = ${p.orgId} and customer_org_id = ${c.orgId} and type = ${type}`).then((r) => r?.status ?? null);
const relationshipId = (p: OrgFixture, c: OrgFixture, type: string) =>
  one<{ id: string }>(sql`select id from relationships where partner_org_id = ${p.orgId} and customer_org_id = ${c.orgId} and type = ${type}`).then((r) => r.id);
const addRelationship = (p: OrgFixture, c: OrgFixture, type: string, status: string) =>
  exec(sql`insert into relationships (partner_org_id, customer_org_id, type, status, started_at, ended_at)
           values (${p.orgId}, ${c.orgId}, ${type}, ${status}, now(), ${status === "ended" ? sql`now()` : null})
           on conflict (partner_org_id, customer_org_id, type) do update set status = excluded.status, ended_at = excluded.ended_at`);

type Outcome = "ok" | "denied";

/**
 * One statement as the app role (rolled back): in `org`'s context as `userId`, and, with `actIn`,
 * after pd_act_in_customer(actIn). Returns "denied" for 42501, or how many rows it touched.
 */
async function asApp(org: OrgFixture, userId: string, statement: SQL, actIn?: OrgFixture): Promise<Outcome | number> {
  class Rollback extends Error {}
  let outcome: Outcome | number = "ok";
  try {
    await withSystem(async (tx) => {
      await tx.execute(sql`select set_config('app.org_id', ${org.orgId}, true), set_config('app.user_id', ${userId}, true)`);
      await tx.execute(sql.raw(`set local role ${APP_ROLE}`));
      if (actIn) await tx.execute(sql`select pd_act_in_customer(${actIn.orgId}::uuid)`);
      try {
        const res = await tx.execute(statement);
        const rows = rowsOf<unknown>(res);
        outcome = rows.length;
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
/** Denied, or touched no row: the attempt changed nothing. */
const held = (o: Outcome | number) => o === "denied" || o === 0;

async function pair() {
  const p = await createPartner();
  const c = await createCustomer();
  await relate(p, c);
  return { p, c };
}

describe("the database, as the app role", () => {
  it("partner staff acting in a customer through DAP approve none of their own requests, turn on no MPSA sharing, review no LOB app, name no partner on a member", async () => {
    const { p, c } = await pair();
    await addRelationship(p, c, "dap", "active");
    await addRelationship(p, c, "support_advisor", "requested");
    await addRelationship(p, c, "mpsa", "requested");
    await addRelationship(p, c, "lob", "active");
    const app = await one<{ id: string }>(sql`insert into lob_apps (customer_org_id, partner_org_id, partner_name, name, version, description, download_url)
      values (${c.orgId}, ${p.orgId}, ${p.name}, 'Expenses', '1.0', 'd', 'https://apps.example.com/x.msi') returning id`);
    const agent = p.users.admin_agent!.id;
    const results = {
      approveAdvisor: await asApp(p, agent, sql`update relationships set status = 'active' where customer_org_id = ${c.orgId} and type = 'support_advisor' returning id`, c),
      approveMpsa: await asApp(p, agent, sql`update relationships set status = 'active' where customer_org_id = ${c.orgId} and type = 'mpsa' returning id`, c),
      sharing: await asApp(p, agent, sql`update organisations set mpsa_share_purchases = true where id = ${c.orgId} returning id`, c),
      lobApprove: await asApp(p, agent, sql`update lob_apps set status = 'approved', reviewed_by_org_id = ${c.orgId} where id = ${app.id} returning id`, c),
      memberPartner: await asApp(p, agent, sql`update memberships set partner_org_id = ${p.orgId} where org_id = ${c.orgId} returning user_id`, c),
      makeSelfAdmin: await asApp(
        p,
        agent,
        sql`insert into memberships (org_id, user_id, roles, status, activated_at) values (${c.orgId}, ${agent}, '{global_admin}', 'active', now()) returning user_id`,
        c,
      ),
    };
    for (const [k, v] of Object.entries(results)) expect(held(v), k).toBe(true);
  });

  it("the partner's own context approves nothing, turns on no sharing and reviews no LOB app of its own", async () => {
    const { p, c } = await pair();
    await addRelationship(p, c, "dap", "requested");
    await addRelationship(p, c, "mpsa", "requested");
    await addRelationship(p, c, "lob", "active");
    const app = await one<{ id: string }>(sql`insert into lob_apps (customer_org_id, partner_org_id, partner_name, name, version, description, download_url)
      values (${c.orgId}, ${p.orgId}, ${p.name}, 'Expenses', '1.0', 'd', 'https://apps.example.com/x.msi') returning id`);
    const ga = p.users.global_admin!.id;
    const results = {
      dap: await asApp(p, ga, sql`update relationships set status = 'active' where customer_org_id = ${c.orgId} and type = 'dap' returning id`),
      mpsa: await asApp(p, ga, sql`update relationships set status = 'active' where customer_org_id = ${c.orgId} and type = 'mpsa' returning id`),
      newMpsa: await asApp(p, ga, sql`insert into relationships (partner_org_id, customer_org_id, type, status) values (${p.orgId}, ${c.orgId}, 'support_advisor', 'active') returning id`),
      sharing: await asApp(p, ga, sql`update organisations set mpsa_share_purchases = true where id = ${c.orgId} returning id`),
      lobApprove: await asApp(p, ga, sql`update lob_apps set status = 'approved', reviewed_by_org_id = ${p.orgId} where id = ${app.id} returning id`),
      lobApproveAsCustomer: await asApp(p, ga, sql`update lob_apps set status = 'approved', reviewed_by_org_id = ${c.orgId} where id = ${app.id} returning id`),
    };
    for (const [k, v] of Object.entries(results)) expect(held(v), k).toBe(true);
  });

  it("another customer's context touches none of this customer's relationships, apps, sharing or members", async () => {
    const { p, c } = await pair();
    const y = await createCustomer();
    await addRelationship(p, c, "mpsa", "requested");
    await addRelationship(p, c, "lob", "active");
    await one(sql`insert into lob_apps (customer_org_id, partner_org_id, partner_name, name, version, description, download_url)
      values (${c.orgId}, ${p.orgId}, ${p.name}, 'Expenses', '1.0', 'd', 'https://apps.example.com/x.msi') returning id`);
    const ga = y.users.global_admin!.id;
    const results = {
      approve: await asApp(y, ga, sql`update relationships set status = 'active' where customer_org_id = ${c.orgId} returning id`),
      apps: await asApp(y, ga, sql`update lob_apps set status = 'approved', reviewed_by_org_id = ${y.orgId} where customer_org_id = ${c.orgId} returning id`),
      readApps: await asApp(y, ga, sql`select id from lob_apps where customer_org_id = ${c.orgId}`),
      sharing: await asApp(y, ga, sql`update organisations set mpsa_share_purchases = true where id = ${c.orgId} returning id`),
      roles: await asApp(y, ga, sql`update memberships set roles = '{user}' where org_id = ${c.orgId} returning user_id`),
      remove: await asApp(y, ga, sql`delete from memberships where org_id = ${c.orgId} returning user_id`),
      shared: await asApp(y, ga, sql`select * from pd_mpsa_shared_purchases(${c.orgId}::uuid)`),
    };
    for (const [k, v] of Object.entries(results)) expect(held(v), k).toBe(true);
  });

  it("MPSA sharing: a billing admin or user of the customer cannot turn it on at the database", async () => {
    const { c } = await pair();
    for (const role of ["billing_admin", "user"]) {
      expect(await asApp(c, c.users[role]!.id, sql`update organisations set mpsa_share_purchases = true where id = ${c.orgId} returning id`), role).toBe("denied");
    }
    expect(await asApp(c, c.users.global_admin!.id, sql`update organisations set mpsa_share_purchases = true where id = ${c.orgId} returning id`)).toBe(1);
  });
});

describe("over HTTP: other tenants' and malformed ids on the new pages", () => {
  it("partner A on partner B's customer: apps, MPSA purchases and lifecycle intents answer 403/404, never 500, and change nothing", async () => {
    const { p: b, c } = await pair();
    await addRelationship(b, c, "lob", "active");
    await addRelationship(b, c, "mpsa", "active");
    await exec(sql`update organisations set mpsa_share_purchases = true where id = ${c.orgId}`);
    const a = await createPartner();
    const problems: string[] = [];
    for (const role of ["global_admin", "admin_agent", "helpdesk_agent", "sales_agent", "billing_admin"]) {
      const s = await signedIn(a, role);
      for (const path of [`/partner/customers/${c.orgId}/apps`, `/partner/customers/${c.orgId}/mpsa-purchases`, `/partner/customers/${c.orgId}`]) {
        const res = await s.html(path);
        if (![403, 404].includes(res.status)) problems.push(`${role} GET ${path}: ${res.status}`);
        if (res.text.includes(c.name)) problems.push(`${role} GET ${path}: leaks the customer's name`);
      }
      const forms: [string, Record<string, string>][] = [
        [`/partner/customers/${c.orgId}/apps`, { intent: "submit", name: "Evil", version: "1.0", description: "x", downloadUrl: "https://evil.example.com/x.msi" }],
        [`/partner/customers/${c.orgId}`, { intent: "request", type: "lob" }],
        [`/partner/customers/${c.orgId}`, { intent: "request", type: "mpsa" }],
        [`/partner/customers/${c.orgId}`, { intent: "dap" }],
        [`/partner/customers/${c.orgId}`, { intent: "end", type: "lob" }],
      ];
      for (const [path, form] of forms) {
        const res = await s.fetch(path, { form });
        if (![403, 404].includes(res.status)) problems.push(`${role} POST ${path} ${form.intent}: ${res.status}`);
      }
    }
    expect(problems).toEqual([]);
    expect(await statusOf(b, c, "lob")).toBe("active");
    expect(await statusOf(a, c, "lob")).toBeNull();
    expect((await one<{ n: number }>(sql`select count(*)::int as n from lob_apps where customer_org_id = ${c.orgId}`)).n).toBe(0);
  }, 120_000);

  it("customer X on customer Y's partner, request, app and service-request ids: 404 or 403, never 500", async () => {
    const { p, c: y } = await pair();
    await addRelationship(p, y, "support_advisor", "requested");
    await addRelationship(p, y, "lob", "active");
    const app = await one<{ id: string }>(sql`insert into lob_apps (customer_org_id, partner_org_id, partner_name, name, version, description, download_url)
      values (${y.orgId}, ${p.orgId}, ${p.name}, 'Secret Y App', '1.0', 'd', 'https://apps.example.com/x.msi') returning id`);
    const reqId = await relationshipId(p, y, "support_advisor");
    const x = await createCustomer();
    const problems: string[] = [];
    const malformed = ["not-a-uuid", "00000000-0000-0000-0000-000000000000", "%00", "1".repeat(5000), "'; drop table users; --"];
    for (const role of ["global_admin", "billing_admin", "user"]) {
      const s = await signedIn(x, role);
      for (const id of [p.orgId, ...malformed]) {
        const res = await s.html(`/customer/partners/${encodeURIComponent(id)}`);
        if (![403, 404].includes(res.status)) problems.push(`${role} partner ${id.slice(0, 20)}: ${res.status}`);
        const sr = await s.html(`/customer/service-requests/${encodeURIComponent(id)}`);
        if (![403, 404].includes(sr.status)) problems.push(`${role} sr ${id.slice(0, 20)}: ${sr.status}`);
      }
      const forms: [string, Record<string, string>][] = [
        ["/customer/requests", { intent: "approve", id: reqId }],
        ["/customer/requests", { intent: "decline", id: reqId }],
        ["/customer/apps", { intent: "approve", appId: app.id, seen: "submitted" }],
        ["/customer/apps", { intent: "withdraw", appId: app.id, seen: "submitted" }],
        ["/customer/partners", { intent: "remove-roles", partnerId: p.orgId }],
        ["/customer/partners", { intent: "remove-partner", partnerId: p.orgId }],
        [`/customer/partners/${p.orgId}`, { intent: "remove-roles" }],
        ["/customer/users", { intent: "role", userId: y.users.global_admin!.id, role: "user" }],
        ["/customer/users", { intent: "remove", userId: y.users.global_admin!.id }],
        ["/customer/users", { intent: "deactivate", userId: y.users.user!.id }],
      ];
      for (const [path, form] of forms) {
        const res = await s.fetch(path, { form });
        if (![400, 403, 404].includes(res.status)) problems.push(`${role} POST ${path} ${form.intent}: ${res.status}`);
      }
      const apps = await s.html("/customer/apps");
      if (apps.text.includes("Secret Y App")) problems.push(`${role} sees Y's app`);
    }
    expect(problems).toEqual([]);
    expect(await statusOf(p, y, "support_advisor")).toBe("requested");
    expect((await one<{ status: string }>(sql`select status from lob_apps where id = ${app.id}`)).status).toBe("submitted");
    expect((await one<{ roles: string[] }>(sql`select roles from memberships where org_id = ${y.orgId} and user_id = ${y.users.global_admin!.id}`)).roles).toEqual(["global_admin"]);
  }, 120_000);
});

describe("over HTTP: roles", () => {
  it("a customer's billing admin and user neither approve requests nor LOB apps nor change sharing or users", async () => {
    const { p, c } = await pair();
    await addRelationship(p, c, "mpsa", "active");
    await addRelationship(p, c, "support_advisor", "requested");
    await addRelationship(p, c, "lob", "active");
    const app = await one<{ id: string }>(sql`insert into lob_apps (customer_org_id, partner_org_id, partner_name, name, version, description, download_url)
      values (${c.orgId}, ${p.orgId}, ${p.name}, 'Expenses', '1.0', 'd', 'https://apps.example.com/x.msi') returning id`);
    const reqId = await relationshipId(p, c, "support_advisor");
    const problems: string[] = [];
    for (const role of ["billing_admin", "user"]) {
      const s = await signedIn(c, role);
      const forms: [string, Record<string, string>][] = [
        ["/customer/requests", { intent: "approve", id: reqId }],
        ["/customer/apps", { intent: "approve", appId: app.id, seen: "submitted" }],
        ["/customer/partners", { intent: "mpsa-sharing", enabled: "on" }],
        ["/customer/users", { intent: "role", userId: c.users[role]!.id, role: "global_admin" }],
        ["/customer/users", { intent: "invite-partner-person", displayName: "Me", email: "me@x.test", partnerId: p.orgId, role: "global_admin" }],
      ];
      for (const [path, form] of forms) {
        const res = await s.fetch(path, { form });
        if (res.status !== 403) problems.push(`${role} POST ${path} ${form.intent}: ${res.status}`);
      }
    }
    expect(problems).toEqual([]);
    expect(await statusOf(p, c, "support_advisor")).toBe("requested");
    expect((await one<{ s: boolean }>(sql`select mpsa_share_purchases as s from organisations where id = ${c.orgId}`)).s).toBe(false);
    expect((await one<{ roles: string[] }>(sql`select roles from memberships where org_id = ${c.orgId} and user_id = ${c.users.user!.id}`)).roles).toEqual(["user"]);
  }, 60_000);

  it("partner staff (any role) get no customer page or action: the customer's routes are for its own members", async () => {
    const { p, c } = await pair();
    await addRelationship(p, c, "dap", "active");
    await addRelationship(p, c, "support_advisor", "requested");
    const reqId = await relationshipId(p, c, "support_advisor");
    const problems: string[] = [];
    for (const role of ["global_admin", "admin_agent"]) {
      const s = await signedIn(p, role);
      const forms: [string, Record<string, string>][] = [
        ["/customer/requests", { intent: "approve", id: reqId }],
        ["/customer/partners", { intent: "mpsa-sharing", enabled: "on" }],
        ["/customer/users", { intent: "role", userId: c.users.user!.id, role: "global_admin" }],
      ];
      for (const [path, form] of forms) {
        const res = await s.fetch(path, { form });
        if (res.status < 300 || res.status >= 500 || (res.status === 302 && (res.headers.get("location") ?? "").startsWith("/customer"))) problems.push(`${role} POST ${path}: ${res.status}`);
      }
    }
    expect(problems).toEqual([]);
    expect(await statusOf(p, c, "support_advisor")).toBe("requested");
  }, 60_000);
});

describe("races", () => {
  it("the partner withdraws while the customer approves: one wins, the other is 409, never 500", async () => {
    for (let i = 0; i < 2; i++) {
      const { p, c } = await pair();
      const agent = await signedIn(p, "admin_agent");
      const ga = await signedIn(c, "global_admin");
      expect((await agent.fetch(`/partner/customers/${c.orgId}`, { form: { intent: "request", type: "support_advisor" } })).status).toBe(302);
      const id = await relationshipId(p, c, "support_advisor");
      const [approve, withdraw] = await Promise.all([
        ga.fetch("/customer/requests", { form: { intent: "approve", id } }),
        agent.fetch(`/partner/customers/${c.orgId}`, { form: { intent: "end", type: "support_advisor" } }),
      ]);
      expect([approve.status, withdraw.status].every((s) => s === 302 || s === 409), `${approve.status} ${withdraw.status}`).toBe(true);
      const final = await statusOf(p, c, "support_advisor");
      expect(["active", "ended"]).toContain(final);
      // A second approve after the answer is a 409.
      expect((await ga.fetch("/customer/requests", { form: { intent: "approve", id } })).status).toBe(409);
    }
  }, 60_000);
});

describe("bad input", () => {
  it("huge and odd values on the new forms answer 400/404/409, never 500", async () => {
    const { p, c } = await pair();
    await addRelationship(p, c, "lob", "active");
    const agent = await signedIn(p, "admin_agent");
    const ga = await signedIn(c, "global_admin");
    const big = "x".repeat(200_000);
    const problems: string[] = [];
    const cases: [Browser, string, Record<string, string | string[]>][] = [
      [agent, `/partner/customers/${c.orgId}/apps`, { intent: "submit", name: big, version: "1", description: "d", downloadUrl: "https://a.example.com/x" }],
      [agent, `/partner/customers/${c.orgId}/apps`, { intent: "submit", name: "A", version: "1", description: "d", downloadUrl: "javascript:alert(1)//.example.com" }],
      [agent, `/partner/customers/${c.orgId}/apps`, { intent: "submit", name: "A", version: "1", description: "d", downloadUrl: "https://user:pw@a.example.com/x" }],
      [agent, `/partner/customers/${c.orgId}/apps`, { intent: "submit", name: "A\u0000", version: "1", description: "d", downloadUrl: "https://a.example.com/x" }],
      [agent, `/partner/customers/${c.orgId}/apps`, { intent: "submit", name: ["A", "B"], version: "1", description: "d", downloadUrl: "https://a.example.com/x" }],
      [agent, `/partner/customers/${c.orgId}/apps`, { intent: "withdraw", appId: "not-a-uuid" }],
      [agent, `/partner/customers/${c.orgId}/apps`, { intent: "__proto__" }],
      [agent, `/partner/customers/${c.orgId}`, { intent: "request", type: "reseller" }],
      [agent, `/partner/customers/${c.orgId}`, { intent: "request", type: "gdap" }],
      [agent, `/partner/customers/${c.orgId}`, { intent: "request", type: "partner" }],
      [agent, `/partner/customers/${c.orgId}`, { intent: "request", type: ["mpsa", "lob"] }],
      [agent, `/partner/customers/${c.orgId}`, { intent: "end", type: big }],
      [agent, `/partner/customers/${c.orgId}`, { intent: "end", type: "constructor" }],
      [ga, "/customer/apps", { intent: "approve", appId: "00000000-0000-0000-0000-000000000000", seen: "submitted" }],
      [ga, "/customer/apps", { intent: "approve", appId: "x", seen: "withdrawn" }],
      [ga, "/customer/requests", { intent: "approve", id: big }],
      [ga, "/customer/partners", { intent: "mpsa-sharing", enabled: "yes" }],
      [ga, "/customer/partners", { intent: "mpsa-sharing", enabled: ["on", "off"] }],
      [ga, "/customer/users", { intent: "role", userId: c.users.user!.id, role: "__proto__" }],
      [ga, "/customer/users", { intent: "invite-partner-person", displayName: big, email: "a@b.test", partnerNumber: "1" }],
      [ga, "/customer/users", { intent: "invite-partner-person", displayName: "A", email: "a@b.test", partnerNumber: "99999999999999999999" }],
      [ga, "/customer/users", { intent: "invite-partner-person", displayName: "A", email: "a@b.test", partnerNumber: "-5" }],
    ];
    for (const [b, path, form] of cases) {
      const res = await b.fetch(path, { form });
      if (![400, 403, 404, 409, 413].includes(res.status)) problems.push(`${res.status} ${path} ${JSON.stringify(form).slice(0, 120)}`);
    }
    for (const q of ["from=2026-13-45", "to=9999999-01-01", "from=2026-01-02&to=2026-01-01", "q=" + "x".repeat(10000), "user=not-a-uuid", "action=%00"]) {
      const pg = await (await signedIn(p, "global_admin")).fetch(`/partner/audit?${q}`);
      if (pg.status >= 500) problems.push(`${pg.status} audit ${q.slice(0, 40)}`);
      const ex = await (await signedIn(p, "global_admin")).fetch(`/partner/audit/export.csv?${q}`);
      if (ex.status >= 500) problems.push(`${ex.status} audit export ${q.slice(0, 40)}`);
    }
    for (const q of ["type=nope", "status=%00", "sort=__proto__", "dir=up", "after=!!!", "type=mpsa&type=dap"]) {
      const ex = await (await signedIn(p, "global_admin")).fetch(`/partner/relationships/export.csv?${q}`);
      if (ex.status >= 500) problems.push(`${ex.status} relationships export ${q}`);
    }
    expect(problems).toEqual([]);
    expect((await one<{ n: number }>(sql`select count(*)::int as n from lob_apps where customer_org_id = ${c.orgId}`)).n).toBe(0);
  }, 180_000);
});

describe("CSV exports and redirects", () => {
  it("the audit and admin relationships exports neutralise formulas in names", async () => {
    const p = await createPartner();
    const evil = "=HYPERLINK(\"https://evil.example.com\",\"x\")";
    const c = await createCustomer();
    await exec(sql`update organisations set name = ${evil} where id = ${c.orgId}`);
    await relate(p, c);
    await exec(sql`update users set display_name = ${"@SUM(1+1)*cmd|' /C calc'!A0"} where id = ${p.users.global_admin!.id}`);
    await exec(sql`insert into audit_log (actor_org_id, actor_user_id, actor_name, subject_org_id, action, object_type, object_id) values (${p.orgId}, ${p.users.global_admin!.id}, ${"-2+3+cmd|' /C calc'!A0"}, ${c.orgId}, 'customer.viewed', 'customer', ${c.orgId})`);
    await exec(sql`insert into admin_relationships (partner_org_id, customer_org_id, display_name, roles, duration_days, status, approval_code, request_expires_at)
      values (${p.orgId}, ${c.orgId}, ${"+cmd|' /C calc'!A0"}, ${`{${HELPDESK_ADMINISTRATOR}}`}::text[], 30, 'approval_pending', ${"code-" + c.orgId}, now() + interval '30 days')`);
    const s = await signedIn(p, "global_admin");
    for (const path of ["/partner/audit/export.csv", "/partner/relationships/export.csv"]) {
      const res = await s.fetch(path);
      expect(res.status, path).toBe(200);
      const text = await res.text();
      // The hostile values are in the export, as text.
      expect(text, path).toMatch(path.includes("audit") ? /'-2\+3\+cmd|'@SUM/ : /'\+cmd/);
      expect(text, path).toContain("'=HYPERLINK");
      for (const line of text.split("\n")) {
        for (const cell of line.split(",")) {
          const bare = cell.replace(/^"/, "");
          expect(/^[=+\-@]/.test(bare), `${path}: ${cell}`).toBe(false);
        }
      }
    }
  }, 60_000);

  it("switching organisation and signing in never redirect to another site", async () => {
    const p = await createPartner();
    const s = await signedIn(p, "global_admin");
    for (const to of ["//evil.example.com", "https://evil.example.com", "/\\evil.example.com", "\\\\evil.example.com", "/%2F%2Fevil.example.com", "javascript:alert(1)"]) {
      const res = await s.fetch("/switch-organisation", { form: { orgId: p.orgId, redirectTo: to } });
      const location = res.headers.get("location") ?? "";
      expect(res.status, to).toBeLessThan(500);
      expect(/^(https?:)?[/\\]{2}|^javascript:|evil/.test(location), `${to} → ${location}`).toBe(false);
      const signin = await new Browser().fetch(`/signin`, { form: { email: p.users.global_admin!.email, password: "correct-horse-battery-staple", redirectTo: to } });
      expect(/^(https?:)?[/\\]{2}|^javascript:|evil/.test(signin.headers.get("location") ?? ""), `signin ${to}`).toBe(false);
    }
  }, 60_000);
});

describe("accounts are global objects", () => {
  it("a customer's global admin removing or deactivating a partner's person touches nothing of that person's partner membership or sessions", async () => {
    const { p, c } = await pair();
    const person = p.users.admin_agent!;
    await exec(sql`insert into memberships (org_id, user_id, roles, status, activated_at, partner_org_id) values (${c.orgId}, ${person.id}, '{global_admin}', 'active', now(), ${p.orgId})`);
    const personSession = await signedIn(p, "admin_agent");
    const ga = await signedIn(c, "global_admin");
    expect((await ga.fetch("/customer/users", { form: { intent: "deactivate", userId: person.id } })).status).toBe(302);
    expect((await ga.fetch("/customer/users", { form: { intent: "remove", userId: person.id } })).status).toBe(302);
    expect((await one<{ status: string; roles: string[] }>(sql`select status, roles from memberships where org_id = ${p.orgId} and user_id = ${person.id}`))).toEqual({ status: "active", roles: ["admin_agent"] });
    expect((await personSession.html("/partner")).status).toBe(200);
    // It cannot change the account itself through the Users page either.
    const before = await one<{ h: string; e: string }>(sql`select password_hash as h, email as e from users where id = ${person.id}`);
    const { c: other } = await pair();
    void other;
    expect((await ga.fetch("/customer/users", { form: { intent: "reset", userId: person.id } })).status).toBe(404);
    expect(await one<{ h: string; e: string }>(sql`select password_hash as h, email as e from users where id = ${person.id}`)).toEqual(before);
  }, 60_000);
});

describe("the last global admin and more races", () => {
  it("an invited (not yet accepted) global admin does not count: the only active one can't demote, deactivate or remove itself", async () => {
    const { p, c } = await pair();
    const ga = await signedIn(c, "global_admin");
    const email = `pending-ga-${c.orgId.slice(0, 6)}@${p.domain}`;
    expect((await ga.fetch("/customer/users", { form: { intent: "invite-partner-person", displayName: "Pending GA", email, partnerId: p.orgId, role: "global_admin" } })).status).toBe(200);
    const me = c.users.global_admin!.id;
    for (const form of [{ intent: "role", userId: me, role: "user" }, { intent: "deactivate", userId: me }, { intent: "remove", userId: me }] as Record<string, string>[]) {
      expect((await ga.fetch("/customer/users", { form })).status, form.intent).toBe(409);
    }
    expect((await one<{ status: string; roles: string[] }>(sql`select status, roles from memberships where org_id = ${c.orgId} and user_id = ${me}`))).toEqual({ status: "active", roles: ["global_admin"] });
  }, 60_000);

  it("a requested (not approved) MPSA partner sees no shared purchases: 404", async () => {
    const { p, c } = await pair();
    const other = await createPartner(["global_admin"]);
    await relate(other, c);
    await addRelationship(other, c, "mpsa", "active");
    await addRelationship(p, c, "mpsa", "requested");
    await exec(sql`update organisations set mpsa_share_purchases = true where id = ${c.orgId}`);
    const s = await signedIn(p, "global_admin");
    expect((await s.html(`/partner/customers/${c.orgId}/mpsa-purchases`)).status).toBe(404);
    expect((await asApp(p, p.users.global_admin!.id, sql`select * from pd_mpsa_shared_purchases(${c.orgId}::uuid)`))).toBe(0);
  }, 60_000);
});
