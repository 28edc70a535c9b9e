/**
 * Issue 30, the partner's audit log: names with links (staff member, customer, relationship),
 * search (actor, action, customer), a date range (a reversed or unreadable date is a message on
 * the page and a 400 on the export), CSV export with the page's filters, only for the roles that
 * may view the log, and never another partner's entries.
 */
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { rowsOf } from "../../db/client";
import { withSystem } from "../../app/utils/db.server";
import { HELPDESK_ADMINISTRATOR } from "../../app/modules/delegated-admin/admin-roles";
import { DATE_RANGE_MESSAGE } from "../../app/modules/platform/audit-list";
import { createCustomersFor, createPartner, uniq, type OrgFixture } from "../support/factories";
import { installTestDatabase } from "../support/db";
import { Browser } from "../support/http";

installTestDatabase();

let p: OrgFixture;
let q: OrgFixture;
let customerId: string;
let gdapId: string;
const MARCH = "from=2026-03-01&to=2026-03-31";

beforeAll(async () => {
  p = await createPartner();
  q = await createPartner();
  [customerId] = (await createCustomersFor(p, [{ name: "Contoso Audit Bakery" }])) as [string];
  await withSystem(async (tx) => {
    const [g] = rowsOf<{ id: string }>(
      await tx.execute(sql`insert into admin_relationships (partner_org_id, customer_org_id, display_name, duration_days, roles, status, approval_code, request_expires_at)
        values (${p.orgId}, ${customerId}, 'Contoso helpdesk', 730, ${`{${HELPDESK_ADMINISTRATOR}}`}::text[], 'approval_pending', ${uniq() + uniq()}, now() + interval '90 days') returning id`),
    );
    gdapId = g!.id;
    const entry = (at: string, actorUser: string | null, actorName: string | null, actorOrg: string | null, subjectOrg: string | null, action: string, objectType: string | null, objectId: string | null) =>
      tx.execute(sql`insert into audit_log (at, actor_user_id, actor_name, actor_org_id, subject_org_id, action, object_type, object_id)
        values (${at}::timestamptz, ${actorUser}, ${actorName}, ${actorOrg}, ${subjectOrg}, ${action}, ${objectType}, ${objectId})`);
    const admin = p.users.global_admin!;
    await entry("2026-03-10T09:00:00Z", admin.id, "Ada Admin", p.orgId, p.orgId, "staff.invited", "user", p.users.sales_agent!.id);
    await entry("2026-03-15T12:00:00Z", p.users.admin_agent!.id, "Abe Agent", p.orgId, customerId, "gdap.requested", "admin_relationship", gdapId);
    await entry("2026-03-20T23:30:00Z", null, "A customer admin", customerId, p.orgId, "relationship.ended", "organisation", customerId);
    await entry("2026-04-02T08:00:00Z", admin.id, "Ada Admin", p.orgId, p.orgId, "listing.updated", null, null);
    // The other partner's entries, in the same month, with the same action and a look-alike name.
    await entry("2026-03-15T12:00:00Z", q.users.global_admin!.id, "Contoso Quinn", q.orgId, q.orgId, "staff.invited", "user", q.users.sales_agent!.id);
    await entry("2026-03-16T12:00:00Z", q.users.global_admin!.id, "Contoso Quinn", q.orgId, q.orgId, "gdap.requested", "admin_relationship", gdapId);
  });
});

const as = async (org: OrgFixture, role = "global_admin") => {
  const b = new Browser();
  await b.signIn(org.users[role]!.email);
  return b;
};
function tableRows(html: string) {
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? "";
  return (body.match(/<tr[ >]/g) ?? []).length;
}
const csvRows = async (res: Response) => (await res.text()).replace(/^\uFEFF/, "").trim().split("\n").slice(1);

describe("the partner's audit log", () => {
  it("names the user, customer and object of each entry, with links to the partner's own records", async () => {
    const b = await as(p);
    const page = await b.html(`/partner/audit?${MARCH}`);
    expect(page.status).toBe(200);
    expect(tableRows(page.text)).toBe(3);
    expect(page.text).toContain(`href="/partner/staff/${p.users.global_admin!.id}"`);
    expect(page.text).toContain(`href="/partner/staff/${p.users.sales_agent!.id}"`);
    expect(page.text).toContain(`href="/partner/customers/${customerId}"`);
    expect(page.text).toContain(`href="/partner/relationships/${gdapId}"`);
    expect(page.text).toContain("Admin relationship Contoso helpdesk");
    expect(page.text).toContain("Contoso Audit Bakery");
    expect(page.text).not.toContain("Contoso Quinn");
  });

  it("searches by the actor's name, the action and the customer's name", async () => {
    const b = await as(p);
    const rows = async (search: string) => tableRows((await b.html(`/partner/audit?${MARCH}&q=${encodeURIComponent(search)}`)).text);
    expect(await rows("Ada")).toBe(1);
    expect(await rows("gdap.req")).toBe(1);
    expect(await rows("contoso")).toBe(2);
    expect(await rows("no such thing")).toBe(0);
  });

  it("narrows to a date range (UTC days, both included); a reversed or unreadable range is said next to the field, not a 500", async () => {
    const b = await as(p);
    expect(tableRows((await b.html("/partner/audit?from=2026-03-15&to=2026-03-15")).text)).toBe(1);
    expect(tableRows((await b.html("/partner/audit?from=2026-03-11&to=2026-03-20")).text)).toBe(2);
    const reversed = await b.html("/partner/audit?from=2026-03-31&to=2026-03-01");
    expect(reversed.status).toBe(200);
    expect(reversed.text).toContain(DATE_RANGE_MESSAGE.replaceAll("'", "&#x27;"));
    const bad = await b.html("/partner/audit?from=2026-02-30");
    expect(bad.status).toBe(200);
    expect(bad.text).toContain("Enter a real date");
  });

  it("exports the entries the page shows as CSV, with its filters read strictly", async () => {
    const b = await as(p);
    const res = await b.fetch(`/partner/audit/export.csv?${MARCH}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toContain("text/csv");
    const rows = await csvRows(res);
    expect(rows).toHaveLength(3);
    expect(rows.join("\n")).toContain("Contoso Audit Bakery");
    expect(rows.join("\n")).not.toContain("Contoso Quinn");
    expect(await csvRows(await b.fetch(`/partner/audit/export.csv?${MARCH}&q=contoso`))).toHaveLength(2);
    for (const bad of ["from=2026-03-31&to=2026-03-01", "from=2026-02-30", "to=yesterday", "user=not-a-uuid", `q=${"x".repeat(101)}`]) {
      expect((await b.fetch(`/partner/audit/export.csv?${bad}`)).status, bad).toBe(400);
    }
  });

  it("never shows another partner's entries, on the page or in the export", async () => {
    const other = await as(q);
    const page = await other.html(`/partner/audit?${MARCH}`);
    expect(tableRows(page.text)).toBe(2);
    expect(page.text).not.toContain("Ada Admin");
    // Their entry names p's relationship id: it is not theirs, so it has no name and no link.
    expect(page.text).not.toContain(`href="/partner/relationships/${gdapId}"`);
    expect(page.text).not.toContain("Contoso helpdesk");
    const rows = (await csvRows(await other.fetch(`/partner/audit/export.csv?${MARCH}`))).join("\n");
    expect(rows).not.toContain("Ada Admin");
    expect(rows).not.toContain(customerId);
  });

  it("is only for the roles that may view the audit log (page and export)", async () => {
    for (const role of ["admin_agent", "helpdesk_agent", "sales_agent", "billing_admin"]) {
      const b = await as(p, role);
      expect((await b.fetch("/partner/audit")).status, role).toBe(403);
      expect((await b.fetch("/partner/audit/export.csv")).status, role).toBe(403);
    }
  });
});
