/**
 * Partner staff: invite (with an emailed activation link), resend, revoke, change roles,
 * deactivate, reactivate. Runs in the partner's tenant transaction; every query is scoped
 * by the organisation id (and RLS scopes it again).
 */
import { and, asc, eq, isNull, sql } from "drizzle-orm";
import { authTokens, memberships, organisations, users } from "../../db/schema";
import { recordAudit, type Actor } from "./audit.server";
import { enqueueMail } from "./mail.server";
import { ACTIVATION_TOKEN_DAYS } from "./auth/auth.server";
import { randomToken, sha256 } from "./auth/crypto.server";
import { config } from "~/utils/config.server";
import type { Tx } from "~/utils/db.server";
import { rowsOf } from "../../db/client";
import { DomainError } from "./errors";

export async function listStaff(tx: Tx, { orgId }: { orgId: string }) {
  return tx
    .select({
      userId: users.id,
      email: users.email,
      displayName: users.displayName,
      roles: memberships.roles,
      status: memberships.status,
      createdAt: memberships.createdAt,
      activatedAt: memberships.activatedAt,
      deactivatedAt: memberships.deactivatedAt,
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.orgId, orgId))
    .orderBy(asc(users.displayName), asc(users.id));
}

export async function getStaffMember(tx: Tx, { orgId, userId }: { orgId: string; userId: string }) {
  const [row] = (await listStaffWhere(tx, orgId, userId));
  if (!row) throw new DomainError(404, "No such staff member.");
  return row;
}

async function listStaffWhere(tx: Tx, orgId: string, userId: string) {
  return tx
    .select({
      userId: users.id,
      email: users.email,
      displayName: users.displayName,
      roles: memberships.roles,
      status: memberships.status,
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)));
}

async function orgName(tx: Tx, orgId: string) {
  const [org] = await tx.select({ name: organisations.name }).from(organisations).where(eq(organisations.id, orgId));
  return org?.name ?? "your organisation";
}

async function issueActivation(tx: Tx, { orgId, userId, actor }: { orgId: string; userId: string; actor: Actor }) {
  await tx
    .update(authTokens)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(authTokens.orgId, orgId), eq(authTokens.userId, userId), eq(authTokens.kind, "activation"), isNull(authTokens.usedAt), isNull(authTokens.revokedAt)));
  const token = randomToken();
  await tx.insert(authTokens).values({
    tokenHash: sha256(token),
    kind: "activation",
    userId,
    orgId,
    expiresAt: sql`now() + make_interval(days => ${ACTIVATION_TOKEN_DAYS})`,
  });
  const [user] = await tx.select({ email: users.email, displayName: users.displayName }).from(users).where(eq(users.id, userId));
  const [inviter] = actor.userId
    ? await tx.select({ displayName: users.displayName }).from(users).where(eq(users.id, actor.userId))
    : [];
  const name = await orgName(tx, orgId);
  const link = `${config().APP_URL}/activate/${token}`;
  await enqueueMail(tx, {
    orgId,
    to: [user!.email],
    subject: `You have been added to ${name} on Partnerdesk`,
    text: `Hello ${user!.displayName},\n\n${inviter?.displayName ?? "An administrator"} added you to ${name} on Partnerdesk.\nOpen this link within ${ACTIVATION_TOKEN_DAYS} days to activate your account:\n\n${link}\n`,
  });
}

export async function inviteStaff(
  tx: Tx,
  { orgId, actor, email, displayName, roles }: { orgId: string; actor: Actor; email: string; displayName: string; roles: string[] },
) {
  // pd_ensure_user is the named cross-tenant function: a person may already have an account elsewhere.
  const [row] = rowsOf<{ id: string }>(await tx.execute(sql`select pd_ensure_user(${email}, ${displayName}) as id`));
  const userId = row!.id;
  const inserted = await tx
    .insert(memberships)
    .values({ orgId, userId, roles, status: "invited" })
    .onConflictDoNothing()
    .returning({ userId: memberships.userId });
  if (inserted.length === 0) throw new DomainError(409, "This person is already a member of your organisation.", "email");
  await issueActivation(tx, { orgId, userId, actor });
  await recordAudit(tx, { actor, action: "staff.invited", objectType: "user", objectId: userId, details: { email, roles } });
  return { userId };
}

export async function resendInvitation(tx: Tx, { orgId, actor, userId }: { orgId: string; actor: Actor; userId: string }) {
  const member = await getStaffMember(tx, { orgId, userId });
  if (member.status !== "invited") throw new DomainError(409, "This person has already activated the account.");
  await issueActivation(tx, { orgId, userId, actor });
  await recordAudit(tx, { actor, action: "staff.invitation_resent", objectType: "user", objectId: userId });
}

export async function revokeInvitation(tx: Tx, { orgId, actor, userId }: { orgId: string; actor: Actor; userId: string }) {
  const member = await getStaffMember(tx, { orgId, userId });
  if (member.status !== "invited") throw new DomainError(409, "Only a pending invitation can be revoked; deactivate active staff instead.");
  await tx
    .update(authTokens)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(authTokens.orgId, orgId), eq(authTokens.userId, userId), isNull(authTokens.usedAt)));
  await tx.delete(memberships).where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)));
  await recordAudit(tx, { actor, action: "staff.invitation_revoked", objectType: "user", objectId: userId, details: { email: member.email } });
}

/**
 * Locks the organisation's memberships and refuses a change that would leave no active
 * global admin. The lock serialises two admins demoting each other at the same moment.
 */
async function assertGlobalAdminRemains(
  tx: Tx,
  { orgId, userId, nextRoles, nextStatus }: { orgId: string; userId: string; nextRoles?: string[]; nextStatus?: string },
) {
  const rows = await tx
    .select({ userId: memberships.userId, roles: memberships.roles, status: memberships.status })
    .from(memberships)
    .where(eq(memberships.orgId, orgId))
    .orderBy(asc(memberships.userId))
    .for("update");
  const remaining = rows.filter((r) => {
    const roles = r.userId === userId ? (nextRoles ?? r.roles) : r.roles;
    const status = r.userId === userId ? (nextStatus ?? r.status) : r.status;
    return status === "active" && roles.includes("global_admin");
  });
  const target = rows.find((r) => r.userId === userId);
  if (!target) throw new DomainError(404, "No such staff member.");
  if (remaining.length === 0) {
    throw new DomainError(409, "The organisation must keep at least one active global admin.");
  }
  return target;
}

export async function changeStaffRoles(tx: Tx, { orgId, actor, userId, roles }: { orgId: string; actor: Actor; userId: string; roles: string[] }) {
  const target = await assertGlobalAdminRemains(tx, { orgId, userId, nextRoles: roles });
  await tx.update(memberships).set({ roles }).where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)));
  await recordAudit(tx, { actor, action: "staff.roles_changed", objectType: "user", objectId: userId, details: { from: target.roles, to: roles } });
}

export async function setStaffActive(tx: Tx, { orgId, actor, userId, active }: { orgId: string; actor: Actor; userId: string; active: boolean }) {
  const target = await assertGlobalAdminRemains(tx, { orgId, userId, nextStatus: active ? "active" : "deactivated" });
  if (target.status === "invited") throw new DomainError(409, "This person has not activated the account yet; revoke the invitation instead.");
  if (active === (target.status === "active")) return;
  await tx
    .update(memberships)
    .set(active ? { status: "active", deactivatedAt: null } : { status: "deactivated", deactivatedAt: sql`now()` })
    .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)));
  await recordAudit(tx, { actor, action: active ? "staff.reactivated" : "staff.deactivated", objectType: "user", objectId: userId });
}

