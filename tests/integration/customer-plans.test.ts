/**
 * Index use under RLS: every query shape of the customer list, run as the app role, must be
 * answerable without a sequential scan (with seq scans priced out, a "Seq Scan" in the plan
 * means no index could serve it, e.g. because a non-leakproof operator met the RLS policy).
 * Search runs inside a SECURITY DEFINER function; its statement is checked as the owner.
 */
import { sql, type Query } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { rowsOf, type Tx } from "../../db/client";
import { enterTenant, withSystem } from "../../app/utils/db.server";
import { forgetSearchEstimates, listCustomers } from "../../app/modules/customers/customers.server";
import { CUSTOMER_SORTS, parseCustomerListQuery } from "../../app/modules/customers/customer-list";
import { createCustomersFor, createPartner, type OrgFixture } from "../support/factories";
import { installTestDatabase } from "../support/db";

installTestDatabase();

let p: OrgFixture;
beforeAll(async () => {
  p = await createPartner(["global_admin"]);
  await createCustomersFor(p, Array.from({ length: 60 }, (_, i) => ({ name: `Plan Customer ${i % 7}`, country: i % 2 ? "DK" : "SE", pending: i % 3 === 0 })));
  // Some volume and statistics, so plans resemble real ones.
  await withSystem(async (tx) => {
    await tx.execute(sql`
      with g as materialized (select i, gen_random_uuid() as id from generate_series(1, 3000) i),
      o as (insert into organisations (id, kind, name, primary_domain, country)
            select id, 'customer', 'Bulk Firm ' || i, 'bulk-' || i || '-' || ${p.orgId} || '.test', 'DK' from g returning id)
      insert into relationships (partner_org_id, customer_org_id, type) select ${p.orgId}, id, 'reseller' from o`);
    await tx.execute(sql`analyze partner_customers`);
  });
});

class Rollback extends Error {}

/**
 * The handle with each statement it sends reported to `sent` (drizzle sends every statement,
 * query builder or `execute`, through its session's prepareQuery).
 */
function recording(tx: Tx, sent: (statement: Query) => void): Tx {
  const session = (tx as unknown as { session: { prepareQuery: (q: Query, ...rest: unknown[]) => unknown } }).session;
  const spySession = new Proxy(session, {
    get(target, key, receiver) {
      if (key === "prepareQuery") return (q: Query, ...rest: unknown[]) => (sent(q), target.prepareQuery(q, ...rest));
      return Reflect.get(target, key, receiver);
    },
  });
  return new Proxy(tx, { get: (target, key, receiver) => (key === "session" ? spySession : Reflect.get(target, key, receiver)) });
}

/** A captured statement as drizzle SQL again, its $n placeholders bound to their values (to EXPLAIN it). */
const asSql = (q: Query) => sql.join(q.sql.split(/(\$\d+)/).map((part) => (/^\$\d+$/.test(part) ? sql`${q.params[Number(part.slice(1)) - 1]}` : sql.raw(part))));

/**
 * Runs the list as the app role (the first page, and the next page by cursor, so the keyset
 * condition is planned too; with `more`, also the page before that one and the last page),
 * capturing its statements, and hands them to `inspect` in the same transaction.
 */
async function withListStatements<T>(params: Record<string, string>, inspect: (tx: Tx, statements: Query[]) => Promise<T>, more = false): Promise<T> {
  let out: T;
  await withSystem(async (tx) => {
    await tx.execute(sql`set local enable_seqscan = off`);
    await enterTenant(tx, { orgId: p.orgId, userId: p.users.global_admin!.id });
    const captured: Query[] = [];
    const spy = recording(tx, (q) => captured.push(q));
    const query = parseCustomerListQuery(new URLSearchParams(params));
    const first = await listCustomers(spy, { partnerId: p.orgId, query });
    if (first.next) {
      const second = await listCustomers(spy, { partnerId: p.orgId, query: { ...query, after: first.next } });
      if (more && second.prev) await listCustomers(spy, { partnerId: p.orgId, query: { ...query, before: second.prev } });
    }
    if (more) await listCustomers(spy, { partnerId: p.orgId, query: { ...query, last: true } });
    out = await inspect(tx, captured);
    throw new Rollback();
  }).catch((e) => {
    if (!(e instanceof Rollback)) throw e;
  });
  return out!;
}

/** The plans of the list's statements, as the app role, planned for their values. */
async function plansOf(params: Record<string, string>): Promise<string[]> {
  return withListStatements(params, async (tx, statements) => {
    const plans: string[] = [];
    for (const q of statements) {
      const rows = rowsOf<Record<string, string>>(await tx.execute(sql`explain ${asSql(q)}`));
      plans.push(rows.map((r) => Object.values(r)[0]).join("\n"));
    }
    return plans;
  });
}

let probes = 0;
interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  "Function Name"?: string;
  Plans?: PlanNode[];
}
const nodesOf = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodesOf)];

/**
 * The generic plans (one plan for every value of the parameters, as PostgreSQL may keep for a
 * prepared statement) of the list's statements, as the app role (verbose: the parameters show in it).
 */
async function genericPlansOf(params: Record<string, string>) {
  return withListStatements(
    params,
    async (tx, statements) => {
      const plans: PlanNode[] = [];
      for (const { sql: text, params: values } of statements) {
        // A prepared statement outlives the transaction: a name of its own, and deallocated.
        const name = `pd_generic_probe_${probes++}`;
        await tx.execute(sql.raw(`prepare ${name} as ${text}`));
        await tx.execute(sql`set local plan_cache_mode = force_generic_plan`);
        const [prepared] = rowsOf<{ types: string[] | string }>(
          await tx.execute(sql`select parameter_types::text[] as types from pg_prepared_statements where name = ${name}`),
        );
        const types = Array.isArray(prepared!.types) ? prepared!.types : prepared!.types.replace(/^\{|\}$/g, "").split(",");
        // EXPLAIN EXECUTE takes no parameters of its own: the values go in as typed literals.
        const literal = (v: unknown, i: number) => (v === null ? "null" : `'${String(v).replaceAll("'", "''")}'::${types[i]}`);
        const [row] = rowsOf<{ "QUERY PLAN": unknown }>(await tx.execute(sql.raw(`explain (format json, verbose) execute ${name}(${values.map(literal).join(", ")})`)));
        const json = row!["QUERY PLAN"];
        plans.push((typeof json === "string" ? JSON.parse(json) : json)[0].Plan as PlanNode);
        await tx.execute(sql.raw(`deallocate ${name}`));
        await tx.execute(sql`set local plan_cache_mode = force_custom_plan`);
      }
      return { plans };
    },
    true,
  );
}

describe("customer list plans under RLS", () => {
  for (const sort of CUSTOMER_SORTS) {
    for (const dir of ["asc", "desc"]) {
      it(`sort ${sort} ${dir}: index only, first page and by cursor`, async () => {
        const plans = await plansOf({ sort, dir, size: "25" });
        expect(plans.length).toBe(2); // one statement per page: first, and by cursor
        for (const plan of plans) expect(plan, plan).not.toMatch(/Seq Scan/);
      });
    }
  }

  // Unfiltered, the list's statement is a prepared statement whose best plan is the same for every
  // value: should PostgreSQL keep one plan for it, for no particular partner, cursor or size, that
  // plan must walk the sort's index from the cursor for every value, with no sort of the partner's
  // rows under the limit. (No statement asks for a generic plan now: tenant reads are planned for
  // their values.)
  for (const sort of CUSTOMER_SORTS) {
    for (const dir of ["asc", "desc"]) {
      it(`sort ${sort} ${dir}: one plan for every partner, cursor and size walks the sort's index`, async () => {
        const { plans } = await genericPlansOf({ sort, dir, size: "25" });
        expect(plans.length).toBe(4); // first, next by cursor, previous by cursor, last
        for (const plan of plans) {
          const limit = nodesOf(plan).find((n) => n["Node Type"] === "Limit" && nodesOf(n).some((m) => m["Relation Name"] === "partner_customers"));
          const summary = JSON.stringify(plan);
          expect(limit, summary).toBeDefined();
          // A generic plan: the values are parameters in it, not constants.
          expect(summary).toMatch(/\$\d/);
          const under = nodesOf(limit!);
          expect(under.filter((n) => n["Node Type"] === "Sort"), summary).toEqual([]);
          const scans = under.filter((n) => n["Relation Name"] === "partner_customers");
          expect(scans.map((n) => [n["Node Type"], n["Index Name"]]), summary).toEqual([["Index Scan", `partner_customers_${sort}_idx`]]);
        }
      });
    }
  }

  // Searched, the statement only calls the SECURITY DEFINER functions, which plan their own
  // statements for the term and filters on every call: its one plan is the same for every value
  // (ADR 0024), and it must not touch partner_customers itself.
  it("searched, the list's one plan for every term calls the search functions and reads no table itself", async () => {
    const shapes: Record<string, string>[] = [{ q: "plan" }, { q: "pl" }, { q: "plan cust", country: "DK", type: "advisor", sort: "created", dir: "desc" }];
    for (const params of shapes) {
      const { plans } = await genericPlansOf({ size: "25", ...params });
      expect(plans.length, JSON.stringify(params)).toBeGreaterThan(0);
      for (const plan of plans) {
        const nodes = nodesOf(plan);
        const summary = JSON.stringify(plan);
        expect(summary).toMatch(/\$\d/);
        expect(nodes.filter((n) => n["Relation Name"] !== undefined), summary).toEqual([]);
        expect(nodes.filter((n) => n["Node Type"] === "Function Scan").map((n) => n["Function Name"]), summary).toContain("pd_search_partner_customers_page");
      }
    }
  });

  it("filters and the last page: index only", async () => {
    const shapes: Record<string, string>[] = [{ country: "DK" }, { agreement: "pending" }, { type: "advisor" }, { last: "1" }, { country: "SE", agreement: "accepted", sort: "created", dir: "desc" }];
    for (const params of shapes) {
      for (const plan of await plansOf({ size: "25", ...params })) expect(plan, JSON.stringify(params)).not.toMatch(/Seq Scan/);
    }
  });

  it("search: the list query as the app role and the definer function's statement as the owner use indexes", async () => {
    for (const term of ["plan cust", "firm 1234", "pl", "c"]) {
      for (const plan of await plansOf({ q: term, size: "25" })) expect(plan, term).not.toMatch(/Seq Scan/);
      const statementPlan = await withSystem(async (tx) => {
        await tx.execute(sql`set local enable_seqscan = off`);
        // The statement the paging function runs (its ORDER BY and LIMIT included).
        const [row] = rowsOf<{ s: string }>(
          await tx.execute(sql`select 'SELECT * FROM partner_customers WHERE ' || pd_customer_search_where(${p.orgId}::uuid, ${term}, null, 'DK', null) || ' ORDER BY sort_name, customer_org_id LIMIT 51' as s`),
        );
        const rows = rowsOf<Record<string, string>>(await tx.execute(sql.raw(`explain ${row!.s}`)));
        return rows.map((r) => Object.values(r)[0]).join("\n");
      });
      expect(statementPlan, `${term}\n${statementPlan}`).not.toMatch(/Seq Scan/);
      // (Which index wins depends on the data: at 100,000 customers the trigram and prefix
      // indexes do, as the benchmark shows; here it is enough that no plan needs a table scan.)
    }
  });
  // format() is STABLE: a SQL function calling it but declared IMMUTABLE is never inlined, so it
  // would be parsed and planned again by the SQL-function executor in every transaction (0040).
  it("the search builders are declared STABLE, as what they call is, so they can be inlined", async () => {
    const rows = await withSystem(async (tx) =>
      rowsOf<{ proname: string; provolatile: string }>(
        await tx.execute(sql`select proname, provolatile from pg_proc where proname in ('pd_customer_search_condition', 'pd_customer_search_sql', 'pd_customer_search_where') order by proname`),
      ),
    );
    expect(rows).toEqual([
      { proname: "pd_customer_search_condition", provolatile: "s" },
      { proname: "pd_customer_search_sql", provolatile: "s" },
      { proname: "pd_customer_search_where", provolatile: "s" },
    ]);
  });
});

describe("search totals", () => {
  it("are exact up to 1,000 matches and an estimate beyond, with the page still in order", async () => {
    const run = (q: string) =>
      withSystem(async (tx) => {
        await enterTenant(tx, { orgId: p.orgId, userId: p.users.global_admin!.id });
        return listCustomers(tx, { partnerId: p.orgId, query: parseCustomerListQuery(new URLSearchParams({ q, size: "25" })) });
      });
    const broad = await run("bulk firm");
    expect(broad.total.exact).toBe(false);
    expect(broad.total.estimated).toBe(true);
    expect(broad.total.count).toBeGreaterThan(1000);
    expect(broad.rows).toHaveLength(25);
    const names = broad.rows.map((r) => r.name.toLowerCase());
    expect(names).toEqual([...names].sort());
    const narrow = await run("firm 12");
    expect(narrow.total).toEqual({ count: 111, exact: true });
  });

  it("remember the planner's estimate for the search's other pages and sorts, never an exact total", async () => {
    forgetSearchEstimates();
    const totalsAsked: boolean[] = [];
    const run = (params: Record<string, string>) =>
      withSystem(async (tx) => {
        await enterTenant(tx, { orgId: p.orgId, userId: p.users.global_admin!.id });
        const spy = recording(tx, (q) => totalsAsked.push(q.sql.includes("pd_count_partner_customer_matches")));
        return listCustomers(spy, { partnerId: p.orgId, query: parseCustomerListQuery(new URLSearchParams({ size: "25", ...params })) });
      });
    const first = await run({ q: "bulk" });
    expect(first.total).toMatchObject({ exact: false, estimated: true });
    expect(first.total.count).toBeGreaterThan(2000);
    const second = await run({ q: "bulk", after: first.next! });
    const byDomain = await run({ q: "bulk", sort: "domain", dir: "desc" });
    expect(second.total).toEqual(first.total);
    expect(byDomain.total).toEqual(first.total);
    expect(second.rows[0]!.name).not.toBe(first.rows[0]!.name);
    expect(totalsAsked).toEqual([true, false, false]);
    // Another filter is another search: asked again.
    const inDenmark = await run({ q: "bulk", country: "DK" });
    expect(inDenmark.total.estimated).toBe(true);
    expect(totalsAsked.at(-1)).toBe(true);
    // Exact totals are counted every time: a customer added shows at once.
    const before = await run({ q: "firm 12" });
    expect(before.total).toEqual({ count: 111, exact: true });
    await createCustomersFor(p, [{ name: "Bulk Firm 12 Extra", country: "DK" }]);
    const after = await run({ q: "firm 12" });
    expect(after.total).toEqual({ count: 112, exact: true });
    expect(totalsAsked.slice(-2)).toEqual([true, true]);
  });
});
