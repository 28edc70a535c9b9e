/**
 * The customer's view of one partner (issue 30, seeds 000/004: "select any partner to see its
 * details"): its contact data, every relationship it has with the customer and what it means, the
 * admin roles the customer granted it, the subscriptions it is partner of record on, and what its
 * staff did in the customer's organisation. Also who is waiting for the customer agreement.
 * Every function takes the customer's id and runs as the app role in the customer's context.
 */
import { and, asc, desc, eq, lt, ne } from "drizzle-orm";
import { auditLog, organisations, products, relationships, subscriptions } from "../../../db/schema";
import type { Tx } from "~/utils/db.server";
import { rowIdCursor } from "~/utils/list";
import { DomainError } from "../../utils/errors";
import { listGdapForCustomer } from "../delegated-admin/admin-relationships.server";
import { partnerTypeLabel, RELATIONSHIP_LABELS, RELATIONSHIP_MEANINGS, type RelationshipType } from "../relationships/relationship-types";

export type RelationshipStatus = "pending" | "requested" | "active" | "ended";

/**
 * One partner of the customer, or 404 when it is not (a partner with no live relationship with
 * this customer, another customer's partner, any other organisation).
 */
export async function getPartnerDetails(tx: Tx, { customerId, partnerId }: { customerId: string; partnerId: string }) {
  const rows = await tx
    .select({
      id: relationships.id,
      type: relationships.type,
      status: relationships.status,
      createdAt: relationships.createdAt,
      startedAt: relationships.startedAt,
      endedAt: relationships.endedAt,
    })
    .from(relationships)
    .where(and(eq(relationships.customerOrgId, customerId), eq(relationships.partnerOrgId, partnerId)))
    .orderBy(asc(relationships.type));
  if (!rows.some((r) => r.status !== "ended")) throw new DomainError(404, "No such partner.");
  const [partner] = await tx
    .select({
      id: organisations.id,
      name: organisations.name,
      partnerNumber: organisations.partnerNumber,
      email: organisations.email,
      phone: organisations.phone,
      website: organisations.website,
      city: organisations.city,
      country: organisations.country,
    })
    .from(organisations)
    .where(and(eq(organisations.id, partnerId), eq(organisations.kind, "partner")));
  if (!partner) throw new DomainError(404, "No such partner.");

  const live = rows.filter((r) => r.status !== "ended");
  const relationshipRows = rows
    // The summarising GDAP row (ADR 0010) stands for the GDAP relationships listed under admin roles.
    .map((r) => ({
      id: r.id,
      type: r.type as RelationshipType,
      label: RELATIONSHIP_LABELS[r.type as RelationshipType],
      meaning: RELATIONSHIP_MEANINGS[r.type as RelationshipType],
      status: r.status as RelationshipStatus,
      since: r.startedAt ?? r.createdAt,
      endedAt: r.endedAt,
    }));
  const since = live.map((r) => r.startedAt ?? r.createdAt).reduce((a, b) => (b < a ? b : a));
  const dap = live.find((r) => r.type === "dap");
  const gdap = (await listGdapForCustomer(tx, { customerId })).filter((g) => g.partnerId === partnerId);
  const partnerSubscriptions = await tx
    .select({
      id: subscriptions.id,
      product: products.name,
      licences: subscriptions.licences,
      status: subscriptions.status,
      startedAt: subscriptions.startedAt,
      endsAt: subscriptions.endsAt,
    })
    .from(subscriptions)
    .innerJoin(products, eq(products.id, subscriptions.productId))
    .where(and(eq(subscriptions.customerOrgId, customerId), eq(subscriptions.advisorPartnerOrgId, partnerId)))
    .orderBy(asc(products.name), asc(subscriptions.startedAt));
  return {
    partner,
    label: partnerTypeLabel(live.filter((r) => r.status !== "requested").map((r) => r.type as RelationshipType)) || "Requested",
    since,
    relationships: relationshipRows,
    dap: dap ? { status: dap.status as RelationshipStatus, since: dap.startedAt ?? dap.createdAt } : null,
    gdap: gdap.map((g) => ({ id: g.id, displayName: g.displayName, status: g.status, roles: g.roles, createdAt: g.createdAt, endsAt: g.endsAt, endedAt: g.endedAt })),
    subscriptions: partnerSubscriptions,
  };
}

/** Whether the partner holds admin roles the customer can remove (DAP active or requested; GDAP live or waiting). */
export function hasRemovableAdminRoles(details: Awaited<ReturnType<typeof getPartnerDetails>>) {
  return (
    (details.dap !== null && (details.dap.status === "active" || details.dap.status === "requested")) ||
    details.gdap.some((g) => g.status === "active" || g.status === "expiring" || g.status === "approval_pending" || g.status === "created")
  );
}

export const PARTNER_DETAIL_ACTIVITY_PAGE = 25;

/**
 * What one partner's staff did in this customer's organisation, newest first, keyset-paged by
 * entry id (the list kit's row-id cursor; a bad cursor is the first page).
 */
export async function listActivityOfPartner(tx: Tx, { customerId, partnerId, after }: { customerId: string; partnerId: string; after?: string }) {
  const before = rowIdCursor.decode(after)?.[0];
  const rows = await tx
    .select({ id: auditLog.id, at: auditLog.at, action: auditLog.action, actorName: auditLog.actorName, details: auditLog.details })
    .from(auditLog)
    .where(and(eq(auditLog.subjectOrgId, customerId), eq(auditLog.actorOrgId, partnerId), ne(auditLog.actorOrgId, customerId), before ? lt(auditLog.id, before) : undefined))
    .orderBy(desc(auditLog.id))
    .limit(PARTNER_DETAIL_ACTIVITY_PAGE + 1);
  const more = rows.length > PARTNER_DETAIL_ACTIVITY_PAGE;
  const page = rows.slice(0, PARTNER_DETAIL_ACTIVITY_PAGE);
  return { rows: page, next: more ? rowIdCursor.encode([page[page.length - 1]!.id]) : null };
}

/**
 * The partners waiting for the customer to accept the customer agreement (seed 000: "before they
 * can make purchases or manage your subscriptions for you"): those with a relationship pending,
 * else every partner with a live relationship.
 */
export async function partnersAwaitingAgreement(tx: Tx, { customerId }: { customerId: string }) {
  const rows = await tx
    .select({ name: organisations.name, status: relationships.status })
    .from(relationships)
    .innerJoin(organisations, eq(organisations.id, relationships.partnerOrgId))
    .where(and(eq(relationships.customerOrgId, customerId), ne(relationships.status, "ended")))
    .orderBy(asc(organisations.name));
  const waiting = [...new Set(rows.filter((r) => r.status === "pending").map((r) => r.name))];
  return waiting.length ? waiting : [...new Set(rows.map((r) => r.name))];
}
