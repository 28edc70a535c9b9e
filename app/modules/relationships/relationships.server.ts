/** The partner ↔ customer relationships table: one row per partner, customer and type. */
import { and, eq, inArray, sql } from "drizzle-orm";
import { organisations, relationships } from "../../../db/schema";
import type { Tx } from "~/utils/db.server";
import { recordAudit, type Actor } from "../platform/audit.server";
import { DomainError } from "../../utils/errors";
import { notifyLater } from "../platform/notifications.server";

/**
 * Creates a relationship, or brings an ended, pending or requested one back as `status`; an
 * active one stays as it is (with its start date). `pending` waits for the customer agreement.
 */
export async function upsertRelationship(
  tx: Tx,
  { partnerId, customerId, type, status }: { partnerId: string; customerId: string; type: "reseller" | "advisor" | "dap" | "gdap"; status: "active" | "requested" | "pending" },
) {
  await tx
    .insert(relationships)
    .values({ partnerOrgId: partnerId, customerOrgId: customerId, type, status, startedAt: status === "active" ? sql`now()` : null })
    .onConflictDoUpdate({
      target: [relationships.partnerOrgId, relationships.customerOrgId, relationships.type],
      set: {
        status: sql`case when ${relationships.status} = 'active' then 'active' else ${status} end`,
        startedAt: sql`case when ${relationships.status} = 'active' then ${relationships.startedAt} when ${status} = 'active' then now() else null end`,
        endedAt: sql`case when ${relationships.status} = 'active' then ${relationships.endedAt} else null end`,
      },
    });
}

/**
 * The reseller ends its reseller relationship with a customer (only the reseller may: the
 * customer's context is refused by the database). The customer's admins are told; the partner
 * stops seeing the customer's subscriptions unless it is their partner of record.
 */
export async function endResellerRelationship(tx: Tx, { partnerId, actor, customerId }: { partnerId: string; actor: Actor; customerId: string }) {
  const [row] = await tx
    .select({ id: relationships.id, customerName: organisations.name })
    .from(relationships)
    .innerJoin(organisations, eq(organisations.id, relationships.customerOrgId))
    .where(and(eq(relationships.partnerOrgId, partnerId), eq(relationships.customerOrgId, customerId), eq(relationships.type, "reseller"), inArray(relationships.status, ["pending", "active"])))
    .for("update", { of: relationships });
  if (!row) throw new DomainError(404, "You are not this customer's reseller.");
  await tx.update(relationships).set({ status: "ended", endedAt: sql`now()` }).where(eq(relationships.id, row.id));
  const [partner] = await tx.select({ name: organisations.name, partnerNumber: organisations.partnerNumber }).from(organisations).where(eq(organisations.id, partnerId));
  await recordAudit(tx, { actor, subjectOrgId: customerId, action: "reseller.ended", objectType: "relationship", objectId: row.id, details: { partnerName: partner?.name } });
  await notifyLater(tx, {
    orgId: customerId,
    roles: ["global_admin", "billing_admin"],
    kind: "reseller.ended",
    title: `${partner?.name ?? "Your reseller"} ended its reseller relationship with you`,
    body: `${partner?.name ?? "Your reseller"} (Partner ID ${partner?.partnerNumber ?? "?"}) is no longer your reseller. Your subscriptions stay yours; any other role it has with you is unchanged.`,
    link: "/customer/partners",
  });
  return { customerName: row.customerName };
}
