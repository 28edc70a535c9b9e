/**
 * Licences and service requests of a customer organisation. Every function runs in the customer's
 * context (for partner staff: after enterCustomerAsPartner, with the action checked by
 * requireTenantAction; ADR 0010) and takes the customer's id.
 */
import { and, asc, desc, eq, inArray, sql } from "drizzle-orm";
import { licenceAssignments, memberships, products, serviceRequestComments, serviceRequests, subscriptions, users } from "../../../db/schema";
import type { Tx } from "~/utils/db.server";
import { recordAudit, type Actor } from "../platform/audit.server";
import { DomainError } from "../../utils/errors";

// ---- Licences ----

export async function listLicences(tx: Tx, { customerId }: { customerId: string }) {
  const subs = await tx
    .select({ id: subscriptions.id, productName: products.name, licences: subscriptions.licences, status: subscriptions.status })
    .from(subscriptions)
    .innerJoin(products, eq(products.id, subscriptions.productId))
    .where(and(eq(subscriptions.customerOrgId, customerId), inArray(subscriptions.status, ["trial", "active"])))
    .orderBy(asc(products.name), asc(subscriptions.id));
  const held = subs.length
    ? await tx
        .select({ subscriptionId: licenceAssignments.subscriptionId, userId: users.id, displayName: users.displayName, email: users.email })
        .from(licenceAssignments)
        .innerJoin(users, eq(users.id, licenceAssignments.userId))
        .where(and(eq(licenceAssignments.customerOrgId, customerId), inArray(licenceAssignments.subscriptionId, subs.map((s) => s.id))))
        .orderBy(asc(users.displayName))
    : [];
  return subs.map((s) => ({ ...s, holders: held.filter((h) => h.subscriptionId === s.id) }));
}

/**
 * Gives a user one licence of a subscription. The subscription row is locked first, so two
 * assignments at once cannot both take the last licence.
 */
export async function assignLicence(tx: Tx, { customerId, actor, subscriptionId, userId }: { customerId: string; actor: Actor; subscriptionId: string; userId: string }) {
  const [sub] = await tx
    .select({ licences: subscriptions.licences, status: subscriptions.status, productId: subscriptions.productId })
    .from(subscriptions)
    .where(and(eq(subscriptions.customerOrgId, customerId), eq(subscriptions.id, subscriptionId)))
    .for("update");
  if (!sub) throw new DomainError(404, "No such subscription.");
  if (sub.status !== "active" && sub.status !== "trial") throw new DomainError(409, "This subscription is not active.");
  const [member] = await tx.select({ userId: memberships.userId }).from(memberships).where(and(eq(memberships.orgId, customerId), eq(memberships.userId, userId)));
  if (!member) throw new DomainError(404, "No such user.", "userId");
  const [{ n } = { n: 0 }] = await tx
    .select({ n: sql<number>`count(*)::int` })
    .from(licenceAssignments)
    .where(and(eq(licenceAssignments.customerOrgId, customerId), eq(licenceAssignments.subscriptionId, subscriptionId)));
  if (Number(n) >= sub.licences) throw new DomainError(409, `All ${sub.licences} licences are assigned. Remove one first, or buy more.`);
  const inserted = await tx.insert(licenceAssignments).values({ subscriptionId, customerOrgId: customerId, userId }).onConflictDoNothing().returning({ userId: licenceAssignments.userId });
  if (inserted.length === 0) throw new DomainError(409, "This user already has a licence of this subscription.");
  await recordAudit(tx, { actor, subjectOrgId: customerId, action: "licence.assigned", objectType: "subscription", objectId: subscriptionId, details: { userId, productId: sub.productId } });
}

export async function removeLicence(tx: Tx, { customerId, actor, subscriptionId, userId }: { customerId: string; actor: Actor; subscriptionId: string; userId: string }) {
  const removed = await tx
    .delete(licenceAssignments)
    .where(and(eq(licenceAssignments.customerOrgId, customerId), eq(licenceAssignments.subscriptionId, subscriptionId), eq(licenceAssignments.userId, userId)))
    .returning({ userId: licenceAssignments.userId });
  if (removed.length === 0) throw new DomainError(404, "This user has no licence of this subscription.");
  await recordAudit(tx, { actor, subjectOrgId: customerId, action: "licence.removed", objectType: "subscription", objectId: subscriptionId, details: { userId } });
}

// ---- Service requests ----

export async function listServiceRequests(tx: Tx, { customerId }: { customerId: string }) {
  const requests = await tx
    .select()
    .from(serviceRequests)
    .where(eq(serviceRequests.customerOrgId, customerId))
    .orderBy(sql`${serviceRequests.status} = 'closed'`, desc(serviceRequests.createdAt))
    .limit(200);
  const comments = requests.length
    ? await tx
        .select()
        .from(serviceRequestComments)
        .where(and(eq(serviceRequestComments.customerOrgId, customerId), inArray(serviceRequestComments.requestId, requests.map((r) => r.id))))
        .orderBy(asc(serviceRequestComments.createdAt))
    : [];
  return requests.map((r) => ({ ...r, comments: comments.filter((c) => c.requestId === r.id) }));
}

export async function openServiceRequest(tx: Tx, { customerId, actor, title, description }: { customerId: string; actor: Actor; title: string; description: string }) {
  const [row] = await tx
    .insert(serviceRequests)
    .values({ customerOrgId: customerId, title, description, openedByUserId: actor.userId, openedByName: actor.name ?? null, openedByOrgId: actor.orgId })
    .returning({ id: serviceRequests.id });
  await recordAudit(tx, { actor, subjectOrgId: customerId, action: "service_request.opened", objectType: "service_request", objectId: row!.id, details: { title } });
  return row!;
}

async function lockedRequest(tx: Tx, { customerId, requestId }: { customerId: string; requestId: string }) {
  const [row] = await tx
    .select({ status: serviceRequests.status, title: serviceRequests.title })
    .from(serviceRequests)
    .where(and(eq(serviceRequests.customerOrgId, customerId), eq(serviceRequests.id, requestId)))
    .for("update");
  if (!row) throw new DomainError(404, "No such service request.");
  return row;
}

export async function commentServiceRequest(tx: Tx, { customerId, actor, requestId, body }: { customerId: string; actor: Actor; requestId: string; body: string }) {
  const row = await lockedRequest(tx, { customerId, requestId });
  if (row.status === "closed") throw new DomainError(409, "This service request is closed.");
  await tx.insert(serviceRequestComments).values({ requestId, customerOrgId: customerId, authorUserId: actor.userId, authorName: actor.name ?? null, authorOrgId: actor.orgId, body });
  await recordAudit(tx, { actor, subjectOrgId: customerId, action: "service_request.commented", objectType: "service_request", objectId: requestId, details: { title: row.title } });
}

export async function closeServiceRequest(tx: Tx, { customerId, actor, requestId }: { customerId: string; actor: Actor; requestId: string }) {
  const row = await lockedRequest(tx, { customerId, requestId });
  if (row.status === "closed") throw new DomainError(409, "This service request is already closed.");
  await tx
    .update(serviceRequests)
    .set({ status: "closed", closedAt: sql`now()` })
    .where(and(eq(serviceRequests.customerOrgId, customerId), eq(serviceRequests.id, requestId)));
  await recordAudit(tx, { actor, subjectOrgId: customerId, action: "service_request.closed", objectType: "service_request", objectId: requestId, details: { title: row.title } });
}
