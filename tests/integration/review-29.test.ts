/**
 * Review of issue 29's changes, driven over HTTP against the built app: the loaders of one GET
 * share one session lookup (counted at the database: Remix gives each loader its own copy of the
 * Request, so a memo keyed by the Request never hit, 6838985); every list answers tampered cursors,
 * sorts, sizes and filters below 500 and shows nothing of another partner; every action answers
 * missing, unknown, repeated or prototype-named intents and repeated fields below 500.
 */
import { PgDialect } from "drizzle-orm/pg-core";
import type { SQL } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createCustomer, createCustomersFor, createPartner } from "../support/factories";
import { installTestDatabase } from "../support/db";
import { Browser } from "../support/http";

const holder = installTestDatabase();
const dialect = new PgDialect();

/** Counts the session lookups (the one query that reads `from sessions s join users u`) while fn runs. */
async function countSessionLookups(fn: () => Promise<unknown>): Promise<number> {
  const db = holder.database!.db as unknown as { transaction: (f: (tx: unknown) => Promise<unknown>, c?: unknown) => Promise<unknown> };
  const original = db.transaction;
  let lookups = 0;
  db.transaction = function (f, c) {
    return original.call(this, async (tx: unknown) => {
      const t = tx as { execute: (q: SQL) => Promise<unknown> };
      const execute = t.execute.bind(t);
      t.execute = (q: SQL) => {
        if (/from sessions s join users u/.test(dialect.sqlToQuery(q).sql)) lookups++;
        return execute(q);
      };
      return f(tx);
    }, c);
  };
  try {
    await fn();
  } finally {
    db.transaction = original;
  }
  return lookups;
}

describe("the session lookup of a page request", () => {
  it("is made once for the loaders of one GET (layout and page), document or data request", async () => {
    const p = await createPartner(["global_admin"]);
    await createCustomersFor(p, [{ name: "Lookup Count Bakery" }]);
    const b = new Browser();
    await b.signIn(p.users.global_admin!.email);
    const document = await countSessionLookups(async () => expect((await b.fetch("/partner/customers")).status).toBe(200));
    const data = await countSessionLookups(async () => expect((await b.fetch("/partner/customers.data")).status).toBe(200));
    expect({ document, data }).toEqual({ document: 1, data: 1 });
  });
});

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value), "utf8").toString("base64url");

describe("every list, with tampered URL state", () => {
  it("answers below 500 and shows nothing of another partner", async () => {
    const a = await createPartner(["global_admin"]);
    const other = await createPartner(["global_admin"]);
    await createCustomersFor(a, [{ name: "Own Tamper Bakery" }, { name: "Own Tamper Dairy" }]);
    const [foreignId] = await createCustomersFor(other, [{ name: "Foreign Secret Brewery" }]);
    const admin = new Browser();
    await admin.signIn(a.users.global_admin!.email);
    const uuid = "00000000-0000-4000-8000-000000000000";
    const cursors = [
      b64(["Foreign Secret Brewery", foreignId]),
      b64(["", foreignId]),
      b64(["0001-01-01T00:00:00.000000", uuid]),
      b64(["9999-12-31T23:59:59.999999", uuid]),
      b64(["2026-02-29T00:00:00.000000", uuid]),
      b64([Number.MAX_SAFE_INTEGER]),
      b64([2 ** 63]),
      b64([1e308]),
      b64([-1]),
      b64([0.5]),
      b64([[1], [2]]),
      b64([[["x"]], uuid]),
      b64([{ a: 1 }, uuid]),
      b64([null, null]),
      b64([true, uuid]),
      b64(["x".repeat(1000), uuid]),
      b64([1e37, "a", uuid]),
      b64([-0, "a", uuid]),
      b64([1e-37, "\u0000", uuid]),
      b64("just a string"),
      b64({ after: 1 }),
      b64([]),
      "%00",
      "!!!",
      "a".repeat(5000),
    ];
    const lists = [
      "/partner/customers",
      "/partner/customers?sort=created",
      "/partner/customers?sort=agreement&dir=desc",
      "/partner/customers?q=tamp",
      "/partner/customers?q=tamp&sort=created",
      "/partner/subscriptions",
      "/partner/relationships",
      "/partner/leads",
      "/partner/product-keys",
      "/partner/audit",
      "/partners",
      "/partners?q=x",
      "/notifications",
    ];
    const problems: string[] = [];
    for (const list of lists) {
      const join = list.includes("?") ? "&" : "?";
      // Every crafted cursor going forward; going back and from the end, the first of each kind
      // (a foreign row's key, extreme and impossible dates and numbers, wrong shapes, not base64):
      // every list decodes through the one cursor codec, so the rest adds time, not cases.
      for (const [i, cursor] of cursors.entries()) {
        const variants = [`after=${encodeURIComponent(cursor)}`];
        if ([0, 2, 6, 10, 18, 23].includes(i)) variants.push(`before=${encodeURIComponent(cursor)}`, `after=${encodeURIComponent(cursor)}&last=1&size=25`, `before=${encodeURIComponent(cursor)}&last=1&size=25`);
        for (const url of variants.map((v) => `${list}${join}${v}`)) {
          const res = await admin.fetch(url);
          const body = await res.text();
          if (res.status >= 500) problems.push(`${res.status} ${url}`);
          if (body.includes("Foreign Secret")) problems.push(`leak ${url}`);
        }
      }
      for (const extra of ["size=1e2", "size=-1", "size=100000", "sort=__proto__", "dir=sideways", "type=reseller&type=advisor", "country=dk", "status=nope", "action=%00", "user=not-a-uuid", `user=${uuid}`, "q=%00", "q=" + "x".repeat(5000), "assigned=me&assigned=x", "last=2", "last=1"]) {
        const url = `${list}${join}${extra}`;
        const res = await admin.fetch(url);
        if (res.status >= 500) problems.push(`${res.status} ${url}`);
        if ((await res.text()).includes("Foreign Secret")) problems.push(`leak ${url}`);
      }
    }
    // Strict state: the export refuses what it cannot read, and never answers 5xx.
    for (const extra of ["country=dk", "sort=nope", "type=x", "q=%00", `after=${b64(["Foreign Secret Brewery", foreignId])}`, "q=Foreign"]) {
      const res = await admin.fetch(`/partner/customers/export.csv?${extra}`);
      if (res.status >= 500) problems.push(`${res.status} export ${extra}`);
      if ((await res.text()).includes("Foreign Secret")) problems.push(`leak export ${extra}`);
    }
    // The customer's own paged list (partner activity, by entry id).
    const c = await createCustomer(["global_admin"]);
    const customer = new Browser();
    await customer.signIn(c.users.global_admin!.email);
    for (const cursor of cursors) {
      const res = await customer.fetch(`/customer/activity?after=${encodeURIComponent(cursor)}`);
      if (res.status >= 500) problems.push(`${res.status} /customer/activity ${cursor}`);
    }
    expect(problems).toEqual([]);
  }, 300_000);
});

describe("every action, with odd forms", () => {
  it("answers below 500: missing, unknown, repeated and prototype-named intents, repeated fields", async () => {
    const p = await createPartner(["global_admin"]);
    const c = await createCustomer(["global_admin"]);
    const partner = new Browser();
    await partner.signIn(p.users.global_admin!.email);
    const customer = new Browser();
    await customer.signIn(c.users.global_admin!.email);
    const id = "00000000-0000-4000-8000-000000000000";
    const partnerPaths = [
      "/partner/customers",
      `/partner/customers/${id}`,
      "/partner/customers/new",
      `/partner/customers/selections/${id}`,
      `/partner/customers/${id}/licences`,
      `/partner/customers/${id}/service-requests`,
      `/partner/customers/${id}/users`,
      `/partner/leads/${id}`,
      `/partner/links/${id}`,
      "/partner/links/new",
      "/partner/listing",
      "/partner/product-keys",
      "/partner/product-keys/register",
      "/partner/profile",
      `/partner/relationships/${id}`,
      "/partner/relationships",
      "/partner/relationships/new",
      `/partner/staff/${id}`,
      "/partner/staff",
      "/partner/staff/groups",
      `/partner/bulk/${id}`,
      "/notifications",
      "/switch-organisation",
      "/account",
    ];
    const customerPaths = ["/customer/partners", "/customer/requests", `/customer/requests/${id}`, "/customer/subscriptions", "/customer/users", "/customer/agreement", "/notifications"];
    const forms: Record<string, string | string[]>[] = [
      {},
      { intent: "" },
      { intent: "__proto__" },
      { intent: "constructor" },
      { intent: ["revoke", "assign", "create", "approve"] },
      { intent: "create", name: ["a", "b"], email: ["x@y.z", "y@z.x"] },
      { intent: "assign", groupId: id, roles: [""] },
      { intent: "approve", id: "not-a-uuid" },
      { intent: "set-partner", id, partnerNumber: "1e400" },
      { intent: "licences", id, licences: "99999999999999999999" },
      { intent: "roles", roles: ["global_admin", "__proto__"] },
      { "__proto__.x": "1", "constructor.prototype.y": "1", intent: "discard" },
    ];
    const problems: string[] = [];
    for (const [browser, paths] of [[partner, partnerPaths], [customer, customerPaths]] as const) {
      for (const path of paths) {
        for (const form of forms) {
          const res = await browser.fetch(path, { form });
          if (res.status >= 500) problems.push(`${res.status} ${path} ${JSON.stringify(form)}: ${(await res.text()).slice(0, 200)}`);
        }
      }
    }
    expect(problems).toEqual([]);
  }, 300_000);
});
