/**
 * Demo data for the customer's partner pages (issue 30): Contoso Bakery, a customer of the first
 * demo partner, works with both demo partners through the MPSA program and lets them see each
 * other's purchases; the first partner is also its delegated admin (so "Remove roles" can be
 * tried) and has done some work there (its activity on the partner's details page).
 * Idempotent: run again, it adds nothing.
 */
import { and, eq, sql } from "drizzle-orm";
import type { Tx } from "~/utils/db.server";
import { auditLog, organisations, relationships, subscriptions, users } from "../schema";

/** The demo customer with an MPSA pair that shares purchases (sign in as admin@contoso-bakery.example). */
export const DEMO_MPSA_CUSTOMER_DOMAIN = "contoso-bakery.example";

export async function seedPartnerPagesDemo(tx: Tx, partnerNumbers: readonly [number, number]) {
  const [c] = await tx.select({ id: organisations.id }).from(organisations).where(eq(organisations.primaryDomain, DEMO_MPSA_CUSTOMER_DOMAIN));
  const partners = await tx
    .select({ id: organisations.id, number: organisations.partnerNumber })
    .from(organisations)
    .where(sql`${organisations.partnerNumber} in (${partnerNumbers[0]}, ${partnerNumbers[1]})`);
  const first = partners.find((p) => p.number === partnerNumbers[0]);
  const second = partners.find((p) => p.number === partnerNumbers[1]);
  if (!c || !first || !second) return;
  await tx
    .insert(relationships)
    .values([
      { partnerOrgId: first.id, customerOrgId: c.id, type: "mpsa", status: "active", startedAt: sql`now() - interval '200 days'` },
      { partnerOrgId: second.id, customerOrgId: c.id, type: "mpsa", status: "active", startedAt: sql`now() - interval '90 days'` },
      { partnerOrgId: first.id, customerOrgId: c.id, type: "dap", status: "active", startedAt: sql`now() - interval '120 days'` },
    ])
    .onConflictDoNothing();
  // One purchase through each MPSA partner.
  for (const [partnerId, productId, licences] of [
    [first.id, "business-standard", 12],
    [second.id, "visio-plan-2", 3],
  ] as const) {
    const [has] = await tx
      .select({ id: subscriptions.id })
      .from(subscriptions)
      .where(and(eq(subscriptions.customerOrgId, c.id), eq(subscriptions.advisorPartnerOrgId, partnerId)))
      .limit(1);
    if (!has) await tx.insert(subscriptions).values({ customerOrgId: c.id, productId, licences, status: "active", advisorPartnerOrgId: partnerId });
  }
  await tx.update(organisations).set({ mpsaSharePurchases: true }).where(eq(organisations.id, c.id));
  // What the first partner's staff did there.
  const [seen] = await tx.select({ id: auditLog.id }).from(auditLog).where(and(eq(auditLog.subjectOrgId, c.id), eq(auditLog.actorOrgId, first.id))).limit(1);
  if (!seen) {
    const [agent] = await tx.select({ id: users.id, name: users.displayName }).from(users).where(eq(users.email, "helpdesk-agent@northwind.example"));
    await tx.insert(auditLog).values([
      { actorUserId: agent?.id ?? null, actorName: agent?.name ?? "Helpdesk agent", actorOrgId: first.id, subjectOrgId: c.id, action: "licence.assigned", at: sql`now() - interval '3 days'` },
      {
        actorUserId: agent?.id ?? null,
        actorName: agent?.name ?? "Helpdesk agent",
        actorOrgId: first.id,
        subjectOrgId: c.id,
        action: "tenant_user.password_reset",
        details: { email: `admin@${DEMO_MPSA_CUSTOMER_DOMAIN}` },
        at: sql`now() - interval '1 day'`,
      },
    ]);
  }
}
