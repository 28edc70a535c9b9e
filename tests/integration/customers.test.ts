import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { rowsOf } from "../../db/client";
import { withSystem, withTenant } from "../../app/utils/db.server";
import { countCustomers, listCustomers } from "../../app/modules/customers/customers.server";
import { assertAgreementAccepted } from "../../app/modules/customer-tenant/agreements.server";
import { parseCustomerListQuery, type CustomerListQuery } from "../../app/modules/customers/customer-list";
import { createCustomer, createCustomersFor, createPartner, uniq, type OrgFixture } from "../support/factories";
import { lastMailTo } from "../support/mail";
import { installTestDatabase } from "../support/db";
import { Browser } from "../support/http";

installTestDatabase();

const q = (params: Record<string, string> = {}): CustomerListQuery => parseCustomerListQuery(new URLSearchParams(params));


const asPartner = <T>(p: OrgFixture, fn: Parameters<typeof withTenant<T>>[1]) => withTenant({ orgId: p.orgId, userId: p.users.global_admin!.id }, fn);

describe("add customer", () => {
  it("creates the tenant, invites its global admin, and a reseller relationship pending the agreement", async () => {
    const p = await createPartner(["global_admin", "sales_agent"]);
    const sales = new Browser();
    await sales.signIn(p.users.sales_agent!.email);
    const domain = `bakery-${uniq()}.dk`;
    const res = await sales.fetch("/partner/customers/new", {
      form: { name: "Hansen's Bakery", primaryDomain: domain.toUpperCase(), country: "DK", contactFirstName: "Mette", contactLastName: "Hansen", contactEmail: `mette@${domain}` },
    });
    expect(res.status).toBe(302);
    const detailUrl = res.headers.get("Location")!;
    expect(detailUrl).toMatch(/^\/partner\/customers\/[0-9a-f-]{36}$/);
    const detail = await sales.html(detailUrl);
    expect(detail.text).toContain("Hansen&#x27;s Bakery");
    expect(detail.text).toContain(domain); // stored lower-case
    expect(detail.text).toContain("Agreement pending");
    expect(detail.text).toContain(`mette@${domain}`);
    expect(detail.text).toContain("Invited");
    expect((await sales.html("/partner/customers")).text).toContain("Agreement pending");
    expect(await lastMailTo(`mette@${domain}`)).toMatch(/\/activate\/[\w-]+/);
    const customerId = detailUrl.split("/").pop()!;
    await expect(asPartner(p, (tx) => assertAgreementAccepted(tx, { partnerId: p.orgId, customerId }))).rejects.toThrow(/not accepted the customer agreement/);
    expect((await sales.html("/partner/audit")).status).toBe(403);
    const admin = new Browser();
    await admin.signIn(p.users.global_admin!.email);
    expect((await admin.html("/partner/audit")).text).toContain("customer.created");
  });

  it("refuses a duplicate domain with 409 and creates nothing", async () => {
    const p = await createPartner(["global_admin"]);
    const other = await createPartner(["global_admin"]);
    const [existing] = await createCustomersFor(other, [{ name: "Taken Domain Ltd" }]);
    const [{ domain }] = (await withSystem(async (tx) => rowsOf<{ domain: string }>(await tx.execute(sql`select primary_domain as domain from organisations where id = ${existing}`)))) as [{ domain: string }];
    const before = await withSystem(async (tx) => rowsOf<{ n: number }>(await tx.execute(sql`select count(*)::int as n from organisations`)));
    const b = new Browser();
    await b.signIn(p.users.global_admin!.email);
    const email = `someone-${uniq()}@x.test`;
    const res = await b.fetch("/partner/customers/new", {
      form: { name: "Copycat", primaryDomain: domain.toUpperCase(), country: "DK", contactFirstName: "A", contactLastName: "B", contactEmail: email },
    });
    expect(res.status).toBe(409);
    expect(await res.text()).toContain(`The domain ${domain} is already registered`);
    const after = await withSystem(async (tx) => rowsOf<{ n: number }>(await tx.execute(sql`select count(*)::int as n from organisations`)));
    expect(after[0]!.n).toBe(before[0]!.n);
    expect(await lastMailTo(email)).toBe("");
    const [users] = await withSystem(async (tx) => rowsOf<{ n: number }>(await tx.execute(sql`select count(*)::int as n from users where email = ${email}`)));
    expect(users!.n).toBe(0);
  });

  it("validates the form with field messages", async () => {
    const p = await createPartner(["global_admin"]);
    const b = new Browser();
    await b.signIn(p.users.global_admin!.email);
    for (const bad of ["no-dot", "-bad-.com", "under_score.com", "a..b.com", "x.c0m"]) {
      const res = await b.fetch("/partner/customers/new", { form: { name: "X Co", primaryDomain: bad, country: "DK", contactFirstName: "A", contactLastName: "B", contactEmail: "a@b.test" } });
      expect(res.status, bad).toBe(400);
      expect(await res.text()).toContain("Enter a domain name like contoso.com");
    }
    const res = await b.fetch("/partner/customers/new", { form: { name: "", primaryDomain: "ok.com", country: "XX", contactEmail: "nope" } });
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text).toContain("Enter the company name.");
    expect(text).toContain("Choose the country.");
    expect(text).toContain("Enter a valid email address.");
  });

  it("only global admins, admin agents and sales agents may add customers", async () => {
    const p = await createPartner();
    for (const role of ["helpdesk_agent", "billing_admin"]) {
      const b = new Browser();
      await b.signIn(p.users[role]!.email);
      expect((await b.html("/partner/customers/new")).status).toBe(403);
      expect((await b.html("/partner/customers")).text).not.toContain("Add customer");
    }
  });
});

describe("the customer agreement", () => {
  it("the new customer's global admin activates, must accept at first sign-in, and then the partner may transact", async () => {
    const p = await createPartner(["global_admin"]);
    const partner = new Browser();
    await partner.signIn(p.users.global_admin!.email);
    const domain = `agree-${uniq()}.com`;
    const created = await partner.fetch("/partner/customers/new", {
      form: { name: "Agreeable AS", primaryDomain: domain, country: "NO", contactFirstName: "Ola", contactLastName: "Nordmann", contactEmail: `ola@${domain}` },
    });
    const customerId = created.headers.get("Location")!.split("/").pop()!;
    const link = (await lastMailTo(`ola@${domain}`)).match(/\/activate\/[\w-]+/)![0];
    const ola = new Browser();
    const activated = await ola.fetch(link, { form: { displayName: "Ola Nordmann", password: "ola-long-password", confirmPassword: "ola-long-password" } });
    expect(activated.headers.get("Location")).toBe("/customer");
    expect((await ola.html("/customer")).location).toBe("/customer/agreement");
    const page = await ola.html("/customer/agreement");
    expect(page.text).toContain("Partnerdesk Customer Agreement");
    const version = page.text.match(/name="version" value="([^"]+)"/)![1]!;
    const unticked = await ola.fetch("/customer/agreement", { form: { version } });
    expect(unticked.status).toBe(400);
    expect(await unticked.text()).toContain("Tick the box");
    const stale = await ola.fetch("/customer/agreement", { form: { version: "1999-01", read: "on" } });
    expect(stale.status).toBe(409);
    expect((await ola.fetch("/customer/agreement", { form: { version, read: "on" } })).status).toBe(302);
    expect((await ola.html("/customer")).status).toBe(200);
    const list = await partner.html(`/partner/customers?q=${domain}`);
    expect(list.text).toContain("Accepted");
    expect(list.text).not.toContain("Agreement pending");
    await asPartner(p, (tx) => assertAgreementAccepted(tx, { partnerId: p.orgId, customerId }));
    const [rel] = await withSystem(async (tx) => rowsOf<{ status: string }>(await tx.execute(sql`select status from relationships where customer_org_id = ${customerId}`)));
    expect(rel!.status).toBe("active");
  });

  it("a customer's user sees that the agreement is pending but cannot accept it (its admins can: the help pages' global or billing admin)", async () => {
    const c = await createCustomer(["global_admin", "user"], { agreement: "pending" });
    const b = new Browser();
    await b.signIn(c.users.user!.email);
    const page = await b.html("/customer");
    expect(page.status).toBe(200);
    expect(page.text).toContain("has not accepted the customer agreement");
    const res = await b.fetch("/customer/agreement", { form: { version: "2026-11", read: "on" } });
    expect(res.status).toBe(403);
  });
});

describe("customer list rows", () => {
  it("writes names and labels as text, never as markup", async () => {
    const p = await createPartner(["global_admin"]);
    const name = `<img src=x onerror="alert(1)"> & 'Quote' Ltd`;
    await createCustomersFor(p, [{ name }, { name: "Plain Co" }]);
    const b = new Browser();
    await b.signIn(p.users.global_admin!.email);
    const page = await b.html("/partner/customers?sort=name");
    expect(page.status).toBe(200);
    // React's escaping (an apostrophe as &#x27;).
    const escaped = "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; &#x27;Quote&#x27; Ltd";
    const body = page.text.slice(page.text.indexOf("<tbody>"), page.text.indexOf("</tbody>"));
    expect(body).not.toMatch(/<img/);
    expect(body).toMatch(/<td><a href="\/partner\/customers\/[0-9a-f-]{36}">&lt;img/);
    expect(body).toContain(`">${escaped}</a></td>`);
    expect(body).toContain(`aria-label="Select ${escaped}"`);
    expect(body).toContain('aria-label="Select Plain Co"');
    expect(body.match(/<tr>/g)).toHaveLength(2);
    expect(body).toContain('<span class="badge badge-good">Accepted</span>');
  });
});

describe("customer list", () => {
  let p: OrgFixture;
  const NAMES = ["Alpha Foods", "alpha foods", "Beta Bakery", "Gamma, \"Quoted\" Co", "Delta Dental", "Zeta Zoo"];
  beforeAll(async () => {
    p = await createPartner(["global_admin", "sales_agent", "helpdesk_agent"]);
    // 137 customers, names repeating, three countries, some pending, some also advisor or DAP.
    const specs = Array.from({ length: 137 }, (_, i) => ({
      name: NAMES[i % NAMES.length]!,
      country: ["DK", "NO", "SE"][i % 3]!,
      pending: i % 5 === 0,
      types: (i % 4 === 0 ? ["reseller", "advisor"] : i % 9 === 0 ? ["reseller", "dap"] : ["reseller"]) as ("reseller" | "advisor" | "dap")[],
    }));
    await createCustomersFor(p, specs);
  });

  const expectedOrder = async (sortSql: string, dir: "asc" | "desc", where = "true") =>
    (await withSystem(async (tx) =>
      rowsOf<{ id: string }>(
        await tx.execute(sql.raw(`select customer_org_id as id from partner_customers where partner_org_id = '${p.orgId}' and ${where} order by ${sortSql} ${dir}, customer_org_id ${dir}`)),
      ),
    )).map((r) => r.id);

  const SORT_COLUMNS: Record<string, string> = { name: "sort_name", domain: "primary_domain", country: "country", types: "relationship_types", agreement: "agreement_status", created: "customer_created_at" };

  it("a full keyset walk forwards and backwards skips and repeats nothing, for every sort and direction", async () => {
    for (const [sort, column] of Object.entries(SORT_COLUMNS)) {
      for (const dir of ["asc", "desc"] as const) {
        const expected = await expectedOrder(column, dir);
        expect(expected).toHaveLength(137);
        const forward: string[] = [];
        let after: string | undefined;
        for (let guard = 0; guard < 20; guard++) {
          const page = await asPartner(p, (tx) => listCustomers(tx, { partnerId: p.orgId, query: { ...q({ sort, dir, size: "25" }), after } }));
          forward.push(...page.rows.map((r) => r.id));
          if (!page.next) break;
          after = page.next;
        }
        expect(forward, `${sort} ${dir} forwards`).toEqual(expected);
        const backward: string[] = [];
        let page = await asPartner(p, (tx) => listCustomers(tx, { partnerId: p.orgId, query: { ...q({ sort, dir, size: "25" }), last: true } }));
        expect(page.isLast).toBe(true);
        expect(page.rows).toHaveLength(25); // the last page is full: the last 25 rows, not the remainder
        for (let guard = 0; guard < 20; guard++) {
          backward.unshift(...page.rows.map((r) => r.id));
          if (!page.prev) break;
          const before = page.prev;
          page = await asPartner(p, (tx) => listCustomers(tx, { partnerId: p.orgId, query: { ...q({ sort, dir, size: "25" }), before } }));
        }
        expect(backward, `${sort} ${dir} backwards`).toEqual(expected);
        expect(page.isFirst).toBe(true);
      }
    }
  });

  it("searches name and domain case-insensitively, with prefix search under 3 characters", async () => {
    const list = (params: Record<string, string>) => asPartner(p, (tx) => listCustomers(tx, { partnerId: p.orgId, query: q({ size: "200", ...params }) }));
    const bakery = await list({ q: "BAKE" });
    expect(bakery.rows.length).toBeGreaterThan(0);
    expect(bakery.rows.every((r) => r.name === "Beta Bakery")).toBe(true);
    expect(bakery.total).toEqual({ count: 23, exact: true });
    const byDomain = await list({ q: "c1-" });
    expect(byDomain.rows.some((r) => r.primaryDomain.startsWith("c1-"))).toBe(true);
    const prefix = await list({ q: "ze" });
    expect(prefix.rows.length).toBeGreaterThan(0);
    expect(prefix.rows.every((r) => r.name.startsWith("Zeta"))).toBe(true);
    expect((await list({ q: "ta" })).rows).toHaveLength(0); // "ta" is inside "Beta"/"Delta" but starts nothing
    expect((await list({ q: "%" })).rows).toHaveLength(0); // LIKE wildcards are literal
    expect((await list({ q: "\"quoted\"" })).rows.length).toBe(23);
  });

  it("filters by relationship type, country and agreement status", async () => {
    const list = (params: Record<string, string>) => asPartner(p, (tx) => listCustomers(tx, { partnerId: p.orgId, query: q({ size: "200", ...params }) }));
    const advisors = await list({ type: "advisor" });
    expect(advisors.rows.length).toBe(35);
    expect(advisors.rows.every((r) => r.relationshipTypes.includes("advisor"))).toBe(true);
    const dk = await list({ country: "DK" });
    expect(dk.rows.every((r) => r.country === "DK")).toBe(true);
    expect(dk.rows.length).toBe(46);
    const pending = await list({ agreement: "pending" });
    expect(pending.rows.length).toBe(28);
    expect(pending.rows.every((r) => r.agreementStatus === "pending")).toBe(true);
    const combined = await list({ agreement: "pending", country: "SE", q: "alpha" });
    expect(combined.rows.every((r) => r.agreementStatus === "pending" && r.country === "SE" && r.name.toLowerCase() === "alpha foods")).toBe(true);
  });

  it("counts exactly: unfiltered from the partner's counter, filtered up to the cap", async () => {
    expect(await asPartner(p, (tx) => countCustomers(tx, { partnerId: p.orgId, query: q() }))).toEqual({ count: 137, exact: true });
    expect(await asPartner(p, (tx) => countCustomers(tx, { partnerId: p.orgId, query: q({ country: "DK" }) }))).toEqual({ count: 46, exact: true });
    // The counter follows relationships that end and begin.
    const [first] = await createCustomersFor(p, [{ name: "Counted Co" }]);
    expect((await asPartner(p, (tx) => countCustomers(tx, { partnerId: p.orgId, query: q() }))).count).toBe(138);
    await withSystem((tx) => tx.execute(sql`update relationships set status = 'ended' where customer_org_id = ${first}`));
    expect((await asPartner(p, (tx) => countCustomers(tx, { partnerId: p.orgId, query: q() }))).count).toBe(137);
  });

  it("keeps the whole table state in the URL and falls back on bad values", async () => {
    const b = new Browser();
    await b.signIn(p.users.helpdesk_agent!.email);
    const page = await b.html("/partner/customers?q=alpha&country=NO&sort=domain&dir=desc&size=25");
    expect(page.status).toBe(200);
    expect(page.text).toContain('value="alpha"');
    expect(page.text).toMatch(/<option value="NO" selected="">/);
    expect(page.text).toMatch(/aria-sort="descending"[^>]*><a[^>]*href="\/partner\/customers\?q=alpha&amp;country=NO&amp;sort=domain&amp;dir=asc&amp;size=25"/);
    const next = page.text.match(/href="(\/partner\/customers\?[^"]*after=[^"]+)"/);
    if (next) expect(next[1]).toContain("q=alpha");
    const junk = await b.html("/partner/customers?size=7&sort=evil&dir=sideways&after=garbage&country=xx");
    expect(junk.status).toBe(200);
    expect(junk.text).toMatch(/<option value="50" selected="">/);
  });

  it("renders each request's own sort and rows when many pages render at once", async () => {
    // The table's column model is shared by every render of the list (data-table.tsx): nothing of
    // one request's sort, rows or selection may show in another's page.
    const b = new Browser();
    await b.signIn(p.users.helpdesk_agent!.email);
    const views = [
      { sort: "name", dir: "asc", label: "Name" },
      { sort: "name", dir: "desc", label: "Name" },
      { sort: "domain", dir: "desc", label: "Primary domain" },
      { sort: "country", dir: "asc", label: "Country" },
      { sort: "created", dir: "desc", label: "Created" },
      { sort: "agreement", dir: "asc", label: "Agreement" },
    ] as const;
    const pages = await Promise.all(views.map((v) => b.html(`/partner/customers?sort=${v.sort}&dir=${v.dir}&size=25`)));
    for (const [i, v] of views.entries()) {
      const expected = await asPartner(p, (tx) => listCustomers(tx, { partnerId: p.orgId, query: q({ sort: v.sort, dir: v.dir, size: "25" }) }));
      const text = pages[i]!.text;
      const sorted = [...text.matchAll(/<th[^>]*aria-sort="(ascending|descending)"[^>]*><a[^>]*>([^<]+)</g)];
      expect(sorted.map((m) => [m[1], m[2]])).toEqual([[v.dir === "asc" ? "ascending" : "descending", v.label]]);
      const rowLinks = [...text.matchAll(/<td><a href="\/partner\/customers\/([0-9a-f-]{36})">/g)].map((m) => m[1]);
      expect(rowLinks).toEqual(expected.rows.map((r) => r.id));
    }
  });

  it("saves a selection of the page or of all matching customers with the exact count", async () => {
    const b = new Browser();
    await b.signIn(p.users.sales_agent!.email);
    const firstPage = await asPartner(p, (tx) => listCustomers(tx, { partnerId: p.orgId, query: q({ size: "25" }) }));
    const ids = firstPage.rows.slice(0, 3).map((r) => r.id);
    const res = await b.fetch("/partner/customers?index", { form: { mode: "page", ids } });
    expect(res.status).toBe(302);
    const selectionPage = await b.html(res.headers.get("Location")!);
    expect(selectionPage.text).toContain("3 customers selected");
    const all = await b.fetch("/partner/customers?index&country=DK", { form: { mode: "all" } });
    const allPage = await b.html(all.headers.get("Location")!);
    expect(allPage.text).toContain("46 customers selected");
    expect(allPage.text).toContain("country: Denmark");
    const other = await createPartner(["global_admin"]);
    const [foreign] = await createCustomersFor(other, [{ name: "Not Yours" }]);
    expect((await b.fetch("/partner/customers?index", { form: { mode: "page", ids: [ids[0]!, foreign!] } })).status).toBe(404);
    expect((await b.fetch("/partner/customers?index", { form: { mode: "page" } })).status).toBe(400);
    const discard = await b.fetch(all.headers.get("Location")!, { form: { intent: "discard" } });
    expect(discard.status).toBe(302);
    expect((await b.html(all.headers.get("Location")!)).status).toBe(404);
  });

  it("exports the filtered list as CSV with a header row and proper quoting", async () => {
    const b = new Browser();
    await b.signIn(p.users.sales_agent!.email);
    const res = await b.fetch("/partner/customers/export.csv?q=gamma");
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toContain("text/csv");
    expect(res.headers.get("Content-Disposition")).toMatch(/attachment; filename="customers-\d{4}-\d{2}-\d{2}\.csv"/);
    const text = (await res.text()).replace(/^\uFEFF/, "");
    const lines = text.trim().split("\n");
    expect(lines[0]).toBe("Name,Primary domain,Country,Relationships,Agreement,Created (UTC),Customer ID");
    expect(lines).toHaveLength(1 + 23);
    expect(lines[1]).toMatch(/^"Gamma, ""Quoted"" Co",c\d+-[0-9a-f]+\.test,(DK|NO|SE),Reseller(; Advisor|; Delegated admin)?|^"Gamma, ""Quoted"" Co"/);
    const whole = (await (await b.fetch("/partner/customers/export.csv")).text()).trim().split("\n");
    expect(whole).toHaveLength(1 + 137);
    expect(new Set(whole.slice(1).map((l) => l.split(",").pop())).size).toBe(137);
  });
});
