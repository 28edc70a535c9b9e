/**
 * Subscriptions and their partner of record (POR), on both sides.
 *
 * Customer side (its own context; global admin or billing admin): the list, buying a product with
 * an optional Partner ID, adding, changing or deleting the partner on a subscription by Partner
 * ID, changing the licence count, cancelling, converting a trial. Partner side (its own context):
 * every subscription it is POR or active reseller of, paged and filtered, with totals.
 *
 * POR benefit: every change to a subscription with a partner of record tells that partner (in the
 * app and by email) through scheduled work in the partner's context; a partner removed or
 * replaced hears of that last change and nothing after it (RLS hides the subscription from it).
 */
import { and, asc, desc, eq, sql, type SQL } from "drizzle-orm";
import { licenceAssignments, organisations, partnerCustomers, partnerSubscriptions, products, relationships, subscriptions } from "../../../db/schema";
import { rowsOf } from "../../../db/client";
import type { Tx } from "~/utils/db.server";
import { recordAudit, type Actor } from "../platform/audit.server";
import { DomainError } from "../../utils/errors";
import { notifyLater } from "../platform/notifications.server";
import { checkLicenceCount } from "./products.server";
import { upsertRelationship } from "../relationships/relationships.server";
import { TRIAL_ENDING_DAYS, type PartnerSubscriptionQuery, type SubscriptionStatus } from "./subscription-filters";
import { timeCursor } from "~/utils/list";

/** The partner roles told of changes to the subscriptions they are partner of record for. */
const POR_ROLES = ["global_admin", "admin_agent", "sales_agent", "billing_admin"];

export async function notifyPartnerOfRecord(tx: Tx, { partnerId, kind, title, body }: { partnerId: string; kind: string; title: string; body?: string }) {
  await notifyLater(tx, { orgId: partnerId, roles: POR_ROLES, kind, title, body, link: "/partner/subscriptions" });
}

// ---- Customer side ----

export interface SubscriptionRow {
  id: string;
  productId: string;
  productName: string;
  licences: number;
  minLicences: number;
  maxLicences: number;
  monthlyPriceCents: number;
  currency: string;
  status: SubscriptionStatus;
  startedAt: Date;
  endsAt: Date | null;
  convertedAt: Date | null;
  endedAt: Date | null;
  partnerId: string | null;
  partnerName: string | null;
  partnerNumber: number | null;
}

export async function listSubscriptions(tx: Tx, { customerId }: { customerId: string }): Promise<SubscriptionRow[]> {
  return tx
    .select({
      id: subscriptions.id,
      productId: subscriptions.productId,
      productName: products.name,
      licences: subscriptions.licences,
      minLicences: products.minLicences,
      maxLicences: products.maxLicences,
      monthlyPriceCents: products.monthlyPriceCents,
      currency: products.currency,
      status: subscriptions.status,
      startedAt: subscriptions.startedAt,
      endsAt: subscriptions.endsAt,
      convertedAt: subscriptions.convertedAt,
      endedAt: subscriptions.endedAt,
      partnerId: subscriptions.advisorPartnerOrgId,
      partnerName: organisations.name,
      partnerNumber: organisations.partnerNumber,
    })
    .from(subscriptions)
    .innerJoin(products, eq(products.id, subscriptions.productId))
    .leftJoin(organisations, eq(organisations.id, subscriptions.advisorPartnerOrgId))
    .where(eq(subscriptions.customerOrgId, customerId))
    .orderBy(desc(subscriptions.createdAt), asc(subscriptions.id));
}

/** A partner that may be named on a subscription: it exists and is an authorised advisor. */
export async function lookupAdvisor(tx: Tx, partnerNumber: number) {
  const [p] = rowsOf<{ id: string; name: string; partner_number: number; is_authorised_advisor: boolean }>(
    await tx.execute(sql`select id, name, partner_number, is_authorised_advisor from pd_lookup_partner(${partnerNumber})`),
  );
  if (!p) throw new DomainError(404, `No partner has Partner ID ${partnerNumber}. Check the number with your partner.`, "partnerNumber");
  if (!p.is_authorised_advisor) {
    throw new DomainError(409, `${p.name} (Partner ID ${partnerNumber}) is not authorised as a subscription advisor, so it cannot be the partner on a subscription.`, "partnerNumber");
  }
  return { id: p.id, name: p.name, partnerNumber: p.partner_number };
}

async function customerName(tx: Tx, customerId: string) {
  const [row] = await tx.select({ name: organisations.name }).from(organisations).where(eq(organisations.id, customerId));
  return row?.name ?? "A customer";
}

async function lockSubscription(tx: Tx, { customerId, subscriptionId }: { customerId: string; subscriptionId: string }) {
  const [row] = await tx
    .select({ sub: subscriptions, productName: products.name, minLicences: products.minLicences, maxLicences: products.maxLicences })
    .from(subscriptions)
    .innerJoin(products, eq(products.id, subscriptions.productId))
    .where(and(eq(subscriptions.customerOrgId, customerId), eq(subscriptions.id, subscriptionId)))
    .for("update", { of: subscriptions });
  if (!row) throw new DomainError(404, "No such subscription.");
  return { ...row.sub, productName: row.productName, minLicences: row.minLicences, maxLicences: row.maxLicences };
}

/** The customer's advisor relationship follows its subscriptions: on when named, ended when it is POR of none. */
async function endAdvisorIfUnused(tx: Tx, { customerId, partnerId }: { customerId: string; partnerId: string }) {
  const [still] = await tx
    .select({ id: subscriptions.id })
    .from(subscriptions)
    .where(and(eq(subscriptions.customerOrgId, customerId), eq(subscriptions.advisorPartnerOrgId, partnerId)))
    .limit(1);
  if (still) return;
  await tx
    .update(relationships)
    .set({ status: "ended", endedAt: sql`now()` })
    .where(and(eq(relationships.customerOrgId, customerId), eq(relationships.partnerOrgId, partnerId), eq(relationships.type, "advisor"), sql`${relationships.status} <> 'ended'`));
}

/** A customer buys a product (checkout), optionally naming its partner by Partner ID. */
export async function buySubscription(
  tx: Tx,
  { customerId, actor, productId, licences, partnerNumber }: { customerId: string; actor: Actor; productId: string; licences: number; partnerNumber: number | null },
) {
  const product = await checkLicenceCount(tx, { productId, licences });
  const partner = partnerNumber ? await lookupAdvisor(tx, partnerNumber) : null;
  const [row] = await tx
    .insert(subscriptions)
    .values({ customerOrgId: customerId, productId, licences, status: "active", advisorPartnerOrgId: partner?.id ?? null })
    .returning({ id: subscriptions.id });
  await recordAudit(tx, { actor, subjectOrgId: customerId, action: "subscription.purchased", objectType: "subscription", objectId: row!.id, details: { productId, licences, partnerId: partner?.id ?? null } });
  if (partner) {
    await upsertRelationship(tx, { partnerId: partner.id, customerId, type: "advisor", status: "active" });
    await notifyPartnerOfRecord(tx, {
      partnerId: partner.id,
      kind: "subscription.partner_added",
      title: `${await customerName(tx, customerId)} bought ${licences} licences of ${product.name} and named you its partner`,
    });
  }
  return { id: row!.id, productName: product.name, partner };
}

/**
 * Sets (partnerNumber), changes, or deletes (null) the partner of record of a subscription. The
 * partner that was removed or replaced is told; the new one is told it was added.
 */
export async function setSubscriptionPartner(
  tx: Tx,
  { customerId, actor, subscriptionId, partnerNumber }: { customerId: string; actor: Actor; subscriptionId: string; partnerNumber: number | null },
) {
  const sub = await lockSubscription(tx, { customerId, subscriptionId });
  if (sub.status === "cancelled" || sub.status === "expired") throw new DomainError(409, `This subscription is ${sub.status}; its partner can no longer change.`);
  const partner = partnerNumber ? await lookupAdvisor(tx, partnerNumber) : null;
  const former = sub.advisorPartnerOrgId;
  if (!partner && !former) throw new DomainError(409, "This subscription has no partner to delete.");
  if (partner && partner.id === former) throw new DomainError(409, `${partner.name} is already the partner on this subscription.`, "partnerNumber");
  await tx
    .update(subscriptions)
    .set({ advisorPartnerOrgId: partner?.id ?? null })
    .where(and(eq(subscriptions.customerOrgId, customerId), eq(subscriptions.id, subscriptionId)));
  const name = await customerName(tx, customerId);
  if (partner) {
    await upsertRelationship(tx, { partnerId: partner.id, customerId, type: "advisor", status: "active" });
    await notifyPartnerOfRecord(tx, { partnerId: partner.id, kind: "subscription.partner_added", title: `${name} named you the partner on its ${sub.productName} subscription` });
  }
  if (former) {
    await endAdvisorIfUnused(tx, { customerId, partnerId: former });
    await notifyPartnerOfRecord(tx, {
      partnerId: former,
      kind: partner ? "subscription.partner_replaced" : "subscription.partner_removed",
      title: partner ? `${name} replaced you as the partner on its ${sub.productName} subscription` : `${name} removed you as the partner on its ${sub.productName} subscription`,
      body: "You are no longer its partner of record and no longer see the subscription.",
    });
  }
  await recordAudit(tx, {
    actor,
    subjectOrgId: customerId,
    action: partner ? (former ? "subscription.partner_changed" : "subscription.partner_added") : "subscription.partner_removed",
    objectType: "subscription",
    objectId: subscriptionId,
    details: { from: former, to: partner?.id ?? null },
  });
  return { partner };
}

/** A customer changes the licence count of an active subscription, within the product's limits and never below the licences assigned. */
export async function changeLicences(tx: Tx, { customerId, actor, subscriptionId, licences }: { customerId: string; actor: Actor; subscriptionId: string; licences: number }) {
  const sub = await lockSubscription(tx, { customerId, subscriptionId });
  if (sub.status === "trial") throw new DomainError(409, "A trial has a fixed number of licences. Convert it to paid to choose the count.");
  if (sub.status !== "active") throw new DomainError(409, `This subscription is ${sub.status}. Buy the product again instead.`);
  await checkLicenceCount(tx, { productId: sub.productId, licences });
  if (licences === sub.licences) throw new DomainError(400, `The subscription already has ${licences} licences.`, "licences");
  const [assigned] = rowsOf<{ n: number }>(
    await tx.execute(sql`select count(*)::int as n from licence_assignments where customer_org_id = ${customerId} and subscription_id = ${subscriptionId}`),
  );
  if (assigned && licences < assigned.n) {
    throw new DomainError(409, `${assigned.n} licences are assigned to users. Unassign some before going below ${assigned.n}.`, "licences");
  }
  await tx.update(subscriptions).set({ licences }).where(and(eq(subscriptions.customerOrgId, customerId), eq(subscriptions.id, subscriptionId)));
  await recordAudit(tx, { actor, subjectOrgId: customerId, action: "subscription.licences_changed", objectType: "subscription", objectId: subscriptionId, details: { from: sub.licences, to: licences } });
  if (sub.advisorPartnerOrgId) {
    await notifyPartnerOfRecord(tx, {
      partnerId: sub.advisorPartnerOrgId,
      kind: "subscription.licences_changed",
      title: `${await customerName(tx, customerId)} changed ${sub.productName} from ${sub.licences} to ${licences} licences`,
    });
  }
}

/** A customer cancels an active subscription or a running trial; its licence assignments end with it. */
export async function cancelSubscription(tx: Tx, { customerId, actor, subscriptionId }: { customerId: string; actor: Actor; subscriptionId: string }) {
  const sub = await lockSubscription(tx, { customerId, subscriptionId });
  if (sub.status !== "active" && sub.status !== "trial") throw new DomainError(409, `This subscription is already ${sub.status}.`);
  await tx
    .update(subscriptions)
    .set({ status: "cancelled", endedAt: sql`now()` })
    .where(and(eq(subscriptions.customerOrgId, customerId), eq(subscriptions.id, subscriptionId)));
  await tx.delete(licenceAssignments).where(and(eq(licenceAssignments.customerOrgId, customerId), eq(licenceAssignments.subscriptionId, subscriptionId)));
  await recordAudit(tx, { actor, subjectOrgId: customerId, action: "subscription.cancelled", objectType: "subscription", objectId: subscriptionId, details: { productId: sub.productId, licences: sub.licences, wasTrial: sub.status === "trial" } });
  if (sub.advisorPartnerOrgId) {
    await notifyPartnerOfRecord(tx, {
      partnerId: sub.advisorPartnerOrgId,
      kind: "subscription.cancelled",
      title: `${await customerName(tx, customerId)} cancelled its ${sub.productName} ${sub.status === "trial" ? "trial" : "subscription"} (${sub.licences} licences)`,
    });
  }
}

/** Converts a running trial to a paid subscription with a licence count within the product's limits. */
export async function convertTrial(tx: Tx, { customerId, actor, subscriptionId, licences }: { customerId: string; actor: Actor; subscriptionId: string; licences: number }) {
  const sub = await lockSubscription(tx, { customerId, subscriptionId });
  if (sub.status !== "trial") {
    throw new DomainError(409, sub.status === "expired" ? "This trial has ended. Buy the product instead." : "This subscription is not a trial.");
  }
  const product = await checkLicenceCount(tx, { productId: sub.productId, licences });
  await tx
    .update(subscriptions)
    .set({ status: "active", licences, convertedAt: sql`now()`, endsAt: null })
    .where(and(eq(subscriptions.customerOrgId, customerId), eq(subscriptions.id, subscriptionId)));
  await recordAudit(tx, { actor, subjectOrgId: customerId, action: "subscription.trial_converted", objectType: "subscription", objectId: subscriptionId, details: { productId: product.id, licences } });
  if (sub.advisorPartnerOrgId) {
    await notifyPartnerOfRecord(tx, {
      partnerId: sub.advisorPartnerOrgId,
      kind: "subscription.trial_converted",
      title: `${await customerName(tx, customerId)} converted its ${product.name} trial to paid (${licences} licences)`,
    });
  }
}

/** Scheduled work: trials past their end become expired, and each one's partner of record hears of it (system context; idempotent). */
export async function expireTrials(tx: Tx): Promise<number> {
  const expired = rowsOf<{ partner_id: string | null; customer: string | null; product: string }>(
    await tx.execute(sql`with e as (
        update subscriptions set status = 'expired', ended_at = ends_at where status = 'trial' and ends_at <= now()
        returning customer_org_id, product_id, advisor_partner_org_id)
      select e.advisor_partner_org_id as partner_id, o.name as customer, p.name as product
      from e join products p on p.id = e.product_id left join organisations o on o.id = e.customer_org_id`),
  );
  for (const e of expired) {
    if (!e.partner_id) continue;
    await notifyPartnerOfRecord(tx, { partnerId: e.partner_id, kind: "subscription.trial_expired", title: `${e.customer ?? "A customer"}'s ${e.product} trial expired without being converted` });
  }
  return expired.length;
}

// ---- Partner side ----

/** The partner's visibility rule, stated in the query as well as in RLS: POR, or active reseller of the customer. */
function visibleTo(partnerId: string): SQL {
  return sql`(${subscriptions.advisorPartnerOrgId} = ${partnerId} or exists (select 1 from relationships r
    where r.partner_org_id = ${partnerId} and r.customer_org_id = ${subscriptions.customerOrgId} and r.type = 'reseller' and r.status = 'active'))`;
}

/** For the partner's customer detail: that customer's subscriptions the partner may see. */
export async function listCustomerSubscriptionsForPartner(tx: Tx, { partnerId, customerId }: { partnerId: string; customerId: string }) {
  return tx
    .select({
      id: subscriptions.id,
      productName: products.name,
      licences: subscriptions.licences,
      status: subscriptions.status,
      startedAt: subscriptions.startedAt,
      endsAt: subscriptions.endsAt,
      isPartnerOfRecord: sql<boolean>`${subscriptions.advisorPartnerOrgId} is not distinct from ${partnerId}::uuid`,
    })
    .from(subscriptions)
    .innerJoin(products, eq(products.id, subscriptions.productId))
    .where(and(eq(subscriptions.customerOrgId, customerId), visibleTo(partnerId)))
    .orderBy(desc(subscriptions.createdAt));
}

export const PARTNER_SUBSCRIPTIONS_PAGE = 50;

const ps = partnerSubscriptions;
const createdText = sql<string>`to_char(${ps.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')`;
const fromText = (v: string) => sql`(${v}::timestamp at time zone 'UTC')`;

/**
 * Every subscription the partner is partner of record or active reseller of, newest first,
 * keyset-paged on (created_at, id) in both directions, with totals of the filtered set. Reads the
 * partner_subscriptions read model and its totals (ADR 0013): the partner's own rows in index
 * order, never a test of the visibility rule against every subscription in the system.
 */
/** A trial ending within TRIAL_ENDING_DAYS of now (read in the partial index on (partner, ends_at) of trials). */
const trialEnding = (now: Date) =>
  sql`${ps.status} = 'trial' and ${ps.endsAt} > ${now.toISOString()}::timestamptz and ${ps.endsAt} <= ${now.toISOString()}::timestamptz + make_interval(days => ${TRIAL_ENDING_DAYS})`;

/** Counts above this read "10,000+" (the partner overview). */
export const TRIALS_ENDING_COUNT_CAP = 10_000;

/**
 * How many of the partner's trials end within TRIAL_ENDING_DAYS (the overview's count, linking to
 * the list with "Trials ending" ticked, whose total is the same rows): a range of the partial
 * index on (partner, ends_at) of trials, counted up to the cap + 1.
 */
export async function countTrialsEnding(tx: Tx, { partnerId, now = new Date() }: { partnerId: string; now?: Date }) {
  const [row] = rowsOf<{ n: number }>(
    await tx.execute(sql`select count(*)::int as n from (select 1 from ${ps} where ${ps.partnerOrgId} = ${partnerId} and ${trialEnding(now)} limit ${TRIALS_ENDING_COUNT_CAP + 1}) capped`),
  );
  const n = Number(row?.n ?? 0);
  return { count: Math.min(n, TRIALS_ENDING_COUNT_CAP), more: n > TRIALS_ENDING_COUNT_CAP };
}

export async function listPartnerSubscriptions(tx: Tx, { partnerId, query, now = new Date() }: { partnerId: string; query: PartnerSubscriptionQuery; now?: Date }) {
  const filters: SQL[] = [eq(ps.partnerOrgId, partnerId)];
  if (query.status) filters.push(eq(ps.status, query.status));
  if (query.product) filters.push(eq(ps.productId, query.product));
  if (query.ending) filters.push(trialEnding(now));
  const where = and(...filters);
  const after = timeCursor.decode(query.after);
  const before = after ? undefined : timeCursor.decode(query.before);
  const cursor = after ?? before;
  const backwards = Boolean(before) || (!cursor && query.last === true);
  const cursorCondition = cursor
    ? backwards
      ? sql`(${ps.createdAt}, ${ps.subscriptionId}) > (${fromText(cursor[0])}, ${cursor[1]}::uuid)`
      : sql`(${ps.createdAt}, ${ps.subscriptionId}) < (${fromText(cursor[0])}, ${cursor[1]}::uuid)`
    : undefined;
  // The page and the totals are issued together: postgres.js sends them in one write on the transaction's connection.
  const pageQuery = tx
    .select({
      id: ps.subscriptionId,
      customerId: ps.customerOrgId,
      customerName: partnerCustomers.name,
      customerDomain: partnerCustomers.primaryDomain,
      productId: ps.productId,
      productName: products.name,
      licences: ps.licences,
      status: ps.status,
      startedAt: ps.startedAt,
      endsAt: ps.endsAt,
      monthlyValueCents: sql<number>`case when ${ps.status} = 'active' then ${ps.licences} * ${products.monthlyPriceCents} else 0 end`.mapWith(Number),
      currency: products.currency,
      isPartnerOfRecord: ps.isPartnerOfRecord,
      isReseller: ps.isReseller,
      createdText,
    })
    .from(ps)
    .innerJoin(products, eq(products.id, ps.productId))
    .leftJoin(partnerCustomers, and(eq(partnerCustomers.partnerOrgId, partnerId), eq(partnerCustomers.customerOrgId, ps.customerOrgId)))
    .where(and(where, cursorCondition))
    .orderBy(...(backwards ? [asc(ps.createdAt), asc(ps.subscriptionId)] : [desc(ps.createdAt), desc(ps.subscriptionId)]))
    .limit(query.size + 1);
  // Totals by status and product, then priced with the (few) products: from the kept totals and
  // the changes not yet folded in (a few dozen rows whatever the partner's size), or — for trials
  // ending within 30 days, which depend on today — from the partner's trial rows.
  const groupFilters: SQL[] = [sql`partner_org_id = ${partnerId}`];
  if (query.status) groupFilters.push(sql`status = ${query.status}`);
  if (query.product) groupFilters.push(sql`product_id = ${query.product}`);
  const groupWhere = sql.join(groupFilters, sql` and `);
  const groups = query.ending
    ? sql`select ${ps.status} as status, ${ps.productId} as product_id, count(*) as n, sum(${ps.licences}) as l from ${ps} where ${where} group by 1, 2`
    : sql`select status, product_id, sum(subscriptions) as n, sum(licences) as l from (
          select status, product_id, subscriptions, licences from partner_subscription_totals where ${groupWhere}
          union all
          select status, product_id, subscriptions, licences from partner_subscription_total_changes where ${groupWhere}) c
        group by 1, 2`;
  const totalsQuery = tx.execute(sql`
      select coalesce(sum(t.n), 0)::int as subscriptions, coalesce(sum(t.l), 0)::int as licences,
             coalesce(sum(t.l) filter (where t.status = 'active'), 0)::int as active_licences,
             coalesce(sum(t.l * p.monthly_price_cents) filter (where t.status = 'active'), 0)::bigint as monthly_value_cents,
             min(p.currency) filter (where t.n > 0) as currency
      from (${groups}) t
      join ${products} p on p.id = t.product_id`);
  const [rows, totalsResult] = await Promise.all([pageQuery, totalsQuery]);
  const [totals] = rowsOf<{ subscriptions: number; licences: number; active_licences: number; monthly_value_cents: number; currency: string | null }>(totalsResult);
  const more = rows.length > query.size;
  const page = rows.slice(0, query.size);
  if (backwards) page.reverse();
  const first = page[0];
  const last = page[page.length - 1];
  // Without a cursor we are at the start (or, with `last`, the end).
  const hasNewer = after ? true : backwards ? more : false;
  const hasOlder = before ? true : backwards ? false : more;
  return {
    rows: page.map(({ createdText: _c, ...r }) => r),
    /** Cursors (app/utils/list.ts) of the newer and the older page; null at either end. */
    newer: hasNewer && first ? timeCursor.encode([first.createdText, first.id]) : null,
    older: hasOlder && last ? timeCursor.encode([last.createdText, last.id]) : null,
    totals: {
      subscriptions: Number(totals?.subscriptions ?? 0),
      licences: Number(totals?.licences ?? 0),
      activeLicences: Number(totals?.active_licences ?? 0),
      monthlyValueCents: Number(totals?.monthly_value_cents ?? 0),
      currency: totals?.currency ?? "EUR",
    },
  };
}

/** Folds the appended total changes into the partners' subscription totals (scheduled work). */
export async function compactSubscriptionTotals(tx: Tx) {
  const [row] = rowsOf<{ moved: number }>(await tx.execute(sql`select pd_compact_partner_subscription_totals() as moved`));
  return Number(row?.moved ?? 0);
}
