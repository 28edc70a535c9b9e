/**
 * Licences and service requests of a customer organisation. Every function runs in the customer's
 * context (for partner staff: after enterCustomerAsPartner, with the action checked by
 * requireTenantAction; ADR 0010) and takes the customer's id.
 */
import { and, asc, count, desc, eq, inArray, lt, or, sql } from "drizzle-orm";
import { licenceAssignments, memberships, organisations, products, serviceRequestComments, serviceRequests, subscriptions, users } from "../../../db/schema";
import type { Tx } from "~/utils/db.server";
import { timeCursor } from "~/utils/list";
import { recordAudit, type Actor } from "../platform/audit.server";
import { notifyLater } from "../platform/notifications.server";
import { DomainError } from "../../utils/errors";
import { SERVICE_REQUEST_STATUSES, type ServiceRequestStatus } from "./service-request-status";

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

// ---- The customer's own view of its service requests (opened by partners acting in it) ----

export const CUSTOMER_REQUESTS_PAGE_SIZE = 25;

/** Who opened a request or wrote a comment, as the customer reads it: its own people, or the partner by name. */
const sideName = (orgColumn: typeof serviceRequests.openedByOrgId | typeof serviceRequestComments.authorOrgId, customerId: string) =>
  sql<string | null>`case when ${orgColumn} is null or ${orgColumn} = ${customerId} then null else pd_partner_name(${orgColumn}) end`;

const requestCreatedText = sql<string>`to_char(${serviceRequests.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')`;

/**
 * The customer's service requests, newest first, keyset-paged on (created_at, id) with the list
 * kit's cursor (a bad one: the first page); with the count per status. Runs in the customer's own
 * context: RLS shows it its own requests only.
 */
export async function listCustomerServiceRequests(tx: Tx, { customerId, query }: { customerId: string; query: { status?: ServiceRequestStatus; after?: string } }) {
  const after = timeCursor.decode(query.after);
  const rows = await tx
    .select({
      id: serviceRequests.id,
      title: serviceRequests.title,
      status: serviceRequests.status,
      createdAt: serviceRequests.createdAt,
      openedByName: serviceRequests.openedByName,
      partnerName: sideName(serviceRequests.openedByOrgId, customerId),
      // Written out: in a one-table select drizzle names the outer column bare ("id"), which the
      // subquery would read as its own.
      comments: sql<number>`(select count(*)::int from service_request_comments c where c.customer_org_id = service_requests.customer_org_id and c.request_id = service_requests.id)`,
      createdText: requestCreatedText,
    })
    .from(serviceRequests)
    .where(
      and(
        eq(serviceRequests.customerOrgId, customerId),
        query.status ? eq(serviceRequests.status, query.status) : undefined,
        after
          ? or(
              lt(serviceRequests.createdAt, sql`(${after[0]}::timestamp at time zone 'UTC')`),
              and(sql`${serviceRequests.createdAt} = (${after[0]}::timestamp at time zone 'UTC')`, lt(serviceRequests.id, after[1])),
            )
          : undefined,
      ),
    )
    .orderBy(desc(serviceRequests.createdAt), desc(serviceRequests.id))
    .limit(CUSTOMER_REQUESTS_PAGE_SIZE + 1);
  const page = rows.slice(0, CUSTOMER_REQUESTS_PAGE_SIZE);
  const last = page[page.length - 1];
  const counts = await tx.select({ status: serviceRequests.status, n: count() }).from(serviceRequests).where(eq(serviceRequests.customerOrgId, customerId)).groupBy(serviceRequests.status);
  return {
    rows: page.map(({ createdText: _c, ...r }) => r),
    next: rows.length > CUSTOMER_REQUESTS_PAGE_SIZE && last ? timeCursor.encode([last.createdText, last.id]) : null,
    counts: Object.fromEntries(SERVICE_REQUEST_STATUSES.map((st) => [st, counts.find((c) => c.status === st)?.n ?? 0])) as Record<ServiceRequestStatus, number>,
  };
}

/** One of the customer's service requests with its thread; 404 for any other id (RLS and the customer's id). */
export async function getCustomerServiceRequest(tx: Tx, { customerId, requestId }: { customerId: string; requestId: string }) {
  const [request] = await tx
    .select({
      id: serviceRequests.id,
      title: serviceRequests.title,
      description: serviceRequests.description,
      status: serviceRequests.status,
      createdAt: serviceRequests.createdAt,
      closedAt: serviceRequests.closedAt,
      openedByName: serviceRequests.openedByName,
      partnerName: sideName(serviceRequests.openedByOrgId, customerId),
    })
    .from(serviceRequests)
    .where(and(eq(serviceRequests.customerOrgId, customerId), eq(serviceRequests.id, requestId)));
  if (!request) throw new DomainError(404, "No such service request.");
  const comments = await tx
    .select({
      id: serviceRequestComments.id,
      authorName: serviceRequestComments.authorName,
      body: serviceRequestComments.body,
      createdAt: serviceRequestComments.createdAt,
      partnerName: sideName(serviceRequestComments.authorOrgId, customerId),
    })
    .from(serviceRequestComments)
    .where(and(eq(serviceRequestComments.customerOrgId, customerId), eq(serviceRequestComments.requestId, requestId)))
    .orderBy(asc(serviceRequestComments.createdAt), asc(serviceRequestComments.id));
  return { ...request, comments };
}

/**
 * A comment by the customer's own admin on a request a partner opened for it: written as the
 * customer (its context, its id as the author's organisation); the partner that opened the request
 * is told (its staff who handle service requests, in-app and by email).
 */
export async function commentAsCustomer(tx: Tx, { customerId, actor, requestId, body }: { customerId: string; actor: Actor; requestId: string; body: string }) {
  if (actor.orgId !== customerId) throw new DomainError(403, "Only the customer's own people comment here.");
  await commentServiceRequest(tx, { customerId, actor, requestId, body });
  const [row] = await tx
    .select({ title: serviceRequests.title, openedByOrgId: serviceRequests.openedByOrgId, customerName: organisations.name })
    .from(serviceRequests)
    .innerJoin(organisations, eq(organisations.id, serviceRequests.customerOrgId))
    .where(and(eq(serviceRequests.customerOrgId, customerId), eq(serviceRequests.id, requestId)));
  if (row?.openedByOrgId && row.openedByOrgId !== customerId) {
    await notifyLater(tx, {
      orgId: row.openedByOrgId,
      roles: ["global_admin", "admin_agent", "helpdesk_agent"],
      kind: "service_request.customer_comment",
      title: `${row.customerName} commented on "${row.title}"`,
      body: `${actor.name ?? "Someone"} of ${row.customerName} added a comment to the service request "${row.title}".`,
      link: `/partner/customers/${customerId}/service-requests`,
    });
  }
}
