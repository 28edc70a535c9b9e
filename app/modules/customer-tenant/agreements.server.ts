/**
 * The customer agreement: versioned text that a customer's global admin accepts at first
 * sign-in (and again for each new version) before a partner may transact for the customer.
 */
import { and, desc, eq, lte, sql } from "drizzle-orm";
import { agreementAcceptances, customerAgreements, jobEffects, partnerCustomers } from "../../../db/schema";
import { rowsOf } from "../../../db/client";
import type { Tx } from "~/utils/db.server";
import { recordAudit, type Actor } from "../platform/audit.server";
import { DomainError } from "../../utils/errors";

export async function getCurrentAgreement(tx: Tx) {
  const [agreement] = await tx
    .select()
    .from(customerAgreements)
    .where(lte(customerAgreements.effectiveAt, sql`now()`))
    .orderBy(desc(customerAgreements.effectiveAt))
    .limit(1);
  if (!agreement) throw new Error("no customer agreement is in effect");
  return agreement;
}

export async function acceptAgreement(tx: Tx, { customerId, actor, version }: { customerId: string; actor: Actor; version: string }) {
  const current = await getCurrentAgreement(tx);
  if (version !== current.version) {
    throw new DomainError(409, "The customer agreement has changed since you opened it. Read the current version and accept it.");
  }
  const inserted = await tx
    .insert(agreementAcceptances)
    .values({ customerOrgId: customerId, version, acceptedByUserId: actor.userId, ip: actor.ip ?? null })
    .onConflictDoNothing()
    .returning({ version: agreementAcceptances.version });
  if (inserted.length > 0) {
    await recordAudit(tx, { actor, action: "agreement.accepted", objectType: "customer_agreement", objectId: version });
  }
}

/** For partner-side work on a customer: refuses until the customer accepted the current agreement. */
export async function assertAgreementAccepted(tx: Tx, { partnerId, customerId }: { partnerId: string; customerId: string }) {
  const [row] = await tx
    .select({ status: partnerCustomers.agreementStatus })
    .from(partnerCustomers)
    .where(and(eq(partnerCustomers.partnerOrgId, partnerId), eq(partnerCustomers.customerOrgId, customerId)));
  if (!row) throw new DomainError(404, "No such customer.");
  if (row.status !== "accepted") {
    throw new DomainError(409, "The customer has not accepted the customer agreement yet. Its global admin must accept it at sign-in first.");
  }
}

/**
 * Scheduled work (system context): when a new agreement version takes effect, every customer
 * that has not accepted it shows "agreement pending" in its partners' lists, and partners cannot
 * transact for it until its global admin accepts (asked at the next sign-in). Once per version.
 */
export async function applyAgreementVersion(tx: Tx): Promise<number> {
  const current = await getCurrentAgreement(tx);
  const first = await tx.insert(jobEffects).values({ key: `agreement-version:${current.version}` }).onConflictDoNothing().returning({ key: jobEffects.key });
  if (first.length === 0) return 0;
  const changed = await tx.execute(sql`
    update partner_customers pc
       set agreement_status = case when o.agreement_version = ${current.version} then 'accepted' else 'pending' end
      from organisations o
     where o.id = pc.customer_org_id
       and pc.agreement_status <> case when o.agreement_version = ${current.version} then 'accepted' else 'pending' end
    returning 1`);
  return rowsOf(changed).length;
}
