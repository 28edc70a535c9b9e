import { sql, type SQL } from "drizzle-orm";
import { auditLog } from "../../../db/schema";
import { rowsOf } from "../../../db/client";
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
 * `before` pages to older entries, `after` to newer ones. Each side (actor, subject) is read in
 * its own index order up to one page past the cursor and the two are merged (an entry can be on
 * both sides), so a page costs the same whatever the organisation's volume.
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
  const filters: SQL[] = [];
  if (action) filters.push(sql`action = ${action}`);
  if (userId) filters.push(sql`actor_user_id = ${userId}`);
  if (before) filters.push(sql`id < ${before}`);
  if (after) filters.push(sql`id > ${after}`);
  const dir = after ? sql`asc` : sql`desc`;
  const side = (column: "actor_org_id" | "subject_org_id") =>
    sql`(select id from audit_log where ${sql.raw(column)} = ${orgId}${filters.length ? sql` and ${sql.join(filters, sql` and `)}` : sql``} order by id ${dir} limit ${limit + 1})`;
  const rows = rowsOf<{
    id: number | string;
    at: string | Date;
    action: string;
    object_type: string | null;
    object_id: string | null;
    ip: string | null;
    details: Record<string, unknown> | string | null;
    actor_org_id: string | null;
    subject_org_id: string | null;
    actor_user_id: string | null;
    actor_email: string | null;
    actor_name: string | null;
  }>(
    await tx.execute(sql`
      select a.id, a.at, a.action, a.object_type, a.object_id, a.ip, a.details, a.actor_org_id, a.subject_org_id, a.actor_user_id,
             u.email as actor_email, u.display_name as actor_name
      from (${side("actor_org_id")} union ${side("subject_org_id")}) ids
      join audit_log a on a.id = ids.id
      left join users u on u.id = a.actor_user_id
      order by a.id ${dir} limit ${limit + 1}`),
  );
  const hasMore = rows.length > limit;
  const page = rows.slice(0, limit).map((r) => ({
    id: Number(r.id),
    at: new Date(r.at),
    action: r.action,
    objectType: r.object_type,
    objectId: r.object_id,
    ip: r.ip,
    details: (typeof r.details === "string" ? JSON.parse(r.details) : r.details) as Record<string, unknown> | null,
    actorOrgId: r.actor_org_id,
    subjectOrgId: r.subject_org_id,
    actorUserId: r.actor_user_id,
    actorEmail: r.actor_email,
    actorName: r.actor_name,
  }));
  if (after) page.reverse();
  return {
    entries: page,
    hasOlder: after ? true : hasMore,
    hasNewer: after ? hasMore : Boolean(before),
  };
}

/**
 * Distinct actions seen by this organisation, for the filter: a skip scan over the (org, action)
 * indexes — one index probe per distinct action — instead of reading every entry.
 */
export async function listAuditActions(tx: Tx, { orgId }: { orgId: string }) {
  const skip = (column: "actor_org_id" | "subject_org_id") => {
    const c = sql.raw(column);
    return sql`select action from (with recursive a(action) as (
        (select action from audit_log where ${c} = ${orgId} order by action limit 1)
        union all
        select (select l.action from audit_log l where l.${c} = ${orgId} and l.action > a.action order by l.action limit 1) from a where a.action is not null
      ) select action from a where action is not null) ${sql.raw(column === "actor_org_id" ? "by_actor" : "by_subject")}`;
  };
  const rows = rowsOf<{ action: string }>(await tx.execute(sql`${skip("actor_org_id")} union ${skip("subject_org_id")} order by action`));
  return rows.map((r) => r.action);
}
