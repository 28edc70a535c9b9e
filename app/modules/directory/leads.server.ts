/**
 * The partner's leads inbox (global admin, admin agent, sales agent): paged by status and
 * assignment, worked with a status, an assignee and notes, answered with one of the partner's
 * shared links (emailed with a token that ties the redeeming customer to the lead), deleted.
 * Runs in the partner's context; linking the redeeming customer happens in redemption (system
 * context), and lost leads are purged by scheduled work.
 */
import { and, asc, count, desc, eq, isNull, lt, or, sql } from "drizzle-orm";
import { leadNotes, leads, links, memberships, organisations, users } from "../../../db/schema";
import { rowsOf } from "../../../db/client";
import type { Tx } from "~/utils/db.server";
import { recordAudit, type Actor } from "../platform/audit.server";
import { randomToken } from "../auth/crypto.server";
import { DomainError } from "../../utils/errors";
import { LINK_KIND_LABELS } from "../links/link-kinds";
import { linkStatus, linkUrl } from "../links/links.server";
import { enqueueMail } from "../platform/mail.server";
import { LEAD_STATUSES, type LeadStatus } from "./directory-options";
import { timeCursor } from "~/utils/list";

export const LEADS_PAGE_SIZE = 25;
/** The partner roles that work leads (and may be assigned one). */
export const LEAD_ROLES = ["global_admin", "admin_agent", "sales_agent"];

export interface LeadListQuery {
  status?: LeadStatus;
  assigned?: "me" | "none";
  after?: string;
}

const createdText = sql<string>`to_char(${leads.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')`;

/** The partner's leads, newest first, keyset-paged; with the count per status. */
export async function listLeads(tx: Tx, { partnerId, userId, query }: { partnerId: string; userId: string; query: LeadListQuery }) {
  // A real timestamp and uuid (ADR 0027); a crafted cursor reads as none: the first page.
  const after = timeCursor.decode(query.after);
  const rows = await tx
    .select({
      id: leads.id,
      name: leads.name,
      email: leads.email,
      organisation: leads.organisation,
      size: leads.size,
      country: leads.country,
      status: leads.status,
      createdAt: leads.createdAt,
      assignedName: users.displayName,
      customerOrgId: leads.customerOrgId,
      createdText,
    })
    .from(leads)
    .leftJoin(users, eq(users.id, leads.assignedUserId))
    .where(
      and(
        eq(leads.partnerOrgId, partnerId),
        query.status ? eq(leads.status, query.status) : undefined,
        query.assigned === "me" ? eq(leads.assignedUserId, userId) : query.assigned === "none" ? isNull(leads.assignedUserId) : undefined,
        after
          ? or(
              lt(leads.createdAt, sql`(${after[0]}::timestamp at time zone 'UTC')`),
              and(sql`${leads.createdAt} = (${after[0]}::timestamp at time zone 'UTC')`, lt(leads.id, after[1])),
            )
          : undefined,
      ),
    )
    .orderBy(desc(leads.createdAt), desc(leads.id))
    .limit(LEADS_PAGE_SIZE + 1);
  const page = rows.slice(0, LEADS_PAGE_SIZE);
  const last = page[page.length - 1];
  const counts = await tx.select({ status: leads.status, n: count() }).from(leads).where(eq(leads.partnerOrgId, partnerId)).groupBy(leads.status);
  return {
    rows: page.map(({ createdText: _c, ...r }) => r),
    next: rows.length > LEADS_PAGE_SIZE && last ? timeCursor.encode([last.createdText, last.id]) : null,
    counts: Object.fromEntries(LEAD_STATUSES.map((s) => [s, counts.find((c) => c.status === s)?.n ?? 0])) as Record<LeadStatus, number>,
  };
}

/** Counts above this read "10,000+" (the partner overview). */
export const LEAD_COUNT_CAP = 10_000;

/**
 * How many of the partner's leads have this status (the overview's "new leads", linking to the
 * list's status tab): read in the (partner, status, created_at) index, counted up to the cap + 1.
 */
export async function countLeads(tx: Tx, { partnerId, status }: { partnerId: string; status: LeadStatus }) {
  const [row] = rowsOf<{ n: number }>(
    await tx.execute(sql`select count(*)::int as n from (select 1 from leads where partner_org_id = ${partnerId} and status = ${status} limit ${LEAD_COUNT_CAP + 1}) capped`),
  );
  const n = Number(row?.n ?? 0);
  return { count: Math.min(n, LEAD_COUNT_CAP), more: n > LEAD_COUNT_CAP };
}

async function requireLead(tx: Tx, { partnerId, leadId, lock = false }: { partnerId: string; leadId: string; lock?: boolean }) {
  const q = tx.select().from(leads).where(and(eq(leads.partnerOrgId, partnerId), eq(leads.id, leadId)));
  const [row] = lock ? await q.for("update") : await q;
  if (!row) throw new DomainError(404, "No such lead.");
  return row;
}

/** The staff a lead may be assigned to: active members holding a role that works leads. */
export async function leadAssignees(tx: Tx, { partnerId }: { partnerId: string }) {
  return tx
    .select({ userId: users.id, displayName: users.displayName, email: users.email })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.orgId, partnerId), eq(memberships.status, "active"), sql`${memberships.roles} && ${`{${LEAD_ROLES.join(",")}}`}::text[]`))
    .orderBy(asc(users.displayName), asc(users.id));
}

export async function getLead(tx: Tx, { partnerId, leadId }: { partnerId: string; leadId: string }) {
  const lead = await requireLead(tx, { partnerId, leadId });
  const notes = await tx
    .select({ id: leadNotes.id, body: leadNotes.body, authorName: leadNotes.authorName, createdAt: leadNotes.createdAt })
    .from(leadNotes)
    .where(and(eq(leadNotes.partnerOrgId, partnerId), eq(leadNotes.leadId, leadId)))
    .orderBy(asc(leadNotes.createdAt), asc(leadNotes.id));
  const [link] = lead.answeredLinkId
    ? await tx.select({ id: links.id, kind: links.kind }).from(links).where(and(eq(links.partnerOrgId, partnerId), eq(links.id, lead.answeredLinkId)))
    : [];
  // The customer's name shows while the partner has a relationship with it (RLS).
  const [customer] = lead.customerOrgId ? await tx.select({ id: organisations.id, name: organisations.name }).from(organisations).where(eq(organisations.id, lead.customerOrgId)) : [];
  const answerable = (await tx.select().from(links).where(eq(links.partnerOrgId, partnerId)).orderBy(desc(links.createdAt)).limit(200)).filter((l) => linkStatus(l) === "active");
  return {
    lead: {
      id: lead.id,
      name: lead.name,
      email: lead.email,
      organisation: lead.organisation,
      size: lead.size,
      country: lead.country,
      needs: lead.needs,
      status: lead.status,
      statusChangedAt: lead.statusChangedAt,
      assignedUserId: lead.assignedUserId,
      answeredAt: lead.answeredAt,
      createdAt: lead.createdAt,
    },
    notes,
    answeredWith: link ? { id: link.id, kind: link.kind } : null,
    customer: customer ?? (lead.customerOrgId ? { id: lead.customerOrgId, name: null } : null),
    assignees: await leadAssignees(tx, { partnerId }),
    links: answerable.map((l) => ({ id: l.id, kind: l.kind, message: l.message, createdAt: l.createdAt })),
  };
}

export async function setLeadStatus(tx: Tx, { partnerId, actor, leadId, status }: { partnerId: string; actor: Actor; leadId: string; status: LeadStatus }) {
  const lead = await requireLead(tx, { partnerId, leadId, lock: true });
  if (lead.status === status) throw new DomainError(409, `The lead is already ${status}.`, "status");
  await tx.update(leads).set({ status, statusChangedAt: sql`now()` }).where(and(eq(leads.partnerOrgId, partnerId), eq(leads.id, leadId)));
  await recordAudit(tx, { actor, action: "lead.status_changed", objectType: "lead", objectId: leadId, details: { from: lead.status, to: status } });
}

export async function assignLead(tx: Tx, { partnerId, actor, leadId, userId }: { partnerId: string; actor: Actor; leadId: string; userId: string | null }) {
  await requireLead(tx, { partnerId, leadId, lock: true });
  if (userId) {
    const allowed = await leadAssignees(tx, { partnerId });
    if (!allowed.some((a) => a.userId === userId)) throw new DomainError(400, "Assign the lead to an active global admin, admin agent or sales agent of your organisation.", "userId");
  }
  await tx.update(leads).set({ assignedUserId: userId }).where(and(eq(leads.partnerOrgId, partnerId), eq(leads.id, leadId)));
  await recordAudit(tx, { actor, action: "lead.assigned", objectType: "lead", objectId: leadId, details: { userId } });
}

export async function addLeadNote(tx: Tx, { partnerId, actor, leadId, body }: { partnerId: string; actor: Actor; leadId: string; body: string }) {
  await requireLead(tx, { partnerId, leadId });
  const text = body.trim();
  if (!text) throw new DomainError(400, "Write the note first.", "body");
  if (text.length > 4000) throw new DomainError(400, "A note has at most 4,000 characters.", "body");
  await tx.insert(leadNotes).values({ leadId, partnerOrgId: partnerId, authorUserId: actor.userId, authorName: actor.name ?? null, body: text });
  await recordAudit(tx, { actor, action: "lead.note_added", objectType: "lead", objectId: leadId });
}

/**
 * Emails the lead one of the partner's live links, with a token in the URL that ties the customer
 * who redeems it to this lead. A new lead becomes "contacted".
 */
export async function answerLead(tx: Tx, { partnerId, actor, leadId, linkId, message }: { partnerId: string; actor: Actor; leadId: string; linkId: string; message: string }) {
  const lead = await requireLead(tx, { partnerId, leadId, lock: true });
  if (lead.status === "won" || lead.status === "lost") throw new DomainError(409, `This lead is ${lead.status}; reopen it to answer.`);
  const [link] = await tx.select().from(links).where(and(eq(links.partnerOrgId, partnerId), eq(links.id, linkId)));
  if (!link) throw new DomainError(404, "No such link.", "linkId");
  if (linkStatus(link) !== "active") throw new DomainError(410, "This link is no longer valid. Choose another, or create a new one.", "linkId");
  const token = lead.answerToken ?? randomToken();
  const url = `${linkUrl(link.code)}?lead=${token}`;
  const [partner] = await tx.select({ name: organisations.name, email: organisations.email, phone: organisations.phone }).from(organisations).where(eq(organisations.id, partnerId));
  const kind = LINK_KIND_LABELS[link.kind].toLowerCase();
  await enqueueMail(tx, {
    orgId: partnerId,
    to: [lead.email],
    subject: `${partner?.name ?? "Your partner"} sent you a ${kind}`,
    text:
      `Hello ${lead.name},\n\n` +
      (message.trim() ? `${message.trim()}\n\n` : `Thank you for contacting ${partner?.name ?? "us"} through Partnerdesk. Here is a ${kind} for ${lead.organisation}.\n\n`) +
      `Open it here:\n${url}\n\n` +
      `${actor.name ?? ""}\n${partner?.name ?? ""}${partner?.email ? `\n${partner.email}` : ""}${partner?.phone ? `\n${partner.phone}` : ""}\n`,
  });
  await tx
    .update(leads)
    .set({
      answeredLinkId: link.id,
      answeredAt: sql`now()`,
      answerToken: token,
      ...(lead.status === "new" ? { status: "contacted" as const, statusChangedAt: sql`now()` } : {}),
    })
    .where(and(eq(leads.partnerOrgId, partnerId), eq(leads.id, leadId)));
  await recordAudit(tx, { actor, action: "lead.answered", objectType: "lead", objectId: leadId, details: { linkId: link.id, kind: link.kind } });
  return { kind: link.kind };
}

export async function deleteLead(tx: Tx, { partnerId, actor, leadId }: { partnerId: string; actor: Actor; leadId: string }) {
  const lead = await requireLead(tx, { partnerId, leadId, lock: true });
  await tx.delete(leads).where(and(eq(leads.partnerOrgId, partnerId), eq(leads.id, leadId)));
  await recordAudit(tx, { actor, action: "lead.deleted", objectType: "lead", objectId: leadId, details: { organisation: lead.organisation, status: lead.status } });
}

/** Scheduled work (system context): lost leads past the retention, and old rate-limit rows. */
export async function purgeLostLeads(tx: Tx, { retentionDays }: { retentionDays: number }) {
  const purged = rowsOf<{ n: number }>(
    await tx.execute(sql`with d as (delete from leads where status = 'lost' and status_changed_at < now() - make_interval(days => ${retentionDays}) returning 1) select count(*)::int as n from d`),
  );
  await tx.execute(sql`delete from contact_requests where created_at < now() - interval '30 days'`);
  return purged[0]?.n ?? 0;
}


