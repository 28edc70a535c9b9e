/**
 * The partner ↔ customer relationships table: one row per partner, customer and type. The
 * partner's side of the lifecycle: requesting the types the customer consents to (the customer
 * answers in customer-tenant/customer-partners.server.ts) and ending any relationship it holds.
 */
import { and, eq, inArray, ne, sql } from "drizzle-orm";
import { organisations, relationships } from "../../../db/schema";
import { rowsOf } from "../../../db/client";
import type { Tx } from "~/utils/db.server";
import { recordAudit, type Actor } from "../platform/audit.server";
import { DomainError, RateLimited } from "../../utils/errors";
import { notifyLater } from "../platform/notifications.server";
import { RELATIONSHIP_LABELS, RELATIONSHIP_MEANINGS, WHAT_ENDS, type RelationshipType, type RequestableType } from "./relationship-types";

/**
 * Creates a relationship, or brings an ended, pending or requested one back as `status`; an
 * active one stays as it is (with its start date). `pending` waits for the customer agreement.
 */
export async function upsertRelationship(
  tx: Tx,
  { partnerId, customerId, type, status }: { partnerId: string; customerId: string; type: "reseller" | "advisor" | "dap" | "gdap"; status: "active" | "requested" | "pending" },
) {
  await tx
    .insert(relationships)
    .values({ partnerOrgId: partnerId, customerOrgId: customerId, type, status, startedAt: status === "active" ? sql`now()` : null })
    .onConflictDoUpdate({
      target: [relationships.partnerOrgId, relationships.customerOrgId, relationships.type],
      set: {
        status: sql`case when ${relationships.status} = 'active' then 'active' else ${status} end`,
        startedAt: sql`case when ${relationships.status} = 'active' then ${relationships.startedAt} when ${status} = 'active' then now() else null end`,
        endedAt: sql`case when ${relationships.status} = 'active' then ${relationships.endedAt} else null end`,
      },
    });
}

async function partnerName(tx: Tx, partnerId: string) {
  const [partner] = await tx.select({ name: organisations.name, partnerNumber: organisations.partnerNumber }).from(organisations).where(eq(organisations.id, partnerId));
  return { name: partner?.name ?? "Your partner", partnerNumber: partner?.partnerNumber ?? null };
}

/**
 * The partner asks one of its customers for a relationship the customer consents to: the help
 * pages' advisor, MPSA partner or line-of-business partner (DAP: requestDap, with its own
 * confirmation; GDAP: requestGdap). Only a customer the partner already has a live relationship
 * with (404 otherwise; the database refuses it too). The row becomes 'requested' and the
 * customer's global admins are told; its Requests page answers it. The insert's row lock orders
 * simultaneous requests: exactly one opens it, the other gets 409 (as does asking again while it
 * waits or is active).
 */
/** At most this many relationship requests (Advisor, MPSA, LOB, DAP) a partner sends in a day: each one tells the customer's global admins. */
export const RELATIONSHIP_REQUESTS_PER_DAY = 20;
export const RELATIONSHIP_REQUEST_WINDOW_SECONDS = 86_400;

/**
 * Counts one relationship request against the partner's daily allowance (pd_take_org_quota, the
 * organisation in the transaction's context: the partner's own). A request opened after the
 * customer declined counts like any other, so asking again and again after each decline stops at
 * the limit (review of issue 30, finding 9). Refused: RateLimited (429), nothing is requested.
 */
export async function takeRelationshipRequestQuota(tx: Tx) {
  const [row] = rowsOf<{ retry_after: number }>(
    await tx.execute(sql`select pd_take_org_quota('relationship.request', 1, ${RELATIONSHIP_REQUESTS_PER_DAY}::int, ${RELATIONSHIP_REQUEST_WINDOW_SECONDS}::int) as retry_after`),
  );
  const retryAfter = Number(row?.retry_after ?? 0);
  if (retryAfter > 0) {
    const hours = Math.ceil(retryAfter / 3600);
    throw new RateLimited(
      `Your organisation can send ${RELATIONSHIP_REQUESTS_PER_DAY} relationship requests a day. Try again in ${hours} hour${hours === 1 ? "" : "s"}.`,
      retryAfter,
    );
  }
}

export async function requestRelationship(tx: Tx, { partnerId, actor, customerId, type }: { partnerId: string; actor: Actor; customerId: string; type: RequestableType }) {
  const [customer] = await tx
    .select({ name: organisations.name })
    .from(relationships)
    .innerJoin(organisations, eq(organisations.id, relationships.customerOrgId))
    .where(and(eq(relationships.partnerOrgId, partnerId), eq(relationships.customerOrgId, customerId), ne(relationships.status, "ended")))
    .limit(1);
  if (!customer) throw new DomainError(404, "No such customer.");
  const opened = rowsOf<{ id: string }>(
    await tx.execute(sql`
      insert into relationships (partner_org_id, customer_org_id, type, status) values (${partnerId}, ${customerId}, ${type}, 'requested')
      on conflict (partner_org_id, customer_org_id, type) do update set status = 'requested', started_at = null, ended_at = null
        where relationships.status not in ('requested', 'active')
      returning id`),
  );
  if (opened.length === 0) {
    const [existing] = await tx
      .select({ status: relationships.status })
      .from(relationships)
      .where(and(eq(relationships.partnerOrgId, partnerId), eq(relationships.customerOrgId, customerId), eq(relationships.type, type)));
    throw new DomainError(
      409,
      existing?.status === "active"
        ? `You already are ${customer.name}'s ${RELATIONSHIP_LABELS[type]}.`
        : `You already asked ${customer.name} to be its ${RELATIONSHIP_LABELS[type]}; the request waits for its global admin.`,
    );
  }
  await takeRelationshipRequestQuota(tx);
  const partner = await partnerName(tx, partnerId);
  await notifyLater(tx, {
    orgId: customerId,
    roles: ["global_admin"],
    kind: "relationship.requested",
    title: `${partner.name} asks to be your ${RELATIONSHIP_LABELS[type]}`,
    body: `${partner.name} asks to be your ${RELATIONSHIP_LABELS[type]}: it ${RELATIONSHIP_MEANINGS[type].charAt(0).toLowerCase()}${RELATIONSHIP_MEANINGS[type].slice(1)} Open your requests to approve or decline it.`,
    link: "/customer/requests",
  });
  await recordAudit(tx, { actor, subjectOrgId: customerId, action: "relationship.requested", objectType: "relationship", objectId: opened[0]!.id, details: { type } });
  return { id: opened[0]!.id, customerName: customer.name };
}

/** The types endRelationship ends (GDAP ends relationship by relationship through terminateGdap). */
export type EndableType = Exclude<RelationshipType, "gdap" | "partner">;

/**
 * The partner ends a relationship it holds with a customer (or withdraws its request): the only
 * way a relationship ends besides the customer declining a request or removing admin roles (the
 * help pages: "contact your partner to end the relationship"; the database refuses the customer's
 * context). Side effects by type:
 * - reseller: only the reseller may end it; it stops seeing the subscriptions it is not POR of.
 * - dap: its agents' admin rights end at once (effectiveRights and pd_act_in_customer read the row).
 * - advisor (subscription advisor / Partner of Record, seed 001): the relationship is nothing but
 *   being the partner on the customer's subscriptions: it begins when the customer names the
 *   partner on one and ends when it is on none (subscriptions.server.ts endAdvisorIfUnused). Ending
 *   it while staying partner of record would contradict both, and keep the partner seeing the
 *   subscriptions and being told of their changes: so the partner is taken off every subscription
 *   it is POR of (pd_partner_leave_subscriptions, the one cross-tenant write), and the customer is
 *   told which, so it may name another partner on them.
 * - support_advisor, mpsa, lob: the row ends; what it allowed stops (the advisor's rights at once).
 * GDAP is refused here: each GDAP relationship is terminated on its own page (terminateGdap), and
 * "partner" is the customer's user account, which only the customer removes.
 * The customer's admins are told; audited about the customer.
 */
export async function endRelationship(tx: Tx, { partnerId, actor, customerId, type }: { partnerId: string; actor: Actor; customerId: string; type: RelationshipType }) {
  if (type === "gdap") throw new DomainError(409, "End granular admin relationships one by one on Admin relationships: each is terminated on its own page.");
  if (type === "partner") throw new DomainError(409, WHAT_ENDS.partner);
  const live = type === "reseller" ? ["pending", "active"] : ["pending", "requested", "active"];
  const [row] = await tx
    .select({ id: relationships.id, status: relationships.status, customerName: organisations.name })
    .from(relationships)
    .innerJoin(organisations, eq(organisations.id, relationships.customerOrgId))
    .where(and(eq(relationships.partnerOrgId, partnerId), eq(relationships.customerOrgId, customerId), eq(relationships.type, type), inArray(relationships.status, live as ("pending" | "requested" | "active")[])))
    .for("update", { of: relationships });
  if (!row) throw new DomainError(404, type === "reseller" ? "You are not this customer's reseller." : `You have no ${RELATIONSHIP_LABELS[type]} relationship with this customer.`);
  let subscriptionsLeft = 0;
  if (type === "advisor") {
    const [left] = rowsOf<{ n: number }>(await tx.execute(sql`select pd_partner_leave_subscriptions(${customerId}::uuid) as n`));
    subscriptionsLeft = Number(left?.n ?? 0);
  }
  await tx.update(relationships).set({ status: "ended", endedAt: sql`now()` }).where(eq(relationships.id, row.id));
  const partner = await partnerName(tx, partnerId);
  const withdrawn = row.status === "requested";
  const label = RELATIONSHIP_LABELS[type];
  const kind = type === "reseller" ? "reseller.ended" : withdrawn ? "relationship.withdrawn" : "relationship.ended";
  await recordAudit(tx, {
    actor,
    subjectOrgId: customerId,
    action: kind,
    objectType: "relationship",
    objectId: row.id,
    details: { type, partnerName: partner.name, ...(type === "advisor" ? { subscriptions: subscriptionsLeft } : {}) },
  });
  await notifyLater(tx, {
    orgId: customerId,
    roles: type === "reseller" || type === "advisor" ? ["global_admin", "billing_admin"] : ["global_admin"],
    kind,
    title: withdrawn ? `${partner.name} withdrew its request to be your ${label}` : `${partner.name} ended its ${label} relationship with you`,
    body: withdrawn
      ? `${partner.name} (Partner ID ${partner.partnerNumber ?? "?"}) no longer asks to be your ${label}; nothing changed.`
      : type === "reseller"
        ? `${partner.name} (Partner ID ${partner.partnerNumber ?? "?"}) is no longer your reseller. Your subscriptions stay yours; any other role it has with you is unchanged.`
        : type === "advisor"
          ? `${partner.name} (Partner ID ${partner.partnerNumber ?? "?"}) is no longer the partner on ${subscriptionsLeft} of your subscription${subscriptionsLeft === 1 ? "" : "s"}; you may name another partner on them. Your subscriptions stay yours.`
          : `${partner.name} (Partner ID ${partner.partnerNumber ?? "?"}) is no longer your ${label}. Any other role it has with you is unchanged.`,
    link: "/customer/partners",
  });
  return { customerName: row.customerName, withdrawn, subscriptions: subscriptionsLeft };
}

/** The reseller ends its reseller relationship with a customer (endRelationship, type reseller). */
export async function endResellerRelationship(tx: Tx, { partnerId, actor, customerId }: { partnerId: string; actor: Actor; customerId: string }) {
  const { customerName } = await endRelationship(tx, { partnerId, actor, customerId, type: "reseller" });
  return { customerName };
}
