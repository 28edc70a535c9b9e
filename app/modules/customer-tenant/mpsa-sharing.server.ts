/**
 * MPSA purchase sharing (seeds 000/002/004: "If you have worked with several partners through the
 * MPSA program, you can allow them to see each other's purchases"). A customer's global admin
 * turns the setting on and off (organisations.mpsa_share_purchases); while it is on, each of the
 * customer's active MPSA partners sees the subscriptions whose partner of record is ANOTHER active
 * MPSA partner of that customer — and nothing more (no users, no other subscriptions, no other
 * customer's). The partner reads them only through pd_mpsa_shared_purchases (SECURITY DEFINER,
 * migration 0052), which checks the setting and both relationships again; the database refuses a
 * change of the setting by anyone but the customer's own active global admin.
 */
import { and, asc, eq, sql } from "drizzle-orm";
import { organisations, relationships } from "../../../db/schema";
import { rowsOf } from "../../../db/client";
import type { Tx } from "~/utils/db.server";
import { recordAudit, type Actor } from "../platform/audit.server";
import { DomainError } from "../../utils/errors";
import { notifyLater } from "../platform/notifications.server";

/** The customer's active MPSA partners, by name. */
async function activeMpsaPartners(tx: Tx, customerId: string) {
  return tx
    .select({ id: organisations.id, name: organisations.name, partnerNumber: organisations.partnerNumber })
    .from(relationships)
    .innerJoin(organisations, eq(organisations.id, relationships.partnerOrgId))
    .where(and(eq(relationships.customerOrgId, customerId), eq(relationships.type, "mpsa"), eq(relationships.status, "active")))
    .orderBy(asc(organisations.name));
}

/** The customer's side: whether sharing is on, and the MPSA partners it concerns. */
export async function getMpsaSharing(tx: Tx, { customerId }: { customerId: string }) {
  const [org] = await tx.select({ enabled: organisations.mpsaSharePurchases }).from(organisations).where(eq(organisations.id, customerId));
  if (!org) throw new DomainError(404, "No such organisation.");
  return { enabled: org.enabled, partners: await activeMpsaPartners(tx, customerId) };
}

/**
 * The customer's global admin turns sharing on or off. Turning it on needs an active MPSA partner
 * (409 otherwise); turning it off always works. The MPSA partners are told.
 */
export async function setMpsaSharing(tx: Tx, { customerId, actor, enabled }: { customerId: string; actor: Actor; enabled: boolean }) {
  const { enabled: was, partners } = await getMpsaSharing(tx, { customerId });
  if (enabled && partners.length === 0) throw new DomainError(409, "You have no MPSA partner: there is nothing to share.");
  if (was === enabled) return { changed: false, partners };
  await tx.update(organisations).set({ mpsaSharePurchases: enabled, updatedAt: sql`now()` }).where(eq(organisations.id, customerId));
  await recordAudit(tx, { actor, subjectOrgId: customerId, action: enabled ? "mpsa_sharing.enabled" : "mpsa_sharing.disabled", objectType: "organisation", objectId: customerId, details: { partners: partners.length } });
  const [me] = await tx.select({ name: organisations.name }).from(organisations).where(eq(organisations.id, customerId));
  for (const p of partners) {
    await notifyLater(tx, {
      orgId: p.id,
      roles: ["global_admin", "admin_agent", "sales_agent", "billing_admin"],
      kind: enabled ? "mpsa_sharing.enabled" : "mpsa_sharing.disabled",
      title: enabled ? `${me?.name ?? "A customer"} shares its MPSA purchases with its MPSA partners` : `${me?.name ?? "A customer"} stopped sharing its MPSA purchases`,
      link: `/partner/customers/${customerId}/mpsa-purchases`,
    });
  }
  return { changed: true, partners };
}

export interface SharedPurchase {
  subscriptionId: string;
  productName: string;
  licences: number;
  status: "trial" | "active" | "expired" | "cancelled";
  startedAt: Date;
  endedAt: Date | null;
  partnerName: string;
  partnerNumber: number | null;
}

/**
 * The partner's side: what its customer bought through its other MPSA partners. 404 unless the
 * partner is an active MPSA partner of the customer; `sharing: false` while the customer keeps its
 * purchases to itself. Read through the definer function (the partner cannot read those rows).
 */
export async function listMpsaSharedPurchases(tx: Tx, { partnerId, customerId }: { partnerId: string; customerId: string }) {
  const [rel] = await tx
    .select({ customerName: organisations.name, sharing: organisations.mpsaSharePurchases })
    .from(relationships)
    .innerJoin(organisations, eq(organisations.id, relationships.customerOrgId))
    .where(and(eq(relationships.partnerOrgId, partnerId), eq(relationships.customerOrgId, customerId), eq(relationships.type, "mpsa"), eq(relationships.status, "active")));
  if (!rel) throw new DomainError(404, "You are not this customer's MPSA partner.");
  if (!rel.sharing) return { customerName: rel.customerName, sharing: false as const, purchases: [] as SharedPurchase[] };
  const rows = rowsOf<{
    subscription_id: string;
    customer_org_id: string;
    partner_org_id: string;
    product_name: string;
    licences: number;
    status: SharedPurchase["status"];
    started_at: string | Date;
    ended_at: string | Date | null;
    partner_name: string;
    partner_number: number | null;
  }>(await tx.execute(sql`select * from pd_mpsa_shared_purchases(${customerId}::uuid)`));
  // The function answers for this customer and other partners only; the domain holds to it too.
  const purchases: SharedPurchase[] = rows
    .filter((r) => r.customer_org_id === customerId && r.partner_org_id !== partnerId)
    .map((r) => ({
      subscriptionId: r.subscription_id,
      productName: r.product_name,
      licences: Number(r.licences),
      status: r.status,
      startedAt: new Date(r.started_at),
      endedAt: r.ended_at ? new Date(r.ended_at) : null,
      partnerName: r.partner_name,
      partnerNumber: r.partner_number === null ? null : Number(r.partner_number),
    }));
  return { customerName: rel.customerName, sharing: true as const, purchases };
}
