/**
 * A customer organisation's users, managed by its own global admin or by partner staff acting
 * in it (delegated administration). Every function runs in the customer's context: directly for
 * the customer, or after `enterCustomerAsPartner` for partner staff, whose rights the caller has
 * checked with requireTenantAction (ADR 0010).
 */
import { randomInt } from "node:crypto";
import { and, asc, eq, ne, sql } from "drizzle-orm";
import { memberships, users } from "../../../db/schema";
import type { Tx } from "~/utils/db.server";
import { recordAudit, type Actor } from "../platform/audit.server";
import { hashPassword } from "../auth/crypto.server";
import type { TenantAction } from "../delegated-admin/admin-roles";
import { DomainError, pgErrorCode, RateLimited } from "../../utils/errors";
import { findOwnCustomer } from "../delegated-admin/admin-relationships.server";
import { inviteMember, memberEmail, memberName } from "../auth/invitations.server";
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
