/**
 * Bulk GDAP: the same request for every customer of a selection, as background work in batches,
 * with progress and a result per customer; a batch that dies before it commits leaves nothing
 * behind and the work resumes; jobs held by a dead process are released at start.
 */
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { rowsOf } from "../../db/client";
import { withSystem } from "../../app/utils/db.server";
import { HELPDESK_ADMINISTRATOR } from "../../app/modules/delegated-admin/admin-roles";
import { bulkName, runBulkGdapBatch } from "../../app/modules/delegated-admin/bulk-gdap.server";
import { releaseOrphanedJobs } from "../../app/modules/platform/jobs.server";
import { getDatabase } from "../../app/utils/db.server";
import { createCustomersFor, createPartner, uniq } from "../support/factories";
import { installTestDatabase } from "../support/db";
import { Browser } from "../support/http";

installTestDatabase();

const one = async <T>(q: ReturnType<typeof sql>) => (await withSystem(async (tx) => rowsOf<T>(await tx.execute(q))))[0]!;

async function started(count: number) {
  const p = await createPartner();
  await withSystem((tx) => tx.execute(sql`update organisations set is_dap_certified = true where id = ${p.orgId}`));
  await createCustomersFor(p, Array.from({ length: count }, (_, i) => ({ name: `Bulk customer ${i}` })));
  const agent = new Browser();
  await agent.signIn(p.users.admin_agent!.email);
  const selection = await agent.fetch("/partner/customers?index", { form: { mode: "all" } });
  const selectionUrl = selection.headers.get("Location")!;
  const res = await agent.fetch(selectionUrl, { form: { intent: "bulk-gdap", namePrefix: "Helpdesk", durationDays: "90", roles: HELPDESK_ADMINISTRATOR } });
  expect(res.status).toBe(302);
  const id = res.headers.get("Location")!.split("/").pop()!;
  return { p, agent, id, selectionUrl };
}

async function runToEnd(partnerId: string, operationId: string) {
  for (let i = 0; i < 100; i++) {
    const { remaining } = await withSystem((tx) => runBulkGdapBatch(tx, { operationId, partnerId }));
    if (remaining === 0) return;
  }
  throw new Error("bulk operation did not finish");
}

describe("bulk GDAP requests", () => {
  it("requests the same roles from every selected customer in batches, with progress and per-customer results", async () => {
    const { p, agent, id } = await started(120);
    expect((await agent.html(`/partner/bulk/${id}`)).text).toContain("0 of 120 customers done");
    expect((await one<{ n: number }>(sql`select count(*)::int as n from jobs where kind = 'bulk.gdap' and payload->>'operationId' = ${id}`)).n).toBe(1);
    const first = await withSystem((tx) => runBulkGdapBatch(tx, { operationId: id, partnerId: p.orgId }));
    expect(first).toEqual({ processed: 50, remaining: 70 });
    // Each batch enqueues the next.
    expect((await one<{ n: number }>(sql`select count(*)::int as n from jobs where kind = 'bulk.gdap' and payload->>'operationId' = ${id}`)).n).toBe(2);
    expect((await agent.html(`/partner/bulk/${id}`)).text).toContain("50 of 120 customers done");
    await runToEnd(p.orgId, id);
    const page = await agent.html(`/partner/bulk/${id}`);
    expect(page.text).toContain("120 of 120 customers done: 120 requested, 0 failed.");
    expect(page.text).toContain("Finished");
    expect(await one(sql`select count(*)::int as n, count(distinct customer_org_id)::int as customers from admin_relationships where partner_org_id = ${p.orgId}`)).toEqual({ n: 120, customers: 120 });
  });

  it("a batch that dies before it commits leaves nothing behind; the work resumes and does each customer once", async () => {
    const { p, id } = await started(60);
    class Killed extends Error {}
    await withSystem(async (tx) => {
      await runBulkGdapBatch(tx, { operationId: id, partnerId: p.orgId });
      throw new Killed();
    }).catch((e) => {
      if (!(e instanceof Killed)) throw e;
    });
    expect(await one(sql`select succeeded, failed, status from bulk_operations where id = ${id}`)).toEqual({ succeeded: 0, failed: 0, status: "running" });
    expect((await one<{ n: number }>(sql`select count(*)::int as n from admin_relationships where partner_org_id = ${p.orgId}`)).n).toBe(0);
    await runToEnd(p.orgId, id);
    expect(await one(sql`select count(*)::int as n, count(distinct customer_org_id)::int as customers from admin_relationships where partner_org_id = ${p.orgId}`)).toEqual({ n: 60, customers: 60 });
  });

  it("a customer that cannot get the request fails alone, with the reason", async () => {
    const { p, agent, id } = await started(5);
    const [victim] = await withSystem(async (tx) => rowsOf<{ id: string; domain: string }>(await tx.execute(sql`select customer_org_id as id, primary_domain as domain from partner_customers where partner_org_id = ${p.orgId} limit 1`)));
    await withSystem((tx) =>
      tx.execute(sql`insert into admin_relationships (partner_org_id, customer_org_id, display_name, duration_days, roles, status, approval_code, request_expires_at)
        values (${p.orgId}, ${victim!.id}, ${bulkName("Helpdesk", victim!.domain)}, 30, '{x}', 'approval_pending', ${`c-${uniq()}-${uniq()}-${uniq()}`}, now() + interval '90 days')`),
    );
    await runToEnd(p.orgId, id);
    const page = await agent.html(`/partner/bulk/${id}`);
    expect(page.text).toContain("5 of 5 customers done: 4 requested, 1 failed.");
    expect(page.text).toContain("Names are unique within your organisation.");
  });

  it("only roles that request admin roles start one; another partner's selection is not found", async () => {
    const { p, selectionUrl } = await started(2);
    const sales = new Browser();
    await sales.signIn(p.users.sales_agent!.email);
    expect((await sales.fetch(selectionUrl, { form: { intent: "bulk-gdap", namePrefix: "X", durationDays: "30", roles: HELPDESK_ADMINISTRATOR } })).status).toBe(403);
    const other = await createPartner();
    const stranger = new Browser();
    await stranger.signIn(other.users.admin_agent!.email);
    expect((await stranger.fetch(selectionUrl, { form: { intent: "bulk-gdap", namePrefix: "X", durationDays: "30", roles: HELPDESK_ADMINISTRATOR } })).status).toBe(404);
  });
});

describe("jobs of a process that is gone", () => {
  it("are released at start; other hosts' leases are left alone", async () => {
    const host = `test-host-${uniq()}`;
    const ids = await withSystem(async (tx) =>
      rowsOf<{ id: number }>(
        await tx.execute(sql`insert into jobs (kind, locked_by, locked_until, run_at) values
          ('noop', ${`${host}:999999`}, now() + interval '5 minutes', now()),
          ('noop', ${`other-${host}:1`}, now() + interval '5 minutes', now()) returning id`),
      ),
    );
    const { db } = await getDatabase();
    expect(await releaseOrphanedJobs(db, { host, isAlive: () => false })).toBe(1);
    const rows = await withSystem(async (tx) => rowsOf<{ id: number; free: boolean }>(await tx.execute(sql`select id, locked_until is null as free from jobs where id in (${ids[0]!.id}, ${ids[1]!.id}) order by id`)));
    expect(rows.map((r) => r.free)).toEqual([true, false]);
    await withSystem((tx) => tx.execute(sql`delete from jobs where id in (${ids[0]!.id}, ${ids[1]!.id})`));
  });
});
