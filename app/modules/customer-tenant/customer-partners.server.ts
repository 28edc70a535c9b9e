/**
 * The customer's side of its partners: the partner relationships list, the requests waiting for
 * a global admin (delegated admin, advisor, MPSA, line-of-business), and the partner activity log.
 * A customer does not end relationships: it removes admin roles or contacts its partner.
 * Every function takes the customer's id and runs as the app role in the customer's context.
 */
import { and, asc, desc, eq, inArray, isNotNull, lt, ne, sql } from "drizzle-orm";
import { auditLog, organisations, relationships } from "../../../db/schema";
import type { Tx } from "~/utils/db.server";
import { rowIdCursor } from "~/utils/list";
import { recordAudit, type Actor } from "../platform/audit.server";
import { DomainError } from "../../utils/errors";
import { notifyLater } from "../platform/notifications.server";
import { CONSENT_TYPES, partnerTypeLabel, RELATIONSHIP_LABELS, RELATIONSHIP_MEANINGS, type ConsentType, type RelationshipType } from "../relationships/relationship-types";

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
 * Requests waiting for the customer's global admin: delegated admin (DAP) and the types the help
 * pages have the customer consent to (advisor, MPSA partner, line-of-business partner), each with
 * its name and what it means. The summarising 'gdap' row follows the pair's GDAP relationships
 * (ADR 0010), which are listed and answered on their own (issue 30: it showed as a phantom request).
 */
export async function listPendingRequests(tx: Tx, { customerId }: { customerId: string }) {
  const rows = await tx
    .select({ id: relationships.id, type: relationships.type, requestedAt: relationships.createdAt, partnerName: organisations.name, partnerNumber: organisations.partnerNumber })
    .from(relationships)
    .innerJoin(organisations, eq(organisations.id, relationships.partnerOrgId))
    .where(and(eq(relationships.customerOrgId, customerId), inArray(relationships.type, [...CONSENT_TYPES]), eq(relationships.status, "requested")))
    .orderBy(asc(relationships.createdAt), asc(relationships.id));
  return rows.map((r) => ({ ...r, type: r.type as ConsentType, label: RELATIONSHIP_LABELS[r.type], meaning: RELATIONSHIP_MEANINGS[r.type] }));
}

/** The request the customer answers, locked: another answer waits for this one, then gets 409. */
async function pendingRequest(tx: Tx, { customerId, relationshipId }: { customerId: string; relationshipId: string }) {
  const [row] = await tx
    .select({ id: relationships.id, partnerId: relationships.partnerOrgId, type: relationships.type, status: relationships.status })
    .from(relationships)
    .where(and(eq(relationships.customerOrgId, customerId), eq(relationships.id, relationshipId), inArray(relationships.type, [...CONSENT_TYPES])))
    .for("update");
  if (!row) throw new DomainError(404, "No such request.");
  if (row.status !== "requested") throw new DomainError(409, "This request was already answered.");
  return { ...row, type: row.type as ConsentType };
}

/** What the partner's staff read when the customer answered (which roles hear it: who can act on it). */
const ANSWERED: Record<ConsentType, { what: string; link: string }> = {
  dap: { what: "delegated administration", link: "/partner/relationships" },
  support_advisor: { what: "you as its advisor", link: "/partner/customers" },
  mpsa: { what: "you as its MPSA partner", link: "/partner/customers" },
  lob: { what: "you as its line-of-business partner", link: "/partner/customers" },
};

/**
 * A customer global admin approves a request: the relationship becomes active (DAP: the partner's
 * agents act as administrators; advisor: they may reset passwords and handle support incidents).
 */
export async function approveRequest(tx: Tx, { customerId, actor, relationshipId }: { customerId: string; actor: Actor; relationshipId: string }) {
  const row = await pendingRequest(tx, { customerId, relationshipId });
  await tx
    .update(relationships)
    .set({ status: "active", startedAt: sql`now()`, endedAt: null })
    .where(and(eq(relationships.customerOrgId, customerId), eq(relationships.id, relationshipId)));
  await recordAudit(tx, { actor, subjectOrgId: customerId, action: "relationship.approved", objectType: "relationship", objectId: relationshipId, details: { type: row.type, partnerId: row.partnerId } });
  const me = await customerName(tx, customerId);
  await notifyPartner(tx, { partnerId: row.partnerId, kind: "relationship.approved", title: `${me} approved ${ANSWERED[row.type].what}`, link: `/partner/customers/${customerId}` });
  return { type: row.type };
}

/** A customer global admin declines: the request ends and grants nothing. */
export async function declineRequest(tx: Tx, { customerId, actor, relationshipId }: { customerId: string; actor: Actor; relationshipId: string }) {
  const row = await pendingRequest(tx, { customerId, relationshipId });
  await tx
    .update(relationships)
    .set({ status: "ended", endedAt: sql`now()` })
    .where(and(eq(relationships.customerOrgId, customerId), eq(relationships.id, relationshipId)));
  await recordAudit(tx, { actor, subjectOrgId: customerId, action: "relationship.declined", objectType: "relationship", objectId: relationshipId, details: { type: row.type, partnerId: row.partnerId } });
  const me = await customerName(tx, customerId);
  await notifyPartner(tx, { partnerId: row.partnerId, kind: "relationship.declined", title: `${me} declined ${ANSWERED[row.type].what}`, link: `/partner/customers/${customerId}` });
  return { type: row.type };
}

async function customerName(tx: Tx, customerId: string) {
  const [me] = await tx.select({ name: organisations.name }).from(organisations).where(eq(organisations.id, customerId));
  return me?.name ?? "A customer";
}

/** The partner's staff hear of it through scheduled work (the customer cannot write the partner's rows). */
async function notifyPartner(tx: Tx, { partnerId, kind, title, link }: { partnerId: string; kind: string; title: string; link: string }) {
  await notifyLater(tx, { orgId: partnerId, roles: ["global_admin", "admin_agent"], kind, title, link });
}

// ---- Ending a relationship ----

// A customer does not end a partner relationship itself: the help pages let it remove a partner's
// admin roles at any time (removeAdminRoles) and decline requests, but "if you decide you no
// longer want to work with a partner, contact your partner to end the relationship" (ended by the
// partner: relationships.server.ts endRelationship). The database refuses the customer's context
// too (pd_relationship_write_guard, pd_reseller_end_check). The subscription advisor is the one the
// customer changes itself, on its subscriptions (seed 001).

/** The sentence shown where a customer might end a partner relationship: whom to contact, and how. */
export function contactYourPartner(p: { partnerName: string; email: string | null; phone: string | null }) {
  const how = [p.email, p.phone].filter(Boolean).join(", ");
  return `To end your relationship with ${p.partnerName}, contact ${p.partnerName}${how ? ` (${how})` : ""}: only the partner can end it. You can remove its admin roles at any time.`;
}

/**
 * A customer asks to remove a partner altogether: refused, with whom to contact (404 when it is
 * not a partner of this customer). Kept for forms that still post it; the page shows the contact.
 */
export async function refusePartnerRemoval(tx: Tx, { customerId, partnerId }: { customerId: string; partnerId: string }): Promise<never> {
  const [row] = await tx
    .select({ partnerName: organisations.name, email: organisations.email, phone: organisations.phone })
    .from(relationships)
    .innerJoin(organisations, eq(organisations.id, relationships.partnerOrgId))
    .where(and(eq(relationships.customerOrgId, customerId), eq(relationships.partnerOrgId, partnerId), ne(relationships.status, "ended")))
    .limit(1);
  if (!row) throw new DomainError(404, "No such partner.");
  throw new DomainError(409, contactYourPartner(row));
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
