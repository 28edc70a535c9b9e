/**
 * Delegated administration: DAP and GDAP requests from the partner, the customer's approval,
 * decline and removal, and the lifecycle kept by scheduled work (request expiry after 90 days,
 * expiry or auto-extension at the end, notices 30, 7 and 1 days ahead). See ADR 0010.
 *
 * Every function takes the organisation it acts for; the partner's requests and the customer's
 * answers run as the app role in their own context. Approving an open request (no customer yet)
 * goes through its approval code in the system context.
 */
import { and, desc, eq, inArray, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { cursorCodec, timeCursor } from "~/utils/list";
import { adminRelationships, organisations, partnerCustomers, relationships } from "../../../db/schema";
import { rowsOf } from "../../../db/client";
import { config } from "~/utils/config.server";
import type { Tx } from "~/utils/db.server";
import { normaliseTerm, text, uuid } from "~/utils/input";
import { adminRole, GDAP, GLOBAL_ADMINISTRATOR, type RelationshipFilter } from "./admin-roles";
import type { ADMIN_RELATIONSHIP_KINDS, ENDS_WITHIN, RelationshipSort } from "./relationship-list";
import { recordAudit, type Actor } from "../platform/audit.server";
import { randomToken } from "../auth/crypto.server";
import { DomainError, uniqueViolation } from "../../utils/errors";
import { notifyLater } from "../platform/notifications.server";
import { takeRelationshipRequestQuota, upsertRelationship } from "../relationships/relationships.server";

export type GdapStatus = "created" | "approval_pending" | "active" | "expiring" | "expired" | "termination_requested" | "terminated" | "declined";

export interface GdapRequestInput {
  displayName: string;
  /** Null: an open request, approved by whichever customer's global admin opens its link. */
  customerId: string | null;
  durationDays: number;
  autoExtend: boolean;
  roles: string[];
}

const DAY_MS = 86_400_000;
/** A point in time as a SQL parameter (postgres.js takes no Date inside raw SQL). */
const ts = (d: Date) => sql`${d.toISOString()}::timestamptz`;

/**
 * The status a person sees: "expiring" is an active relationship with 30 days or less left;
 * "declined" a request the customer declined (stored as terminated, reason "declined"; issue 30).
 */
export function displayStatus(row: { status: string; endsAt: Date | null; endReason?: string | null }, now = new Date()): GdapStatus {
  if (row.status === "terminated" && row.endReason === "declined") return "declined";
  if (row.status === "active" && row.endsAt && row.endsAt.getTime() - now.getTime() <= GDAP.expiringWithinDays * DAY_MS) return "expiring";
  return row.status as GdapStatus;
}

export const approvalUrl = (code: string) => `${config().APP_URL}/gdap/${code}`;

async function requireCertified(tx: Tx, partnerId: string) {
  const [partner] = await tx
    .select({ name: organisations.name, dap: organisations.isDapCertified })
    .from(organisations)
    .where(and(eq(organisations.id, partnerId), eq(organisations.kind, "partner")));
  if (!partner) throw new DomainError(404, "No such partner.");
  if (!partner.dap) throw new DomainError(403, "Only partners certified for delegated administration can request admin rights.");
  return partner;
}

async function requireOwnCustomer(tx: Tx, { partnerId, customerId }: { partnerId: string; customerId: string }) {
  const [row] = await tx
    .select({ name: partnerCustomers.name })
    .from(partnerCustomers)
    .where(and(eq(partnerCustomers.partnerOrgId, partnerId), eq(partnerCustomers.customerOrgId, customerId)));
  if (!row) throw new DomainError(404, "No such customer.", "customerId");
  return row;
}

/** One of the partner's customers by its primary domain (how a partner names a customer among 100,000). */
export async function findOwnCustomer(tx: Tx, { partnerId, domain, customerId }: { partnerId: string; domain?: string; customerId?: string }) {
  const [row] = await tx
    .select({ id: partnerCustomers.customerOrgId, name: partnerCustomers.name, domain: partnerCustomers.primaryDomain })
    .from(partnerCustomers)
    .where(
      and(
        eq(partnerCustomers.partnerOrgId, partnerId),
        customerId ? eq(partnerCustomers.customerOrgId, customerId) : eq(partnerCustomers.primaryDomain, (domain ?? "").trim().toLowerCase()),
      ),
    );
  return row ?? null;
}

/** A GDAP relationship as its partner sees it. */
export async function getGdapForPartner(tx: Tx, { partnerId, id, now = new Date() }: { partnerId: string; id: string; now?: Date }) {
  const [found] = await tx
    .select({ row: adminRelationships, customerName: organisations.name })
    .from(adminRelationships)
    .leftJoin(organisations, eq(organisations.id, adminRelationships.customerOrgId))
    .where(and(eq(adminRelationships.partnerOrgId, partnerId), eq(adminRelationships.id, id)));
  if (!found) throw new DomainError(404, "No such admin relationship.");
  const { row, customerName } = found;
  return {
    id: row.id,
    displayName: row.displayName,
    customerId: row.customerOrgId,
    customerName,
    status: displayStatus(row, now),
    durationDays: row.durationDays,
    autoExtendDays: row.autoExtendDays,
    roles: row.roles.map((r) => adminRole(r) ?? { templateId: r, name: r, description: "", actions: [] }),
    createdAt: row.createdAt,
    requestExpiresAt: row.requestExpiresAt,
    approvedAt: row.approvedAt,
    endsAt: row.endsAt,
    endedAt: row.endedAt,
    endReason: row.endReason,
    approvalUrl: row.status === "approval_pending" ? approvalUrl(row.approvalCode) : null,
  };
}

/** The customer's global admins hear of it through scheduled work (the partner cannot write the customer's rows). */
async function notifyCustomerAdmins(tx: Tx, { customerId, title, body, link }: { customerId: string; title: string; body: string; link: string }) {
  await notifyLater(tx, { orgId: customerId, roles: ["global_admin"], kind: "admin_relationship.requested", title, body, link });
}

async function setSummary(tx: Tx, { partnerId, customerId, type, status }: { partnerId: string; customerId: string; type: "dap" | "gdap"; status: "requested" | "active" | "ended" }) {
  await tx
    .update(relationships)
    .set({
      status,
      startedAt: status === "active" ? sql`coalesce(${relationships.startedAt}, now())` : sql`${relationships.startedAt}`,
      endedAt: status === "ended" ? sql`now()` : null,
    })
    .where(and(eq(relationships.partnerOrgId, partnerId), eq(relationships.customerOrgId, customerId), eq(relationships.type, type)));
}

/** The partner asks a customer (or anyone, with an open request) for granular admin roles. */
export async function requestGdap(tx: Tx, { partnerId, actor, input }: { partnerId: string; actor: Actor; input: GdapRequestInput }) {
  const partner = await requireCertified(tx, partnerId);
  const displayName = input.displayName.trim();
  if (displayName.length < 1 || displayName.length > GDAP.displayNameMax) {
    throw new DomainError(400, `Use a name of 1 to ${GDAP.displayNameMax} characters.`, "displayName");
  }
  if (!Number.isInteger(input.durationDays) || input.durationDays < GDAP.minDays || input.durationDays > GDAP.maxDays) {
    throw new DomainError(400, `The duration is ${GDAP.minDays} to ${GDAP.maxDays} days.`, "durationDays");
  }
  const roles = [...new Set(input.roles)];
  if (roles.length === 0) throw new DomainError(400, "Choose at least one role.", "roles");
  if (roles.some((r) => !adminRole(r))) throw new DomainError(400, "Choose roles from the catalogue.", "roles");
  if (input.autoExtend && roles.includes(GLOBAL_ADMINISTRATOR)) {
    throw new DomainError(400, "Auto-extend is not allowed when Global Administrator is among the roles.", "autoExtend");
  }
  const customer = input.customerId ? await requireOwnCustomer(tx, { partnerId, customerId: input.customerId }) : null;
  if (input.customerId) {
    // The relationship row first: its upsert locks it to the end of the transaction, so
    // simultaneous requests to this customer take turns and see each other's rows.
    await upsertRelationship(tx, { partnerId, customerId: input.customerId, type: "gdap", status: "requested" });
    // The same request while it is still open (same roles, duration and auto-extend) is that
    // request: nothing new is created and the customer is not told again.
    const open = await tx
      .select({ id: adminRelationships.id, roles: adminRelationships.roles, code: adminRelationships.approvalCode })
      .from(adminRelationships)
      .where(
        and(
          eq(adminRelationships.partnerOrgId, partnerId),
          eq(adminRelationships.customerOrgId, input.customerId),
          eq(adminRelationships.status, "approval_pending"),
          eq(adminRelationships.durationDays, input.durationDays),
          eq(adminRelationships.autoExtendDays, input.autoExtend ? GDAP.autoExtendDays : 0),
          sql`${adminRelationships.requestExpiresAt} > now()`,
        ),
      );
    const same = open.find((r) => r.roles.length === roles.length && roles.every((x) => r.roles.includes(x)));
    if (same) return { id: same.id, approvalUrl: approvalUrl(same.code), repeated: true };
  }
  const code = randomToken();
  let id: string;
  try {
    // A savepoint, so a taken name leaves the transaction usable for the 409 answer.
    id = await tx.transaction(async (sp) => {
      const [row] = await sp
        .insert(adminRelationships)
        .values({
          partnerOrgId: partnerId,
          customerOrgId: input.customerId,
          displayName,
          durationDays: input.durationDays,
          autoExtendDays: input.autoExtend ? GDAP.autoExtendDays : 0,
          roles,
          status: "approval_pending",
          approvalCode: code,
          createdByUserId: actor.userId,
          requestExpiresAt: sql`now() + make_interval(days => ${GDAP.approvalDays})`,
        })
        .returning({ id: adminRelationships.id });
      return row!.id;
    });
  } catch (error) {
    if (/partner_name/.test(uniqueViolation(error) ?? "")) {
      throw new DomainError(409, `You already have a relationship named "${displayName}". Names are unique within your organisation.`, "displayName");
    }
    throw error;
  }
  if (input.customerId) {
    const names = roles.map((r) => adminRole(r)!.name).join(", ");
    await notifyCustomerAdmins(tx, {
      customerId: input.customerId,
      title: `${partner.name} asks for admin roles in your organisation`,
      body: `${partner.name} asks for these admin roles for ${input.durationDays} days: ${names}. Open the request to review it, then approve or decline it.`,
      link: `/gdap/${code}`,
    });
  }
  await recordAudit(tx, {
    actor,
    subjectOrgId: input.customerId ?? partnerId,
    action: "gdap.requested",
    objectType: "admin_relationship",
    objectId: id,
    details: { displayName, customer: customer?.name ?? null, durationDays: input.durationDays, autoExtend: input.autoExtend, roles },
  });
  return { id, approvalUrl: approvalUrl(code), repeated: false };
}

/**
 * The partner asks a customer for legacy delegated administration (DAP). One open request tells
 * the customer once: asking again while it is open changes nothing and notifies no one (the one
 * upsert below decides, and its row lock orders simultaneous requests, so exactly one opens it).
 * Returns whether this call opened the request.
 */
export async function requestDap(tx: Tx, { partnerId, actor, customerId }: { partnerId: string; actor: Actor; customerId: string }): Promise<{ requested: boolean }> {
  const partner = await requireCertified(tx, partnerId);
  await requireOwnCustomer(tx, { partnerId, customerId });
  const opened = rowsOf<{ id: string }>(
    await tx.execute(sql`
      insert into relationships (partner_org_id, customer_org_id, type, status) values (${partnerId}, ${customerId}, 'dap', 'requested')
      on conflict (partner_org_id, customer_org_id, type) do update set status = 'requested', started_at = null, ended_at = null
        where relationships.status not in ('requested', 'active')
      returning id`),
  );
  if (opened.length === 0) {
    const [existing] = await tx
      .select({ status: relationships.status })
      .from(relationships)
      .where(and(eq(relationships.partnerOrgId, partnerId), eq(relationships.customerOrgId, customerId), eq(relationships.type, "dap")));
    if (existing?.status === "active") throw new DomainError(409, "You already have delegated administration for this customer.");
    return { requested: false };
  }
  await takeRelationshipRequestQuota(tx);
  await notifyCustomerAdmins(tx, {
    customerId,
    title: `${partner.name} asks for delegated administration`,
    body: `${partner.name} asks to administer your organisation as a delegated admin. Open your requests to review it, then approve or decline it.`,
    link: "/customer/requests",
  });
  await recordAudit(tx, { actor, subjectOrgId: customerId, action: "dap.requested", objectType: "organisation", objectId: customerId });
  return { requested: true };
}

export interface AdminRelationshipRow {
  id: string;
  kind: "gdap" | "dap";
  displayName: string;
  customerId: string | null;
  customerName: string | null;
  partnerName?: string;
  partnerNumber?: number | null;
  status: GdapStatus | "requested" | "ended";
  roles: string[];
  durationDays: number | null;
  autoExtendDays: number;
  createdAt: Date;
  endsAt: Date | null;
  /** When a request was declined or a relationship ended. */
  endedAt: Date | null;
}

export const ADMIN_RELATIONSHIPS_PAGE = 50;
/** The total counts matches up to this many, then shows "more than". */
export const ADMIN_RELATIONSHIPS_COUNT_CAP = 10_000;

export interface AdminRelationshipQuery {
  filter?: RelationshipFilter;
  /** DAP or GDAP only. */
  type?: (typeof ADMIN_RELATIONSHIP_KINDS)[number];
  /** Active GDAP relationships ending within this many days (30, 7, 1). */
  ends?: (typeof ENDS_WITHIN)[number];
  /** "none": active GDAP relationships no staff group holds roles in. */
  groups?: "none";
  q?: string;
  /** The order (default: created, newest first). */
  sort?: RelationshipSort;
  dir?: "asc" | "desc";
  /** The page after this cursor, or before it (app/utils/list.ts); `last` is the last page. */
  after?: string | null;
  before?: string | null;
  last?: boolean;
  size?: number;
}

/** The name the list gives a DAP relationship (one per customer, no name of its own). */
export const DAP_ROW_NAME = "Delegated admin (DAP)";

/** The cursor of a list sorted by anything but creation: the boundary row's sort value (text) and id. */
const sortCursor = cursorCodec(z.tuple([text().max(1000), uuid()]));

/**
 * What each table of the list matches (GDAP as `ar`, DAP as `r`, their customer as `o`): the
 * status, kind, end-date and staff-group filters and the search. The page, its count, the export
 * and the overview's counts all read these, so a count and the rows its link shows agree.
 */
function relationshipConditions(partnerId: string, query: AdminRelationshipQuery, now: Date) {
  const { filter } = query;
  const soon = ts(new Date(now.getTime() + GDAP.expiringWithinDays * DAY_MS));
  const gdap: SQL[] = [sql`ar.partner_org_id = ${partnerId}`];
  if (filter === "active") gdap.push(sql`ar.status = 'active' and ar.ends_at > ${soon}`);
  if (filter === "expiring") gdap.push(sql`ar.status = 'active' and ar.ends_at <= ${soon}`);
  if (filter === "pending") gdap.push(sql`ar.status in ('created', 'approval_pending')`);
  if (filter === "expired") gdap.push(sql`ar.status = 'expired'`);
  if (filter === "terminated") gdap.push(sql`ar.status in ('termination_requested', 'terminated')`);
  // Ending within N days: active, with its end before then (the lifecycle's notices count the same
  // way); read in the partial index on (partner, ends_at) of active relationships.
  if (query.ends) gdap.push(sql`ar.status = 'active' and ar.ends_at <= ${ts(new Date(now.getTime() + Number(query.ends) * DAY_MS))}`);
  // No staff group: the count kept by the gdap_assignments trigger (partial index, migration 0049).
  if (query.groups === "none") gdap.push(sql`ar.status = 'active' and ar.group_count = 0`);
  // DAP has no end date and no staff groups: it is active, requested (pending) or ended; it is never expiring or expired.
  const dapStatus = filter === "active" ? ["active"] : filter === "pending" ? ["requested"] : filter === "terminated" ? ["ended"] : filter ? [] : ["active", "requested", "ended"];
  const dapShown = dapStatus.length > 0 && !query.ends && !query.groups && query.type !== "gdap";
  const dap: SQL[] = [sql`r.partner_org_id = ${partnerId}`, sql`r.type = 'dap'`, dapShown ? sql`r.status in (${sql.join(dapStatus.map((v) => sql`${v}`), sql`, `)})` : sql`false`];
  if (query.type === "dap") gdap.push(sql`false`);
  // Search: the relationship's name (GDAP), or the customer's name or domain through the customer
  // search function (trigram-indexed, ADR 0007), materialised once per statement.
  const term = normaliseTerm(query.q);
  const ctes = term ? sql`with matches as materialized (select customer_org_id from pd_search_partner_customers(${term})) ` : sql``;
  if (term) {
    const pattern = `%${term.replace(/[\\%_]/g, "\\$&")}%`;
    gdap.push(sql`(ar.display_name ilike ${pattern} or ar.customer_org_id in (select customer_org_id from matches))`);
    dap.push(sql`r.customer_org_id in (select customer_org_id from matches)`);
  }
  return { gdap, dap, ctes, soon };
}

/**
 * How many admin relationships match, exact up to ADMIN_RELATIONSHIPS_COUNT_CAP (then "more"):
 * each table's matches are counted up to the cap + 1 in index order, never all of them.
 */
export async function countAdminRelationships(tx: Tx, { partnerId, query = {}, now = new Date() }: { partnerId: string; query?: AdminRelationshipQuery; now?: Date }) {
  const { gdap, dap, ctes } = relationshipConditions(partnerId, query, now);
  const [count] = rowsOf<{ n: number }>(
    await tx.execute(sql`${ctes}
      select (select count(*) from (select 1 from admin_relationships ar where ${sql.join(gdap, sql` and `)} limit ${ADMIN_RELATIONSHIPS_COUNT_CAP + 1}) g)
           + (select count(*) from (select 1 from relationships r where ${sql.join(dap, sql` and `)} limit ${ADMIN_RELATIONSHIPS_COUNT_CAP + 1}) d) as n`),
  );
  const n = Number(count?.n ?? 0);
  return { count: Math.min(n, ADMIN_RELATIONSHIPS_COUNT_CAP), more: n > ADMIN_RELATIONSHIPS_COUNT_CAP };
}

/**
 * The partner's admin relationships, GDAP and DAP in one list, filtered by status, kind, end date
 * and staff groups, searched by name or customer, sorted by name, customer, status, end or
 * creation (default: newest first). Keyset-paged in both directions on (sort value, id): each table
 * is read up to one page past the cursor in that order and the two are merged. Creation order reads
 * the (partner, created_at, id) indexes, so any page costs the same at any depth; the other orders
 * sort the partner's matching relationships (a partner has one per customer it administers at most
 * a few). The total is exact up to ADMIN_RELATIONSHIPS_COUNT_CAP. Runs as the partner (RLS).
 */
export async function listAdminRelationships(
  tx: Tx,
  { partnerId, query = {}, now = new Date(), withTotal = true }: { partnerId: string; query?: AdminRelationshipQuery; now?: Date; withTotal?: boolean },
) {
  const size = query.size ?? ADMIN_RELATIONSHIPS_PAGE;
  const sort = query.sort ?? "created";
  const { gdap, dap, ctes, soon } = relationshipConditions(partnerId, query, now);
  const byCreation = sort === "created";
  const codec = byCreation ? timeCursor : sortCursor;
  const after = codec.decode(query.after);
  const before = after ? undefined : codec.decode(query.before);
  const cursor = after ?? before;
  const backwards = Boolean(before) || Boolean(query.last && !cursor);
  const descending = (query.dir ?? (byCreation ? "desc" : "asc")) === "desc";
  // Reading backwards reverses the order, then the page is turned back.
  const readDesc = descending !== backwards;
  const dir = readDesc ? sql`desc` : sql`asc`;
  // Each table's sort value (text for every order but creation).
  const key = (alias: "ar" | "r"): SQL => {
    const a = sql.raw(alias);
    if (sort === "created") return sql`${a}.created_at`;
    if (sort === "customer") return sql`coalesce(o.sort_name, '')`;
    if (sort === "name") return alias === "ar" ? sql`lower(ar.display_name)` : sql`lower(${DAP_ROW_NAME}::text)`;
    if (sort === "ends") return alias === "ar" ? sql`coalesce(to_char(ar.ends_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'), 'infinity')` : sql`'infinity'::text`;
    // Status: the status a person reads, in the order of its label.
    return alias === "ar"
      ? sql`(case when ar.status = 'terminated' and ar.end_reason = 'declined' then 'declined' when ar.status = 'active' and ar.ends_at <= ${soon} then 'expiring' else ar.status end)`
      : sql`(case when r.status = 'ended' and r.started_at is null then 'declined' when r.status = 'requested' then 'approval_pending' else r.status end)`;
  };
  const page = (alias: "ar" | "r", where: SQL[]) => {
    const all = [...where];
    if (cursor) {
      const at = byCreation ? sql`(${cursor[0]}::timestamp at time zone 'UTC', ${cursor[1]}::uuid)` : sql`(${cursor[0]}::text, ${cursor[1]}::uuid)`;
      all.push(readDesc ? sql`(${key(alias)}, ${sql.raw(alias)}.id) < ${at}` : sql`(${key(alias)}, ${sql.raw(alias)}.id) > ${at}`);
    }
    return sql.join(all, sql` and `);
  };
  const rows = rowsOf<{
    kind: "gdap" | "dap";
    id: string;
    display_name: string;
    customer_id: string | null;
    customer_name: string | null;
    status: string;
    roles: string[];
    duration_days: number | null;
    auto_extend_days: number;
    created_at: string | Date;
    ends_at: string | Date | null;
    ended_at: string | Date | null;
    end_reason: string | null;
    sort_key: string | Date;
    created_text: string;
  }>(
    await tx.execute(sql`${ctes}
      select u.*, to_char(u.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') as created_text from (
        (select 'gdap' as kind, ar.id, ar.display_name, ar.customer_org_id as customer_id, o.name as customer_name, ar.status, ar.roles,
                ar.duration_days, ar.auto_extend_days, ar.created_at, ar.ends_at, ar.ended_at, ar.end_reason, ${key("ar")} as sort_key
           from admin_relationships ar left join partner_customers o on o.partner_org_id = ${partnerId} and o.customer_org_id = ar.customer_org_id
          where ${page("ar", gdap)}
          order by ${key("ar")} ${dir}, ar.id ${dir} limit ${size + 1})
        union all
        (select 'dap', r.id, ${DAP_ROW_NAME}::text, r.customer_org_id, o.name, r.status, '{}'::text[], null::int, 0, r.created_at, null::timestamptz,
                r.ended_at, case when r.status = 'ended' and r.started_at is null then 'declined' end, ${key("r")}
           from relationships r left join partner_customers o on o.partner_org_id = ${partnerId} and o.customer_org_id = r.customer_org_id
          where ${page("r", dap)}
          order by ${key("r")} ${dir}, r.id ${dir} limit ${size + 1})
      ) u order by u.sort_key ${dir}, u.id ${dir} limit ${size + 1}`),
  );
  const more = rows.length > size;
  const shown = rows.slice(0, size);
  if (backwards) shown.reverse();
  const total = withTotal ? await countAdminRelationships(tx, { partnerId, query, now }) : null;
  const first = shown[0];
  const lastRow = shown[shown.length - 1];
  const cursorOf = (r: (typeof rows)[number]) => (byCreation ? timeCursor.encode([r.created_text, r.id]) : sortCursor.encode([String(r.sort_key), r.id]));
  // Without a cursor we are at the start (or, with `last`, the end).
  const hasNewer = after ? true : backwards ? more : false;
  const hasOlder = before ? true : backwards ? false : more;
  return {
    rows: shown.map(
      (r): AdminRelationshipRow => ({
        id: r.id,
        kind: r.kind,
        displayName: r.display_name,
        customerId: r.customer_id,
        customerName: r.customer_name,
        status:
          r.kind === "gdap"
            ? displayStatus({ status: r.status, endsAt: r.ends_at ? new Date(r.ends_at) : null, endReason: r.end_reason }, now)
            : r.end_reason === "declined"
              ? "declined"
              : (r.status as "requested" | "active" | "ended"),
        roles: r.roles,
        durationDays: r.duration_days,
        autoExtendDays: Number(r.auto_extend_days),
        createdAt: new Date(r.created_at),
        endsAt: r.ends_at ? new Date(r.ends_at) : null,
        endedAt: r.ended_at ? new Date(r.ended_at) : null,
      }),
    ),
    /** Cursors of the previous and the next page in the list's order (named for the default, newest first). */
    newer: hasNewer && first ? cursorOf(first) : null,
    older: hasOlder && lastRow ? cursorOf(lastRow) : null,
    total: total ?? { count: shown.length, more: false },
  };
}

/** Every matching relationship in the list's order, in batches of 1,000, each read in its own transaction (the CSV export). */
export async function* walkAdminRelationships(
  read: <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>,
  { partnerId, query, now = new Date() }: { partnerId: string; query: AdminRelationshipQuery; now?: Date },
) {
  let after: string | null = null;
  for (;;) {
    const cursor: string | null = after;
    const page: Awaited<ReturnType<typeof listAdminRelationships>> = await read((tx) => listAdminRelationships(tx, { partnerId, query: { ...query, after: cursor, before: null, last: false, size: 1000 }, now, withTotal: false }));
    yield page.rows;
    if (!page.older) return;
    after = page.older;
  }
}

// ---- The customer's side ----

/** A GDAP request as the customer sees it (own context), with each role's description. */
export async function getGdapForCustomer(tx: Tx, { customerId, id, now = new Date() }: { customerId: string; id: string; now?: Date }) {
  const [row] = await tx
    .select({ row: adminRelationships, partnerName: organisations.name, partnerNumber: organisations.partnerNumber, partnerEmail: organisations.email, partnerPhone: organisations.phone, partnerWebsite: organisations.website })
    .from(adminRelationships)
    .innerJoin(organisations, eq(organisations.id, adminRelationships.partnerOrgId))
    .where(and(eq(adminRelationships.customerOrgId, customerId), eq(adminRelationships.id, id)));
  if (!row) throw new DomainError(404, "No such request.");
  return {
    id: row.row.id,
    displayName: row.row.displayName,
    status: displayStatus(row.row, now),
    durationDays: row.row.durationDays,
    autoExtendDays: row.row.autoExtendDays,
    roles: row.row.roles.map((r) => adminRole(r) ?? { templateId: r, name: r, description: "", actions: [] }),
    createdAt: row.row.createdAt,
    requestExpiresAt: row.row.requestExpiresAt,
    approvedAt: row.row.approvedAt,
    endsAt: row.row.endsAt,
    endedAt: row.row.endedAt,
    endReason: row.row.endReason,
    partner: { name: row.partnerName, partnerNumber: row.partnerNumber, email: row.partnerEmail, phone: row.partnerPhone, website: row.partnerWebsite },
  };
}

export async function listGdapForCustomer(tx: Tx, { customerId, now = new Date() }: { customerId: string; now?: Date }) {
  const rows = await tx
    .select({ row: adminRelationships, partnerName: organisations.name, partnerNumber: organisations.partnerNumber })
    .from(adminRelationships)
    .innerJoin(organisations, eq(organisations.id, adminRelationships.partnerOrgId))
    .where(eq(adminRelationships.customerOrgId, customerId))
    .orderBy(desc(adminRelationships.createdAt));
  return rows.map(({ row, partnerName, partnerNumber }) => ({
    id: row.id,
    partnerId: row.partnerOrgId,
    partnerName,
    partnerNumber,
    displayName: row.displayName,
    status: displayStatus(row, now),
    roles: row.roles.map((r) => adminRole(r)?.name ?? r),
    durationDays: row.durationDays,
    createdAt: row.createdAt,
    endsAt: row.endsAt,
    endedAt: row.endedAt,
  }));
}

async function agreementCurrent(tx: Tx, customerId: string) {
  const [row] = rowsOf<{ ok: boolean }>(
    await tx.execute(sql`select agreement_version is not null and agreement_version = pd_current_agreement_version() as ok from organisations where id = ${customerId}`),
  );
  return Boolean(row?.ok);
}

async function lockedRequest(tx: Tx, { customerId, id, now }: { customerId: string; id: string; now: Date }) {
  const [row] = await tx
    .select()
    .from(adminRelationships)
    .where(and(eq(adminRelationships.customerOrgId, customerId), eq(adminRelationships.id, id)))
    .for("update");
  if (!row) throw new DomainError(404, "No such request.");
  if (row.status !== "approval_pending" && row.status !== "created") throw new DomainError(409, "This request was already answered.");
  if (row.requestExpiresAt.getTime() <= now.getTime()) throw new DomainError(410, "This request has expired: requests not approved within 90 days end. Ask the partner for a new one.");
  return row;
}

/** A customer global admin approves: the roles become active for the requested duration. */
export async function approveGdap(tx: Tx, { customerId, actor, id, now = new Date() }: { customerId: string; actor: Actor; id: string; now?: Date }) {
  const row = await lockedRequest(tx, { customerId, id, now });
  if (!(await agreementCurrent(tx, customerId))) {
    throw new DomainError(409, "Accept the current customer agreement first.");
  }
  await tx
    .update(adminRelationships)
    .set({ status: "active", approvedAt: now, approvedByUserId: actor.userId, endsAt: new Date(now.getTime() + row.durationDays * DAY_MS) })
    .where(and(eq(adminRelationships.customerOrgId, customerId), eq(adminRelationships.id, id)));
  await setSummary(tx, { partnerId: row.partnerOrgId, customerId, type: "gdap", status: "active" });
  await recordAudit(tx, { actor, subjectOrgId: customerId, action: "gdap.approved", objectType: "admin_relationship", objectId: id, details: { partnerId: row.partnerOrgId, roles: row.roles, durationDays: row.durationDays } });
  await notifyLater(tx, { orgId: row.partnerOrgId, roles: ["global_admin", "admin_agent"], kind: "gdap.approved", title: `The customer approved "${row.displayName}"`, link: "/partner/relationships" });
}

/** A customer global admin declines: nothing is granted. */
export async function declineGdap(tx: Tx, { customerId, actor, id, now = new Date() }: { customerId: string; actor: Actor; id: string; now?: Date }) {
  const row = await lockedRequest(tx, { customerId, id, now });
  await tx
    .update(adminRelationships)
    .set({ status: "terminated", endedAt: now, endReason: "declined" })
    .where(and(eq(adminRelationships.customerOrgId, customerId), eq(adminRelationships.id, id)));
  await refreshGdapSummary(tx, { partnerId: row.partnerOrgId, customerId });
  await recordAudit(tx, { actor, subjectOrgId: customerId, action: "gdap.declined", objectType: "admin_relationship", objectId: id, details: { partnerId: row.partnerOrgId } });
  await notifyLater(tx, { orgId: row.partnerOrgId, roles: ["global_admin", "admin_agent"], kind: "gdap.declined", title: `The customer declined "${row.displayName}"`, link: "/partner/relationships" });
}

/** The summarising 'gdap' relationship row follows the GDAP relationships of the pair. */
async function refreshGdapSummary(tx: Tx, { partnerId, customerId }: { partnerId: string; customerId: string }) {
  const [counts] = rowsOf<{ active: number; pending: number }>(
    await tx.execute(sql`select count(*) filter (where status = 'active')::int as active,
        count(*) filter (where status in ('created', 'approval_pending'))::int as pending
      from admin_relationships where partner_org_id = ${partnerId} and customer_org_id = ${customerId}`),
  );
  await setSummary(tx, { partnerId, customerId, type: "gdap", status: counts?.active ? "active" : counts?.pending ? "requested" : "ended" });
}

/**
 * The customer removes a partner's admin roles: DAP ends and every active GDAP relationship of
 * that partner is terminated. The relationship itself stays (reseller, advisor).
 */
export async function removeAdminRoles(tx: Tx, { customerId, actor, partnerId, now = new Date() }: { customerId: string; actor: Actor; partnerId: string; now?: Date }) {
  const ended = await tx
    .update(relationships)
    .set({ status: "ended", endedAt: now })
    .where(and(eq(relationships.customerOrgId, customerId), eq(relationships.partnerOrgId, partnerId), eq(relationships.type, "dap"), inArray(relationships.status, ["active", "requested"])))
    .returning({ id: relationships.id });
  const terminated = await tx
    .update(adminRelationships)
    .set({ status: "terminated", endedAt: now, endReason: "removed by the customer" })
    .where(and(eq(adminRelationships.customerOrgId, customerId), eq(adminRelationships.partnerOrgId, partnerId), inArray(adminRelationships.status, ["active", "approval_pending", "created"])))
    .returning({ id: adminRelationships.id });
  if (ended.length === 0 && terminated.length === 0) throw new DomainError(404, "This partner has no admin roles in your organisation.");
  await refreshGdapSummary(tx, { partnerId, customerId });
  await recordAudit(tx, { actor, subjectOrgId: customerId, action: "admin_roles.removed", objectType: "organisation", objectId: partnerId, details: { dapEnded: ended.length, gdapTerminated: terminated.length } });
  await notifyLater(tx, { orgId: partnerId, roles: ["global_admin", "admin_agent"], kind: "admin_roles.removed", title: "A customer removed your admin roles", link: "/partner/relationships" });
  return { dapEnded: ended.length, gdapTerminated: terminated.length };
}

/**
 * The partner ends a GDAP relationship: an active one moves to "termination requested" at once
 * (its roles stop working) and scheduled work completes the termination; a pending request is
 * withdrawn (terminated) directly.
 */
export async function terminateGdap(tx: Tx, { partnerId, actor, id, now = new Date() }: { partnerId: string; actor: Actor; id: string; now?: Date }) {
  const [row] = await tx
    .select()
    .from(adminRelationships)
    .where(and(eq(adminRelationships.partnerOrgId, partnerId), eq(adminRelationships.id, id)))
    .for("update");
  if (!row) throw new DomainError(404, "No such admin relationship.");
  const pending = row.status === "approval_pending" || row.status === "created";
  if (!pending && row.status !== "active") throw new DomainError(409, "This relationship has already ended.");
  await tx
    .update(adminRelationships)
    .set(pending ? { status: "terminated", endedAt: now, endReason: "withdrawn by the partner" } : { status: "termination_requested", endReason: "terminated by the partner" })
    .where(and(eq(adminRelationships.partnerOrgId, partnerId), eq(adminRelationships.id, id)));
  if (row.customerOrgId) {
    await refreshGdapSummary(tx, { partnerId, customerId: row.customerOrgId });
    await notifyCustomerAdmins(tx, {
      customerId: row.customerOrgId,
      title: pending ? "A partner withdrew its request for admin roles" : "A partner ended its admin roles in your organisation",
      body: `The admin relationship "${row.displayName}" ${pending ? "was withdrawn" : "is being terminated"} by the partner.`,
      link: "/customer/partners",
    });
  }
  await recordAudit(tx, { actor, subjectOrgId: row.customerOrgId ?? partnerId, action: pending ? "gdap.withdrawn" : "gdap.termination_requested", objectType: "admin_relationship", objectId: id });
}

// ---- Approval codes (open requests) ----

/** What an approval code points to (system context): the request and its partner. */
export async function resolveApprovalCode(tx: Tx, code: string) {
  const [row] = await tx
    .select({ row: adminRelationships, partnerName: organisations.name, partnerNumber: organisations.partnerNumber })
    .from(adminRelationships)
    .innerJoin(organisations, eq(organisations.id, adminRelationships.partnerOrgId))
    .where(eq(adminRelationships.approvalCode, code));
  if (!row) throw new DomainError(404, "This approval link is not valid.");
  return row;
}

/**
 * Opens a request by its code for a signed-in customer (system context): a request addressed to
 * another customer is not found; an open one is bound to this customer, who then approves or
 * declines it on its requests page.
 */
export async function claimApprovalCode(tx: Tx, { code, customerId, now = new Date() }: { code: string; customerId: string; now?: Date }) {
  const { row, partnerName } = await resolveApprovalCode(tx, code);
  if (row.customerOrgId && row.customerOrgId !== customerId) throw new DomainError(404, "This approval link is not valid.");
  if (row.customerOrgId) return { id: row.id };
  if (row.status !== "approval_pending" || row.requestExpiresAt.getTime() <= now.getTime()) {
    throw new DomainError(410, "This request has expired or was withdrawn. Ask the partner for a new one.");
  }
  const bound = await tx
    .update(adminRelationships)
    .set({ customerOrgId: customerId })
    .where(and(eq(adminRelationships.id, row.id), sql`${adminRelationships.customerOrgId} is null`))
    .returning({ id: adminRelationships.id });
  if (bound.length === 0) throw new DomainError(404, "This approval link is not valid.");
  await upsertRelationship(tx, { partnerId: row.partnerOrgId, customerId, type: "gdap", status: "requested" });
  await recordAudit(tx, { actor: { userId: null, orgId: customerId }, subjectOrgId: customerId, action: "gdap.claimed", objectType: "admin_relationship", objectId: row.id, details: { partner: partnerName } });
  return { id: row.id };
}

// ---- Lifecycle (scheduled work, system context) ----

/**
 * One pass over the lifecycle at `now`: unapproved requests past 90 days expire; active
 * relationships at their end are extended by 180 days when auto-extend is on, else expire;
 * notices go out 30, 7 and 1 days before the end, each once (an effect key per relationship,
 * end date and threshold).
 */
export async function runGdapLifecycle(tx: Tx, { now = new Date() }: { now?: Date } = {}) {
  const requestsExpired = await tx
    .update(adminRelationships)
    .set({ status: "expired", endedAt: now, endReason: "not approved within 90 days" })
    .where(and(inArray(adminRelationships.status, ["created", "approval_pending"]), sql`${adminRelationships.requestExpiresAt} <= ${ts(now)}`))
    .returning({ id: adminRelationships.id, partnerId: adminRelationships.partnerOrgId, customerId: adminRelationships.customerOrgId });
  const extended = await tx
    .update(adminRelationships)
    .set({ endsAt: sql`${adminRelationships.endsAt} + make_interval(days => ${adminRelationships.autoExtendDays})` })
    .where(and(eq(adminRelationships.status, "active"), sql`${adminRelationships.autoExtendDays} > 0`, sql`${adminRelationships.endsAt} <= ${ts(now)}`))
    .returning({ id: adminRelationships.id, partnerId: adminRelationships.partnerOrgId, customerId: adminRelationships.customerOrgId });
  const expired = await tx
    .update(adminRelationships)
    .set({ status: "expired", endedAt: now, endReason: "reached its end date" })
    .where(and(eq(adminRelationships.status, "active"), sql`${adminRelationships.endsAt} <= ${ts(now)}`))
    .returning({ id: adminRelationships.id, partnerId: adminRelationships.partnerOrgId, customerId: adminRelationships.customerOrgId });
  const terminated = await tx
    .update(adminRelationships)
    .set({ status: "terminated", endedAt: now })
    .where(eq(adminRelationships.status, "termination_requested"))
    .returning({ id: adminRelationships.id, partnerId: adminRelationships.partnerOrgId, customerId: adminRelationships.customerOrgId });
  for (const r of [...requestsExpired, ...expired, ...terminated]) if (r.customerId) await refreshGdapSummary(tx, { partnerId: r.partnerId, customerId: r.customerId });
  for (const r of extended) {
    await recordAudit(tx, { actor: { userId: null, orgId: null }, subjectOrgId: r.customerId, action: "gdap.auto_extended", objectType: "admin_relationship", objectId: r.id, details: { days: GDAP.autoExtendDays } });
  }

  let notices = 0;
  for (const days of GDAP.noticeDaysBefore) {
    const due = await tx
      .select({ id: adminRelationships.id, partnerId: adminRelationships.partnerOrgId, customerId: adminRelationships.customerOrgId, name: adminRelationships.displayName, endsAt: adminRelationships.endsAt, autoExtend: adminRelationships.autoExtendDays })
      .from(adminRelationships)
      .where(and(eq(adminRelationships.status, "active"), sql`${adminRelationships.endsAt} > ${ts(now)}`, sql`${adminRelationships.endsAt} <= ${ts(new Date(now.getTime() + days * DAY_MS))}`));
    for (const r of due) {
      // The largest threshold the relationship has crossed is the one that speaks (a relationship
      // found 5 days before its end gets the 7-day notice, not also the 30-day one).
      const left = (r.endsAt!.getTime() - now.getTime()) / DAY_MS;
      const threshold = [...GDAP.noticeDaysBefore].sort((a, b) => a - b).find((d) => left <= d);
      if (threshold !== days) continue;
      const key = `gdap-notice:${r.id}:${r.endsAt!.toISOString()}:${days}`;
      const first = rowsOf(await tx.execute(sql`insert into job_effects (key) values (${key}) on conflict do nothing returning key`));
      if (first.length === 0) continue;
      const when = days === 1 ? "tomorrow" : `in ${days} days`;
      const what = r.autoExtend ? `It extends automatically by ${r.autoExtend} days.` : "Ask for a new relationship before then to keep access.";
      for (const [orgId, roles, link] of [
        [r.partnerId, ["global_admin", "admin_agent"], "/partner/relationships"],
        [r.customerId, ["global_admin"], "/customer/partners"],
      ] as const) {
        if (!orgId) continue;
        await notifyLater(tx, { orgId, roles: [...roles], kind: "gdap.ending", title: `Admin relationship "${r.name}" ends ${when}`, body: `The admin relationship "${r.name}" ends ${when}. ${what}`, link });
      }
      notices++;
    }
  }
  return { requestsExpired: requestsExpired.length, extended: extended.length, expired: expired.length, terminated: terminated.length, notices };
}

