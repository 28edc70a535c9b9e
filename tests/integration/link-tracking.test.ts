/**
 * Issue 30: the links list's "Accepted" column counts the same redemptions as the link's page
 * (it read 0 for every link: in a one-table select drizzle writes the list's correlated column
 * as a bare "id", which inside the subquery named the redemption's own id).
 */
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { withSystem, withTenant } from "../../app/utils/db.server";
import { createLink } from "../../app/modules/links/links.server";
import { createCustomer, createPartner } from "../support/factories";
import { installTestDatabase } from "../support/db";
import { Browser } from "../support/http";

installTestDatabase();

const path = (url: string) => new URL(url).pathname;

/** The text of each cell of the list's row that links to the link. */
function rowCells(html: string, linkId: string): string[] {
  const row = [...html.matchAll(/<tr[\s\S]*?<\/tr>/g)].map((m) => m[0]).find((r) => r.includes(`/partner/links/${linkId}"`));
  if (!row) throw new Error(`no row for link ${linkId}`);
  return [...row.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((m) => m[1]!.replace(/<[^>]+>/g, "").trim());
}

/** The value of a stat of the link's page (the number above its label). */
function stat(html: string, label: string): string {
  const found = html.match(new RegExp(`<p class="stat-value">([^<]*)</p><p class="stat-label">${label}</p>`));
  if (!found) throw new Error(`no stat ${label}`);
  return found[1]!;
}

describe("the links list's tracking", () => {
  it("shows the same accepted count as the link's page once customers accepted", async () => {
    const p = await createPartner();
    await withSystem((tx) => tx.execute(sql`update organisations set is_authorised_advisor = true where id = ${p.orgId}`));
    const actor = { userId: p.users.sales_agent!.id, orgId: p.orgId };
    const link = await withTenant(actor, (tx) =>
      createLink(tx, { partnerId: p.orgId, actor, link: { kind: "trial", items: [{ productId: "business-premium" }], offerDap: false, message: null, expiresAt: null } }),
    );
    const untouched = await withTenant(actor, (tx) => createLink(tx, { partnerId: p.orgId, actor, link: { kind: "reseller", items: [], offerDap: false, message: null, expiresAt: null } }));

    for (let i = 0; i < 2; i++) {
      const c = await createCustomer();
      const ga = new Browser();
      await ga.signIn(c.users.global_admin!.email);
      const res = await ga.fetch(path(link.url), { form: { intent: "accept", agreementVersion: "2026-11", read: "on" } });
      expect(res.status).toBe(302);
    }

    const sales = new Browser();
    await sales.signIn(p.users.sales_agent!.email);
    const detail = await sales.html(`/partner/links/${link.id}`);
    expect(detail.status).toBe(200);
    expect(stat(detail.text, "Accepted")).toBe("2");

    const list = await sales.html("/partner/links");
    expect(list.status).toBe(200);
    expect(list.text).toMatch(/<th[^>]*>Accepted<\/th>/);
    // Link, Offers, Status, Visits, Accepted, Created, Copy.
    expect(rowCells(list.text, link.id)[4]).toBe(stat(detail.text, "Accepted"));
    expect(rowCells(list.text, untouched.id)[4]).toBe("0");
  });
});
