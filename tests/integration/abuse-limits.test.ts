/**
 * Abuse limits (issue 28 item 7): one open DAP/GDAP request tells the customer once; sharing links
 * by email has a per-partner hourly limit; link visits count once per visitor.
 */
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { rowsOf } from "../../db/client";
import { withSystem, withTenant } from "../../app/utils/db.server";
import { HELPDESK_ADMINISTRATOR } from "../../app/modules/delegated-admin/admin-roles";
import { createLink } from "../../app/modules/links/links.server";
import { createCustomer, createPartner, relate, uniq, type OrgFixture } from "../support/factories";
import { installTestDatabase } from "../support/db";
import { Browser } from "../support/http";
import { runJobs } from "../support/jobs";

// Read once, lazily, by the app's configuration (this file's process only).
process.env.LINK_SHARE_MAX_PER_PARTNER_PER_HOUR = "5";

installTestDatabase();

const USER_ADMIN = "fe930be7-5e62-47db-91af-98c3a49a38b1";
const count = async (q: ReturnType<typeof sql>) => Number((await withSystem(async (tx) => rowsOf<{ n: number }>(await tx.execute(q))))[0]!.n);
const mailsTo = (email: string, subjectPart: string) => count(sql`select count(*)::int as n from mail_outbox where ${email} = any("to") and subject like ${`%${subjectPart}%`}`);
const noticesFor = (orgId: string) =>
  count(sql`select count(*)::int as n from jobs where kind = 'notify' and payload->>'orgId' = ${orgId} and payload->>'kind' = 'admin_relationship.requested'`);

async function certifiedPartnerWithCustomer() {
  const p = await createPartner();
  await withSystem((tx) => tx.execute(sql`update organisations set is_dap_certified = true where id = ${p.orgId}`));
  const c = await createCustomer(["global_admin", "billing_admin"]);
  await relate(p, c);
  const agent = new Browser();
  await agent.signIn(p.users.admin_agent!.email);
  return { p, c, agent };
}

/** Half the repeats one after another, half at the same time. */
async function repeat(times: number, send: (i: number) => Promise<Response>) {
  const statuses: number[] = [];
  for (let i = 0; i < times / 2; i++) statuses.push((await send(i)).status);
  statuses.push(...(await Promise.all(Array.from({ length: times / 2 }, (_, i) => send(times / 2 + i)))).map((r) => r.status));
  return statuses;
}

describe("delegated administration requests", () => {
  it("50 repeats of a DAP request while it is open: one request, one notice, exactly one mail", async () => {
    const { p, c, agent } = await certifiedPartnerWithCustomer();
    const ask = () => agent.fetch("/partner/relationships?index", { form: { intent: "dap", customerId: c.orgId } });
    const first = await ask();
    expect(first.status).toBe(302);
    const statuses = await repeat(50, ask);
    expect(statuses.every((s) => s === 302)).toBe(true);
    expect(await count(sql`select count(*)::int as n from relationships where partner_org_id = ${p.orgId} and customer_org_id = ${c.orgId} and type = 'dap' and status = 'requested'`)).toBe(1);
    expect(await noticesFor(c.orgId)).toBe(1);
    expect(await count(sql`select count(*)::int as n from audit_log where action = 'dap.requested' and subject_org_id = ${c.orgId}`)).toBe(1);
    await runJobs(["notify"]);
    expect(await mailsTo(c.users.global_admin!.email, "asks for delegated administration")).toBe(1);
    // The partner is told that it was already requested.
    const again = await ask();
    const page = await agent.html(again.headers.get("Location")!);
    expect(page.text).toContain("already requested");
  });

  it("asking again after the customer declined opens a new request and tells the customer again", async () => {
    const { p, c, agent } = await certifiedPartnerWithCustomer();
    const ask = () => agent.fetch("/partner/relationships?index", { form: { intent: "dap", customerId: c.orgId } });
    await ask();
    await withSystem((tx) => tx.execute(sql`update relationships set status = 'ended', ended_at = now() where partner_org_id = ${p.orgId} and customer_org_id = ${c.orgId} and type = 'dap'`));
    await ask();
    await ask();
    expect(await noticesFor(c.orgId)).toBe(2);
  });

  it("repeats of the same GDAP request while it is open create nothing and mail nothing more; a different request does", async () => {
    const { p, c, agent } = await certifiedPartnerWithCustomer();
    const ask = (i: number, roles = [USER_ADMIN, HELPDESK_ADMINISTRATOR]) =>
      agent.fetch("/partner/relationships/new", { form: { displayName: `Helpdesk ${i} ${uniq()}`, customerDomain: c.domain, durationDays: "30", roles } });
    const first = await ask(0);
    expect(first.status).toBe(302);
    const id = first.headers.get("Location")!.split("/").pop();
    const statuses = await repeat(20, (i) => ask(i + 1, [HELPDESK_ADMINISTRATOR, USER_ADMIN]));
    expect(statuses.every((s) => s === 302)).toBe(true);
    expect(await count(sql`select count(*)::int as n from admin_relationships where partner_org_id = ${p.orgId} and customer_org_id = ${c.orgId}`)).toBe(1);
    const again = await ask(99);
    expect(again.headers.get("Location")).toBe(`/partner/relationships/${id}`);
    expect((await agent.html(`/partner/relationships/${id}`)).text).toContain("that request is still open");
    expect(await noticesFor(c.orgId)).toBe(1);
    await runJobs(["notify"]);
    expect(await mailsTo(c.users.global_admin!.email, "asks for admin roles")).toBe(1);

    // Other roles are another request.
    expect((await ask(100, [USER_ADMIN])).status).toBe(302);
    expect(await count(sql`select count(*)::int as n from admin_relationships where partner_org_id = ${p.orgId} and customer_org_id = ${c.orgId}`)).toBe(2);
    expect(await noticesFor(c.orgId)).toBe(2);
  });
});

describe("sharing a link by email", () => {
  async function partnerWithLink() {
    const p = await createPartner(["global_admin", "sales_agent"]);
    const link = await withTenant({ orgId: p.orgId, userId: p.users.sales_agent!.id }, (tx) =>
      createLink(tx, { partnerId: p.orgId, actor: { userId: p.users.sales_agent!.id, orgId: p.orgId }, link: { kind: "reseller", items: [], offerDap: false, message: null, expiresAt: null } }),
    );
    const sales = new Browser();
    await sales.signIn(p.users.sales_agent!.email);
    return { p, link, sales };
  }
  const shared = (p: OrgFixture) => count(sql`select count(*)::int as n from mail_outbox where org_id = ${p.orgId} and subject like '%sent you a%'`);
  const addresses = (n: number) => Array.from({ length: n }, () => `prospect-${uniq()}@example.test`).join(", ");

  it("stops at the partner's hourly limit with 429, a clear message and Retry-After", async () => {
    const { p, link, sales } = await partnerWithLink();
    const share = (n: number) => sales.fetch(`/partner/links/${link.id}`, { form: { intent: "email", to: addresses(n) } });
    expect((await share(3)).status).toBe(302);
    const refused = await share(3);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect(await refused.text()).toContain("Your organisation can send 5 link emails an hour");
    expect((await share(2)).status).toBe(302);
    expect((await share(1)).status).toBe(429);
    expect(await shared(p)).toBe(5);
    // Another partner has its own allowance.
    const other = await partnerWithLink();
    expect((await other.sales.fetch(`/partner/links/${other.link.id}`, { form: { intent: "email", to: addresses(5) } })).status).toBe(302);
  });

  it("holds under simultaneous shares: exactly the allowance is sent", async () => {
    const { p, link, sales } = await partnerWithLink();
    const statuses = await Promise.all(Array.from({ length: 12 }, () => sales.fetch(`/partner/links/${link.id}`, { form: { intent: "email", to: addresses(1) } }).then((r) => r.status)));
    expect(statuses.filter((s) => s === 302)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(7);
    expect(await shared(p)).toBe(5);
  });
});

describe("link visits", () => {
  let p: OrgFixture;
  beforeAll(async () => {
    p = await createPartner(["global_admin", "sales_agent"]);
  });

  it("count once per visitor (IP and User-Agent) a day, and store neither in clear", async () => {
    const link = await withTenant({ orgId: p.orgId, userId: p.users.sales_agent!.id }, (tx) =>
      createLink(tx, { partnerId: p.orgId, actor: { userId: p.users.sales_agent!.id, orgId: p.orgId }, link: { kind: "reseller", items: [], offerDap: false, message: null, expiresAt: null } }),
    );
    const path = new URL(link.url).pathname;
    const visits = () => count(sql`select coalesce(sum(visits), 0)::int as n from link_visits where link_id = ${link.id}`);
    const ip = "203.0.113.41";
    const visitor = new Browser(ip);
    const firefox = { "User-Agent": "Mozilla/5.0 (X11; Linux x86_64; rv:130.0) Gecko/20100101 Firefox/130.0" };
    for (let i = 0; i < 5; i++) expect((await visitor.fetch(path, { form: { intent: "visit" }, headers: firefox })).status).toBe(204);
    expect(await visits()).toBe(1);
    await new Browser("203.0.113.42").fetch(path, { form: { intent: "visit" }, headers: firefox });
    expect(await visits()).toBe(2);
    // Same address, another browser (a colleague behind the same NAT): another visitor.
    await new Browser(ip).fetch(path, { form: { intent: "visit" }, headers: { "User-Agent": "Mozilla/5.0 (Macintosh) Safari/605.1.15" } });
    await Promise.all(Array.from({ length: 10 }, () => new Browser(ip).fetch(path, { form: { intent: "visit" }, headers: firefox })));
    expect(await visits()).toBe(3);
    const rows = await withSystem(async (tx) => rowsOf<Record<string, string>>(await tx.execute(sql`select * from link_visitors where link_id = ${link.id}`)));
    expect(rows).toHaveLength(3);
    const stored = JSON.stringify(rows);
    expect(stored).not.toContain(ip);
    expect(stored).not.toContain("Firefox");
    // The partner's page shows the count.
    const sales = new Browser();
    await sales.signIn(p.users.sales_agent!.email);
    expect((await sales.html(`/partner/links/${link.id}`)).status).toBe(200);
  });
});
