/**
 * A lead answered by a link: the links domain marks the directory's lead won when the link it was
 * sent is redeemed (the directory sends links; links never call back into the directory).
 */
import { and, eq, isNull, sql } from "drizzle-orm";
import { leads } from "../../../db/schema";
import type { Tx } from "~/utils/db.server";
import { recordAudit } from "../platform/audit.server";

/**
 * Redemption (system context): the customer that redeemed a link through a lead's emailed URL is
 * tied to the lead, which is won. Only a lead of that link's partner; any of the partner's links
 * carrying the lead's token counts (a lead answered twice, with two links, is won by either).
 */
export async function linkLeadToCustomer(tx: Tx, { token, partnerId, linkId, customerId }: { token: string; partnerId: string; linkId: string; customerId: string }) {
  const won = await tx
    .update(leads)
    .set({ customerOrgId: customerId, status: "won", statusChangedAt: sql`now()` })
    .where(and(eq(leads.answerToken, token), eq(leads.partnerOrgId, partnerId), isNull(leads.customerOrgId)))
    .returning({ id: leads.id });
  for (const w of won) {
    await recordAudit(tx, { actor: { userId: null, orgId: customerId }, subjectOrgId: partnerId, action: "lead.won", objectType: "lead", objectId: w.id, details: { customerId, linkId } });
  }
  return won.length;
}
