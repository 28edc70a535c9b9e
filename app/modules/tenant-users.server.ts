/**
 * A customer organisation's users, managed by its own global admin or by partner staff acting
 * in it (delegated administration). Every function runs in the customer's context: directly for
 * the customer, or after `enterCustomerAsPartner` for partner staff, whose rights the caller has
 * checked with requireTenantAction (ADR 0010).
 */
import { randomInt } from "node:crypto";
import { and, asc, eq, sql } from "drizzle-orm";
import { memberships, users } from "../../db/schema";
import { rowsOf } from "../../db/client";
import { requireTransaction, type Tx } from "~/utils/db.server";
import { recordAudit, type Actor } from "./audit.server";
import { hashPassword } from "./auth/crypto.server";
import type { TenantAction } from "./admin-roles";
import { DomainError, pgErrorCode } from "./errors";
import { findOwnCustomer } from "./admin-relationships.server";
import { effectiveRights, requireTenantAction } from "./staff-groups.server";

/**
 * Moves a partner's transaction into a customer's context. The database refuses unless the
 * partner has an active DAP or GDAP relationship with the customer.
 */
export async function enterCustomerAsPartner(tx: Tx, { customerId }: { customerId: string }) {
  requireTransaction(tx, "Acting in a customer");
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
    .select({ id: users.id, displayName: users.displayName, email: users.email, roles: memberships.roles, status: memberships.status, mustChange: users.passwordMustChange })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.orgId, customerId))
    .orderBy(asc(users.displayName), asc(users.id));
}

/** Readable temporary passwords: 4 groups of 4 from an alphabet without look-alikes (~80 bits). */
export function temporaryPassword() {
  const alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  const group = () => Array.from({ length: 4 }, () => alphabet[randomInt(alphabet.length)]).join("");
  return `${group()}-${group()}-${group()}-${group()}`;
}

const isAdmin = (roles: readonly string[]) => roles.includes("global_admin") || roles.includes("billing_admin");

/** Sets a temporary password (shown once to the caller); the user chooses a new one at next sign-in. */
export async function resetTenantUserPassword(
  tx: Tx,
  { customerId, actor, userId, mayResetAdmins }: { customerId: string; actor: Actor; userId: string; mayResetAdmins: boolean },
) {
  const [member] = await tx
    .select({ roles: memberships.roles, email: users.email })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.orgId, customerId), eq(memberships.userId, userId)));
  if (!member) throw new DomainError(404, "No such user.");
  if (isAdmin(member.roles) && !mayResetAdmins) throw new DomainError(403, "Resetting an admin's password needs a privileged admin role.");
  const password = temporaryPassword();
  await tx.execute(sql`select pd_reset_member_password(${userId}::uuid, ${await hashPassword(password)}, ${mayResetAdmins})`);
  await recordAudit(tx, { actor, subjectOrgId: customerId, action: "tenant_user.password_reset", objectType: "user", objectId: userId, details: { email: member.email } });
  return { email: member.email, temporaryPassword: password };
}

/**
 * Adds a user to the customer. A new account gets a temporary password (shown once); a person who
 * already has a Partnerdesk account keeps its password and simply joins.
 */
export async function createTenantUser(
  tx: Tx,
  { customerId, actor, displayName, email }: { customerId: string; actor: Actor; displayName: string; email: string },
) {
  const [row] = rowsOf<{ id: string }>(await tx.execute(sql`select pd_ensure_user(${email}, ${displayName}) as id`));
  const userId = row!.id;
  const inserted = await tx
    .insert(memberships)
    .values({ orgId: customerId, userId, roles: ["user"], status: "active", activatedAt: sql`now()` })
    .onConflictDoNothing()
    .returning({ userId: memberships.userId });
  if (inserted.length === 0) throw new DomainError(409, "This person is already a user of the organisation.", "email");
  const [user] = await tx.select({ hasPassword: sql<boolean>`${users.passwordHash} is not null` }).from(users).where(eq(users.id, userId));
  let temporary: string | null = null;
  if (!user?.hasPassword) {
    temporary = temporaryPassword();
    await tx.execute(sql`select pd_reset_member_password(${userId}::uuid, ${await hashPassword(temporary)}, false)`);
  }
  await recordAudit(tx, { actor, subjectOrgId: customerId, action: "tenant_user.created", objectType: "user", objectId: userId, details: { email, displayName } });
  return { userId, email, temporaryPassword: temporary };
}
