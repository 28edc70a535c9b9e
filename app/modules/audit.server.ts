import { and, desc, eq, lt, or, sql } from "drizzle-orm";
import { auditLog, users } from "../../db/schema";
import type { Tx } from "~/utils/db.server";

export interface Actor {
  userId: string | null;
  orgId: string | null;
  ip?: string | null;
  /** The person's display name, kept with the entry. */
  name?: string | null;
}

/** Records one mutation; call it in the transaction of the change it describes. */
export async function recordAudit(
  tx: Tx,
  entry: {
    actor: Actor;
    action: string;
    subjectOrgId?: string | null;
    objectType?: string;
    objectId?: string | null;
    details?: Record<string, unknown>;
  },
) {
  await tx.insert(auditLog).values({
    actorUserId: entry.actor.userId,
    actorName: entry.actor.name ?? null,
    actorOrgId: entry.actor.orgId,
    subjectOrgId: entry.subjectOrgId ?? entry.actor.orgId,
    action: entry.action,
    objectType: entry.objectType ?? null,
    objectId: entry.objectId ?? null,
    ip: entry.actor.ip ?? null,
    details: entry.details ?? null,
  });
}

export const AUDIT_PAGE_SIZE = 50;

/**
 * The organisation's audit entries (as actor or subject), newest first, keyset-paged by id.
 * `before` pages to older entries, `after` to newer ones.
 */
export async function listAuditEntries(
  tx: Tx,
  { orgId, action, userId, before, after, limit = AUDIT_PAGE_SIZE }: {
    orgId: string;
    action?: string;
    userId?: string;
    before?: number;
    after?: number;
    limit?: number;
  },
) {
  const conditions = [
    or(eq(auditLog.actorOrgId, orgId), eq(auditLog.subjectOrgId, orgId)),
    action ? eq(auditLog.action, action) : undefined,
    userId ? eq(auditLog.actorUserId, userId) : undefined,
    before ? lt(auditLog.id, before) : undefined,
    after ? sql`${auditLog.id} > ${after}` : undefined,
  ];
  const rows = await tx
    .select({
      id: auditLog.id,
      at: auditLog.at,
      action: auditLog.action,
      objectType: auditLog.objectType,
      objectId: auditLog.objectId,
      ip: auditLog.ip,
      details: auditLog.details,
      actorOrgId: auditLog.actorOrgId,
      subjectOrgId: auditLog.subjectOrgId,
      actorUserId: auditLog.actorUserId,
      actorEmail: users.email,
      actorName: users.displayName,
    })
    .from(auditLog)
    .leftJoin(users, eq(users.id, auditLog.actorUserId))
    .where(and(...conditions))
    .orderBy(after ? auditLog.id : desc(auditLog.id))
    .limit(limit + 1);
  const hasMore = rows.length > limit;
  const page = rows.slice(0, limit);
  if (after) page.reverse();
  return {
    entries: page,
    hasOlder: after ? true : hasMore,
    hasNewer: after ? hasMore : Boolean(before),
  };
}

/** Distinct actions seen by this organisation, for the filter. */
export async function listAuditActions(tx: Tx, { orgId }: { orgId: string }) {
  const rows = await tx
    .selectDistinct({ action: auditLog.action })
    .from(auditLog)
    .where(or(eq(auditLog.actorOrgId, orgId), eq(auditLog.subjectOrgId, orgId)))
    .orderBy(auditLog.action);
  return rows.map((r) => r.action);
}
