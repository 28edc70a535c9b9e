/**
 * Organisations: the partner's company profile, the overview, and the operator's functions
 * (create partners, grant capabilities) that only the command-line tool calls.
 */
import { and, count, eq, ne, sql } from "drizzle-orm";
import { memberships, organisations, partnerCustomerCounts, relationships } from "../../../db/schema";
import { recordAudit, type Actor } from "../platform/audit.server";
import { DomainError } from "../../utils/errors";
import type { Tx } from "~/utils/db.server";

export const profileColumns = {
  id: organisations.id,
  kind: organisations.kind,
  name: organisations.name,
  partnerNumber: organisations.partnerNumber,
  primaryDomain: organisations.primaryDomain,
  country: organisations.country,
  email: organisations.email,
  phone: organisations.phone,
  website: organisations.website,
  addressLine: organisations.addressLine,
  postalCode: organisations.postalCode,
  city: organisations.city,
  isAuthorisedAdvisor: organisations.isAuthorisedAdvisor,
  isDapCertified: organisations.isDapCertified,
  createdAt: organisations.createdAt,
};

export async function getOrganisation(tx: Tx, { orgId }: { orgId: string }) {
  const [org] = await tx.select(profileColumns).from(organisations).where(eq(organisations.id, orgId));
  if (!org) throw new DomainError(404, "Organisation not found.");
  return org;
}

export interface ProfileInput {
  name: string;
  email: string | null;
  phone: string | null;
  website: string | null;
  addressLine: string | null;
  postalCode: string | null;
  city: string | null;
  country: string | null;
}

export async function updateProfile(tx: Tx, { orgId, actor, profile }: { orgId: string; actor: Actor; profile: ProfileInput }) {
  const before = await getOrganisation(tx, { orgId });
  await tx
    .update(organisations)
    .set({ ...profile, updatedAt: sql`now()` })
    .where(eq(organisations.id, orgId));
  const changed = Object.fromEntries(
    Object.entries(profile).filter(([k, v]) => (before as Record<string, unknown>)[k] !== v),
  );
  await recordAudit(tx, { actor, action: "profile.updated", objectType: "organisation", objectId: orgId, details: { changed: Object.keys(changed) } });
}

export async function partnerOverview(tx: Tx, { orgId }: { orgId: string }) {
  const [staff] = await tx
    .select({
      active: sql<number>`count(*) filter (where ${memberships.status} = 'active')`.mapWith(Number),
      invited: sql<number>`count(*) filter (where ${memberships.status} = 'invited')`.mapWith(Number),
    })
    .from(memberships)
    .where(eq(memberships.orgId, orgId));
  // The trigger-kept counter (ADR 0007), not a count over the partner's relationships.
  const [customers] = await tx
    .select({ n: partnerCustomerCounts.customers })
    .from(partnerCustomerCounts)
    .where(eq(partnerCustomerCounts.partnerOrgId, orgId));
  return { activeStaff: staff?.active ?? 0, invitedStaff: staff?.invited ?? 0, customers: customers?.n ?? 0 };
}

export async function customerOverview(tx: Tx, { orgId }: { orgId: string }) {
  const partners = await tx
    .select({ partnerName: organisations.name, partnerNumber: organisations.partnerNumber, type: relationships.type, status: relationships.status, since: relationships.createdAt })
    .from(relationships)
    .innerJoin(organisations, eq(organisations.id, relationships.partnerOrgId))
    .where(and(eq(relationships.customerOrgId, orgId), ne(relationships.status, "ended")))
    .orderBy(organisations.name);
  const [users] = await tx
    .select({ n: count() })
    .from(memberships)
    .where(and(eq(memberships.orgId, orgId), eq(memberships.status, "active")));
  return { partners, activeUsers: users?.n ?? 0 };
}

// ---- Operator functions (system context, called by the CLI and the seed) ----

export async function createPartner(
  tx: Tx,
  input: { name: string; email?: string | null; website?: string | null; phone?: string | null; partnerNumber?: number; operator: string },
) {
  const [org] = await tx
    .insert(organisations)
    .values({
      kind: "partner",
      name: input.name,
      email: input.email ?? null,
      website: input.website ?? null,
      phone: input.phone ?? null,
      partnerNumber: input.partnerNumber ?? sql`nextval('partner_number_seq')`,
    })
    .returning({ id: organisations.id, partnerNumber: organisations.partnerNumber });
  await recordAudit(tx, {
    actor: { userId: null, orgId: null },
    subjectOrgId: org!.id,
    action: "operator.partner_created",
    objectType: "organisation",
    objectId: org!.id,
    details: { operator: input.operator, name: input.name },
  });
  return org!;
}

export type Capability = "advisor" | "dap";

export async function setCapability(
  tx: Tx,
  { partnerNumber, capability, enabled, operator }: { partnerNumber: number; capability: Capability; enabled: boolean; operator: string },
) {
  const column = capability === "advisor" ? "isAuthorisedAdvisor" : "isDapCertified";
  const [org] = await tx
    .update(organisations)
    .set({ [column]: enabled, updatedAt: sql`now()` })
    .where(and(eq(organisations.partnerNumber, partnerNumber), eq(organisations.kind, "partner")))
    .returning({ id: organisations.id, name: organisations.name });
  if (!org) throw new DomainError(404, `No partner with Partner ID ${partnerNumber}.`);
  await recordAudit(tx, {
    actor: { userId: null, orgId: null },
    subjectOrgId: org.id,
    action: "operator.capability_set",
    objectType: "organisation",
    objectId: org.id,
    details: { operator, capability, enabled },
  });
  return org;
}
