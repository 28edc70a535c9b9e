/**
 * The customer's side of its partners: the partner relationships list, the requests for admin
 * rights waiting for a global admin, removing a partner, and the partner activity log.
 * Every function takes the customer's id and runs as the app role in the customer's context.
 */
import { and, asc, desc, eq, isNotNull, lt, ne, sql } from "drizzle-orm";
import { auditLog, organisations, relationships, subscriptions } from "../../../db/schema";
import type { Tx } from "~/utils/db.server";
import { rowIdCursor } from "~/utils/list";
import { removeAdminRoles } from "../delegated-admin/admin-relationships.server";
import { recordAudit, type Actor } from "../platform/audit.server";
import { DomainError } from "../../utils/errors";
import { notifyLater } from "../platform/notifications.server";
import { partnerTypeLabel, type RelationshipType } from "../relationships/relationship-types";

export { partnerTypeLabel } from "../relationships/relationship-types";

export interface PartnerRelationshipRow {
  partnerId: string;
  partnerName: string;
  partnerNumber: number | null;
  email: string | null;
  phone: string | null;
  website: string | null;
  types: RelationshipType[];
  label: string;
  relationships: { id: string; type: RelationshipType; status: "pending" | "requested" | "active" | "ended"; since: Date; endedAt: Date | null }[];
  since: Date;
}

/** One row per partner with a live relationship (or a request waiting for approval). */
export async function listPartnerRelationships(tx: Tx, { customerId }: { customerId: string }): Promise<PartnerRelationshipRow[]> {
  const rows = await tx
    .select({
      id: relationships.id,
      type: relationships.type,
      status: relationships.status,
      createdAt: relationships.createdAt,
      startedAt: relationships.startedAt,
      endedAt: relationships.endedAt,
      partnerId: organisations.id,
      partnerName: organisations.name,
      partnerNumber: organisations.partnerNumber,
      email: organisations.email,
      phone: organisations.phone,
      website: organisations.website,
    })
    .from(relationships)
    .innerJoin(organisations, eq(organisations.id, relationships.partnerOrgId))
    .where(and(eq(relationships.customerOrgId, customerId), sql`${relationships.status} <> 'ended'`))
    .orderBy(asc(organisations.name), asc(relationships.type));
  const byPartner = new Map<string, PartnerRelationshipRow>();
  for (const r of rows) {
    const since = r.startedAt ?? r.createdAt;
    let row = byPartner.get(r.partnerId);
    if (!row) {
      row = { partnerId: r.partnerId, partnerName: r.partnerName, partnerNumber: r.partnerNumber, email: r.email, phone: r.phone, website: r.website, types: [], label: "", relationships: [], since };
      byPartner.set(r.partnerId, row);
    }
    row.relationships.push({ id: r.id, type: r.type, status: r.status, since, endedAt: r.endedAt });
    if (r.status !== "requested") row.types.push(r.type);
    if (since < row.since) row.since = since;
  }
  for (const row of byPartner.values()) row.label = partnerTypeLabel(row.types) || "Requested";
  return [...byPartner.values()];
}

/**
 * Requests for admin rights (DAP) offered to the customer and waiting for its global admin. Only
 * DAP rows are requests here: the summarising 'gdap' row follows the pair's GDAP relationships
 * (ADR 0010), which are listed and answered on their own (issue 30: it showed as a phantom request).
 */
export async function listPendingRequests(tx: Tx, { customerId }: { customerId: string }) {
  return tx
    .select({ id: relationships.id, type: relationships.type, requestedAt: relationships.createdAt, partnerName: organisations.name, partnerNumber: organisations.partnerNumber })
    .from(relationships)
    .innerJoin(organisations, eq(organisations.id, relationships.partnerOrgId))
    .where(and(eq(relationships.customerOrgId, customerId), eq(relationships.type, "dap"), eq(relationships.status, "requested")))
    .orderBy(asc(relationships.createdAt));
}

async function pendingRequest(tx: Tx, { customerId, relationshipId }: { customerId: string; relationshipId: string }) {
  const [row] = await tx
    .select({ id: relationships.id, partnerId: relationships.partnerOrgId, type: relationships.type, status: relationships.status })
    .from(relationships)
    .where(and(eq(relationships.customerOrgId, customerId), eq(relationships.id, relationshipId), eq(relationships.type, "dap")))
    .for("update");
  if (!row) throw new DomainError(404, "No such request.");
  if (row.status !== "requested") throw new DomainError(409, "This request was already answered.");
  return row;
}

/** A customer global admin approves a request for admin rights: the relationship becomes active. */
export async function approveRequest(tx: Tx, { customerId, actor, relationshipId }: { customerId: string; actor: Actor; relationshipId: string }) {
  const row = await pendingRequest(tx, { customerId, relationshipId });
  await tx
    .update(relationships)
    .set({ status: "active", startedAt: sql`now()`, endedAt: null })
    .where(and(eq(relationships.customerOrgId, customerId), eq(relationships.id, relationshipId)));
  await recordAudit(tx, { actor, subjectOrgId: customerId, action: "relationship.approved", objectType: "relationship", objectId: relationshipId, details: { type: row.type, partnerId: row.partnerId } });
  await notifyPartner(tx, { partnerId: row.partnerId, kind: "relationship.approved", title: "A customer approved delegated administration", link: "/partner/customers" });
}

/** A customer global admin declines: the request ends and grants nothing. */
export async function declineRequest(tx: Tx, { customerId, actor, relationshipId }: { customerId: string; actor: Actor; relationshipId: string }) {
  const row = await pendingRequest(tx, { customerId, relationshipId });
  await tx
    .update(relationships)
    .set({ status: "ended", endedAt: sql`now()` })
    .where(and(eq(relationships.customerOrgId, customerId), eq(relationships.id, relationshipId)));
  await recordAudit(tx, { actor, subjectOrgId: customerId, action: "relationship.declined", objectType: "relationship", objectId: relationshipId, details: { type: row.type, partnerId: row.partnerId } });
  await notifyPartner(tx, { partnerId: row.partnerId, kind: "relationship.declined", title: "A customer declined delegated administration", link: "/partner/customers" });
}

/** The partner's staff hear of it through scheduled work (the customer cannot write the partner's rows). */
async function notifyPartner(tx: Tx, { partnerId, kind, title, link }: { partnerId: string; kind: string; title: string; link: string }) {
  await notifyLater(tx, { orgId: partnerId, roles: ["global_admin", "admin_agent"], kind, title, link });
}

// ---- Removing a partner ----

/** Why a customer cannot remove its reseller (shown by the disabled control and by the refusal). */
export const resellerRemovalRule = (partnerName: string) =>
  `${partnerName} is your reseller. Only the reseller can end a reseller relationship: ask ${partnerName} to end it.`;

/**
 * A customer global admin removes a partner that is not its reseller: the partner is taken off
 * every subscription it is partner of record for (and told), its admin roles end, and its
 * relationships with the customer end. A reseller is refused (the database refuses it too).
 */
export async function removePartner(tx: Tx, { customerId, actor, partnerId }: { customerId: string; actor: Actor; partnerId: string }) {
  const live = await tx
    .select({ type: relationships.type, partnerName: organisations.name })
    .from(relationships)
    .innerJoin(organisations, eq(organisations.id, relationships.partnerOrgId))
    .where(and(eq(relationships.customerOrgId, customerId), eq(relationships.partnerOrgId, partnerId), ne(relationships.status, "ended")))
    .for("update", { of: relationships });
  if (live.length === 0) throw new DomainError(404, "No such partner.");
  const partnerName = live[0]!.partnerName;
  if (live.some((r) => r.type === "reseller")) throw new DomainError(409, resellerRemovalRule(partnerName));
  const detached = await tx
    .update(subscriptions)
    .set({ advisorPartnerOrgId: null })
    .where(and(eq(subscriptions.customerOrgId, customerId), eq(subscriptions.advisorPartnerOrgId, partnerId)))
    .returning({ id: subscriptions.id });
  if (live.some((r) => r.type === "dap" || r.type === "gdap")) await removeAdminRoles(tx, { customerId, actor, partnerId });
  await tx
    .update(relationships)
    .set({ status: "ended", endedAt: sql`now()` })
    .where(and(eq(relationships.customerOrgId, customerId), eq(relationships.partnerOrgId, partnerId), ne(relationships.status, "ended")));
  const [me] = await tx.select({ name: organisations.name }).from(organisations).where(eq(organisations.id, customerId));
  await recordAudit(tx, { actor, subjectOrgId: customerId, action: "partner.removed", objectType: "organisation", objectId: partnerId, details: { partnerName, subscriptions: detached.length } });
  await notifyLater(tx, {
    orgId: partnerId,
    roles: ["global_admin", "admin_agent", "sales_agent", "billing_admin"],
    kind: "partner.removed",
    title: `${me?.name ?? "A customer"} removed you as its partner`,
    body: detached.length
      ? `You are no longer the partner of record on its ${detached.length} subscription${detached.length === 1 ? "" : "s"}, and your relationships with it have ended.`
      : "Your relationships with it have ended.",
    link: "/partner/customers",
  });
  return { partnerName, subscriptions: detached.length };
}

// ---- Partner activity ----

export const PARTNER_ACTIVITY_PAGE = 50;

/**
 * What partners' staff did in this customer's organisation, newest first (the audit entries about
 * the customer written by another organisation), keyset-paged by entry id.
 */
export async function listPartnerActivity(tx: Tx, { customerId, after }: { customerId: string; after?: string }) {
  // The list kit's cursor: the last entry's id (a bad one: the first page).
  const before = rowIdCursor.decode(after)?.[0];
  const rows = await tx
    .select({
      id: auditLog.id,
      at: auditLog.at,
      action: auditLog.action,
      actorName: auditLog.actorName,
      partnerId: auditLog.actorOrgId,
      partnerName: organisations.name,
      details: auditLog.details,
    })
    .from(auditLog)
    // The partner's name shows while a relationship lives (RLS on organisations).
    .leftJoin(organisations, eq(organisations.id, auditLog.actorOrgId))
    .where(and(eq(auditLog.subjectOrgId, customerId), isNotNull(auditLog.actorOrgId), ne(auditLog.actorOrgId, customerId), before ? lt(auditLog.id, before) : undefined))
    .orderBy(desc(auditLog.id))
    .limit(PARTNER_ACTIVITY_PAGE + 1);
  const more = rows.length > PARTNER_ACTIVITY_PAGE;
  const page = rows.slice(0, PARTNER_ACTIVITY_PAGE);
  return { rows: page, next: more ? rowIdCursor.encode([page[page.length - 1]!.id]) : null };
}
