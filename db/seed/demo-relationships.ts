/**
 * Demo data for the relationship lifecycle (issue 30, ADR 0037): the first demo partner is Alpine
 * Bakery's Advisor (its admin and helpdesk agents reset passwords and handle support incidents
 * there) and waits for Bellows Bakery's global admin to answer its request to be its MPSA partner.
 * Written in the system context, as the app's approval would leave them. Safe to run again.
 */
import { and, eq, sql } from "drizzle-orm";
import type { Tx } from "../../app/utils/db.server";
import { auditLog, organisations, relationships, users } from "../schema";

export interface RelationshipsDemo {
  partnerNumber: number;
  /** The partner's admin agent, who asked. */
  agentEmail: string;
  /** The customer whose Advisor the partner is. */
  advisorCustomerDomain: string;
  /** The customer with the partner's MPSA request waiting on its Requests page. */
  requestCustomerDomain: string;
}

export async function seedRelationshipsDemo(tx: Tx, demo: RelationshipsDemo) {
  const [partner] = await tx.select({ id: organisations.id }).from(organisations).where(eq(organisations.partnerNumber, demo.partnerNumber));
  if (!partner) return;
  const customer = async (domain: string) => (await tx.select({ id: organisations.id }).from(organisations).where(eq(organisations.primaryDomain, domain)))[0];
  const advised = await customer(demo.advisorCustomerDomain);
  const asked = await customer(demo.requestCustomerDomain);
  const person = async (email: string) => (await tx.select({ id: users.id, name: users.displayName }).from(users).where(eq(users.email, email)))[0];
  const agent = await person(demo.agentEmail);
  const approver = await person(`admin@${demo.advisorCustomerDomain}`);
  if (advised) {
    const [row] = await tx
      .insert(relationships)
      .values({ partnerOrgId: partner.id, customerOrgId: advised.id, type: "support_advisor", status: "active", createdAt: sql`now() - interval '45 days'`, startedAt: sql`now() - interval '44 days'` })
      .onConflictDoNothing()
      .returning({ id: relationships.id });
    if (row) {
      await tx.insert(auditLog).values([
        {
          actorOrgId: partner.id,
          actorUserId: agent?.id,
          actorName: agent?.name,
          subjectOrgId: advised.id,
          action: "relationship.requested",
          objectType: "relationship",
          objectId: row.id,
          details: { type: "support_advisor" },
          at: sql`now() - interval '45 days'`,
        },
        {
          actorOrgId: advised.id,
          actorUserId: approver?.id,
          actorName: approver?.name,
          subjectOrgId: advised.id,
          action: "relationship.approved",
          objectType: "relationship",
          objectId: row.id,
          details: { type: "support_advisor", partnerId: partner.id },
          at: sql`now() - interval '44 days'`,
        },
      ]);
    }
  }
  if (asked) {
    const [existing] = await tx
      .select({ id: relationships.id })
      .from(relationships)
      .where(and(eq(relationships.partnerOrgId, partner.id), eq(relationships.customerOrgId, asked.id), eq(relationships.type, "mpsa")));
    if (!existing) {
      await tx.insert(relationships).values({ partnerOrgId: partner.id, customerOrgId: asked.id, type: "mpsa", status: "requested", createdAt: sql`now() - interval '2 days'` });
    }
  }
}
