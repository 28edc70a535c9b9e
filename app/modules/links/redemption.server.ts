/**
 * The customer's side of a shared link: what the public page shows, counting visits, and
 * redemption — by a signed-in customer admin, or by a new customer who signs up in the same step.
 *
 * Redemption is a named cross-tenant path (ADR 0002, ADR 0009): it runs in the system context,
 * because one transaction writes the customer's rows (subscriptions, agreement acceptance), the
 * relationship between both, the partner's tracking row and the partner's notifications. Every
 * rule the database cannot see is checked here, in that transaction: the link is live, the user is
 * an active admin of the customer with the role the offer needs, the agreement version is current.
 *
 * Once per customer: a customer's redemption of a link is a row with a unique (link, customer)
 * key, taken after locking the customer, so a reload or a double submit finds it and creates
 * nothing again. A sign-up form carries a random submission key, so its replay finds the tenant
 * the first submission created instead of failing on the taken domain.
 */
import { createHmac } from "node:crypto";
import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import { linkItems, linkRedemptions, links, linkVisitors, linkVisits, memberships, organisations, products, subscriptions, users } from "../../../db/schema";
import { rowsOf } from "../../../db/client";
import { config } from "~/utils/config.server";
import type { Tx } from "~/utils/db.server";
import { getCurrentAgreement } from "../customer-tenant/agreements.server";
import { recordAudit } from "../platform/audit.server";
import { verifyPassword } from "../auth/crypto.server";
import { createSession } from "../auth/session.server";
import { sendEmailConfirmation } from "../auth/email-confirmation.server";
import { DomainError, uniqueViolation } from "../../utils/errors";
import { memberIdsWithRoles, notify } from "../platform/notifications.server";
import { checkLicenceCount } from "../subscriptions/products.server";
import { upsertRelationship } from "../relationships/relationships.server";
import { linkLeadToCustomer } from "./lead-won.server";
import type { LinkKind } from "./link-kinds";
import { linkStatus, resolveLink } from "./links.server";

export interface OfferedItem {
  productId: string;
  name: string;
  description: string;
  licences: number;
  minLicences: number;
  maxLicences: number;
  monthlyPriceCents: number;
  currency: string;
  trialDays: number | null;
}

export interface PublicLink {
  code: string;
  kind: LinkKind;
  offerDap: boolean;
  message: string | null;
  expiresAt: Date | null;
  partner: { name: string; partnerNumber: number; email: string | null; phone: string | null; website: string | null; city: string | null; country: string | null };
  items: OfferedItem[];
  agreement: { version: string; title: string; body: string };
}

function linkError(status: 404 | 410): DomainError {
  return status === 404
    ? new DomainError(404, "This link is not valid. Check that you copied all of it, or ask the partner for a new one.")
    : new DomainError(410, "This link is no longer valid: the partner withdrew it or it has expired. Ask the partner for a new one.");
}

async function liveLink(tx: Tx, code: string) {
  const resolved = await resolveLink(tx, code);
  if (!resolved.ok) throw linkError(resolved.status);
  return resolved;
}

async function offeredItems(tx: Tx, linkId: string): Promise<OfferedItem[]> {
  return tx
    .select({
      productId: products.id,
      name: products.name,
      description: products.description,
      licences: linkItems.licences,
      minLicences: products.minLicences,
      maxLicences: products.maxLicences,
      monthlyPriceCents: products.monthlyPriceCents,
      currency: products.currency,
      trialDays: products.trialDays,
    })
    .from(linkItems)
    .innerJoin(products, eq(products.id, linkItems.productId))
    .where(eq(linkItems.linkId, linkId))
    .orderBy(products.name);
}

/** What the public page of a code shows (system context). 404 for a tampered or unknown code, 410 when revoked or expired. */
export async function describeLink(tx: Tx, code: string): Promise<PublicLink> {
  const { link, partner } = await liveLink(tx, code);
  const [profile] = await tx
    .select({ city: organisations.city, country: organisations.country })
    .from(organisations)
    .where(eq(organisations.id, partner.id));
  const agreement = await getCurrentAgreement(tx);
  return {
    code,
    kind: link.kind,
    offerDap: link.offerDap,
    message: link.message,
    expiresAt: link.expiresAt,
    partner: { name: partner.name, partnerNumber: partner.partnerNumber, email: partner.email, phone: partner.phone, website: partner.website, city: profile?.city ?? null, country: profile?.country ?? null },
    items: await offeredItems(tx, link.id),
    agreement: { version: agreement.version, title: agreement.title, body: agreement.body },
  };
}

/**
 * A visitor of a link's page, as its count knows it: a keyed hash (HMAC-SHA-256 under a key derived
 * from SESSION_SECRET) of the UTC day, the link, the client IP and the User-Agent. Neither the IP
 * nor the User-Agent is stored; the hash differs per link and per day, and rows go after two days.
 */
export function visitorHash({ day, linkId, ip, userAgent }: { day: string; linkId: string; ip: string; userAgent: string | null }) {
  const key = createHmac("sha256", config().SESSION_SECRET).update("link-visitor-key").digest();
  return createHmac("sha256", key).update([day, linkId, ip, userAgent ?? ""].join("\u0000")).digest("base64url");
}

/**
 * Counts a visit of a live link's page (system context), once per visitor and UTC day (ADR 0029):
 * the visitor's hash goes into link_visitors first, and only a new one adds to the day's count.
 * Returns whether it counted; anything but a live link is ignored.
 */
export async function recordVisit(tx: Tx, { code, ip, userAgent }: { code: string; ip: string; userAgent: string | null }) {
  const resolved = await resolveLink(tx, code);
  if (!resolved.ok) return false;
  const day = new Date().toISOString().slice(0, 10);
  const first = await tx
    .insert(linkVisitors)
    .values({ linkId: resolved.link.id, day, visitorHash: visitorHash({ day, linkId: resolved.link.id, ip, userAgent }) })
    .onConflictDoNothing()
    .returning({ linkId: linkVisitors.linkId });
  if (first.length === 0) return false;
  await tx
    .insert(linkVisits)
    .values({ linkId: resolved.link.id, partnerOrgId: resolved.partner.id, day, visits: 1 })
    .onConflictDoUpdate({ target: [linkVisits.linkId, linkVisits.day], set: { visits: sql`${linkVisits.visits} + 1` } });
  return true;
}

/** Housekeeping for scheduled work: visitor hashes older than yesterday count nothing any more. */
export async function purgeLinkVisitors(tx: Tx) {
  const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  await tx.delete(linkVisitors).where(sql`${linkVisitors.day} < ${yesterday}`);
}

/** This customer's earlier redemption of the link a code names, if any (system context). */
export async function findRedemption(tx: Tx, { code, customerId }: { code: string; customerId: string }) {
  const resolved = await resolveLink(tx, code);
  if (!resolved.ok) return null;
  const [row] = await tx
    .select({ at: linkRedemptions.createdAt, dapAuthorised: linkRedemptions.dapAuthorised, dapRequested: linkRedemptions.dapRequested })
    .from(linkRedemptions)
    .where(and(eq(linkRedemptions.linkId, resolved.link.id), eq(linkRedemptions.customerOrgId, customerId)));
  return row ?? null;
}

export interface RedemptionChoices {
  /** The agreement version the customer read and accepted on the page. */
  agreementVersion: string;
  /** Purchase offers: the licence count per product (the customer may change the offered count within limits). */
  licences: Record<string, number>;
  /** The global admin ticked "authorise" for the offered delegated administration. */
  authoriseDap: boolean;
}

export interface RedemptionResult {
  redemptionId: string;
  customerId: string;
  /** True when this customer had already redeemed the link: nothing new was created. */
  replay: boolean;
  dapAuthorised: boolean;
  dapRequested: boolean;
}

/** The customer roles that may redeem a kind of link. A reseller relationship is the global admin's decision. */
export function mayRedeem(kind: LinkKind, roles: readonly string[]) {
  if (roles.includes("global_admin")) return true;
  return kind !== "reseller" && roles.includes("billing_admin");
}

/**
 * Redeems a link for an existing customer, as one of its admins (system context; the caller's
 * membership is checked here). Creates the trial or the paid subscriptions with the partner as
 * advisor, records the agreement acceptance, and creates the advisor or reseller relationship;
 * the DAP offer becomes an active DAP relationship only if a global admin authorises it, and a
 * request waiting for a global admin when a billing admin accepts.
 */
export async function redeemLink(
  tx: Tx,
  input: {
    code: string;
    customerId: string;
    userId: string;
    choices: RedemptionChoices;
    ip: string | null;
    submissionKey?: string | null;
    signedUp?: boolean;
    /** The token of a lead the partner answered with this link (from the emailed URL): the lead is won by this customer. */
    leadToken?: string | null;
  },
): Promise<RedemptionResult> {
  const { link, partner } = await liveLink(tx, input.code);
  // One redemption at a time per customer: a double submit waits here, then finds the first.
  const [customer] = await tx
    .select({ id: organisations.id, name: organisations.name })
    .from(organisations)
    .where(and(eq(organisations.id, input.customerId), eq(organisations.kind, "customer")))
    .for("update");
  if (!customer) throw new DomainError(403, "Sign in as an administrator of a customer organisation to accept this.");
  const [membership] = await tx
    .select({ roles: memberships.roles })
    .from(memberships)
    .where(and(eq(memberships.orgId, customer.id), eq(memberships.userId, input.userId), eq(memberships.status, "active")));
  if (!membership || !mayRedeem(link.kind, membership.roles)) {
    throw new DomainError(
      403,
      link.kind === "reseller"
        ? "Only your organisation's global admin can accept a reseller relationship."
        : "Only your organisation's global admin or billing admin can accept this.",
    );
  }
  const isGlobalAdmin = membership.roles.includes("global_admin");

  const [earlier] = await tx
    .select()
    .from(linkRedemptions)
    .where(and(eq(linkRedemptions.linkId, link.id), eq(linkRedemptions.customerOrgId, customer.id)));
  if (earlier) {
    if (input.leadToken) await linkLeadToCustomer(tx, { token: input.leadToken, partnerId: partner.id, linkId: link.id, customerId: customer.id });
    return { redemptionId: earlier.id, customerId: customer.id, replay: true, dapAuthorised: earlier.dapAuthorised, dapRequested: earlier.dapRequested };
  }

  const agreement = await getCurrentAgreement(tx);
  if (input.choices.agreementVersion !== agreement.version) {
    throw new DomainError(409, "The customer agreement changed while you were reading it. Read the current version and accept it.", "agreementVersion");
  }

  // Subscriptions, with the partner as advisor (Partner of Record).
  const items = await offeredItems(tx, link.id);
  const created: { productId: string; licences: number; status: "trial" | "active" }[] = [];
  if (link.kind === "trial") {
    const item = items[0];
    if (!item?.trialDays) throw new DomainError(410, "The product of this trial is no longer offered.");
    await tx.insert(subscriptions).values({
      customerOrgId: customer.id,
      productId: item.productId,
      licences: item.licences,
      status: "trial",
      advisorPartnerOrgId: partner.id,
      sourceLinkId: link.id,
      endsAt: sql`now() + make_interval(days => ${item.trialDays})`,
    });
    created.push({ productId: item.productId, licences: item.licences, status: "trial" });
  } else if (link.kind === "offer") {
    for (const item of items) {
      const licences = input.choices.licences[item.productId] ?? item.licences;
      try {
        await checkLicenceCount(tx, { productId: item.productId, licences });
      } catch (error) {
        if (error instanceof DomainError && error.field === "licences") throw new DomainError(400, error.message, `licences.${item.productId}`);
        throw error;
      }
      created.push({ productId: item.productId, licences, status: "active" });
    }
    if (created.length) {
      await tx.insert(subscriptions).values(
        created.map((c) => ({ customerOrgId: customer.id, productId: c.productId, licences: c.licences, status: "active" as const, advisorPartnerOrgId: partner.id, sourceLinkId: link.id })),
      );
    }
  }

  // The agreement (its trigger records the version on the customer and activates relationships
  // that were waiting for it).
  await tx.execute(sql`insert into agreement_acceptances (customer_org_id, version, accepted_by_user_id, ip)
    values (${customer.id}, ${agreement.version}, ${input.userId}, ${input.ip}) on conflict do nothing`);

  await upsertRelationship(tx, { partnerId: partner.id, customerId: customer.id, type: link.kind === "reseller" ? "reseller" : "advisor", status: "active" });
  const dapAuthorised = link.offerDap && isGlobalAdmin && input.choices.authoriseDap;
  const dapRequested = link.offerDap && !isGlobalAdmin;
  if (dapAuthorised) await upsertRelationship(tx, { partnerId: partner.id, customerId: customer.id, type: "dap", status: "active" });
  if (dapRequested) await upsertRelationship(tx, { partnerId: partner.id, customerId: customer.id, type: "dap", status: "requested" });

  const [redemption] = await tx
    .insert(linkRedemptions)
    .values({
      linkId: link.id,
      partnerOrgId: partner.id,
      customerOrgId: customer.id,
      redeemedByUserId: input.userId,
      submissionKey: input.submissionKey ?? null,
      signedUp: Boolean(input.signedUp),
      dapAuthorised,
      dapRequested,
    })
    .returning({ id: linkRedemptions.id });

  const details = { linkId: link.id, kind: link.kind, partnerId: partner.id, subscriptions: created, dapAuthorised, dapRequested, agreementVersion: agreement.version };
  // One entry in the customer's log, one in the partner's.
  await recordAudit(tx, { actor: { userId: input.userId, orgId: customer.id, ip: input.ip }, subjectOrgId: customer.id, action: "link.redeemed", objectType: "link_redemption", objectId: redemption!.id, details });
  await recordAudit(tx, { actor: { userId: input.userId, orgId: customer.id, ip: input.ip }, subjectOrgId: partner.id, action: "link.redeemed", objectType: "link_redemption", objectId: redemption!.id, details });

  // The partner hears of it: the link's creator and the global admins, in the app and by email.
  const recipients = new Set(await memberIdsWithRoles(tx, { orgId: partner.id, roles: ["global_admin"] }));
  if (link.createdByUserId) {
    const [creator] = await tx
      .select({ userId: memberships.userId })
      .from(memberships)
      .where(and(eq(memberships.orgId, partner.id), eq(memberships.userId, link.createdByUserId), eq(memberships.status, "active")));
    if (creator) recipients.add(creator.userId);
  }
  const what = link.kind === "trial" ? "accepted your trial invitation" : link.kind === "offer" ? "accepted your purchase offer" : "accepted your reseller invitation";
  const dapText = dapAuthorised ? " and authorised delegated administration" : dapRequested ? "; delegated administration waits for its global admin's approval" : "";
  await notify(tx, {
    orgId: partner.id,
    userIds: [...recipients],
    kind: "link.redeemed",
    title: `${customer.name} ${what}`,
    body: `${customer.name} ${what}${dapText}.`,
    link: `/partner/links/${link.id}`,
    email: true,
  });
  if (input.leadToken) await linkLeadToCustomer(tx, { token: input.leadToken, partnerId: partner.id, linkId: link.id, customerId: customer.id });
  return { redemptionId: redemption!.id, customerId: customer.id, replay: false, dapAuthorised, dapRequested };
}

export interface SignUp {
  organisationName: string;
  primaryDomain: string;
  country: string;
  adminName: string;
  email: string;
  password: string;
}

export type SignUpResult = RedemptionResult & { setCookie: string };

/**
 * A new customer: creates its tenant with the signer as global admin, redeems the link for it and
 * signs the signer in, in one transaction (system context). `passwordHash` is computed by the
 * caller before the transaction, so no lock waits for argon2.
 */
export async function signUpAndRedeem(
  tx: Tx,
  input: { code: string; signUp: SignUp; passwordHash: string; submissionKey: string; choices: RedemptionChoices; ip: string; userAgent: string | null; leadToken?: string | null },
): Promise<SignUpResult> {
  const { link } = await liveLink(tx, input.code);
  // A replay of this very form (double submit, reload after a lost answer) finds what it created.
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`signup:${input.submissionKey}`}))`);
  const [replayed] = await tx.select().from(linkRedemptions).where(eq(linkRedemptions.submissionKey, input.submissionKey));
  if (replayed) {
    const [user] = await tx.select().from(users).where(eq(users.id, replayed.redeemedByUserId!));
    if (!user || user.email !== input.signUp.email || !(await verifyPassword(user.passwordHash, input.signUp.password))) {
      throw new DomainError(409, "This form was already submitted. Sign in to see what it created.");
    }
    const setCookie = await createSession(tx, { userId: user.id, orgId: replayed.customerOrgId, ip: input.ip, userAgent: input.userAgent });
    return { redemptionId: replayed.id, customerId: replayed.customerOrgId, replay: true, dapAuthorised: replayed.dapAuthorised, dapRequested: replayed.dapRequested, setCookie };
  }
  if (!mayRedeem(link.kind, ["global_admin"])) throw new DomainError(403, "This link cannot be accepted.");

  const domain = input.signUp.primaryDomain.toLowerCase();
  const email = input.signUp.email.toLowerCase();
  const [takenDomain] = await tx.select({ id: organisations.id }).from(organisations).where(eq(organisations.primaryDomain, domain));
  if (takenDomain) {
    throw new DomainError(409, `The domain ${domain} already belongs to an organisation on Partnerdesk. If it is yours, sign in as its administrator to accept.`, "primaryDomain");
  }
  // An address someone merely invited (no password, no membership yet) is not anybody's account:
  // signing up claims it, exactly as if the row did not exist (ADR 0026). Its invitations stay pending.
  const [takenEmail] = await tx
    .select({ id: users.id, unclaimed: sql<boolean>`${users.passwordHash} is null and not exists (select 1 from memberships m where m.user_id = ${users.id} and m.status <> 'invited')` })
    .from(users)
    .where(eq(users.email, email))
    .for("update");
  if (takenEmail && !takenEmail.unclaimed) throw new DomainError(409, "An account with this email address exists. Sign in instead, then accept.", "email");

  let customerId: string;
  let userId: string;
  try {
    // A savepoint: a concurrent sign-up that takes the same domain or email first leaves this
    // transaction usable for the 409 answer.
    ({ customerId, userId } = await tx.transaction(async (sp) => {
      const [org] = await sp
        .insert(organisations)
        .values({ kind: "customer", name: input.signUp.organisationName, primaryDomain: domain, country: input.signUp.country })
        .returning({ id: organisations.id });
      const [user] = takenEmail
        ? await sp
            .update(users)
            .set({ displayName: input.signUp.adminName, passwordHash: input.passwordHash, passwordChangedAt: sql`now()`, emailConfirmed: false })
            .where(and(eq(users.id, takenEmail.id), isNull(users.passwordHash)))
            .returning({ id: users.id })
        : await sp
            .insert(users)
            // Nobody has shown yet that they read this address: no organisation manages the account
            // until its confirmation link is used (ADR 0026).
            .values({ email, displayName: input.signUp.adminName, passwordHash: input.passwordHash, passwordChangedAt: sql`now()`, emailConfirmed: false })
            .returning({ id: users.id });
      await sp.insert(memberships).values({ orgId: org!.id, userId: user!.id, roles: ["global_admin"], status: "active", activatedAt: sql`now()` });
      return { customerId: org!.id, userId: user!.id };
    }));
  } catch (error) {
    const violated = uniqueViolation(error);
    if (violated && /primary_domain/.test(violated)) {
      throw new DomainError(409, `The domain ${domain} already belongs to an organisation on Partnerdesk. If it is yours, sign in as its administrator to accept.`, "primaryDomain");
    }
    if (violated && /email/.test(violated)) throw new DomainError(409, "An account with this email address exists. Sign in instead, then accept.", "email");
    throw error;
  }
  await recordAudit(tx, {
    actor: { userId, orgId: customerId, ip: input.ip },
    action: "customer.signed_up",
    objectType: "organisation",
    objectId: customerId,
    details: { name: input.signUp.organisationName, domain, country: input.signUp.country, via: "link", linkId: link.id },
  });
  const result = await redeemLink(tx, { code: input.code, customerId, userId, choices: input.choices, ip: input.ip, submissionKey: input.submissionKey, signedUp: true, leadToken: input.leadToken });
  await sendEmailConfirmation(tx, { userId, orgId: customerId });
  const setCookie = await createSession(tx, { userId, orgId: customerId, ip: input.ip, userAgent: input.userAgent });
  return { ...result, setCookie };
}

// ---- The partner's tracking ----

export async function getLinkTracking(tx: Tx, { partnerId, linkId }: { partnerId: string; linkId: string }) {
  const [link] = await tx.select().from(links).where(and(eq(links.partnerOrgId, partnerId), eq(links.id, linkId)));
  if (!link) throw new DomainError(404, "No such link.");
  const items = await tx
    .select({ productId: linkItems.productId, licences: linkItems.licences, name: products.name, trialDays: products.trialDays })
    .from(linkItems)
    .innerJoin(products, eq(products.id, linkItems.productId))
    .where(and(eq(linkItems.partnerOrgId, partnerId), eq(linkItems.linkId, linkId)));
  const [counts] = rowsOf<{ visits: number; redemptions: number; signups: number; subscriptions: number; converted: number; dap: number }>(
    await tx.execute(sql`select
        (select coalesce(sum(visits), 0)::int from link_visits where partner_org_id = ${partnerId} and link_id = ${linkId}) as visits,
        (select count(*)::int from link_redemptions where partner_org_id = ${partnerId} and link_id = ${linkId}) as redemptions,
        (select count(*)::int from link_redemptions where partner_org_id = ${partnerId} and link_id = ${linkId} and signed_up) as signups,
        (select count(*)::int from link_redemptions where partner_org_id = ${partnerId} and link_id = ${linkId} and dap_authorised) as dap,
        (select count(*)::int from subscriptions where advisor_partner_org_id = ${partnerId} and source_link_id = ${linkId}) as subscriptions,
        (select count(*)::int from subscriptions where advisor_partner_org_id = ${partnerId} and source_link_id = ${linkId} and converted_at is not null) as converted`),
  );
  const customers = await tx
    .select({
      redemptionId: linkRedemptions.id,
      customerId: linkRedemptions.customerOrgId,
      name: organisations.name,
      domain: organisations.primaryDomain,
      at: linkRedemptions.createdAt,
      signedUp: linkRedemptions.signedUp,
      dapAuthorised: linkRedemptions.dapAuthorised,
      dapRequested: linkRedemptions.dapRequested,
    })
    .from(linkRedemptions)
    // Under RLS the partner sees a customer's name only while a relationship lives.
    .leftJoin(organisations, eq(organisations.id, linkRedemptions.customerOrgId))
    .where(and(eq(linkRedemptions.partnerOrgId, partnerId), eq(linkRedemptions.linkId, linkId)))
    .orderBy(sql`${linkRedemptions.createdAt} desc`)
    .limit(200);
  const subs = customers.length
    ? await tx
        .select({ customerId: subscriptions.customerOrgId, productId: subscriptions.productId, status: subscriptions.status, licences: subscriptions.licences, convertedAt: subscriptions.convertedAt, endsAt: subscriptions.endsAt })
        .from(subscriptions)
        .where(and(eq(subscriptions.advisorPartnerOrgId, partnerId), eq(subscriptions.sourceLinkId, linkId), inArray(subscriptions.customerOrgId, customers.map((c) => c.customerId))))
    : [];
  return {
    link: { ...link, status: linkStatus(link) },
    items,
    // Every subscription a trial link created is a trial (converted or not).
    stats: { visits: counts?.visits ?? 0, redemptions: counts?.redemptions ?? 0, signups: counts?.signups ?? 0, trials: link.kind === "trial" ? (counts?.subscriptions ?? 0) : 0, converted: counts?.converted ?? 0, dap: counts?.dap ?? 0 },
    customers: customers.map((c) => ({ ...c, subscriptions: subs.filter((s) => s.customerId === c.customerId) })),
  };
}
