/**
 * Demo data for the partner overview's action centre (issue 30): the first demo partner has GDAP
 * requests waiting for customers, GDAP relationships ending within 30, 7 and 1 days, active ones
 * without a staff group (and one with), new leads and trials ending soon; customers with the
 * agreement pending come from the main demo seed. Idempotent: each part is added only when the
 * partner has none of it yet. Called by seedDemo (system context).
 */
import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import { adminRelationships, gdapAssignments, leads, organisations, relationships, staffGroupMembers, staffGroups, subscriptions, users } from "../schema";
import { HELPDESK_ADMINISTRATOR } from "../../app/modules/delegated-admin/admin-roles";
import { rowsOf } from "../client";
import type { Tx } from "~/utils/db.server";

const DAY_MS = 86_400_000;
/** User Administrator in the admin role catalogue (app/modules/delegated-admin/admin-roles.ts). */
const USER_ADMINISTRATOR = "fe930be7-5e62-47db-91af-98c3a49a38b1";

/** `customerIds`: the partner's customers that accepted the agreement, in seed order. */
export async function seedActionCentre(tx: Tx, { partnerId, customerIds, helpdeskUserId }: { partnerId: string; customerIds: string[]; helpdeskUserId: string | null }) {
  const [existing] = await tx.select({ n: sql<number>`count(*)::int` }).from(adminRelationships).where(sql`${adminRelationships.partnerOrgId} = ${partnerId}`);
  if (!existing?.n && customerIds.length >= 9) {
    const now = Date.now();
    const code = () => randomBytes(16).toString("base64url");
    const roles = [HELPDESK_ADMINISTRATOR, USER_ADMINISTRATOR];
    const gdap = (name: string, customerId: string, status: "approval_pending" | "active", endsInDays: number | null) => ({
      partnerOrgId: partnerId,
      customerOrgId: customerId,
      displayName: name,
      durationDays: 730,
      roles,
      status,
      approvalCode: code(),
      requestExpiresAt: new Date(now + 80 * DAY_MS),
      approvedAt: status === "active" ? new Date(now - 30 * DAY_MS) : null,
      endsAt: endsInDays === null ? null : new Date(now + endsInDays * DAY_MS),
    });
    const c = customerIds;
    const rows = await tx
      .insert(adminRelationships)
      .values([
        gdap("Helpdesk and user admin", c[0]!, "approval_pending", null),
        gdap("Service desk (new request)", c[1]!, "approval_pending", null),
        gdap("Helpdesk, first year", c[2]!, "active", 0.5),
        gdap("Migration project", c[3]!, "active", 5),
        gdap("Onboarding support", c[4]!, "active", 21),
        gdap("Managed service", c[5]!, "active", 300),
        gdap("Security review", c[6]!, "active", 200),
      ])
      .onConflictDoNothing()
      .returning({ id: adminRelationships.id, name: adminRelationships.displayName, customerId: adminRelationships.customerOrgId, status: adminRelationships.status });
    for (const r of rows) {
      await tx
        .insert(relationships)
        .values({ partnerOrgId: partnerId, customerOrgId: r.customerId!, type: "gdap", status: r.status === "active" ? "active" : "requested", startedAt: r.status === "active" ? new Date(now - 30 * DAY_MS) : null })
        .onConflictDoNothing();
    }
    // One staff group holds roles in the managed-service relationship; the other active ones have none.
    const managed = rows.find((r) => r.name === "Managed service");
    if (managed) {
      const [group] = await tx.insert(staffGroups).values({ partnerOrgId: partnerId, name: "Helpdesk team" }).onConflictDoNothing().returning({ id: staffGroups.id });
      if (group) {
        if (helpdeskUserId) await tx.insert(staffGroupMembers).values({ groupId: group.id, partnerOrgId: partnerId, userId: helpdeskUserId }).onConflictDoNothing();
        await tx.insert(gdapAssignments).values({ adminRelationshipId: managed.id, groupId: group.id, partnerOrgId: partnerId, roles: [HELPDESK_ADMINISTRATOR] }).onConflictDoNothing();
      }
    }
  }
  const [hasLeads] = await tx.select({ n: sql<number>`count(*)::int` }).from(leads).where(sql`${leads.partnerOrgId} = ${partnerId}`);
  if (!hasLeads?.n) {
    await tx.insert(leads).values([
      { partnerOrgId: partnerId, name: "Mette Holm", email: "mette@holm-arkitekter.example", organisation: "Holm Arkitekter", size: "10-49", country: "DK", needs: "We are moving from on-premises file servers and want help with Teams and SharePoint." },
      { partnerOrgId: partnerId, name: "Jonas Berg", email: "jonas@bergs-bygg.example", organisation: "Bergs Bygg AB", size: "50-249", country: "SE", needs: "Looking for a partner for licensing and a security review of our tenant." },
      { partnerOrgId: partnerId, name: "Kari Nilsen", email: "kari@fjordfisk.example", organisation: "Fjordfisk AS", size: "1-9", country: "NO", needs: "Small office, need someone to set up email and devices." },
      { partnerOrgId: partnerId, name: "Lars Eriksen", email: "lars@eriksen-revision.example", organisation: "Eriksen Revision", size: "10-49", country: "DK", needs: "Backup and compliance for an accounting firm.", status: "contacted" },
    ]);
  }
  // Trials ending within 30 days (and one later), on customers the partner resells to.
  const trialCustomers = customerIds.slice(-4);
  const [hasTrials] = await tx.select({ n: sql<number>`count(*)::int` }).from(subscriptions).where(sql`${subscriptions.status} = 'trial' and ${subscriptions.customerOrgId} in (${sql.join(trialCustomers.map((id) => sql`${id}`), sql`, `)})`);
  if (!hasTrials?.n && trialCustomers.length === 4) {
    const now = Date.now();
    await tx.insert(subscriptions).values(
      [4, 11, 26, 45].map((days, i) => ({
        customerOrgId: trialCustomers[i]!,
        productId: i % 2 ? "business-standard" : "business-premium",
        licences: 25,
        status: "trial" as const,
        startedAt: new Date(now - (30 - days) * DAY_MS),
        endsAt: new Date(now + days * DAY_MS),
      })),
    );
  }
}

/**
 * The first demo partner's id, its customers that accepted the agreement (from the end of the
 * alphabet, leaving out the demo customer others sign in as), and its helpdesk agent.
 */
export async function actionCentreTargets(tx: Tx, { partnerNumber, helpdeskEmail, exceptDomain }: { partnerNumber: number; helpdeskEmail: string; exceptDomain: string }) {
  const [partner] = await tx.select({ id: organisations.id }).from(organisations).where(sql`${organisations.partnerNumber} = ${partnerNumber}`);
  if (!partner) return null;
  const customers = rowsOf<{ id: string }>(await tx.execute(
    sql`select r.customer_org_id as id from relationships r join organisations o on o.id = r.customer_org_id
        where r.partner_org_id = ${partner.id} and r.type = 'reseller' and r.status = 'active' and o.primary_domain <> ${exceptDomain}
        order by lower(o.name) desc, o.id limit 40`,
  ));
  const [helpdesk] = await tx.select({ id: users.id }).from(users).where(sql`${users.email} = ${helpdeskEmail}`);
  return { partnerId: partner.id, customerIds: customers.map((r) => r.id), helpdeskUserId: helpdesk?.id ?? null };
}
