/**
 * Factories: a fresh partner or customer organisation per test, with one user per role,
 * all sharing PASSWORD. Created in the system context, as the operator and sign-up paths do.
 * Partner staff have an authenticator app set up (every partner requires a second factor,
 * ADR 0042), all with TOTP_SECRET; `Browser.signIn` types its current code.
 */
import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import { memberships, organisations, relationships, userFactors, users } from "../../db/schema";
import { hashPassword } from "../../app/modules/auth/crypto.server";
import { CUSTOMER_ROLES, PARTNER_ROLES } from "../../app/modules/auth/permissions";
import { withSystem } from "../../app/utils/db.server";

export const PASSWORD = "correct-horse-battery-staple";
/** The authenticator-app secret of every fixture user with a second factor (base32). */
export const TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
let hashed: Promise<string> | undefined;

export const uniq = () => randomBytes(5).toString("hex");

export interface OrgFixture {
  orgId: string;
  kind: "partner" | "customer";
  name: string;
  partnerNumber: number | null;
  domain: string;
  users: Record<string, { id: string; email: string }>;
}

async function createOrg(
  kind: "partner" | "customer",
  roles: readonly string[],
  { agreement = "accepted", secondFactor = kind === "partner" }: { agreement?: "accepted" | "pending"; secondFactor?: boolean } = {},
): Promise<OrgFixture> {
  hashed ??= hashPassword(PASSWORD);
  const passwordHash = await hashed;
  const id = uniq();
  const domain = `${kind}-${id}.test`;
  return withSystem(async (tx) => {
    const [org] = await tx
      .insert(organisations)
      .values({
        kind,
        name: `${kind === "partner" ? "Partner" : "Customer"} ${id}`,
        partnerNumber: kind === "partner" ? sql`nextval('partner_number_seq')` : null,
        primaryDomain: kind === "customer" ? domain : null,
        country: "DK",
      })
      .returning();
    const out: OrgFixture = { orgId: org!.id, kind, name: org!.name, partnerNumber: org!.partnerNumber, domain, users: {} };
    for (const role of roles) {
      const email = `${role.replace("_", "-")}@${domain}`;
      const [u] = await tx.insert(users).values({ email, displayName: `${role} ${id}`, passwordHash }).returning({ id: users.id });
      await tx.insert(memberships).values({ orgId: org!.id, userId: u!.id, roles: [role], status: "active", activatedAt: sql`now()` });
      if (secondFactor) await tx.insert(userFactors).values({ userId: u!.id, kind: "totp", name: "Authenticator app", totpSecret: TOTP_SECRET, confirmedAt: sql`now()` });
      out.users[role] = { id: u!.id, email };
    }
    if (kind === "customer" && agreement === "accepted") {
      await tx.execute(sql`insert into agreement_acceptances (customer_org_id, version) values (${org!.id}, pd_current_agreement_version())`);
    }
    return out;
  });
}

/** A partner whose staff have an authenticator app, unless `secondFactor: false`. */
export const createPartner = (roles: readonly string[] = PARTNER_ROLES, options: { secondFactor?: boolean } = {}) => createOrg("partner", roles, options);
/** A customer that has accepted the current agreement, unless `agreement: "pending"`; no second factors unless asked. */
export const createCustomer = (roles: readonly string[] = CUSTOMER_ROLES, options: { agreement?: "accepted" | "pending"; secondFactor?: boolean } = {}) =>
  createOrg("customer", roles, options);

export async function relate(partner: OrgFixture, customer: OrgFixture, status: "pending" | "active" = "active") {
  await withSystem((tx) =>
    tx.insert(relationships).values({ partnerOrgId: partner.orgId, customerOrgId: customer.orgId, type: "reseller", status }),
  );
}

export interface CustomerSpec {
  name: string;
  country?: string;
  pending?: boolean;
  types?: ("reseller" | "advisor" | "dap" | "gdap")[];
}

/**
 * Customers of a partner, created the way the app does (the read model follows by trigger).
 * Domains are unique per call; names may repeat.
 */
export async function createCustomersFor(partner: OrgFixture, specs: CustomerSpec[]): Promise<string[]> {
  const tag = uniq();
  return withSystem(async (tx) => {
    const ids: string[] = [];
    for (const [i, spec] of specs.entries()) {
      const [org] = await tx
        .insert(organisations)
        .values({ kind: "customer", name: spec.name, primaryDomain: `c${i}-${tag}.test`, country: spec.country ?? "DK" })
        .returning({ id: organisations.id });
      for (const type of spec.types ?? ["reseller"]) {
        // Accepting the agreement activates reseller and advisor rows; DAP/GDAP are approved on their own.
        const status = type === "reseller" || type === "advisor" || spec.pending ? "pending" : "active";
        await tx.insert(relationships).values({ partnerOrgId: partner.orgId, customerOrgId: org!.id, type, status, startedAt: status === "active" ? sql`now()` : null });
      }
      if (!spec.pending) {
        await tx.execute(sql`insert into agreement_acceptances (customer_org_id, version) values (${org!.id}, pd_current_agreement_version())`);
      }
      ids.push(org!.id);
    }
    return ids;
  });
}
