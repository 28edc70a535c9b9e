/**
 * Issue 30: customers see the service requests their partners opened for them and comment on
 * them. Only their own (RLS and the customer's id: another customer's request is 404), only their
 * global and billing admins (a user: 403), bad input 400, a closed request 409; the comment is the
 * customer's and the partner sees it and is notified.
 */
import { sql, type SQL } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { rowsOf } from "../../db/client";
import { withSystem, withTenant } from "../../app/utils/db.server";
import { listCustomerServiceRequests } from "../../app/modules/customer-tenant/tenant-work.server";
import { encodeCursor } from "../../app/utils/list";
import { createCustomer, createPartner, relate } from "../support/factories";
import { runJobs } from "../support/jobs";
import { installTestDatabase } from "../support/db";
import { signedIn } from "../support/http";

installTestDatabase();

const one = async <T,>(query: SQL) => (await withSystem(async (tx) => rowsOf<T>(await tx.execute(query))))[0]!;

async function setUp() {
  const partner = await createPartner(["global_admin", "admin_agent", "helpdesk_agent", "sales_agent"]);
  const c = await createCustomer(["global_admin", "billing_admin", "user"]);
  const d = await createCustomer(["global_admin"]);
  await relate(partner, c);
  await relate(partner, d);
  // DAP lets the partner's admin agents act in c (open requests, read comments).
  await withSystem((tx) => tx.execute(sql`insert into relationships (partner_org_id, customer_org_id, type, status, started_at) values (${partner.orgId}, ${c.orgId}, 'dap', 'active', now())`));
  const request = async (customerId: string, title: string, status = "open") =>
    (await one<{ id: string }>(
      sql`insert into service_requests (customer_org_id, title, description, status, opened_by_org_id, opened_by_user_id, opened_by_name) values (${customerId}, ${title}, 'Details of ' || ${title}, ${status}, ${partner.orgId}, ${partner.users.admin_agent!.id}, 'Ada Agent') returning id`,
    )).id;
  return { partner, c, d, request };
}

describe("the customer's service requests", () => {
  it("lists its own requests with status, partner and who opened them; another customer's are invisible", async () => {
    const { partner, c, d, request } = await setUp();
    const mine = await request(c.orgId, "Mailbox full");
    await request(c.orgId, "Old printer", "closed");
    await request(d.orgId, "D's secret request");
    const admin = await signedIn(c.users.global_admin!.email);
    const page = await admin.html("/customer/service-requests");
    expect(page.status).toBe(200);
    expect(page.text).toContain("Mailbox full");
    expect(page.text).toContain("Old printer");
    expect(page.text).toContain(partner.name);
    expect(page.text).toContain("Ada Agent");
    expect(page.text).toContain(`/customer/service-requests/${mine}`);
    expect(page.text).not.toContain("D&#x27;s secret request");
    expect(page.text).not.toContain("secret request");
    const open = await admin.html("/customer/service-requests?status=open");
    expect(open.text).toContain("Mailbox full");
    expect(open.text).not.toContain("Old printer");
    // Tampered list state reads as the first page, never a 500.
    for (const q of ["?status=wizard", "?after=!!!", `?after=${encodeCursor(["x", 1])}`, "?after=" + "A".repeat(5000), "?status=open&status=closed"]) {
      expect((await admin.html(`/customer/service-requests${q}`)).status, q).toBe(200);
    }
    // The module itself, in the customer's context: its own rows only.
    const { rows } = await withTenant({ orgId: c.orgId, userId: c.users.global_admin!.id }, (tx) => listCustomerServiceRequests(tx, { customerId: d.orgId, query: {} }));
    expect(rows).toHaveLength(0);
    const empty = await signedIn(d.users.global_admin!.email);
    expect((await empty.html("/customer/service-requests?status=closed")).text).toContain("No service request has this status.");
  });

  it("pages by keyset: every request once", async () => {
    const { c, request } = await setUp();
    for (let i = 0; i < 27; i++) await request(c.orgId, `Request ${String(i).padStart(2, "0")}`);
    const admin = await signedIn(c.users.global_admin!.email);
    const first = await admin.html("/customer/service-requests");
    const next = first.text.match(/href="(\/customer\/service-requests\?after=[^"]+)"/)?.[1]?.replaceAll("&amp;", "&");
    expect(next).toBeTruthy();
    const second = await admin.html(next!);
    const titles = (t: string) => [...t.matchAll(/>(Request \d\d)</g)].map((m) => m[1]);
    const all = [...titles(first.text), ...titles(second.text)];
    expect(all).toHaveLength(27);
    expect(new Set(all).size).toBe(27);
  });

  it("a global or billing admin comments: written as the customer, seen by the partner, who is notified", async () => {
    const { partner, c, request } = await setUp();
    const id = await request(c.orgId, "VPN drops");
    for (const role of ["global_admin", "billing_admin"] as const) {
      const b = await signedIn(c.users[role]!.email);
      const detail = await b.html(`/customer/service-requests/${id}`);
      expect(detail.status).toBe(200);
      expect(detail.text).toContain("Details of VPN drops");
      const res = await b.fetch(`/customer/service-requests/${id}`, { form: { intent: "comment", body: `Still dropping (${role})` } });
      expect(res.status).toBe(302);
      expect((await b.html(`/customer/service-requests/${id}`)).text).toContain(`Still dropping (${role})`);
    }
    const comment = await one<{ author_org_id: string; author_user_id: string; customer_org_id: string }>(
      sql`select author_org_id, author_user_id, customer_org_id from service_request_comments where request_id = ${id} order by created_at limit 1`,
    );
    expect(comment).toEqual({ author_org_id: c.orgId, author_user_id: c.users.global_admin!.id, customer_org_id: c.orgId });
    // The partner sees the customer's comments on its side, marked as the customer's.
    const agent = await signedIn(partner.users.admin_agent!.email);
    const theirs = await agent.html(`/partner/customers/${c.orgId}/service-requests`);
    expect(theirs.status).toBe(200);
    expect(theirs.text).toContain("Still dropping (global_admin)");
    expect(theirs.text).toContain("Still dropping (billing_admin)");
    // And is notified (global admins, admin agents, helpdesk agents; not sales agents).
    await runJobs(["notify"]);
    const told = await withSystem(async (tx) =>
      rowsOf<{ user_id: string; link: string }>(await tx.execute(sql`select user_id, link from notifications where org_id = ${partner.orgId} and kind = 'service_request.customer_comment'`)),
    );
    const toldIds = new Set(told.map((t) => t.user_id));
    for (const role of ["global_admin", "admin_agent", "helpdesk_agent"]) expect(toldIds.has(partner.users[role]!.id), role).toBe(true);
    expect(toldIds.has(partner.users.sales_agent!.id)).toBe(false);
    expect(told[0]!.link).toBe(`/partner/customers/${c.orgId}/service-requests`);
    expect((await agent.html("/notifications")).text).toContain("commented on");
  });

  it("refuses: a user 403, another customer's request 404, bad input 400, a closed request 409", async () => {
    const { c, d, request } = await setUp();
    const mine = await request(c.orgId, "Open one");
    const closed = await request(c.orgId, "Closed one", "closed");
    const theirs = await request(d.orgId, "Not yours");
    const user = await signedIn(c.users.user!.email);
    expect((await user.html("/customer/service-requests")).status).toBe(403);
    expect((await user.html(`/customer/service-requests/${mine}`)).status).toBe(403);
    expect((await user.fetch(`/customer/service-requests/${mine}`, { form: { intent: "comment", body: "x" } })).status).toBe(403);
    const admin = await signedIn(c.users.global_admin!.email);
    expect((await admin.html(`/customer/service-requests/${theirs}`)).status).toBe(404);
    expect((await admin.fetch(`/customer/service-requests/${theirs}`, { form: { intent: "comment", body: "sneaky" } })).status).toBe(404);
    expect((await admin.html("/customer/service-requests/12345")).status).toBe(404);
    const badForms: Record<string, string>[] = [{ intent: "comment", body: "" }, { intent: "comment", body: "   " }, { intent: "comment", body: "x".repeat(5001) }, { intent: "comment" }, { intent: "close" }, { body: "no intent" }];
    for (const form of badForms) {
      expect((await admin.fetch(`/customer/service-requests/${mine}`, { form })).status, JSON.stringify(form).slice(0, 60)).toBe(400);
    }
    const refused = await admin.fetch(`/customer/service-requests/${closed}`, { form: { intent: "comment", body: "Reopen?" } });
    expect(refused.status).toBe(409);
    expect(await refused.text()).toContain("closed");
    expect((await admin.html(`/customer/service-requests/${closed}`)).text).toContain("takes no more comments");
    const n = await one<{ n: number }>(sql`select count(*)::int as n from service_request_comments where request_id in (${mine}, ${closed}, ${theirs})`);
    expect(n.n).toBe(0);
  });
});
