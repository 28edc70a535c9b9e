/**
 * Demo data for the customer's Users and Service requests pages (issue 30), in the first demo
 * customer (sign in as its global admin, admin@adatum-bakery.example): a billing admin, a user, a
 * deactivated user and a person of the first demo partner (the help pages' "partner" relationship
 * type, so the partner shows with that type); two service requests the partner opened, one open
 * with a thread, one closed. Idempotent: run again, it adds nothing.
 */
import { eq, sql } from "drizzle-orm";
import type { Tx } from "~/utils/db.server";
import { memberships, organisations, serviceRequestComments, serviceRequests, users } from "../schema";

export interface CustomerUsersDemo {
  customerDomain: string;
  partnerNumber: number;
  partnerDomain: string;
  passwordHash: string;
}

/** The demo customer's people besides its global admin: [email local part, name, role, status, partner's person]. */
export const DEMO_CUSTOMER_PEOPLE = [
  ["billing", "Bea Berg", "billing_admin", "active", false],
  ["ulf", "Ulf Urban", "user", "active", false],
  ["dora", "Dora Holm", "user", "deactivated", false],
  ["pia.lund", "Pia Lund", "user", "active", true],
] as const;

export async function seedCustomerUsersDemo(tx: Tx, demo: CustomerUsersDemo) {
  const [c] = await tx.select({ id: organisations.id }).from(organisations).where(eq(organisations.primaryDomain, demo.customerDomain));
  const [p] = await tx.select({ id: organisations.id }).from(organisations).where(eq(organisations.partnerNumber, demo.partnerNumber));
  if (!c || !p) return;
  for (const [local, name, role, status, partnersPerson] of DEMO_CUSTOMER_PEOPLE) {
    // The partner's person has the partner's address, and the partner manages the account (its home).
    const email = `${local}@${partnersPerson ? demo.partnerDomain : demo.customerDomain}`;
    const [u] = await tx
      .insert(users)
      .values({ email, displayName: name, passwordHash: demo.passwordHash, homeOrgId: partnersPerson ? p.id : null })
      .onConflictDoUpdate({ target: users.email, set: { displayName: name } })
      .returning({ id: users.id });
    // A partner's person works for the partner: an active member of it (the database requires it, 0058).
    if (partnersPerson) await tx.insert(memberships).values({ orgId: p.id, userId: u!.id, roles: ["admin_agent"], status: "active", activatedAt: sql`now() - interval '60 days'` }).onConflictDoNothing();
    await tx
      .insert(memberships)
      .values({
        orgId: c.id,
        userId: u!.id,
        roles: [role],
        status,
        activatedAt: sql`now() - interval '30 days'`,
        deactivatedAt: status === "deactivated" ? sql`now() - interval '5 days'` : null,
        // Active with a partner: the database starts the pair's 'partner' relationship.
        partnerOrgId: partnersPerson ? p.id : null,
      })
      .onConflictDoNothing();
  }
  const [has] = await tx.select({ id: serviceRequests.id }).from(serviceRequests).where(eq(serviceRequests.customerOrgId, c.id)).limit(1);
  if (has) return;
  const [agent] = await tx.select({ id: users.id, name: users.displayName }).from(users).where(eq(users.email, `helpdesk-agent@${demo.partnerDomain}`));
  const [admin] = await tx.select({ id: users.id, name: users.displayName }).from(users).where(eq(users.email, `admin@${demo.customerDomain}`));
  const opened = { customerOrgId: c.id, openedByUserId: agent?.id ?? null, openedByName: agent?.name ?? "Helpdesk agent", openedByOrgId: p.id };
  const [open] = await tx
    .insert(serviceRequests)
    .values({
      ...opened,
      title: "Shared mailbox for orders",
      description: "You asked for a shared mailbox orders@adatum-bakery.example that the shop staff can read and answer from. Who should have access?",
      createdAt: sql`now() - interval '3 days'`,
    })
    .returning({ id: serviceRequests.id });
  await tx.insert(serviceRequests).values({
    ...opened,
    title: "New laptop for the front desk",
    description: "Set up the new front-desk laptop with the bakery's apps and sign-in.",
    status: "closed",
    createdAt: sql`now() - interval '20 days'`,
    closedAt: sql`now() - interval '18 days'`,
  });
  await tx.insert(serviceRequestComments).values([
    { requestId: open!.id, customerOrgId: c.id, authorUserId: admin?.id ?? null, authorName: admin?.name ?? "Admin", authorOrgId: c.id, body: "Bea and Ulf, please. Ulf only reads.", createdAt: sql`now() - interval '2 days'` },
    {
      requestId: open!.id,
      customerOrgId: c.id,
      authorUserId: agent?.id ?? null,
      authorName: agent?.name ?? "Helpdesk agent",
      authorOrgId: p.id,
      body: "Done for Bea. Ulf gets read access once his licence is assigned.",
      createdAt: sql`now() - interval '1 day'`,
    },
  ]);
}

