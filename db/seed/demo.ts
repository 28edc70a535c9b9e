/**
 * Demo data (idempotent): two partner organisations, a staff user for every partner role in
 * the first, about 150 customer tenants for the first partner and a few for the second, each
 * with a global admin. Every demo account shares one password.
 */
import { createHash } from "node:crypto";
import { sql } from "drizzle-orm";
import { agreementAcceptances, links, lobApps, memberships, organisations, partnerListings, productKeys, relationships, subscriptions, userFactors, users } from "../schema";
import { checkProductKey, generateProductKey } from "../../app/modules/product-keys/key-format";
import { hashProductKey } from "../../app/modules/product-keys/product-keys.server";
import { createLink, linkUrl } from "../../app/modules/links/links.server";
import { hashPassword } from "../../app/modules/auth/crypto.server";
import type { Tx } from "~/utils/db.server";
import { seedPartnerPagesDemo } from "./demo-partner-pages";
import { PARTNER_ROLES, ROLE_LABELS } from "../../app/modules/auth/permissions";
import { actionCentreTargets, seedActionCentre } from "./demo-actions";
import { seedCustomerUsersDemo } from "./demo-customer-users";
import { seedRelationshipsDemo } from "./demo-relationships";

export const DEMO_PASSWORD = "Partnerdesk-demo-2026";
/**
 * The authenticator-app secret of every demo partner staff member (partners require a second
 * factor, ADR 0042): published like the password, printed at start, so anyone trying the demo can
 * add it to an authenticator app (or compute codes) and sign in within a minute.
 */
export const DEMO_TOTP_SECRET = "PARTNERDESKDEMOAUTHENTICATORKEYS";
export const DEMO_PARTNERS = [
  { number: 4000001, name: "Northwind Partners", domain: "northwind.example", city: "Copenhagen", country: "DK", customers: 150 },
  { number: 4000002, name: "Fabrikam IT Services", domain: "fabrikam.example", city: "Oslo", country: "NO", customers: 6 },
] as const;

const FIRST = ["Adatum", "Alpine", "Bellows", "Blue Yonder", "Coho", "Contoso", "Fourth Coffee", "Graphic", "Humongous", "Litware", "Lucerne", "Margie's", "Nod", "Proseware", "Relecloud", "Southridge", "Tailspin", "Trey", "Wide World", "Woodgrove", "Wingtip", "VanArsdel", "Munson's", "Fincher"];
const SECOND = ["Bakery", "Logistics", "Architects", "Dental", "Consulting", "Travel", "Pickles", "Insurance", "Research", "Studios", "Foods", "Legal", "Motors", "Health", "Energy", "Media", "Winery", "Publishing", "Outfitters", "Robotics"];
const COUNTRIES = ["DK", "DE", "NO", "SE", "NL", "GB", "FR", "PL", "FI", "AT"];

export function demoCustomerName(i: number) {
  return `${FIRST[i % FIRST.length]} ${SECOND[Math.floor(i / FIRST.length) % SECOND.length]}${i >= FIRST.length * SECOND.length ? ` ${i}` : ""}`;
}

export function demoStaffEmail(partnerDomain: string, role: string) {
  return role === "global_admin" ? `admin@${partnerDomain}` : `${role.replace("_", "-")}@${partnerDomain}`;
}

export async function isSeeded(tx: Tx) {
  const rows = await tx.select({ id: organisations.id }).from(organisations).where(sql`${organisations.partnerNumber} = ${DEMO_PARTNERS[0].number}`);
  return rows.length > 0;
}

export async function isEmpty(tx: Tx) {
  const rows = await tx.select({ id: organisations.id }).from(organisations).limit(1);
  return rows.length === 0;
}

async function upsertUser(tx: Tx, email: string, displayName: string, passwordHash: string) {
  await tx.insert(users).values({ email, displayName, passwordHash, passwordChangedAt: sql`now()` }).onConflictDoNothing();
  const [u] = await tx.select({ id: users.id }).from(users).where(sql`${users.email} = ${email}`);
  return u!.id;
}

async function upsertOrg(tx: Tx, values: typeof organisations.$inferInsert) {
  await tx.insert(organisations).values(values).onConflictDoNothing();
  const where = values.kind === "partner" ? sql`${organisations.partnerNumber} = ${values.partnerNumber}` : sql`${organisations.primaryDomain} = ${values.primaryDomain}`;
  const [o] = await tx.select({ id: organisations.id }).from(organisations).where(where);
  return o!.id;
}

/**
 * The demo partner's product keys: the same every time (derived from their index), so they can be
 * printed at start and registered in the running demo.
 */
export function demoProductKeys() {
  return [
    { productId: "business-premium", licences: 25 },
    { productId: "business-premium", licences: 10 },
    { productId: "business-standard", licences: 50 },
    { productId: "business-standard", licences: 5 },
    { productId: "visio-plan-2", licences: 3 },
  ].map((k, i) => ({ ...k, key: generateProductKey((n) => createHash("sha512").update(`partnerdesk-demo-key-${i}`).digest().subarray(0, n)) }));
}

/** Partners that are only in the directory (no staff): enough to search, filter and page. */
const DIRECTORY_PARTNERS: { name: string; city: string; country: string; keywords: string[]; sizes: string[]; languages: string[]; text: string }[] = [
  { name: "Aurora Cloud Partners", city: "Stockholm", country: "SE", keywords: ["migration", "identity", "security"], sizes: ["10-49", "50-249"], languages: ["sv", "en"], text: "Tenant-to-tenant and on-premises migrations, identity and conditional access for growing Swedish companies." },
  { name: "Bergen Digital AS", city: "Bergen", country: "NO", keywords: ["support", "devices", "teams"], sizes: ["1-9", "10-49"], languages: ["no", "en"], text: "Everyday IT support, device management and Teams telephony for small offices on the west coast." },
  { name: "Rheinland Lizenzberatung GmbH", city: "Köln", country: "DE", keywords: ["licensing", "compliance", "consulting"], sizes: ["250-999", "1000+"], languages: ["de", "en"], text: "Licensing advice, true-ups and compliance reviews for large German organisations." },
  { name: "Kattegat Security ApS", city: "Aarhus", country: "DK", keywords: ["security", "backup", "compliance"], sizes: ["10-49", "50-249", "250-999"], languages: ["da", "en"], text: "Security baselines, backup and NIS2 readiness for Danish manufacturers and municipalities." },
  { name: "Helsinki Modern Work Oy", city: "Helsinki", country: "FI", keywords: ["teams", "sharepoint", "training"], sizes: ["10-49", "50-249"], languages: ["fi", "sv", "en"], text: "Modern workplace projects: Teams, SharePoint intranets and hands-on user training." },
  { name: "Polder IT Services BV", city: "Utrecht", country: "NL", keywords: ["migration", "support", "networking"], sizes: ["1-9", "10-49", "50-249"], languages: ["nl", "en", "de"], text: "Migrations from Google Workspace, networking and a friendly service desk for Dutch SMEs." },
  { name: "Thames Valley Cloud Ltd", city: "Reading", country: "GB", keywords: ["security", "identity", "deployment"], sizes: ["50-249", "250-999"], languages: ["en"], text: "Zero-trust security, identity governance and device deployment for UK professional services firms." },
  { name: "Wisła Systemy Sp. z o.o.", city: "Kraków", country: "PL", keywords: ["deployment", "devices", "support"], sizes: ["10-49", "50-249"], languages: ["pl", "en", "uk"], text: "Windows and device rollouts, patching and support in Polish, Ukrainian and English." },
  { name: "Øresund Licensing A/S", city: "Copenhagen", country: "DK", keywords: ["licensing", "migration", "cloud"], sizes: ["1-9", "10-49", "50-249", "250-999"], languages: ["da", "sv", "en"], text: "Licensing for companies on both sides of the Øresund, and cloud migrations done properly." },
  { name: "Alpine Secure Cloud AG", city: "Zürich", country: "CH", keywords: ["security", "compliance", "backup"], sizes: ["250-999", "1000+"], languages: ["de", "fr", "it", "en"], text: "Swiss data residency, compliance and backup for regulated industries." },
];

/** Seeds the demo data in the system context. Safe to run again. */
export async function seedDemo(tx: Tx) {
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  let customerIndex = 0;
  for (const p of DEMO_PARTNERS) {
    const partnerId = await upsertOrg(tx, {
      kind: "partner",
      name: p.name,
      partnerNumber: p.number,
      email: `contact@${p.domain}`,
      phone: "+45 70 20 30 40",
      website: `https://www.${p.domain}`,
      addressLine: "Havnegade 1",
      postalCode: "1058",
      city: p.city,
      country: p.country,
      isAuthorisedAdvisor: true,
      isDapCertified: p.number === DEMO_PARTNERS[0].number,
    });
    const roles = p.number === DEMO_PARTNERS[0].number ? PARTNER_ROLES : (["global_admin"] as const);
    for (const role of roles) {
      const userId = await upsertUser(tx, demoStaffEmail(p.domain, role), `${ROLE_LABELS.partner[role]} (${p.name.split(" ")[0]})`, passwordHash);
      await tx
        .insert(memberships)
        .values({ orgId: partnerId, userId, roles: [role], status: "active", activatedAt: sql`now()` })
        .onConflictDoNothing();
      await tx
        .insert(userFactors)
        .values({ userId, kind: "totp", name: "Authenticator app", totpSecret: DEMO_TOTP_SECRET, confirmedAt: sql`now()` })
        .onConflictDoNothing();
    }
    for (let i = 0; i < p.customers; i++, customerIndex++) {
      const name = demoCustomerName(customerIndex);
      const domain = `${name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "")}.example`;
      const customerId = await upsertOrg(tx, {
        kind: "customer",
        name,
        primaryDomain: domain,
        country: COUNTRIES[customerIndex % COUNTRIES.length],
      });
      const adminId = await upsertUser(tx, `admin@${domain}`, `${name} Admin`, passwordHash);
      await tx
        .insert(memberships)
        .values({ orgId: customerId, userId: adminId, roles: ["global_admin"], status: "active", activatedAt: sql`now()` })
        .onConflictDoNothing();
      await tx
        .insert(relationships)
        .values({ partnerOrgId: partnerId, customerOrgId: customerId, type: "reseller", status: "pending" })
        .onConflictDoNothing();
      // Every seventh customer has not accepted the customer agreement yet; accepting activates the relationship.
      if (i % 7 !== 3) {
        await tx
          .insert(agreementAcceptances)
          .values({ customerOrgId: customerId, version: sql`pd_current_agreement_version()`, acceptedByUserId: adminId })
          .onConflictDoNothing();
        // Every fifth of those has a subscription its reseller sees.
        if (i % 5 === 0) {
          const [has] = await tx.select({ id: subscriptions.id }).from(subscriptions).where(sql`${subscriptions.customerOrgId} = ${customerId}`).limit(1);
          if (!has) await tx.insert(subscriptions).values({ customerOrgId: customerId, productId: i % 10 === 0 ? "business-standard" : "business-premium", licences: 5 + (i % 40), status: "active" });
        }
      }
    }
    // Both demo partners are listed in the partner directory.
    await tx
      .insert(partnerListings)
      .values({
        partnerOrgId: partnerId,
        listed: true,
        listedAt: sql`now()`,
        description:
          p.number === DEMO_PARTNERS[0].number
            ? "Northwind Partners moves Nordic companies to the cloud and keeps them secure: migrations, security reviews, licensing advice and a Danish-speaking service desk."
            : "Fabrikam IT Services runs IT for small Norwegian offices: support, devices, backup and licensing, in Norwegian and English.",
        countries: p.number === DEMO_PARTNERS[0].number ? ["DK", "SE", "NO"] : ["NO"],
        cities: [p.city],
        sizes: p.number === DEMO_PARTNERS[0].number ? ["10-49", "50-249", "250-999"] : ["1-9", "10-49"],
        keywords: p.number === DEMO_PARTNERS[0].number ? ["migration", "security", "licensing", "support"] : ["support", "devices", "backup", "licensing"],
        languages: p.number === DEMO_PARTNERS[0].number ? ["da", "en", "sv"] : ["no", "en"],
      })
      .onConflictDoNothing();
    if (p.number === DEMO_PARTNERS[0].number) {
      const keys = demoProductKeys().map((k) => {
        const checked = checkProductKey(k.key);
        if (!checked.ok) throw new Error(`bad demo key ${k.key}`);
        return { partnerOrgId: partnerId, keyHash: hashProductKey(checked.key), lastGroup: checked.lastGroup, productId: k.productId, licences: k.licences };
      });
      await tx.insert(productKeys).values(keys).onConflictDoNothing();
    }
    // Two links of the first partner to follow from the start: a trial invitation with
    // delegated administration and a purchase offer.
    if (p.number === DEMO_PARTNERS[0].number) {
      const existing = await tx.select({ id: links.id }).from(links).where(sql`${links.partnerOrgId} = ${partnerId}`).limit(1);
      if (existing.length === 0) {
        const [sales] = await tx.select({ id: users.id }).from(users).where(sql`${users.email} = ${demoStaffEmail(p.domain, "sales_agent")}`);
        const actor = { userId: sales!.id, orgId: partnerId };
        await createLink(tx, {
          partnerId,
          actor,
          link: { kind: "trial", items: [{ productId: "business-premium" }], offerDap: true, message: "Try Business Premium free for a month. We set it up with you.", expiresAt: null },
        });
        await createLink(tx, {
          partnerId,
          actor,
          link: { kind: "offer", items: [{ productId: "business-standard", licences: 10 }, { productId: "visio-plan-2", licences: 2 }], offerDap: false, message: null, expiresAt: null },
        });
      }
    }
  }
  await seedDirectoryPartners(tx);
  await seedLobApps(tx);
  // Something in every card of the first partner's overview (issue 30).
  const targets = await actionCentreTargets(tx, { partnerNumber: DEMO_PARTNERS[0].number, helpdeskEmail: demoStaffEmail(DEMO_PARTNERS[0].domain, "helpdesk_agent"), exceptDomain: domainOf(demoCustomerName(0)) });
  if (targets) await seedActionCentre(tx, targets);
  // An MPSA pair sharing purchases, with delegated admin and activity, for the customer's partner pages (issue 30).
  await seedPartnerPagesDemo(tx, [DEMO_PARTNERS[0].number, DEMO_PARTNERS[1].number]);
  // The first customer's users (roles, a deactivated one, a partner's person) and service requests (issue 30).
  await seedCustomerUsersDemo(tx, { customerDomain: domainOf(demoCustomerName(0)), partnerNumber: DEMO_PARTNERS[0].number, partnerDomain: DEMO_PARTNERS[0].domain, passwordHash });
  // The relationship lifecycle (issue 30): the first partner is one customer's Advisor and waits for another's answer.
  await seedRelationshipsDemo(tx, {
    partnerNumber: DEMO_PARTNERS[0].number,
    agentEmail: demoStaffEmail(DEMO_PARTNERS[0].domain, "admin_agent"),
    advisorCustomerDomain: domainOf(demoAdvisorCustomerName()),
    requestCustomerDomain: domainOf(demoRequestCustomerName()),
  });
}

/** The customer whose Advisor (password resets, support incidents) the first demo partner is. */
export const demoAdvisorCustomerName = () => demoCustomerName(1);
/** The customer with the first demo partner's request to be its MPSA partner waiting. */
export const demoRequestCustomerName = () => demoCustomerName(2);

const domainOf = (name: string) => `${name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "")}.example`;

/** The customer whose line-of-business (LOB) partner is the second demo partner: its first customer. */
export const demoLobCustomerName = () => demoCustomerName(DEMO_PARTNERS[0].customers);

/**
 * The second demo partner is its first customer's line-of-business (LOB) partner, with one app the
 * customer approved and one waiting for review (issue 30).
 */
async function seedLobApps(tx: Tx) {
  const partner = DEMO_PARTNERS[1];
  const customerName = demoLobCustomerName();
  const [p] = await tx.select({ id: organisations.id, name: organisations.name }).from(organisations).where(sql`${organisations.partnerNumber} = ${partner.number}`);
  const [c] = await tx.select({ id: organisations.id }).from(organisations).where(sql`${organisations.primaryDomain} = ${domainOf(customerName)}`);
  const [submitter] = await tx.select({ id: users.id, name: users.displayName }).from(users).where(sql`${users.email} = ${demoStaffEmail(partner.domain, "global_admin")}`);
  const [reviewer] = await tx.select({ id: users.id, name: users.displayName }).from(users).where(sql`${users.email} = ${`admin@${domainOf(customerName)}`}`);
  if (!p || !c || !submitter || !reviewer) return;
  await tx.insert(relationships).values({ partnerOrgId: p.id, customerOrgId: c.id, type: "lob", status: "active", startedAt: sql`now() - interval '60 days'` }).onConflictDoNothing();
  const common = { customerOrgId: c.id, partnerOrgId: p.id, partnerName: p.name, submittedByUserId: submitter.id, submittedByName: submitter.name };
  await tx
    .insert(lobApps)
    .values([
      {
        ...common,
        name: "Field Service Planner",
        version: "3.2.0",
        description: "Plans each technician's route and the parts they need for the day, and syncs finished jobs with the warehouse system.",
        downloadUrl: "https://apps.fabrikam.example/field-service-planner/3.2.0/FieldServicePlanner.msix",
        status: "approved",
        createdAt: sql`now() - interval '20 days'`,
        reviewedAt: sql`now() - interval '18 days'`,
        reviewedByUserId: reviewer.id,
        reviewedByName: reviewer.name,
        reviewedByOrgId: c.id,
      },
      {
        ...common,
        name: "Batch Tracker",
        version: "1.0.0",
        description: "Follows each batch from brine to jar: temperatures, timings and quality checks, with labels for the warehouse.",
        downloadUrl: "https://apps.fabrikam.example/batch-tracker/1.0.0/BatchTracker.msix",
        createdAt: sql`now() - interval '2 days'`,
      },
    ])
    .onConflictDoNothing();
}

/** The directory-only demo partners (organisations without staff, each with a listing). */
export async function seedDirectoryPartners(tx: Tx) {
  for (const [i, d] of DIRECTORY_PARTNERS.entries()) {
    const partnerId = await upsertOrg(tx, {
      kind: "partner",
      name: d.name,
      partnerNumber: 4000101 + i,
      email: `hello@${d.name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "")}.example`,
      website: `https://www.${d.name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "")}.example`,
      city: d.city,
      country: d.country,
      isAuthorisedAdvisor: true,
    });
    await tx
      .insert(partnerListings)
      .values({ partnerOrgId: partnerId, listed: true, listedAt: sql`now()`, description: d.text, countries: [d.country], cities: [d.city], sizes: d.sizes, keywords: d.keywords, languages: d.languages })
      .onConflictDoNothing();
  }
}

/** The first demo partner's live links, to print at start. */
export async function demoLinks(tx: Tx) {
  const rows = await tx
    .select({ kind: links.kind, code: links.code })
    .from(links)
    .innerJoin(organisations, sql`${organisations.id} = ${links.partnerOrgId}`)
    .where(sql`${organisations.partnerNumber} = ${DEMO_PARTNERS[0].number} and ${links.revokedAt} is null`)
    // Both were created in one transaction (one timestamp): the trial invitation first.
    .orderBy(links.createdAt, sql`${links.kind} = 'trial' desc`)
    .limit(2);
  return rows.map((r) => ({ kind: r.kind, url: linkUrl(r.code) }));
}

export function demoSignIns(): { role: string; email: string }[] {
  const [first, second] = DEMO_PARTNERS;
  return [
    ...PARTNER_ROLES.map((role) => ({ role: `${first.name}: ${ROLE_LABELS.partner[role]}`, email: demoStaffEmail(first.domain, role) })),
    { role: `${second.name}: Global admin`, email: demoStaffEmail(second.domain, "global_admin") },
    { role: `Customer ${demoCustomerName(0)}: Global admin`, email: `admin@${demoCustomerName(0).toLowerCase().replace(/[^a-z0-9]+/g, "-")}.example` },
    { role: `Customer ${demoLobCustomerName()}: Global admin (line-of-business apps from ${second.name})`, email: `admin@${domainOf(demoLobCustomerName())}` },
    { role: `Customer ${demoAdvisorCustomerName()}: Global admin (${first.name} is its Advisor)`, email: `admin@${domainOf(demoAdvisorCustomerName())}` },
    { role: `Customer ${demoRequestCustomerName()}: Global admin (${first.name}'s MPSA request waits)`, email: `admin@${domainOf(demoRequestCustomerName())}` },
  ];
}
