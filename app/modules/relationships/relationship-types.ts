/**
 * The kinds of relationship a partner can have with a customer, with the help pages' names and
 * meanings (seeds 000, 002, 004; seed 001 for the subscription advisor). One source for every
 * page, filter and export that names a relationship type.
 *
 * - reseller: sells the vendor's products to the customer.
 * - advisor: the subscription advisor / Partner of Record of seed 001 (no rights in the tenant).
 * - dap: delegated admin; its admin agents act as Global Administrator, helpdesk agents as
 *   Helpdesk Administrator.
 * - gdap: granular delegated admin: least-privilege, time-limited roles (the pair's summary row).
 * - partner: the customer gave a person of the partner a user account in its own tenant.
 * - support_advisor: the help pages' "Advisor": resets passwords and handles support incidents.
 * - mpsa: a Microsoft Products & Services Agreement partner; with the customer's consent, its MPSA
 *   partners see each other's purchases.
 * - lob: a line-of-business partner: submits line-of-business apps to the customer's private list.
 */
import type { Relationship } from "../../../db/schema";

export const RELATIONSHIP_TYPES = ["reseller", "advisor", "dap", "gdap", "partner", "support_advisor", "mpsa", "lob"] as const satisfies readonly Relationship["type"][];
export type RelationshipType = (typeof RELATIONSHIP_TYPES)[number];
// The schema's column lists the same values (the compiler checks both directions).
const schemaTypes: readonly RelationshipType[] = [] as Relationship["type"][];
void schemaTypes;

export const RELATIONSHIP_LABELS: Record<RelationshipType, string> = {
  reseller: "Reseller",
  advisor: "Subscription advisor (Partner of Record)",
  dap: "Delegated admin",
  gdap: "Granular delegated admin",
  partner: "Partner",
  support_advisor: "Advisor",
  mpsa: "MPSA partner",
  lob: "Line-of-business (LOB) partner",
};

/** What each type means to the customer, as the help pages say it. */
export const RELATIONSHIP_MEANINGS: Record<RelationshipType, string> = {
  reseller: "Sells products to your organisation.",
  advisor: "Is the partner on your subscriptions (Partner of Record): it is told of changes to them and has no rights in your organisation.",
  dap: "Manages products and services for your organisation: its admin agents are Global Administrators in your organisation, its helpdesk agents Helpdesk Administrators.",
  gdap: "Manages products and services for your organisation with limited, time-bound admin roles (least privilege).",
  partner: "You gave a person of this partner a user account in your organisation, and they work with other services on your behalf.",
  support_advisor: "Can reset passwords and handle support incidents for you.",
  mpsa: "You bought through this partner under the Microsoft Products & Services Agreement; you can let your MPSA partners see each other's purchases.",
  lob: "Can develop, submit and manage line-of-business apps specific to your organisation.",
};

/** The seeds' name for what a partner is to the customer: reseller and DAP together are one type. */
export function partnerTypeLabel(types: readonly RelationshipType[]): string {
  const has = (t: RelationshipType) => types.includes(t);
  const labels: string[] = [];
  if (has("reseller") && has("dap")) labels.push("Reseller & delegated admin");
  else if (has("reseller")) labels.push(RELATIONSHIP_LABELS.reseller);
  else if (has("dap")) labels.push(RELATIONSHIP_LABELS.dap);
  for (const t of RELATIONSHIP_TYPES) if (t !== "reseller" && t !== "dap" && has(t)) labels.push(RELATIONSHIP_LABELS[t]);
  return labels.join(", ");
}

/**
 * The types a partner requests and the customer's global admin approves or declines on its
 * Requests page (the help pages' consent): delegated admin and the help pages' advisor, MPSA and
 * line-of-business partners. GDAP has its own request and approval flow (one request per set of
 * roles); reseller and subscription advisor start from the customer (agreement, Partner ID).
 */
export const CONSENT_TYPES = ["dap", "support_advisor", "mpsa", "lob"] as const satisfies readonly RelationshipType[];
export type ConsentType = (typeof CONSENT_TYPES)[number];
/** The consent types requested from the customer's page with one form (DAP has its own confirmation). */
export const REQUESTABLE_TYPES = ["support_advisor", "mpsa", "lob"] as const satisfies readonly ConsentType[];
export type RequestableType = (typeof REQUESTABLE_TYPES)[number];
export const isConsentType = (t: string): t is ConsentType => (CONSENT_TYPES as readonly string[]).includes(t);

/**
 * What ends when the partner ends a relationship of this type (the confirmation says it before,
 * the customer's notification after). GDAP ends relationship by relationship on its own page.
 */
export const WHAT_ENDS: Record<Exclude<RelationshipType, "gdap">, string> = {
  reseller: "You will no longer be the customer's reseller and will stop seeing its subscriptions, except those you are partner of record for.",
  advisor: "You are taken off every subscription of the customer you are partner of record for, and stop seeing them and being told of their changes.",
  dap: "Your admin agents stop being the customer's Global Administrators and your helpdesk agents its Helpdesk Administrators, at once.",
  partner: "Your person's user account in the customer's organisation is the customer's: ask the customer to remove it.",
  support_advisor: "Your admin and helpdesk agents can no longer reset the customer's passwords or handle its support incidents.",
  mpsa: "You stop being the customer's MPSA partner: other MPSA partners no longer see your purchases for it, and you no longer see theirs.",
  lob: "You can no longer submit line-of-business apps to the customer's private app list.",
};

