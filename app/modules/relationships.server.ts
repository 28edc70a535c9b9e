/** The partner ↔ customer relationships table: one row per partner, customer and type. */
import { sql } from "drizzle-orm";
import { relationships } from "../../db/schema";
import type { Tx } from "~/utils/db.server";

/**
 * Creates a relationship, or brings an ended, pending or requested one back as `status`; an
 * active one stays as it is (with its start date).
 */
export async function upsertRelationship(
  tx: Tx,
  { partnerId, customerId, type, status }: { partnerId: string; customerId: string; type: "reseller" | "advisor" | "dap" | "gdap"; status: "active" | "requested" },
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
