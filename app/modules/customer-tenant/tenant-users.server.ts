/**
 * A customer organisation's users, managed by its own global admin or by partner staff acting
 * in it (delegated administration). Every function runs in the customer's context: directly for
 * the customer, or after `enterCustomerAsPartner` for partner staff, whose rights the caller has
 * checked with requireTenantAction (ADR 0010).
 */
import { randomInt } from "node:crypto";
import { and, asc, eq, ne, sql } from "drizzle-orm";
import { licenceAssignments, memberships, organisations, relationships, users } from "../../../db/schema";
import { rowsOf } from "../../../db/client";
import { CUSTOMER_ROLES, ROLE_LABELS, type CustomerRole } from "../auth/permissions";
import { notifyLater } from "../platform/notifications.server";
import type { Tx } from "~/utils/db.server";
import { recordAudit, type Actor } from "../platform/audit.server";
import { hashPassword } from "../auth/crypto.server";
import type { TenantAction } from "../delegated-admin/admin-roles";
import { DomainError, pgErrorCode, RateLimited } from "../../utils/errors";
import { findOwnCustomer } from "../delegated-admin/admin-relationships.server";
import { inviteMember, memberEmail, memberName, revokeInvitation } from "../auth/invitations.server";
import { requestPasswordReset } from "../auth/accounts.server";
import { effectiveRights, requireTenantAction } from "../staff/staff-groups.server";

/**
 * Moves a partner's transaction into a customer's context, for the rest of the transaction (also a
 * READ ONLY one: it only sets transaction-local settings). The database refuses unless the partner
 * has an active DAP or GDAP relationship with the customer.
 */
export async function enterCustomerAsPartner(tx: Tx, { customerId }: { customerId: string }) {
  try {
    await tx.execute(sql`select pd_act_in_customer(${customerId}::uuid)`);
  } catch (error) {
    if (pgErrorCode(error) === "42501") throw new DomainError(403, "You have no active admin relationship with this customer.");
    throw error;
  }
}

/**
 * A page of the partner's customer workspace: the customer (404 unless it is the partner's) and
 * what the signed-in staff member may do in it now.
 */
export async function openCustomerWorkspace(tx: Tx, { partnerId, userId, customerId }: { partnerId: string; userId: string; customerId: string }) {
  const customer = await findOwnCustomer(tx, { partnerId, customerId });
  if (!customer) throw new DomainError(404, "No such customer.");
  return { customer: { id: customer.id, name: customer.name }, rights: await effectiveRights(tx, { partnerId, userId, customerId }) };
}

/**
 * The gate and the door in one: refuses with 403 unless the staff member may do `action` in the
 * customer now, then moves the transaction into the customer's context. Returns the rights.
 */
export async function actInCustomer(tx: Tx, input: { partnerId: string; userId: string; customerId: string; action: TenantAction }) {
  const rights = await requireTenantAction(tx, input);
  await enterCustomerAsPartner(tx, { customerId: input.customerId });
  return rights;
}

export async function listTenantUsers(tx: Tx, { customerId }: { customerId: string }) {
  return tx
    .select({
      id: memberships.userId,
      displayName: memberName,
      email: memberEmail,
      roles: memberships.roles,
      status: memberships.status,
      mustChange: sql<boolean>`coalesce(${users.passwordMustChange}, false)`,
      /** Whether this organisation manages the account's credentials (ADR 0026). */
      managed: sql<boolean>`pd_manages_account(${memberships.userId})`,
      /** A partner's person (the "partner" relationship type): that partner's name. */
      partnerName: sql<string | null>`case when ${memberships.partnerOrgId} is null then null else pd_partner_name(${memberships.partnerOrgId}) end`,
    })
    .from(memberships)
    // An invited person's account stays invisible (RLS); the invitation shows as typed.
    .leftJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.orgId, customerId))
    .orderBy(asc(memberName), asc(memberships.userId));
}

/** Readable temporary passwords: 4 groups of 4 from an alphabet without look-alikes (~80 bits). */
export function temporaryPassword() {
  const alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  const group = () => Array.from({ length: 4 }, () => alphabet[randomInt(alphabet.length)]).join("");
  return `${group()}-${group()}-${group()}-${group()}`;
}

const isAdmin = (roles: readonly string[]) => roles.includes("global_admin") || roles.includes("billing_admin");

/** Refused on the `userId` field: the page offers that person a reset link of their own instead. */
export const MANAGED_ELSEWHERE =
  "This person's account is not managed by this organisation alone (they also belong to another organisation, or joined from one), so only they can change its password. Send them a link to reset it themselves instead.";

async function activeMember(tx: Tx, { customerId, userId }: { customerId: string; userId: string }) {
  const [member] = await tx
    .select({ roles: memberships.roles, email: users.email, status: memberships.status, managed: sql<boolean>`pd_manages_account(${memberships.userId})` })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.orgId, customerId), eq(memberships.userId, userId), ne(memberships.status, "invited")));
  if (!member) throw new DomainError(404, "No such user.");
  return member;
}

/**
 * Sets a temporary password (shown once to the caller); the user chooses a new one at next sign-in.
 * Only for accounts this organisation manages alone; pd_reset_member_password refuses the rest.
 */
export async function resetTenantUserPassword(
  tx: Tx,
  { customerId, actor, userId, mayResetAdmins }: { customerId: string; actor: Actor; userId: string; mayResetAdmins: boolean },
) {
  const member = await activeMember(tx, { customerId, userId });
  if (isAdmin(member.roles) && !mayResetAdmins) throw new DomainError(403, "Resetting an admin's password needs a privileged admin role.");
  if (!member.managed) throw new DomainError(409, MANAGED_ELSEWHERE, "userId");
  const password = temporaryPassword();
  try {
    await tx.execute(sql`select pd_reset_member_password(${userId}::uuid, ${await hashPassword(password)}, ${mayResetAdmins})`);
  } catch (error) {
    // The person accepted another organisation's invitation since the check above.
    if (pgErrorCode(error) === "PD001") throw new DomainError(409, MANAGED_ELSEWHERE, "userId");
    throw error;
  }
  await recordAudit(tx, { actor, subjectOrgId: customerId, action: "tenant_user.password_reset", objectType: "user", objectId: userId, details: { email: member.email } });
  return { email: member.email, temporaryPassword: password };
}

/**
 * The safe alternative for an account managed elsewhere: the person gets a reset link at their own
 * address (the caller mails it through the forgot-password path). Nothing of the account changes.
 */
export async function prepareMemberResetLink(tx: Tx, { customerId, actor, userId }: { customerId: string; actor: Actor; userId: string }) {
  const member = await activeMember(tx, { customerId, userId });
  await recordAudit(tx, { actor, subjectOrgId: customerId, action: "tenant_user.reset_link_sent", objectType: "user", objectId: userId, details: { email: member.email } });
  return { email: member.email };
}

/**
 * Mails the link `prepareMemberResetLink` prepared, through the forgot-password path (its own
 * transaction and rate limits): a RateLimited (429) when too many were asked for just now.
 */
export async function sendMemberResetLink({ email, ip }: { email: string; ip: string }) {
  const sent = await requestPasswordReset({ email, ip });
  if (!sent.ok) {
    const minutes = Math.ceil(sent.retryAfter / 60);
    throw new RateLimited(`Too many reset links were asked for just now. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`, sent.retryAfter);
  }
}

/**
 * Invites a user to the customer (ADR 0026): the person accepts from the mailed link — a new
 * account chooses its password there; an existing account accepts while signed in as itself.
 * The answer is the same whether or not the address has an account.
 */
export async function createTenantUser(
  tx: Tx,
  { customerId, actor, displayName, email }: { customerId: string; actor: Actor; displayName: string; email: string },
) {
  return inviteMember(tx, { orgId: customerId, actor, email, displayName, roles: ["user"], auditAction: "tenant_user.invited" });
}

// ---- Roles, deactivation, removal: the organisation keeps an active global admin ----

const roleLabel = (role: string) => ROLE_LABELS.customer[role] ?? role;

/** The one role a customer's user holds (the highest of several, for memberships from before). */
export function primaryRole(roles: readonly string[]): CustomerRole {
  return CUSTOMER_ROLES.find((r) => roles.includes(r)) ?? "user";
}

type MemberChange = "demote" | "deactivate" | "remove";

const LAST_ADMIN: Record<MemberChange, { self: string; other: (name: string) => string }> = {
  demote: {
    self: "You are the organisation's only active global admin, so you can't give yourself another role. Make another user a global admin first.",
    other: (name) => `${name} is the organisation's only active global admin, so their role can't change. Make another user a global admin first.`,
  },
  deactivate: {
    self: "You are the organisation's only active global admin, so you can't deactivate yourself. Make another user a global admin first.",
    other: (name) => `${name} is the organisation's only active global admin, so they can't be deactivated. Make another user a global admin first.`,
  },
  remove: {
    self: "You are the organisation's only active global admin, so you can't remove yourself. Make another user a global admin first.",
    other: (name) => `${name} is the organisation's only active global admin, so they can't be removed. Make another user a global admin first.`,
  },
};

/**
 * Locks every membership of the customer (in one order, so two admins changing each other wait
 * rather than deadlock) and refuses, with 409 on the `userId` field, a change that would leave no
 * active global admin: two global admins demoting each other at once leave one. Returns the member.
 */
async function lockForChange(
  tx: Tx,
  { customerId, actor, userId, change, nextRoles, nextStatus }: { customerId: string; actor: Actor; userId: string; change: MemberChange; nextRoles?: string[]; nextStatus?: string | null },
) {
  const rows = await tx
    .select({ userId: memberships.userId, roles: memberships.roles, status: memberships.status, partnerOrgId: memberships.partnerOrgId, name: memberName, email: memberEmail })
    .from(memberships)
    .leftJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.orgId, customerId))
    .orderBy(asc(memberships.userId))
    .for("update", { of: memberships });
  const target = rows.find((r) => r.userId === userId);
  if (!target) throw new DomainError(404, "No such user.", "userId");
  const isGlobalAdmin = (r: (typeof rows)[number]) => {
    const roles = r.userId === userId && nextRoles ? nextRoles : r.roles;
    const status = r.userId === userId && nextStatus !== undefined ? nextStatus : r.status;
    return status === "active" && roles.includes("global_admin");
  };
  if (rows.some((r) => r.status === "active" && r.roles.includes("global_admin")) && !rows.some(isGlobalAdmin)) {
    const message = LAST_ADMIN[change];
    throw new DomainError(409, userId === actor.userId ? message.self : message.other(target.name ?? target.email ?? "This user"), "userId");
  }
  return target;
}

/** Gives a user one of the customer roles (global admin, billing admin, user). */
export async function changeTenantUserRole(tx: Tx, { customerId, actor, userId, role }: { customerId: string; actor: Actor; userId: string; role: CustomerRole }) {
  const target = await lockForChange(tx, { customerId, actor, userId, change: "demote", nextRoles: [role] });
  if (target.roles.length === 1 && target.roles[0] === role) return { name: target.name, role, changed: false };
  await tx.update(memberships).set({ roles: [role] }).where(and(eq(memberships.orgId, customerId), eq(memberships.userId, userId)));
  await recordAudit(tx, { actor, subjectOrgId: customerId, action: "tenant_user.role_changed", objectType: "user", objectId: userId, details: { from: target.roles, to: [role] } });
  return { name: target.name, role, changed: true };
}

/**
 * Deactivates or reactivates a member: a deactivated member cannot sign in to this organisation and
 * its sessions here end at once (the database's trigger); the account and its other organisations
 * stay as they are.
 */
export async function setTenantUserActive(tx: Tx, { customerId, actor, userId, active }: { customerId: string; actor: Actor; userId: string; active: boolean }) {
  const target = await lockForChange(tx, { customerId, actor, userId, change: "deactivate", nextStatus: active ? "active" : "deactivated" });
  if (target.status === "invited") throw new DomainError(409, "This person has not accepted the invitation yet; remove the invitation instead.", "userId");
  if (active === (target.status === "active")) return { name: target.name, changed: false };
  await tx
    .update(memberships)
    .set(active ? { status: "active", deactivatedAt: null } : { status: "deactivated", deactivatedAt: sql`now()` })
    .where(and(eq(memberships.orgId, customerId), eq(memberships.userId, userId)));
  await recordAudit(tx, { actor, subjectOrgId: customerId, action: active ? "tenant_user.reactivated" : "tenant_user.deactivated", objectType: "user", objectId: userId, details: { email: target.email } });
  return { name: target.name, changed: true };
}

/**
 * Removes a person from the organisation (or withdraws their invitation): the membership and the
 * licences they held here go; the account is the person's (ADR 0026) and stays as it is, with its
 * other organisations. Removing a partner's last person here ends the 'partner' relationship (the
 * database's trigger), and the partner is told.
 */
export async function removeTenantUser(tx: Tx, { customerId, actor, userId }: { customerId: string; actor: Actor; userId: string }) {
  const target = await lockForChange(tx, { customerId, actor, userId, change: "remove", nextStatus: null });
  if (target.status === "invited") {
    await revokeInvitation(tx, { orgId: customerId, userId });
    await recordAudit(tx, { actor, subjectOrgId: customerId, action: "tenant_user.invitation_revoked", objectType: "user", objectId: userId, details: { email: target.email } });
    return { name: target.name, relationshipEnded: false };
  }
  await tx.delete(licenceAssignments).where(and(eq(licenceAssignments.customerOrgId, customerId), eq(licenceAssignments.userId, userId)));
  await tx.delete(memberships).where(and(eq(memberships.orgId, customerId), eq(memberships.userId, userId)));
  await recordAudit(tx, { actor, subjectOrgId: customerId, action: "tenant_user.removed", objectType: "user", objectId: userId, details: { email: target.email, ...(target.partnerOrgId ? { partnerId: target.partnerOrgId } : {}) } });
  let relationshipEnded = false;
  if (target.partnerOrgId) {
    const [rel] = await tx
      .select({ status: relationships.status })
      .from(relationships)
      .where(and(eq(relationships.partnerOrgId, target.partnerOrgId), eq(relationships.customerOrgId, customerId), eq(relationships.type, "partner")));
    relationshipEnded = rel?.status === "ended";
    const [customer] = await tx.select({ name: organisations.name }).from(organisations).where(eq(organisations.id, customerId));
    await notifyLater(tx, {
      orgId: target.partnerOrgId,
      roles: ["global_admin", "admin_agent"],
      kind: relationshipEnded ? "partner_person.relationship_ended" : "partner_person.removed",
      title: `${customer?.name ?? "A customer"} removed ${target.name ?? target.email ?? "your person"} from its organisation`,
      body: relationshipEnded
        ? `${target.name ?? target.email} no longer has a user account at ${customer?.name ?? "the customer"}, so your "partner" relationship with it has ended.`
        : `${target.name ?? target.email} no longer has a user account at ${customer?.name ?? "the customer"}; your other people there keep theirs.`,
      link: "/partner/customers",
    });
  }
  return { name: target.name, relationshipEnded };
}

// ---- The "partner" relationship type: a partner's person as a user of the customer ----

/** The partners a customer can pick from when inviting a partner's person: those it has a live relationship with. */
export async function listInvitablePartners(tx: Tx, { customerId }: { customerId: string }) {
  return tx
    .selectDistinct({ id: organisations.id, name: organisations.name, partnerNumber: organisations.partnerNumber })
    .from(relationships)
    .innerJoin(organisations, eq(organisations.id, relationships.partnerOrgId))
    .where(and(eq(relationships.customerOrgId, customerId), ne(relationships.status, "ended")))
    .orderBy(asc(organisations.name), asc(organisations.id));
}

/**
 * Invites a partner's person as a user of the customer, through the invitation flow (ADR 0026):
 * the partner is one of the customer's partners (`partnerId`; another partner's id is 404) or any
 * partner named by its Partner ID. Once the person accepts, the pair has an active 'partner'
 * relationship (the database's trigger), shown on the customer's partner pages.
 */
export async function invitePartnerPerson(
  tx: Tx,
  {
    customerId,
    actor,
    displayName,
    email,
    role,
    partnerId,
    partnerNumber,
  }: { customerId: string; actor: Actor; displayName: string; email: string; role: CustomerRole; partnerId?: string; partnerNumber?: number },
) {
  let partner: { id: string; name: string } | undefined;
  if (partnerId) {
    partner = (await listInvitablePartners(tx, { customerId })).find((p) => p.id === partnerId);
    if (!partner) throw new DomainError(404, "No such partner. Choose one of your partners, or enter a Partner ID.", "partnerId");
  } else if (partnerNumber !== undefined) {
    const [row] = rowsOf<{ id: string; name: string }>(await tx.execute(sql`select id, name from pd_lookup_partner(${partnerNumber})`));
    if (!row) throw new DomainError(404, `No partner has Partner ID ${partnerNumber}. Check the number with your partner.`, "partnerNumber");
    partner = row;
  } else {
    throw new DomainError(400, "Choose one of your partners, or enter a Partner ID.", "partnerId");
  }
  const invited = await inviteMember(tx, { orgId: customerId, actor, email, displayName, roles: [role], partnerOrgId: partner.id, auditAction: "tenant_user.partner_person_invited" });
  return { ...invited, partnerName: partner.name, roleLabel: roleLabel(role) };
}
