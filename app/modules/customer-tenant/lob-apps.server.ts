/**
 * Line-of-business (LOB) apps (help pages, seeds 000/002/004: a LOB partner "can develop, submit and
 * manage line-of-business apps specific to your organisation"). A partner with an active 'lob'
 * relationship with a customer submits apps (name, version, description, https download URL) to
 * that customer's private app list and sees the status of its own submissions; it withdraws a
 * submission of its own while it is not yet approved. The customer's global admins approve or
 * withdraw a submission, and withdraw an approved app (it leaves the list of available apps).
 *
 * Partner functions run in the partner's context, customer functions in the customer's (never
 * partner staff acting in it: the database refuses that context, migration 0054). The database
 * also refuses a submission without an active LOB relationship and any step these functions would
 * not take (pd_lob_app_write_guard).
 */
import { and, count, desc, eq, lt, or, sql } from "drizzle-orm";
import { lobApps, organisations, relationships } from "../../../db/schema";
import type { Tx } from "~/utils/db.server";
import { timeCursor } from "~/utils/list";
import { DomainError } from "../../utils/errors";
import { recordAudit, type Actor } from "../platform/audit.server";
import { notifyLater } from "../platform/notifications.server";
import { LOB_APP_STATUSES, LOB_APP_STATUS_LABELS, type LobAppInput, type LobAppStatus } from "./lob-app-form";

export const LOB_APPS_PAGE_SIZE = 50;

/** The partner's pages: only a partner's global admins and admin agents get the notifications about its apps. */
const PARTNER_APP_ROLES = ["global_admin", "admin_agent"];

const createdText = sql<string>`to_char(${lobApps.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')`;

// ---- The partner's side ----

export type LobStanding = "active" | "requested" | "ended" | "none";

/**
 * The customer as the partner sees it, and where the partner's LOB relationship with it stands:
 * "none" (never asked), "requested" (waiting for the customer), "ended", or "active". A customer
 * the partner has no live relationship with is not visible (404).
 */
export async function lobStandingOf(tx: Tx, { partnerId, customerId }: { partnerId: string; customerId: string }) {
  const [customer] = await tx
    .select({ id: organisations.id, name: organisations.name })
    .from(organisations)
    .where(and(eq(organisations.id, customerId), eq(organisations.kind, "customer")));
  if (!customer) throw new DomainError(404, "No such customer.");
  const [rel] = await tx
    .select({ status: relationships.status, startedAt: relationships.startedAt, endedAt: relationships.endedAt })
    .from(relationships)
    .where(and(eq(relationships.partnerOrgId, partnerId), eq(relationships.customerOrgId, customerId), eq(relationships.type, "lob")));
  const standing: LobStanding = !rel ? "none" : rel.status === "active" ? "active" : rel.status === "ended" ? "ended" : "requested";
  return { customer, standing, since: rel?.status === "active" ? rel.startedAt : null, endedAt: rel?.status === "ended" ? rel.endedAt : null };
}

/** Why a partner cannot submit apps to this customer, in the help pages' words (null: it can). */
export function lobUnavailableReason(standing: LobStanding, customerName: string): string | null {
  switch (standing) {
    case "active":
      return null;
    case "requested":
      return `Your line-of-business (LOB) partner relationship with ${customerName} is waiting for ${customerName}'s approval. You can submit apps once it is approved.`;
    case "ended":
      return `Your line-of-business (LOB) partner relationship with ${customerName} has ended, so you can no longer submit apps to its private app list.`;
    default:
      return `You are not ${customerName}'s line-of-business (LOB) partner. Only a LOB partner can develop, submit and manage line-of-business apps for a customer: ask ${customerName} to approve a LOB partner relationship first.`;
  }
}

async function requireActiveLob(tx: Tx, { partnerId, customerId }: { partnerId: string; customerId: string }) {
  const s = await lobStandingOf(tx, { partnerId, customerId });
  const reason = lobUnavailableReason(s.standing, s.customer.name);
  if (reason) throw new DomainError(403, reason);
  return s.customer;
}

/** The partner's own submissions to one customer, newest first (a detail page's small table: at most 200). */
export async function listPartnerLobApps(tx: Tx, { partnerId, customerId }: { partnerId: string; customerId: string }) {
  return tx
    .select({
      id: lobApps.id,
      name: lobApps.name,
      version: lobApps.version,
      description: lobApps.description,
      downloadUrl: lobApps.downloadUrl,
      status: lobApps.status,
      submittedByName: lobApps.submittedByName,
      createdAt: lobApps.createdAt,
      reviewedAt: lobApps.reviewedAt,
      reviewedByName: lobApps.reviewedByName,
      withdrawnByPartner: sql<boolean>`${lobApps.reviewedByOrgId} = ${lobApps.partnerOrgId}`,
      reason: lobApps.reason,
    })
    .from(lobApps)
    .where(and(eq(lobApps.partnerOrgId, partnerId), eq(lobApps.customerOrgId, customerId)))
    .orderBy(desc(lobApps.createdAt), desc(lobApps.id))
    .limit(200);
}

/**
 * Submits an app to the customer's private app list. The same name and version again (whatever
 * its status; names compare without case) is a 409: a changed app is a new version. Also under
 * concurrency one row is kept (the unique index; the second insert waits and finds it).
 */
export async function submitLobApp(tx: Tx, { partnerId, customerId, actor, app }: { partnerId: string; customerId: string; actor: Actor; app: LobAppInput }) {
  const customer = await requireActiveLob(tx, { partnerId, customerId });
  const [partner] = await tx.select({ name: organisations.name, partnerNumber: organisations.partnerNumber }).from(organisations).where(eq(organisations.id, partnerId));
  const [row] = await tx
    .insert(lobApps)
    .values({
      customerOrgId: customerId,
      partnerOrgId: partnerId,
      partnerName: partner?.name ?? "Partner",
      name: app.name,
      version: app.version,
      description: app.description,
      downloadUrl: app.downloadUrl,
      submittedByUserId: actor.userId,
      submittedByName: actor.name ?? null,
    })
    .onConflictDoNothing()
    .returning({ id: lobApps.id });
  if (!row) throw new DomainError(409, `You already submitted ${app.name} version ${app.version} to ${customer.name}. Submit a new version instead.`, "version");
  await recordAudit(tx, { actor, subjectOrgId: customerId, action: "lob_app.submitted", objectType: "lob_app", objectId: row.id, details: { name: app.name, version: app.version, partnerName: partner?.name } });
  await notifyLater(tx, {
    orgId: customerId,
    roles: ["global_admin"],
    kind: "lob_app.submitted",
    title: `${partner?.name ?? "Your LOB partner"} submitted ${app.name} ${app.version} for review`,
    body: `${partner?.name ?? "Your line-of-business partner"} (Partner ID ${partner?.partnerNumber ?? "?"}) submitted the line-of-business app ${app.name}, version ${app.version}, to your private app list. Review it, then approve or withdraw it.`,
    link: "/customer/apps?status=submitted",
  });
  return { id: row.id, customerName: customer.name };
}

/** The partner withdraws its own submission while it waits for review (an approved app is the customer's to withdraw). */
export async function withdrawOwnLobApp(tx: Tx, { partnerId, customerId, actor, appId }: { partnerId: string; customerId: string; actor: Actor; appId: string }) {
  await requireActiveLob(tx, { partnerId, customerId });
  const [row] = await tx
    .select({ status: lobApps.status, name: lobApps.name, version: lobApps.version, partnerName: lobApps.partnerName })
    .from(lobApps)
    .where(and(eq(lobApps.id, appId), eq(lobApps.partnerOrgId, partnerId), eq(lobApps.customerOrgId, customerId)))
    .for("update");
  if (!row) throw new DomainError(404, "No such app.");
  if (row.status === "approved") throw new DomainError(409, `${row.name} ${row.version} is approved: only the customer's global admins can withdraw it now. Ask them, or submit a new version.`);
  if (row.status === "withdrawn") throw new DomainError(409, `${row.name} ${row.version} is already withdrawn.`);
  await tx
    .update(lobApps)
    .set({ status: "withdrawn", reviewedAt: sql`now()`, reviewedByUserId: actor.userId, reviewedByName: actor.name ?? null, reviewedByOrgId: partnerId, updatedAt: sql`now()` })
    .where(eq(lobApps.id, appId));
  await recordAudit(tx, { actor, subjectOrgId: customerId, action: "lob_app.withdrawn", objectType: "lob_app", objectId: appId, details: { name: row.name, version: row.version, by: "partner" } });
  await notifyLater(tx, {
    orgId: customerId,
    roles: ["global_admin"],
    kind: "lob_app.withdrawn",
    title: `${row.partnerName} withdrew ${row.name} ${row.version}`,
    body: `${row.partnerName} withdrew its line-of-business app ${row.name}, version ${row.version}, before it was reviewed. There is nothing for you to do.`,
    link: "/customer/apps",
  });
  return row;
}

// ---- The customer's side ----

export interface LobAppListQuery {
  status?: LobAppStatus;
  partner?: string;
  after?: string;
}

/**
 * The customer's private app list, newest first, keyset-paged on (created_at, id) by the list
 * kit's time cursor (a bad cursor: the first page); filtered by status and submitting partner.
 * Also the counts per status and the partners that submitted apps (the partner filter's options).
 */
export async function listCustomerLobApps(tx: Tx, { customerId, query }: { customerId: string; query: LobAppListQuery }) {
  const after = timeCursor.decode(query.after);
  const rows = await tx
    .select({
      id: lobApps.id,
      name: lobApps.name,
      version: lobApps.version,
      description: lobApps.description,
      downloadUrl: lobApps.downloadUrl,
      status: lobApps.status,
      partnerId: lobApps.partnerOrgId,
      partnerName: lobApps.partnerName,
      submittedByName: lobApps.submittedByName,
      createdAt: lobApps.createdAt,
      reviewedAt: lobApps.reviewedAt,
      reviewedByName: lobApps.reviewedByName,
      withdrawnByPartner: sql<boolean>`${lobApps.reviewedByOrgId} = ${lobApps.partnerOrgId}`,
      reason: lobApps.reason,
      createdText,
    })
    .from(lobApps)
    .where(
      and(
        eq(lobApps.customerOrgId, customerId),
        query.status ? eq(lobApps.status, query.status) : undefined,
        query.partner ? eq(lobApps.partnerOrgId, query.partner) : undefined,
        after
          ? or(
              lt(lobApps.createdAt, sql`(${after[0]}::timestamp at time zone 'UTC')`),
              and(sql`${lobApps.createdAt} = (${after[0]}::timestamp at time zone 'UTC')`, lt(lobApps.id, after[1])),
            )
          : undefined,
      ),
    )
    .orderBy(desc(lobApps.createdAt), desc(lobApps.id))
    .limit(LOB_APPS_PAGE_SIZE + 1);
  const page = rows.slice(0, LOB_APPS_PAGE_SIZE);
  const last = page[page.length - 1];
  const counts = await tx
    .select({ status: lobApps.status, n: count() })
    .from(lobApps)
    .where(and(eq(lobApps.customerOrgId, customerId), query.partner ? eq(lobApps.partnerOrgId, query.partner) : undefined))
    .groupBy(lobApps.status);
  const partners = await tx
    .selectDistinct({ id: lobApps.partnerOrgId, name: lobApps.partnerName })
    .from(lobApps)
    .where(eq(lobApps.customerOrgId, customerId))
    .orderBy(lobApps.partnerName, lobApps.partnerOrgId);
  return {
    rows: page.map(({ createdText: _c, ...r }) => r),
    next: rows.length > LOB_APPS_PAGE_SIZE && last ? timeCursor.encode([last.createdText, last.id]) : null,
    counts: Object.fromEntries(LOB_APP_STATUSES.map((s) => [s, counts.find((c) => c.status === s)?.n ?? 0])) as Record<LobAppStatus, number>,
    // One name per partner (the newest kept on its rows would do; names rarely change).
    partners: partners.filter((p, i) => partners.findIndex((q) => q.id === p.id) === i),
  };
}

/**
 * A customer's global admin approves a waiting submission or withdraws a waiting or approved app.
 * `seen` is the status the reviewer was shown: when the app changed meanwhile (another admin
 * reviewed it, or its partner withdrew it) the step is refused with 409, so two reviews at once
 * have one winner.
 */
export async function reviewLobApp(
  tx: Tx,
  { customerId, actor, appId, decision, seen, reason }: { customerId: string; actor: Actor; appId: string; decision: "approve" | "withdraw"; seen: "submitted" | "approved"; reason?: string },
) {
  const [row] = await tx
    .select({ status: lobApps.status, name: lobApps.name, version: lobApps.version, partnerId: lobApps.partnerOrgId, partnerName: lobApps.partnerName })
    .from(lobApps)
    .where(and(eq(lobApps.id, appId), eq(lobApps.customerOrgId, customerId)))
    .for("update");
  if (!row) throw new DomainError(404, "No such app.");
  const label = `${row.name} ${row.version}`;
  if (row.status !== seen) {
    throw new DomainError(409, `${label} changed while you were reviewing it: it is now ${LOB_APP_STATUS_LABELS[row.status].toLowerCase()}. Review it again.`);
  }
  if (decision === "approve" && row.status !== "submitted") throw new DomainError(409, `${label} is already approved.`);
  const status = decision === "approve" ? "approved" : "withdrawn";
  await tx
    .update(lobApps)
    .set({ status, reviewedAt: sql`now()`, reviewedByUserId: actor.userId, reviewedByName: actor.name ?? null, reviewedByOrgId: customerId, reason: reason ?? null, updatedAt: sql`now()` })
    .where(eq(lobApps.id, appId));
  await recordAudit(tx, {
    actor,
    subjectOrgId: customerId,
    action: decision === "approve" ? "lob_app.approved" : "lob_app.withdrawn",
    objectType: "lob_app",
    objectId: appId,
    details: { name: row.name, version: row.version, partnerId: row.partnerId, partnerName: row.partnerName, was: row.status, ...(reason ? { reason } : {}) },
  });
  const [customer] = await tx.select({ name: organisations.name }).from(organisations).where(eq(organisations.id, customerId));
  const who = customer?.name ?? "Your customer";
  await notifyLater(tx, {
    orgId: row.partnerId,
    roles: PARTNER_APP_ROLES,
    kind: decision === "approve" ? "lob_app.approved" : "lob_app.withdrawn",
    title: decision === "approve" ? `${who} approved ${label}` : `${who} withdrew ${label}`,
    body:
      decision === "approve"
        ? `${who} approved your line-of-business app ${row.name}, version ${row.version}: it is on ${who}'s list of available apps.`
        : `${who} withdrew your line-of-business app ${row.name}, version ${row.version}${row.status === "approved" ? ": it is no longer on their list of available apps" : ""}.${reason ? ` Their reason: ${reason}` : ""}`,
    link: `/partner/customers/${customerId}/apps`,
  });
  return { name: row.name, version: row.version, partnerName: row.partnerName, status };
}
