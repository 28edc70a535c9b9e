/**
 * Staff groups of a partner, their GDAP role assignments, and the one gate for acting in a
 * customer tenant: a staff member's effective roles there (ADR 0010).
 */
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { adminRelationships, gdapAssignments, memberships, relationships, staffGroupMembers, staffGroups, users } from "../../../db/schema";
import type { Tx } from "~/utils/db.server";
import { actionsOf, adminRole, ADVISOR_ACTIONS, capForPartnerRoles, dapRolesFor, mayActInCustomers, usableRoles, type RightsView, type TenantAction } from "../delegated-admin/admin-roles";
import { recordAudit, type Actor } from "../platform/audit.server";
import { DomainError } from "../../utils/errors";

export async function listGroups(tx: Tx, { partnerId }: { partnerId: string }) {
  const groups = await tx.select().from(staffGroups).where(eq(staffGroups.partnerOrgId, partnerId)).orderBy(asc(staffGroups.name));
  const members = groups.length
    ? await tx
        .select({ groupId: staffGroupMembers.groupId, userId: users.id, displayName: users.displayName, email: users.email })
        .from(staffGroupMembers)
        .innerJoin(users, eq(users.id, staffGroupMembers.userId))
        .where(and(eq(staffGroupMembers.partnerOrgId, partnerId), inArray(staffGroupMembers.groupId, groups.map((g) => g.id))))
        .orderBy(asc(users.displayName))
    : [];
  return groups.map((g) => ({ id: g.id, name: g.name, members: members.filter((m) => m.groupId === g.id) }));
}

export async function createGroup(tx: Tx, { partnerId, actor, name }: { partnerId: string; actor: Actor; name: string }) {
  const trimmed = name.trim();
  if (trimmed.length < 1 || trimmed.length > 80) throw new DomainError(400, "Use a name of 1 to 80 characters.", "name");
  const [taken] = await tx.select({ id: staffGroups.id }).from(staffGroups).where(and(eq(staffGroups.partnerOrgId, partnerId), sql`lower(${staffGroups.name}) = lower(${trimmed})`));
  if (taken) throw new DomainError(409, `A group named "${trimmed}" exists.`, "name");
  const [group] = await tx.insert(staffGroups).values({ partnerOrgId: partnerId, name: trimmed }).returning({ id: staffGroups.id });
  await recordAudit(tx, { actor, action: "staff_group.created", objectType: "staff_group", objectId: group!.id, details: { name: trimmed } });
  return group!;
}

async function ownGroup(tx: Tx, { partnerId, groupId }: { partnerId: string; groupId: string }) {
  const [group] = await tx.select().from(staffGroups).where(and(eq(staffGroups.partnerOrgId, partnerId), eq(staffGroups.id, groupId)));
  if (!group) throw new DomainError(404, "No such group.");
  return group;
}

export async function deleteGroup(tx: Tx, { partnerId, actor, groupId }: { partnerId: string; actor: Actor; groupId: string }) {
  const group = await ownGroup(tx, { partnerId, groupId });
  await tx.delete(staffGroups).where(and(eq(staffGroups.partnerOrgId, partnerId), eq(staffGroups.id, groupId)));
  await recordAudit(tx, { actor, action: "staff_group.deleted", objectType: "staff_group", objectId: groupId, details: { name: group.name } });
}

export async function addGroupMember(tx: Tx, { partnerId, actor, groupId, userId }: { partnerId: string; actor: Actor; groupId: string; userId: string }) {
  await ownGroup(tx, { partnerId, groupId });
  const [member] = await tx.select({ userId: memberships.userId }).from(memberships).where(and(eq(memberships.orgId, partnerId), eq(memberships.userId, userId)));
  if (!member) throw new DomainError(404, "No such staff member.", "userId");
  await tx.insert(staffGroupMembers).values({ groupId, partnerOrgId: partnerId, userId }).onConflictDoNothing();
  await recordAudit(tx, { actor, action: "staff_group.member_added", objectType: "staff_group", objectId: groupId, details: { userId } });
}

export async function removeGroupMember(tx: Tx, { partnerId, actor, groupId, userId }: { partnerId: string; actor: Actor; groupId: string; userId: string }) {
  await ownGroup(tx, { partnerId, groupId });
  const removed = await tx
    .delete(staffGroupMembers)
    .where(and(eq(staffGroupMembers.partnerOrgId, partnerId), eq(staffGroupMembers.groupId, groupId), eq(staffGroupMembers.userId, userId)))
    .returning({ userId: staffGroupMembers.userId });
  if (removed.length === 0) throw new DomainError(404, "Not a member of this group.");
  await recordAudit(tx, { actor, action: "staff_group.member_removed", objectType: "staff_group", objectId: groupId, details: { userId } });
}

/** The groups' role assignments on one GDAP relationship. */
export async function listAssignments(tx: Tx, { partnerId, adminRelationshipId }: { partnerId: string; adminRelationshipId: string }) {
  return tx
    .select({ groupId: gdapAssignments.groupId, roles: gdapAssignments.roles })
    .from(gdapAssignments)
    .where(and(eq(gdapAssignments.partnerOrgId, partnerId), eq(gdapAssignments.adminRelationshipId, adminRelationshipId)));
}

/**
 * Gives a staff group a subset of an active GDAP relationship's roles (an empty set removes the
 * assignment). Roles the customer did not approve are refused.
 */
export async function assignGroupRoles(
  tx: Tx,
  { partnerId, actor, adminRelationshipId, groupId, roles }: { partnerId: string; actor: Actor; adminRelationshipId: string; groupId: string; roles: string[] },
) {
  const [rel] = await tx
    .select()
    .from(adminRelationships)
    .where(and(eq(adminRelationships.partnerOrgId, partnerId), eq(adminRelationships.id, adminRelationshipId)))
    .for("update");
  if (!rel) throw new DomainError(404, "No such admin relationship.");
  if (rel.status !== "active") throw new DomainError(409, "Roles can be assigned on an active relationship only.");
  await ownGroup(tx, { partnerId, groupId });
  const wanted = [...new Set(roles)];
  if (wanted.some((r) => !rel.roles.includes(r))) throw new DomainError(400, "Assign only roles the customer approved in this relationship.", "roles");
  if (wanted.length === 0) {
    await tx.delete(gdapAssignments).where(and(eq(gdapAssignments.partnerOrgId, partnerId), eq(gdapAssignments.adminRelationshipId, adminRelationshipId), eq(gdapAssignments.groupId, groupId)));
  } else {
    await tx
      .insert(gdapAssignments)
      .values({ adminRelationshipId, groupId, partnerOrgId: partnerId, roles: wanted })
      .onConflictDoUpdate({ target: [gdapAssignments.adminRelationshipId, gdapAssignments.groupId], set: { roles: wanted } });
  }
  await recordAudit(tx, {
    actor,
    subjectOrgId: rel.customerOrgId,
    action: "gdap.roles_assigned",
    objectType: "admin_relationship",
    objectId: adminRelationshipId,
    details: { groupId, roles: wanted.map((r) => adminRole(r)?.name ?? r) },
  });
}

export interface EffectiveRights {
  /** Template ids of the roles the staff member holds in the customer now (before the cap). */
  roles: string[];
  /** What it may do there now: the roles' actions, capped by its partner role. */
  actions: Set<TenantAction>;
  via: ("dap" | "gdap" | "advisor")[];
  /** The staff member's roles in its partner (what caps the above). */
  partnerRoles: string[];
  /** The held roles that leave it at least one action after the cap: the ones to name as held. */
  usable: string[];
}

/** The pages' view of the rights (serialisable), for rightsSummary and whyNot. */
export const rightsView = (rights: EffectiveRights): RightsView => ({
  partnerRoles: rights.partnerRoles,
  usable: rights.usable,
  actions: [...rights.actions],
  advisor: rights.via.includes("advisor"),
});

/**
 * A staff member's rights in a customer tenant at `now`: the union of its groups' assignments on
 * the partner's active GDAP relationships with the customer, plus what an active DAP gives its
 * partner role, capped by its partner role (admin agent uncapped; helpdesk agent password resets
 * and service requests at most; other roles nothing). Runs in the partner's context.
 */
export async function effectiveRights(tx: Tx, { partnerId, userId, customerId, now = new Date() }: { partnerId: string; userId: string; customerId: string; now?: Date }): Promise<EffectiveRights> {
  const [member] = await tx
    .select({ roles: memberships.roles })
    .from(memberships)
    .where(and(eq(memberships.orgId, partnerId), eq(memberships.userId, userId), eq(memberships.status, "active")));
  const partnerRoles = member?.roles ?? [];
  const roles = new Set<string>();
  const via = new Set<"dap" | "gdap" | "advisor">();
  const live = await tx
    .select({ type: relationships.type })
    .from(relationships)
    .where(and(eq(relationships.partnerOrgId, partnerId), eq(relationships.customerOrgId, customerId), inArray(relationships.type, ["dap", "support_advisor"]), eq(relationships.status, "active")));
  if (live.some((r) => r.type === "dap")) {
    for (const r of dapRolesFor(partnerRoles)) roles.add(r);
    via.add("dap");
  }
  const assigned = await tx
    .select({ roles: gdapAssignments.roles })
    .from(gdapAssignments)
    .innerJoin(adminRelationships, eq(adminRelationships.id, gdapAssignments.adminRelationshipId))
    .innerJoin(staffGroupMembers, and(eq(staffGroupMembers.groupId, gdapAssignments.groupId), eq(staffGroupMembers.userId, userId)))
    .where(
      and(
        eq(gdapAssignments.partnerOrgId, partnerId),
        eq(staffGroupMembers.partnerOrgId, partnerId),
        eq(adminRelationships.partnerOrgId, partnerId),
        eq(adminRelationships.customerOrgId, customerId),
        eq(adminRelationships.status, "active"),
        sql`${adminRelationships.endsAt} > ${now.toISOString()}::timestamptz`,
      ),
    );
  for (const a of assigned) {
    // Only roles the relationship still grants count (assignments are subsets by construction).
    for (const r of a.roles) roles.add(r);
    via.add("gdap");
  }
  const cap = capForPartnerRoles(partnerRoles);
  const all = actionsOf([...roles]);
  const actions = cap === "uncapped" ? all : new Set([...all].filter((a) => cap.has(a)));
  // The advisor's two things (and reading users to reset them), for the roles that act in customers.
  if (live.some((r) => r.type === "support_advisor") && mayActInCustomers(partnerRoles)) {
    for (const a of ADVISOR_ACTIONS) actions.add(a);
    via.add("advisor");
  }
  return { roles: [...roles], actions, via: [...via], partnerRoles, usable: usableRoles(partnerRoles, [...roles]) };
}

/** The gate: refuses with 403 unless the staff member may do `action` in the customer now. */
export async function requireTenantAction(tx: Tx, input: { partnerId: string; userId: string; customerId: string; action: TenantAction; now?: Date }) {
  const rights = await effectiveRights(tx, input);
  if (!rights.actions.has(input.action)) {
    throw new DomainError(403, "Your admin roles in this customer's organisation do not allow this.");
  }
  return rights;
}
