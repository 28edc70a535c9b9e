/**
 * An organisation's sign-in settings (issue 31, ADR 0042): whether its members need a second
 * factor, and who has one. Every partner requires one of its staff (it cannot be switched off:
 * partner staff act in customers); a customer's global admin chooses. Tenant context: the column
 * and the members' enrolment are guarded in PostgreSQL (pd_require_mfa_guard, pd_member_second_factors).
 */
import { and, asc, eq, sql } from "drizzle-orm";
import { memberships, organisations, users } from "../../../db/schema";
import { rowsOf } from "../../../db/client";
import { recordAudit, type Actor } from "~/modules/platform/audit.server";
import type { Tx } from "~/utils/db.server";
import { DomainError } from "~/utils/errors";

export interface MemberEnrolment {
  userId: string;
  displayName: string;
  email: string;
  roles: string[];
  enrolled: boolean;
}

export async function signInSettings(tx: Tx, { orgId }: { orgId: string }) {
  const [org] = await tx.select({ kind: organisations.kind, requireMfa: organisations.requireMfa }).from(organisations).where(eq(organisations.id, orgId));
  if (!org) throw new DomainError(404, "No such organisation.");
  const enrolled = new Map(
    rowsOf<{ user_id: string; enrolled: boolean }>(await tx.execute(sql`select user_id, enrolled from pd_member_second_factors()`)).map((r) => [r.user_id, Boolean(r.enrolled)]),
  );
  const members = await tx
    .select({ userId: users.id, displayName: users.displayName, email: users.email, roles: memberships.roles })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.orgId, orgId), eq(memberships.status, "active")))
    .orderBy(asc(users.displayName), asc(users.email));
  return {
    kind: org.kind,
    /** Partners always require a second factor. */
    requireMfa: org.kind === "partner" || org.requireMfa,
    members: members.map((m): MemberEnrolment => ({ ...m, enrolled: enrolled.get(m.userId) ?? false })),
  };
}

/** A customer's global admin turns the second-factor requirement on or off for all its members. */
export async function setRequireMfa(tx: Tx, { orgId, actor, enabled }: { orgId: string; actor: Actor; enabled: boolean }) {
  const [org] = await tx.select({ kind: organisations.kind, requireMfa: organisations.requireMfa }).from(organisations).where(eq(organisations.id, orgId));
  if (!org) throw new DomainError(404, "No such organisation.");
  if (org.kind === "partner") throw new DomainError(409, "A partner always requires a second factor of its staff: they act in customers' tenants.");
  if (org.requireMfa === enabled) return { changed: false };
  await tx.update(organisations).set({ requireMfa: enabled, updatedAt: sql`now()` }).where(eq(organisations.id, orgId));
  await recordAudit(tx, { actor, action: enabled ? "organisation.mfa_required" : "organisation.mfa_not_required", objectType: "organisation", objectId: orgId });
  return { changed: true };
}

/** The organisation's global admin ends a member's sessions in this organisation (pd_end_member_sessions). */
export async function endMemberSessions(tx: Tx, { orgId, actor, userId }: { orgId: string; actor: Actor; userId: string }) {
  const [member] = await tx.select({ userId: memberships.userId }).from(memberships).where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)));
  if (!member) throw new DomainError(404, "No such member.");
  const [row] = rowsOf<{ n: number }>(await tx.execute(sql`select pd_end_member_sessions(${userId}::uuid) as n`));
  const n = Number(row?.n ?? 0);
  await recordAudit(tx, { actor, action: "membership.sessions_ended", subjectOrgId: orgId, objectType: "user", objectId: userId, details: { count: n } });
  return n;
}
