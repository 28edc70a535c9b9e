/**
 * Issue 30, the partner's side: the overview's action centre (each count equals the rows its link
 * shows, other partners' rows are never counted, each role sees only the cards of lists it may
 * open), the admin relationships list's filters, sorts (keyset paging across pages with ties in
 * every order) and export, and bad filter values (the page falls back, the export answers 400).
 */
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { rowsOf } from "../../db/client";
import { withSystem, withTenant } from "../../app/utils/db.server";
import { listAdminRelationships, type AdminRelationshipQuery } from "../../app/modules/delegated-admin/admin-relationships.server";
import { HELPDESK_ADMINISTRATOR } from "../../app/modules/delegated-admin/admin-roles";
import { RELATIONSHIP_SORTS } from "../../app/modules/delegated-admin/relationship-list";
import { createCustomersFor, createPartner, uniq, type OrgFixture } from "../support/factories";
import { installTestDatabase } from "../support/db";
import { encodeCursor } from "../../app/utils/list";
import { Browser } from "../support/http";

installTestDatabase();

const DAY = 86_400_000;
const HELPDESK = HELPDESK_ADMINISTRATOR;

interface World {
  p: OrgFixture;
  q: OrgFixture;
  customers: string[];
}

/** One partner's things to act on (the same for `p` and `q`, so a leak would double a count). */
async function seedActions(partner: OrgFixture) {
  const customers = await createCustomersFor(partner, [
    { name: "Alpha Bakery" },
    { name: "Beta Dairy" },
    { name: "Gamma Mill", pending: true },
    { name: "Delta Farm", pending: true },
    { name: "Epsilon Shop", types: ["reseller", "dap"] },
  ]);
  const [a, b, , , e] = customers as [string, string, string, string, string];
  const now = Date.now();
  await withSystem(async (tx) => {
    const gdap = async (name: string, customer: string | null, status: string, endsInDays: number | null) => {
      const [row] = rowsOf<{ id: string }>(
        await tx.execute(sql`insert into admin_relationships (partner_org_id, customer_org_id, display_name, duration_days, roles, status, approval_code, request_expires_at, approved_at, ends_at)
          values (${partner.orgId}, ${customer}, ${name}, 730, ${`{${HELPDESK}}`}::text[], ${status}, ${uniq() + uniq()}, now() + interval '90 days',
                  ${status === "active" ? sql`now() - interval '1 day'` : sql`null`},
                  ${endsInDays === null ? sql`null` : sql`${new Date(now + endsInDays * DAY).toISOString()}::timestamptz`}) returning id`),
      );
      return row!.id;
    };
    await gdap("Awaiting one", a, "approval_pending", null);
    await gdap("Awaiting two", null, "approval_pending", null);
    await gdap("Ends tomorrow", a, "active", 0.5);
    await gdap("Ends in five days", b, "active", 5);
    await gdap("Ends in twenty days", b, "active", 20);
    const assigned = await gdap("Ends later, with a group", a, "active", 100);
    await gdap("Expired long ago", b, "expired", null);
    const [group] = rowsOf<{ id: string }>(await tx.execute(sql`insert into staff_groups (partner_org_id, name) values (${partner.orgId}, ${"Helpdesk " + uniq()}) returning id`));
    await tx.execute(sql`insert into gdap_assignments (admin_relationship_id, group_id, partner_org_id, roles) values (${assigned}, ${group!.id}, ${partner.orgId}, ${`{${HELPDESK}}`}::text[])`);
    // A DAP request waits too: it is not a GDAP request awaiting approval.
    await tx.execute(sql`update relationships set status = 'requested' where partner_org_id = ${partner.orgId} and customer_org_id = ${e} and type = 'dap'`);
    for (const status of ["new", "new", "contacted"]) {
      await tx.execute(sql`insert into leads (partner_org_id, name, email, organisation, size, country, needs, status)
        values (${partner.orgId}, 'Lead', 'lead@example.test', ${"Lead org " + uniq()}, '1-10', 'DK', 'Help', ${status})`);
    }
    const [product] = rowsOf<{ id: string }>(await tx.execute(sql`select id from products order by id limit 1`));
    for (const [customer, status, days] of [
      [a, "trial", 3],
      [b, "trial", 25],
      [b, "trial", 45],
      [a, "active", null],
    ] as const) {
      // The partner sees them as the customer's reseller (partner_subscriptions, kept by triggers).
      await tx.execute(sql`insert into subscriptions (customer_org_id, product_id, licences, status, ends_at)
        values (${customer}, ${product!.id}, 1, ${status}, ${days === null ? sql`null` : sql`${new Date(now + days * DAY).toISOString()}::timestamptz`})`);
    }
  });
  return customers;
}

/** What the action centre expects of one seeded partner (seedActions). */
const EXPECTED: Record<string, number> = {
  "GDAP requests awaiting the customer's approval": 2,
  "GDAP relationships ending within 30 days": 3,
  "ending within 7 days": 2,
  "ending within 1 day": 1,
  "Active GDAP relationships without a staff group": 3,
  "New leads": 2,
  "Trials ending within 30 days": 2,
  "Customers who have not accepted the customer agreement": 2,
};

const decode = (s: string) => s.replaceAll("&amp;", "&").replaceAll("&quot;", '"').replaceAll("&#x27;", "'").replaceAll("&#39;", "'");

/** The overview's count links: label → { count, href }. */
function countLinks(html: string) {
  const out = new Map<string, { count: number; href: string }>();
  for (const tag of html.match(/<a [^>]*class="action-count[^"]*"[^>]*>/g) ?? []) {
    const label = decode(/aria-label="([^"]*)"/.exec(tag)![1]!);
    const href = decode(/href="([^"]*)"/.exec(tag)![1]!);
    const m = /^([\d,]+)(\+?) (.*)$/.exec(label)!;
    out.set(m[3]!, { count: Number(m[1]!.replace(/,/g, "")), href });
  }
  return out;
}

/** The rows a list page shows (its table body). */
function tableRows(html: string) {
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? "";
  return (body.match(/<tr[ >]/g) ?? []).length;
}

let world: World;
beforeAll(async () => {
  const p = await createPartner();
  const q = await createPartner();
  const customers = await seedActions(p);
  await seedActions(q);
  world = { p, q, customers };
});

const as = async (org: OrgFixture, role: string) => {
  const b = new Browser();
  await b.signIn(org.users[role]!.email);
  return b;
};

describe("the overview's action centre", () => {
  it("shows each count, and each count is exactly the rows its link shows; the other partner's rows are never counted", async () => {
    const b = await as(world.p, "global_admin");
    const page = await b.html("/partner");
    expect(page.status).toBe(200);
    const links = countLinks(page.text);
    expect([...links.keys()].sort()).toEqual(Object.keys(EXPECTED).sort());
    for (const [label, expected] of Object.entries(EXPECTED)) {
      const link = links.get(label)!;
      expect(link.count, label).toBe(expected);
      const list = await b.html(link.href);
      expect(list.status, link.href).toBe(200);
      expect(tableRows(list.text), `${label}: ${link.href}`).toBe(expected);
    }
  });

  it("shows each role only the cards of lists it may open, and every card's link opens for it", async () => {
    const cards: Record<string, string[]> = {
      global_admin: Object.keys(EXPECTED),
      admin_agent: Object.keys(EXPECTED),
      helpdesk_agent: ["Customers who have not accepted the customer agreement"],
      sales_agent: ["New leads", "Trials ending within 30 days", "Customers who have not accepted the customer agreement"],
      billing_admin: ["Trials ending within 30 days", "Customers who have not accepted the customer agreement"],
    };
    for (const [role, expected] of Object.entries(cards)) {
      const b = await as(world.p, role);
      const links = countLinks((await b.html("/partner")).text);
      expect([...links.keys()].sort(), role).toEqual([...expected].sort());
      for (const [label, link] of links) expect((await b.fetch(link.href)).status, `${role}: ${label}`).toBe(200);
    }
  });

  it("the kept staff-group count follows assignments added and removed", async () => {
    const one = async () => {
      const r = await withTenant({ orgId: world.p.orgId, userId: world.p.users.global_admin!.id }, (tx) =>
        listAdminRelationships(tx, { partnerId: world.p.orgId, query: { groups: "none" } }),
      );
      return r.total.count;
    };
    expect(await one()).toBe(3);
    const [rel] = await withSystem(async (tx) =>
      rowsOf<{ id: string }>(await tx.execute(sql`select id from admin_relationships where partner_org_id = ${world.p.orgId} and display_name = 'Ends in five days'`)),
    );
    const [group] = await withSystem(async (tx) => rowsOf<{ id: string }>(await tx.execute(sql`insert into staff_groups (partner_org_id, name) values (${world.p.orgId}, ${"G " + uniq()}) returning id`)));
    await withTenant({ orgId: world.p.orgId, userId: world.p.users.global_admin!.id }, (tx) =>
      tx.execute(sql`insert into gdap_assignments (admin_relationship_id, group_id, partner_org_id, roles) values (${rel!.id}, ${group!.id}, ${world.p.orgId}, ${`{${HELPDESK}}`}::text[])`),
    );
    expect(await one()).toBe(2);
    await withTenant({ orgId: world.p.orgId, userId: world.p.users.global_admin!.id }, (tx) => tx.execute(sql`delete from staff_groups where id = ${group!.id}`));
    expect(await one()).toBe(3);
  });
});

describe("the admin relationships list", () => {
  it("filters by type, status, end date and staff groups; a bad value falls back, and the export with it answers 400", async () => {
    const b = await as(world.p, "admin_agent");
    expect(tableRows((await b.html("/partner/relationships?type=dap")).text)).toBe(1);
    expect(tableRows((await b.html("/partner/relationships?type=gdap")).text)).toBe(7);
    expect(tableRows((await b.html("/partner/relationships?status=pending")).text)).toBe(3);
    expect(tableRows((await b.html("/partner/relationships")).text)).toBe(8);
    // Cursors of the wrong shape for the order, or carrying a NUL (PostgreSQL refuses it in text): the first page.
    const nul = encodeCursor(["a\u0000b", "00000000-0000-4000-8000-000000000000"]);
    const timeShaped = encodeCursor(["2026-01-01T00:00:00.000000", "00000000-0000-4000-8000-000000000000"]);
    for (const cursor of [`sort=name&after=${nul}`, `sort=status&before=${nul}`, `sort=created&after=${encodeCursor(["zzz", "00000000-0000-4000-8000-000000000000"])}`, `sort=customer&after=${timeShaped}`]) {
      const page = await b.html(`/partner/relationships?${cursor}`);
      expect(page.status, cursor).toBe(200);
    }
    for (const bad of ["type=bogus", "status=nope", "ends=2", "groups=some", "sort=owner", "dir=up", "after=%00", "size=7"]) {
      const page = await b.html(`/partner/relationships?${bad}`);
      expect(page.status, bad).toBe(200);
      expect(tableRows(page.text), bad).toBe(8);
      if (!bad.startsWith("after") && !bad.startsWith("size")) expect((await b.fetch(`/partner/relationships/export.csv?${bad}`)).status, bad).toBe(400);
    }
  });

  it("exports the rows the page shows, with its filters and order", async () => {
    const b = await as(world.p, "global_admin");
    const res = await b.fetch("/partner/relationships/export.csv?ends=30&sort=ends&dir=asc");
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toContain("text/csv");
    const lines = (await res.text()).replace(/^\uFEFF/, "").trim().split("\n");
    expect(lines[0]).toContain("Name,Type,Customer,Status");
    expect(lines.slice(1).map((l) => l.split(",")[0])).toEqual(["Ends tomorrow", "Ends in five days", "Ends in twenty days"]);
    const all = (await (await b.fetch("/partner/relationships/export.csv")).text()).trim().split("\n");
    expect(all).toHaveLength(1 + 8);
    // Another partner's export never holds this partner's rows (names are per partner; ids are unique).
    const other = await as(world.q, "global_admin");
    const theirs = await (await other.fetch("/partner/relationships/export.csv")).text();
    for (const id of world.customers) expect(theirs).not.toContain(id);
  });

  it("is only for the roles that manage admin relationships (page and export)", async () => {
    for (const role of ["helpdesk_agent", "sales_agent", "billing_admin"]) {
      const b = await as(world.p, role);
      expect((await b.fetch("/partner/relationships")).status, role).toBe(403);
      expect((await b.fetch("/partner/relationships/export.csv")).status, role).toBe(403);
    }
  });

  it("pages through every sort, both directions, forwards and backwards, across ties, without a row missed or repeated", async () => {
    // Ties: DAP rows share their name and end; several relationships share a customer and a status.
    const p = await createPartner();
    const customers = await createCustomersFor(
      p,
      Array.from({ length: 5 }, (_, i) => ({ name: i < 3 ? "Same Name" : `Other ${i}`, types: ["reseller", "dap"] as ("reseller" | "dap")[] })),
    );
    await withSystem(async (tx) => {
      for (let i = 0; i < 9; i++) {
        await tx.execute(sql`insert into admin_relationships (partner_org_id, customer_org_id, display_name, duration_days, roles, status, approval_code, request_expires_at, approved_at, ends_at, created_at)
          values (${p.orgId}, ${customers[i % 5]!}, ${`GDAP ${i % 3}${i}`}, 730, ${`{${HELPDESK}}`}::text[], ${i % 2 ? "active" : "approval_pending"}, ${uniq() + uniq()}, now() + interval '90 days',
                  ${i % 2 ? sql`now()` : sql`null`}, ${i % 2 ? sql`'2030-01-01T00:00:00Z'::timestamptz` : sql`null`}, '2026-06-01T00:00:00Z'::timestamptz)`);
      }
      // The DAP rows share their creation time too.
      await tx.execute(sql`update relationships set created_at = '2026-06-01T00:00:00Z' where partner_org_id = ${p.orgId}`);
    });
    const ctx = { orgId: p.orgId, userId: p.users.global_admin!.id };
    const list = (query: AdminRelationshipQuery) => withTenant(ctx, (tx) => listAdminRelationships(tx, { partnerId: p.orgId, query }));
    for (const sort of RELATIONSHIP_SORTS) {
      for (const dir of ["asc", "desc"] as const) {
        const whole = await list({ sort, dir, size: 100 });
        const expected = whole.rows.map((r) => r.id);
        expect(expected, `${sort} ${dir}`).toHaveLength(14);
        expect(new Set(expected).size).toBe(14);
        // Forwards in pages of 3.
        const forward: string[] = [];
        let page = await list({ sort, dir, size: 3 });
        forward.push(...page.rows.map((r) => r.id));
        while (page.older) {
          page = await list({ sort, dir, size: 3, after: page.older });
          forward.push(...page.rows.map((r) => r.id));
        }
        expect(forward, `${sort} ${dir} forwards`).toEqual(expected);
        // Backwards from the last page.
        const backward: string[][] = [];
        page = await list({ sort, dir, size: 3, last: true });
        backward.unshift(page.rows.map((r) => r.id));
        while (page.newer) {
          page = await list({ sort, dir, size: 3, before: page.newer });
          backward.unshift(page.rows.map((r) => r.id));
        }
        expect(backward.flat(), `${sort} ${dir} backwards`).toEqual(expected);
      }
    }
    // The order each sort promises, checked on the whole list.
    const byName = (await list({ sort: "name", dir: "asc", size: 100 })).rows.map((r) => r.displayName.toLowerCase());
    expect(byName).toEqual([...byName].sort());
    const byEnds = (await list({ sort: "ends", dir: "asc", size: 100 })).rows;
    expect(byEnds.slice(0, 4).every((r) => r.endsAt !== null)).toBe(true);
    expect(byEnds.slice(4).every((r) => r.endsAt === null)).toBe(true);
  });
});
