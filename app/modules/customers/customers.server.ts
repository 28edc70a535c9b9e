/**
 * The partner's customers: add a customer tenant, the paged and searchable customer list
 * (keyset paging over the partner_customers read model), customer detail, saved selections
 * for bulk work, and the CSV export. See ADR 0007.
 */
import { and, asc, desc, eq, getTableColumns, inArray, sql, type SQL } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import { LRUCache } from "lru-cache";
import { z } from "zod";
import { auditLog, customerSelectionItems, customerSelections, organisations, partnerCustomers, relationships, users } from "../../../db/schema";
import { rowsOf } from "../../../db/client";
import { config } from "~/utils/config.server";
import { normaliseTerm, text, utcTimestampText, uuid } from "~/utils/input";
import { cursorCodec } from "~/utils/list";
import type { Tx } from "~/utils/db.server";
import { recordAudit, type Actor } from "../platform/audit.server";
import { listCustomerSubscriptionsForPartner } from "../subscriptions/subscriptions.server";
import { ACTIVATION_TOKEN_DAYS } from "../auth/accounts.server";
import { randomToken, sha256 } from "../auth/crypto.server";
import { DomainError, uniqueViolation } from "../../utils/errors";
import { enqueueMail } from "../platform/mail.server";
import type { CustomerListFilter, CustomerListQuery, CustomerSort } from "./customer-list";

export type { CustomerListFilter, CustomerListQuery };

/** Above this many matches a filtered total reads "10,000+" instead of counting every row. */
export const EXACT_TOTAL_LIMIT = 10_000;
/** Search totals are exact up to this many matches and estimated beyond. */
export const SEARCH_EXACT_LIMIT = 1_000;

/**
 * A search total beyond twice SEARCH_EXACT_LIMIT is the planner's row estimate alone (the "about"
 * figure; pd_count_partner_customer_matches, ADR 0007): it depends on the table's statistics, not
 * on its rows, and those change only when the table is analysed. So this process remembers it per
 * partner, term and filters for a minute, and the pages, sorts and repeats of one search ask for it
 * once (ADR 0025). Exact totals, and "about" totals the capped count decided, are never kept.
 */
const searchEstimates = new LRUCache<string, number>({ max: 10_000, ttl: 60_000 });

const searchEstimateKey = (partnerId: string, term: string, query: CustomerListQuery) =>
  JSON.stringify([partnerId, term, query.type ?? null, query.country ?? null, query.agreement ?? null]);

/** Forget the remembered search estimates (tests that compare a fresh total with a remembered one). */
export function forgetSearchEstimates() {
  searchEstimates.clear();
}

/** The column each sort orders by; the customer's id breaks ties (ADR 0007: one index per sort). */
const pc = partnerCustomers;
const SORT_COLUMNS = {
  name: pc.sortName,
  domain: pc.primaryDomain,
  country: pc.country,
  types: pc.relationshipTypes,
  agreement: pc.agreementStatus,
  created: pc.customerCreatedAt,
} satisfies Record<CustomerSort, AnyPgColumn>;

/** A row's sort value as exact text for its cursor: a timestamp to the microsecond (a JavaScript Date keeps milliseconds). */
const cursorValueOf = (sort: CustomerSort) =>
  sort === "created" ? sql<string>`to_char(${pc.customerCreatedAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')` : sql<string>`${SORT_COLUMNS[sort]}`;

/** A cursor's sort value back in its column's type, for the keyset comparison. */
const cursorValueAsColumn = (sort: CustomerSort, value: string) =>
  sort === "created" ? sql`(${value}::timestamp at time zone 'UTC')` : sql`${value}::text`;

/** The cursor is the last (or first) row's sort value and id; it only narrows the partner's own rows. */
const customerCursor = cursorCodec(z.tuple([text().max(1000), uuid()]));
export type Cursor = readonly [sortValue: string, id: string];

/**
 * The cursor decoded into the sort column's type (text without NUL, or a real timestamp for the
 * creation date) and a uuid; a crafted one is undefined and the list starts at its first page.
 */
function decodeCursor(value: string | undefined | null, sort: CustomerSort): Cursor | undefined {
  const cursor = customerCursor.decode(value);
  if (cursor && sort === "created" && !utcTimestampText.safeParse(cursor[0]).success) return undefined;
  return cursor;
}

/** Search terms: trimmed, lower-case, whitespace collapsed. */

/**
 * Where the rows come from, and the filter conditions. Without a search term: the partner's rows
 * of partner_customers, under RLS. With one: the rows the SECURITY DEFINER search function
 * returns (it applies the tenant filter itself, ADR 0007), materialised once per statement and
 * aliased as partner_customers so the same column references work.
 */
function listSource(partnerId: string, query: { q?: string; type?: CustomerListQuery["type"]; country?: string; agreement?: CustomerListQuery["agreement"] }) {
  const conditions: SQL[] = [eq(pc.partnerOrgId, partnerId)];
  if (query.type) conditions.push(eq({ reseller: pc.isReseller, advisor: pc.isAdvisor, dap: pc.isDap, gdap: pc.isGdap }[query.type], true));
  if (query.country) conditions.push(eq(pc.country, query.country));
  if (query.agreement) conditions.push(eq(pc.agreementStatus, query.agreement));
  const term = normaliseTerm(query.q);
  return term
    ? { ctes: [sql`matches as materialized (select * from pd_search_partner_customers(${term}))`], from: sql`matches as partner_customers`, conditions }
    : { ctes: [] as SQL[], from: sql`${pc}`, conditions };
}

const isUnfiltered = (query: { q?: string; type?: unknown; country?: unknown; agreement?: unknown }) =>
  !normaliseTerm(query.q) && !query.type && !query.country && !query.agreement;

/**
 * The total: the partner's counter row when nothing narrows the list (exact, O(1)); otherwise a
 * count over at most EXACT_TOTAL_LIMIT + 1 matching rows.
 */
function totalQuery(partnerId: string, query: Parameters<typeof isUnfiltered>[0], source: ReturnType<typeof listSource>) {
  return isUnfiltered(query)
    ? sql`select coalesce((select customers from partner_customer_counts where partner_org_id = ${partnerId}), 0)::int as n`
    : sql`select count(*)::int as n from (select 1 from ${source.from} where ${sql.join(source.conditions, sql` and `)} limit ${sql.raw(String(EXACT_TOTAL_LIMIT + 1))}) capped`;
}

const withClause = (ctes: SQL[]) => (ctes.length ? sql`with ${sql.join(ctes, sql`, `)}` : sql``);

export interface CustomerRow {
  id: string;
  name: string;
  primaryDomain: string;
  country: string;
  relationshipTypes: string[];
  agreementStatus: "accepted" | "pending";
  createdAt: string;
}

export interface CustomerTotal {
  count: number;
  exact: boolean;
  /** A search total beyond SEARCH_EXACT_LIMIT: the planner's estimate, shown as "about". */
  estimated?: boolean;
}

export interface CustomerPage {
  rows: CustomerRow[];
  total: CustomerTotal;
  /** Cursors for the pager: null when there is no such page. */
  next: string | null;
  prev: string | null;
  isFirst: boolean;
  isLast: boolean;
}

/**
 * One page of the partner's customers: one drizzle select, keyset paged. `after` pages forward,
 * `before` backward, `last` jumps to the end; ties are broken by id, so a walk never skips or
 * repeats a row, whatever the depth. Backwards, the statement reads the order in reverse and the
 * rows are flipped for display. Without a search the rows are the partner's rows of
 * partner_customers (RLS, and the sort's index from the cursor); with one they come from the
 * SECURITY DEFINER search function, which filters, pages and applies the tenant filter itself
 * (ADR 0007). The total rides along in the same statement as a column (computed once, not per row).
 */
export async function listCustomers(
  tx: Tx,
  { partnerId, query, withTotal = true }: { partnerId: string; query: CustomerListQuery; withTotal?: boolean },
): Promise<CustomerPage> {
  const after = decodeCursor(query.after, query.sort);
  const before = after ? undefined : decodeCursor(query.before, query.sort);
  const cursor = after ?? before;
  const fromEnd = !cursor && query.last === true;
  const backwards = Boolean(before) || fromEnd;
  const ascending = (query.dir === "asc") !== backwards;
  const term = normaliseTerm(query.q);
  // A broad search's estimated total is remembered for a minute (ADR 0025): then it is not asked for.
  const estimateKey = term && withTotal ? searchEstimateKey(partnerId, term, query) : null;
  const knownEstimate = estimateKey ? searchEstimates.get(estimateKey) : undefined;
  const countHere = withTotal && knownEstimate === undefined;

  const sortColumn = SORT_COLUMNS[query.sort];
  const order = ascending ? [asc(sortColumn), asc(pc.customerOrgId)] : [desc(sortColumn), desc(pc.customerOrgId)];
  const fields = {
    id: pc.customerOrgId,
    name: pc.name,
    primaryDomain: pc.primaryDomain,
    country: pc.country,
    relationshipTypes: pc.relationshipTypes,
    agreementStatus: pc.agreementStatus,
    createdAt: pc.customerCreatedAt,
    cursorValue: cursorValueOf(query.sort),
    total: countHere ? totalOf(partnerId, query, term) : sql<number | null>`null::int`,
  };
  const fetch = query.size + 1; // one more than the page, to see whether there is more
  const matches = term ? searchPage(tx, { term, query, ascending, cursor, fetch }) : null;
  const found = matches
    ? await tx.with(matches).select(fields).from(matches).orderBy(...order)
    : await tx
        .select(fields)
        .from(pc)
        .where(
          and(
            ...listSource(partnerId, query).conditions,
            cursor ? sql`(${sortColumn}, ${pc.customerOrgId}) ${ascending ? sql`>` : sql`<`} (${cursorValueAsColumn(query.sort, cursor[0])}, ${cursor[1]}::uuid)` : undefined,
          ),
        )
        .orderBy(...order)
        .limit(fetch);

  const more = found.length > query.size;
  const shown = found.slice(0, query.size);
  if (backwards) shown.reverse();
  const hasNext = backwards ? !fromEnd && shown.length > 0 : more;
  const hasPrev = backwards ? more : Boolean(after);
  const cursorOf = (row: (typeof found)[number] | undefined) => (row ? customerCursor.encode([row.cursorValue, row.id]) : null);
  const n = Number(found[0]?.total ?? 0);
  if (estimateKey && countHere && n > 2 * SEARCH_EXACT_LIMIT) searchEstimates.set(estimateKey, n);
  return {
    rows: shown.map((r) => ({
      id: r.id,
      name: r.name,
      primaryDomain: r.primaryDomain,
      country: r.country,
      relationshipTypes: r.relationshipTypes ? r.relationshipTypes.split(",") : [],
      agreementStatus: r.agreementStatus,
      createdAt: `${r.createdAt.toISOString().slice(0, 19)}Z`,
    })),
    total: !withTotal
      ? { count: shown.length, exact: false }
      : knownEstimate !== undefined
        ? { count: knownEstimate, exact: false, estimated: true }
        : found.length === 0
          ? // No row to carry the total: nothing matches, or a cursor points past the end.
            cursor
            ? await countCustomers(tx, { partnerId, query })
            : { count: 0, exact: true }
          : term
            ? n <= SEARCH_EXACT_LIMIT
              ? { count: n, exact: true }
              : { count: n, exact: false, estimated: true }
            : isUnfiltered(query) || n <= EXACT_TOTAL_LIMIT
              ? { count: n, exact: true }
              : { count: EXACT_TOTAL_LIMIT, exact: false },
    next: hasNext ? cursorOf(shown.at(-1)) : null,
    prev: hasPrev ? cursorOf(shown[0]) : null,
    isFirst: !hasPrev,
    isLast: !hasNext,
  };
}

/**
 * A search's page: the rows the SECURITY DEFINER function returns (it filters, pages and applies
 * the tenant filter itself, ADR 0007), named like the table so the same columns read and order them.
 */
function searchPage(
  tx: Tx,
  { term, query, ascending, cursor, fetch }: { term: string; query: CustomerListQuery; ascending: boolean; cursor: Cursor | undefined; fetch: number },
) {
  return tx.$with("partner_customers", getTableColumns(pc)).as(
    sql`select * from pd_search_partner_customers_page(${term}::text, ${query.type ?? null}::text, ${query.country ?? null}::text,
      ${query.agreement ?? null}::text, ${query.sort}::text, ${ascending}::boolean, ${cursor?.[0] ?? null}::text, ${cursor?.[1] ?? null}::uuid, ${fetch}::int)`,
  );
}

/**
 * The page's total as one value: the partner's counter row when nothing narrows the list; a count
 * of at most EXACT_TOTAL_LIMIT + 1 matching rows when filtered; for a search, the SECURITY DEFINER
 * count (exact up to SEARCH_EXACT_LIMIT, the planner's estimate beyond, ADR 0007).
 */
function totalOf(partnerId: string, query: CustomerListQuery, term: string | undefined): SQL<number> {
  return term
    ? sql<number>`(select n from pd_count_partner_customer_matches(${term}::text, ${query.type ?? null}::text, ${query.country ?? null}::text,
        ${query.agreement ?? null}::text, ${SEARCH_EXACT_LIMIT}::int))`
    : sql<number>`(${totalQuery(partnerId, query, listSource(partnerId, query))})`;
}

/** Exact when unfiltered (the counter) or up to EXACT_TOTAL_LIMIT, "more than" beyond: never a count over the whole tenant. */
export async function countCustomers(tx: Tx, { partnerId, query }: { partnerId: string; query: CustomerListQuery }): Promise<CustomerTotal> {
  const term = normaliseTerm(query.q);
  if (term) {
    const [row] = rowsOf<{ n: number; exact: boolean }>(
      await tx.execute(sql`select n, exact from pd_count_partner_customer_matches(${term}::text, ${query.type ?? null}::text,
        ${query.country ?? null}::text, ${query.agreement ?? null}::text, ${SEARCH_EXACT_LIMIT}::int)`),
    );
    return row?.exact === false ? { count: Number(row.n), exact: false, estimated: true } : { count: Number(row?.n ?? 0), exact: true };
  }
  const source = listSource(partnerId, query);
  const [row] = rowsOf<{ n: number }>(await tx.execute(sql`${withClause(source.ctes)} ${totalQuery(partnerId, query, source)}`));
  const n = Number(row?.n ?? 0);
  return n > EXACT_TOTAL_LIMIT && !isUnfiltered(query) ? { count: EXACT_TOTAL_LIMIT, exact: false } : { count: n, exact: true };
}

/**
 * The countries the partner has customers in, for the filter: a skip scan over the country index
 * (one index probe per distinct country), not a scan of the partner's rows.
 */
const countryCache = new LRUCache<string, string[]>({ max: 10_000, ttl: 5 * 60_000 });

/** The same, remembered per partner for a few minutes in this process (a filter list may lag). */
export async function listCustomerCountriesCached(tx: Tx, { partnerId }: { partnerId: string }) {
  const hit = countryCache.get(partnerId);
  if (hit) return hit;
  const countries = await listCustomerCountries(tx, { partnerId });
  countryCache.set(partnerId, countries);
  return countries;
}

export async function listCustomerCountries(tx: Tx, { partnerId }: { partnerId: string }) {
  const rows = rowsOf<{ country: string }>(
    await tx.execute(sql`
      with recursive c as (
        (select country from ${pc} where partner_org_id = ${partnerId} order by country limit 1)
        union all
        select (select country from ${pc} where partner_org_id = ${partnerId} and country > c.country order by country limit 1)
        from c where c.country is not null)
      select country from c where country is not null and country <> ''`),
  );
  return rows.map((r) => r.country);
}

/** Every matching customer in list order, in batches of `batch` (flat memory), for the CSV export. */
export async function* walkCustomers(
  runBatch: <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>,
  { partnerId, query, batch = 1000 }: { partnerId: string; query: CustomerListFilter; batch?: number },
) {
  let after: string | undefined;
  for (;;) {
    const page = await runBatch((tx) =>
      listCustomers(tx, { partnerId, query: { ...query, size: batch, after, before: undefined, last: undefined }, withTotal: false }),
    );
    yield page.rows;
    if (!page.next) return;
    after = page.next;
  }
}

// ---- Add a customer ----

export interface NewCustomer {
  name: string;
  primaryDomain: string;
  country: string;
  contactFirstName: string;
  contactLastName: string;
  contactEmail: string;
  contactPhone: string | null;
}

export async function addCustomer(tx: Tx, { partnerId, actor, customer }: { partnerId: string; actor: Actor; customer: NewCustomer }) {
  const token = randomToken();
  const adminName = `${customer.contactFirstName} ${customer.contactLastName}`.trim();
  let created: { customer_id: string; admin_user_id: string; admin_has_password: boolean } | undefined;
  try {
    // A savepoint, so a duplicate domain leaves the transaction usable for the 409 answer.
    created = await tx.transaction(async (sp) => {
      const [row] = rowsOf<{ customer_id: string; admin_user_id: string; admin_has_password: boolean }>(
        await sp.execute(sql`select * from pd_create_customer(${customer.name}, ${customer.primaryDomain}, ${customer.country},
          ${customer.contactEmail}, ${adminName}, ${sha256(token)}, now() + make_interval(days => ${ACTIVATION_TOKEN_DAYS}))`),
      );
      return row;
    });
  } catch (error) {
    if (/primary_domain/.test(uniqueViolation(error) ?? "")) {
      throw new DomainError(409, `The domain ${customer.primaryDomain} is already registered to a customer. Ask the customer to invite you as a partner instead.`, "primaryDomain");
    }
    throw error;
  }
  const { customer_id: customerId, admin_user_id: adminId } = created!;
  const [partner] = await tx.select({ name: organisations.name }).from(organisations).where(eq(organisations.id, partnerId));
  const link = `${config().APP_URL}/activate/${token}`;
  await enqueueMail(tx, {
    orgId: partnerId,
    to: [customer.contactEmail],
    subject: `${partner?.name ?? "Your partner"} created your organisation ${customer.name} on Partnerdesk`,
    text: `Hello ${adminName},\n\n${partner?.name ?? "Your partner"} created an account for ${customer.name} (${customer.primaryDomain}) on Partnerdesk and made you its global admin.\n\nOpen this link within ${ACTIVATION_TOKEN_DAYS} days to activate your account. When you first sign in you will be asked to read and accept the customer agreement; until then your partner cannot buy or manage anything for you.\n\n${link}\n`,
  });
  await recordAudit(tx, {
    actor,
    subjectOrgId: customerId,
    action: "customer.created",
    objectType: "organisation",
    objectId: customerId,
    details: { name: customer.name, domain: customer.primaryDomain, country: customer.country, adminUserId: adminId, contactPhone: customer.contactPhone },
  });
  return { customerId };
}

// ---- Customer detail ----

export async function getCustomerDetail(tx: Tx, { partnerId, customerId }: { partnerId: string; customerId: string }) {
  const [row] = await tx
    .select()
    .from(pc)
    .where(and(eq(pc.partnerOrgId, partnerId), eq(pc.customerOrgId, customerId)));
  if (!row) throw new DomainError(404, "No such customer.");
  const [org] = await tx
    .select({ agreementVersion: organisations.agreementVersion, agreementAcceptedAt: organisations.agreementAcceptedAt })
    .from(organisations)
    .where(eq(organisations.id, customerId));
  const rels = await tx
    .select({ id: relationships.id, type: relationships.type, status: relationships.status, createdAt: relationships.createdAt, startedAt: relationships.startedAt, endedAt: relationships.endedAt })
    .from(relationships)
    .where(and(eq(relationships.partnerOrgId, partnerId), eq(relationships.customerOrgId, customerId)))
    .orderBy(relationships.type);
  const admins = rowsOf<{ user_id: string; display_name: string; email: string; status: string; roles: string[] }>(
    await tx.execute(sql`select * from pd_customer_admins(${customerId})`),
  );
  const audit = await tx
    .select({ id: auditLog.id, at: auditLog.at, action: auditLog.action, actorName: users.displayName, actorEmail: users.email })
    .from(auditLog)
    .leftJoin(users, eq(users.id, auditLog.actorUserId))
    .where(and(eq(auditLog.actorOrgId, partnerId), eq(auditLog.subjectOrgId, customerId)))
    .orderBy(desc(auditLog.id))
    .limit(20);
  return {
    customer: {
      id: row.customerOrgId,
      name: row.name,
      primaryDomain: row.primaryDomain,
      country: row.country,
      agreementStatus: row.agreementStatus,
      agreementVersion: org?.agreementVersion ?? null,
      agreementAcceptedAt: org?.agreementAcceptedAt ?? null,
      createdAt: row.customerCreatedAt,
    },
    relationships: rels,
    admins: admins.map((a) => ({ userId: a.user_id, displayName: a.display_name, email: a.email, status: a.status, roles: a.roles })),
    subscriptions: await listCustomerSubscriptionsForPartner(tx, { partnerId, customerId }),
    audit,
  };
}

// ---- Selections for bulk work ----

export async function createSelection(
  tx: Tx,
  {
    partnerId,
    actor,
    query,
    customerIds,
  }: { partnerId: string; actor: Actor; query: CustomerListFilter; customerIds: string[] | "all" },
) {
  const filter = { q: normaliseTerm(query.q) ?? null, type: query.type ?? null, country: query.country ?? null, agreement: query.agreement ?? null };
  const [selection] = await tx
    .insert(customerSelections)
    .values({ partnerOrgId: partnerId, createdByUserId: actor.userId, filter, allMatching: customerIds === "all", count: 0 })
    .returning({ id: customerSelections.id });
  const id = selection!.id;
  const source = listSource(partnerId, query);
  const conditions = [...source.conditions];
  if (customerIds !== "all") {
    if (customerIds.length === 0) throw new DomainError(400, "Select at least one customer.");
    conditions.push(inArray(pc.customerOrgId, customerIds));
  }
  const inserted = rowsOf<{ n: number }>(
    await tx.execute(sql`${withClause([
      ...source.ctes,
      sql`ins as (
        insert into ${customerSelectionItems} (selection_id, partner_org_id, customer_org_id)
        select ${id}, ${partnerId}, ${pc.customerOrgId} from ${source.from} where ${sql.join(conditions, sql` and `)}
        returning 1)`,
    ])}
      select count(*)::int as n from ins`),
  );
  const count = Number(inserted[0]?.n ?? 0);
  if (customerIds !== "all" && count !== new Set(customerIds).size) {
    throw new DomainError(404, "Some of the selected customers are not your customers or no longer match.");
  }
  await tx.update(customerSelections).set({ count }).where(eq(customerSelections.id, id));
  await recordAudit(tx, { actor, action: "customers.selection_created", objectType: "customer_selection", objectId: id, details: { count, filter, allMatching: customerIds === "all" } });
  return { id, count };
}

export async function getSelection(tx: Tx, { partnerId, selectionId }: { partnerId: string; selectionId: string }) {
  const [selection] = await tx
    .select()
    .from(customerSelections)
    .where(and(eq(customerSelections.partnerOrgId, partnerId), eq(customerSelections.id, selectionId)));
  if (!selection) throw new DomainError(404, "No such selection.");
  const sample = await tx
    .select({ id: pc.customerOrgId, name: pc.name, primaryDomain: pc.primaryDomain })
    .from(customerSelectionItems)
    .innerJoin(pc, and(eq(pc.partnerOrgId, customerSelectionItems.partnerOrgId), eq(pc.customerOrgId, customerSelectionItems.customerOrgId)))
    .where(and(eq(customerSelectionItems.selectionId, selectionId), eq(customerSelectionItems.partnerOrgId, partnerId)))
    .orderBy(pc.sortName, pc.customerOrgId)
    .limit(20);
  return { selection, sample };
}

export async function deleteSelection(tx: Tx, { partnerId, actor, selectionId }: { partnerId: string; actor: Actor; selectionId: string }) {
  const deleted = await tx
    .delete(customerSelections)
    .where(and(eq(customerSelections.partnerOrgId, partnerId), eq(customerSelections.id, selectionId)))
    .returning({ id: customerSelections.id });
  if (deleted.length === 0) throw new DomainError(404, "No such selection.");
  await recordAudit(tx, { actor, action: "customers.selection_deleted", objectType: "customer_selection", objectId: selectionId });
}
