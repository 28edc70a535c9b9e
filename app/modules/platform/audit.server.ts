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

/** What narrows the audit log (the page, its export): each optional. */
export interface AuditFilter {
  action?: string;
  userId?: string;
  /** Search: the actor's name or email, the action, or the customer's name or domain. */
  q?: string;
  /** Calendar days (UTC), "2026-12-31", both included. */
  from?: string;
  to?: string;
}

const UUID_TEXT = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";

/** The conditions on audit_log (unqualified: each side reads the table alone) for a filter. */
function auditConditions(orgId: string, filter: AuditFilter): { where: SQL[]; ctes: SQL } {
  const where: SQL[] = [];
  if (filter.action) where.push(sql`action = ${filter.action}`);
  if (filter.userId) where.push(sql`actor_user_id = ${filter.userId}`);
  if (filter.from) where.push(sql`at >= (${filter.from}::date)::timestamp at time zone 'UTC'`);
  if (filter.to) where.push(sql`at < (${filter.to}::date + 1)::timestamp at time zone 'UTC'`);
  const term = (filter.q ?? "").trim().toLowerCase().replace(/\s+/g, " ").slice(0, 100);
  let ctes = sql``;
  if (term) {
    const pattern = `%${term.replace(/[\\%_]/g, "\\$&")}%`;
    // The customers (trigram search, ADR 0007) and staff whose name matches, once per statement;
    // then an entry matches by its action, the name kept with it, its actor or its customer.
    ctes = sql`with customer_matches as materialized (select customer_org_id from pd_search_partner_customers(${term})),
      staff_matches as materialized (select u.id from memberships m join users u on u.id = m.user_id
        where m.org_id = ${orgId} and (lower(u.display_name) like ${pattern} or lower(u.email) like ${pattern})) `;
    where.push(sql`(action ilike ${pattern} or lower(actor_name) like ${pattern}
      or actor_user_id in (select id from staff_matches)
      or subject_org_id in (select customer_org_id from customer_matches) or actor_org_id in (select customer_org_id from customer_matches))`);
  }
  return { where, ctes };
}

export interface AuditEntry {
  id: number;
  at: Date;
  action: string;
  objectType: string | null;
  objectId: string | null;
  /** The object's name when it is this organisation's (a relationship, lead, staff member, group, customer, link). */
  objectName: string | null;
  ip: string | null;
  details: Record<string, unknown> | null;
  actorOrgId: string | null;
  subjectOrgId: string | null;
  actorUserId: string | null;
  actorEmail: string | null;
  actorName: string | null;
  /** The actor is a staff member of this organisation (their page exists). */
  actorIsStaff: boolean;
  /** The other organisation of the entry (a customer acting, or acted upon), when not this one. */
  customerId: string | null;
  /** Its name when it is this partner's customer. */
  customerName: string | null;
}

/**
 * The organisation's audit entries (as actor or subject), newest first, keyset-paged by id, with
 * the names of the actor, the customer and the object. `before` pages to older entries, `after`
 * to newer ones. Each side (actor, subject) is read in its own index order up to one page past
 * the cursor and the two are merged (an entry can be on both sides), so a page costs the same
 * whatever the organisation's volume; the names are looked up for the page's rows only.
 */
export async function listAuditEntries(
  tx: Tx,
  { orgId, action, userId, q, from, to, before, after, limit = AUDIT_PAGE_SIZE }: AuditFilter & {
    orgId: string;
    before?: number;
    after?: number;
    limit?: number;
  },
) {
  const { where, ctes } = auditConditions(orgId, { action, userId, q, from, to });
  const filters = [...where];
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
    object_name: string | null;
    ip: string | null;
    details: Record<string, unknown> | string | null;
    actor_org_id: string | null;
    subject_org_id: string | null;
    actor_user_id: string | null;
    actor_email: string | null;
    actor_name: string | null;
    actor_is_staff: boolean;
    customer_id: string | null;
    customer_name: string | null;
  }>(
    await tx.execute(sql`${ctes}
      select a.id, a.at, a.action, a.object_type, a.object_id, a.ip, a.details, a.actor_org_id, a.subject_org_id, a.actor_user_id,
             u.email as actor_email, coalesce(u.display_name, a.actor_name) as actor_name,
             (a.actor_user_id is not null and exists (select 1 from memberships m where m.org_id = ${orgId} and m.user_id = a.actor_user_id)) as actor_is_staff,
             other.id as customer_id, pc.name as customer_name,
             case when a.object_id !~ ${UUID_TEXT} then null
                  when a.object_type = 'admin_relationship' then (select x.display_name from admin_relationships x where x.id = a.object_id::uuid and x.partner_org_id = ${orgId})
                  when a.object_type = 'lead' then (select x.organisation from leads x where x.id = a.object_id::uuid and x.partner_org_id = ${orgId})
                  when a.object_type = 'staff_group' then (select x.name from staff_groups x where x.id = a.object_id::uuid and x.partner_org_id = ${orgId})
                  when a.object_type = 'user' then (select coalesce(y.display_name, y.email) from memberships m join users y on y.id = m.user_id where m.org_id = ${orgId} and m.user_id = a.object_id::uuid)
                  when a.object_type = 'organisation' then (select x.name from partner_customers x where x.partner_org_id = ${orgId} and x.customer_org_id = a.object_id::uuid)
                  when a.object_type = 'link' then (select x.kind from links x where x.id = a.object_id::uuid and x.partner_org_id = ${orgId})
             end as object_name
      from (${side("actor_org_id")} union ${side("subject_org_id")}) ids
      join audit_log a on a.id = ids.id
      left join users u on u.id = a.actor_user_id
      cross join lateral (select case when a.subject_org_id is distinct from ${orgId} then a.subject_org_id when a.actor_org_id is distinct from ${orgId} then a.actor_org_id end as id) other
      left join partner_customers pc on pc.partner_org_id = ${orgId} and pc.customer_org_id = other.id
      order by a.id ${dir} limit ${limit + 1}`),
  );
  const hasMore = rows.length > limit;
  const page = rows.slice(0, limit).map(
    (r): AuditEntry => ({
      id: Number(r.id),
      at: new Date(r.at),
      action: r.action,
      objectType: r.object_type,
      objectId: r.object_id,
      objectName: r.object_name,
      ip: r.ip,
      details: (typeof r.details === "string" ? JSON.parse(r.details) : r.details) as Record<string, unknown> | null,
      actorOrgId: r.actor_org_id,
      subjectOrgId: r.subject_org_id,
      actorUserId: r.actor_user_id,
      actorEmail: r.actor_email,
      actorName: r.actor_name,
      actorIsStaff: Boolean(r.actor_is_staff),
      customerId: r.customer_id,
      customerName: r.customer_name,
    }),
  );
  if (after) page.reverse();
  return {
    entries: page,
    hasOlder: after ? true : hasMore,
    hasNewer: after ? hasMore : Boolean(before),
  };
}

/** Every matching entry, newest first, in batches of 1,000, each read in its own transaction (the CSV export). */
export async function* walkAuditEntries(read: <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>, { orgId, filter }: { orgId: string; filter: AuditFilter }) {
  let before: number | undefined;
  for (;;) {
    const cursor = before;
    const page: Awaited<ReturnType<typeof listAuditEntries>> = await read((tx) => listAuditEntries(tx, { orgId, ...filter, before: cursor, limit: 1000 }));
    yield page.entries;
    const last = page.entries[page.entries.length - 1];
    if (!page.hasOlder || !last) return;
    before = last.id;
  }
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
