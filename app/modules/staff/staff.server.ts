/**
 * Partner staff: invite (with an emailed activation link), resend, revoke, change roles,
 * deactivate, reactivate. Runs in the partner's tenant transaction; every query is scoped
 * by the organisation id (and RLS scopes it again).
 */
import { and, asc, eq, sql, type SQL } from "drizzle-orm";
import { memberships, users } from "../../../db/schema";
import { recordAudit, type Actor } from "../platform/audit.server";
import type { Tx } from "~/utils/db.server";
import { DomainError } from "../../utils/errors";
import { inviteMember, memberEmail, memberName, revokeInvitation as revokeMembershipInvitation, sendInvitation } from "../auth/invitations.server";

/** A partner's staff as the staff pages show them, filtered by `where`. */
function staffRows(tx: Tx, where: SQL | undefined) {
  return tx
    .select({
      userId: memberships.userId,
      email: memberEmail,
      displayName: memberName,
      roles: memberships.roles,
      status: memberships.status,
      createdAt: memberships.createdAt,
      activatedAt: memberships.activatedAt,
      deactivatedAt: memberships.deactivatedAt,
    })
    .from(memberships)
    // An invited person's account stays invisible (RLS); the invitation shows as typed.
    .leftJoin(users, eq(users.id, memberships.userId))
    .where(where);
}

export async function listStaff(tx: Tx, { orgId }: { orgId: string }) {
  return staffRows(tx, eq(memberships.orgId, orgId)).orderBy(asc(memberName), asc(memberships.userId));
}

export async function getStaffMember(tx: Tx, { orgId, userId }: { orgId: string; userId: string }) {
  const [row] = await staffRows(tx, and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)));
  if (!row) throw new DomainError(404, "No such staff member.");
  return row;
}

export async function inviteStaff(
  tx: Tx,
  { orgId, actor, email, displayName, roles }: { orgId: string; actor: Actor; email: string; displayName: string; roles: string[] },
) {
  const { userId } = await inviteMember(tx, { orgId, actor, email, displayName, roles, auditAction: "staff.invited" });
  return { userId };
}

export async function resendInvitation(tx: Tx, { orgId, actor, userId }: { orgId: string; actor: Actor; userId: string }) {
  const member = await getStaffMember(tx, { orgId, userId });
  if (member.status !== "invited") throw new DomainError(409, "This person has already accepted the invitation.");
  await sendInvitation(tx, { orgId, userId, actor });
  await recordAudit(tx, { actor, action: "staff.invitation_resent", objectType: "user", objectId: userId });
}

export async function revokeInvitation(tx: Tx, { orgId, actor, userId }: { orgId: string; actor: Actor; userId: string }) {
  const member = await getStaffMember(tx, { orgId, userId });
  if (member.status !== "invited") throw new DomainError(409, "Only a pending invitation can be revoked; deactivate active staff instead.");
  await revokeMembershipInvitation(tx, { orgId, userId });
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

