/**
 * The partner's own directory listing (its global admin): opt in, and what the directory shows
 * about it. Contact details come from the company profile. Runs in the partner's context.
 */
import { eq, sql } from "drizzle-orm";
import { partnerListings } from "../../../db/schema";
import type { Tx } from "~/utils/db.server";
import { recordAudit, type Actor } from "../platform/audit.server";
import { DomainError } from "../../utils/errors";
import { getOrganisation } from "../organisations/organisations.server";
import type { OrganisationSize } from "./directory-options";

export interface ListingInput {
  listed: boolean;
  description: string;
  countries: string[];
  cities: string[];
  sizes: OrganisationSize[];
  keywords: string[];
  languages: string[];
}

export async function getListing(tx: Tx, { partnerId }: { partnerId: string }) {
  const profile = await getOrganisation(tx, { orgId: partnerId });
  const [row] = await tx.select().from(partnerListings).where(eq(partnerListings.partnerOrgId, partnerId));
  return {
    profile,
    listing: {
      listed: row?.listed ?? false,
      description: row?.description ?? "",
      countries: row?.countries ?? (profile.country ? [profile.country] : []),
      cities: row?.cities ?? (profile.city ? [profile.city] : []),
      sizes: (row?.sizes ?? []) as OrganisationSize[],
      keywords: row?.keywords ?? [],
      languages: row?.languages ?? [],
      listedAt: row?.listedAt ?? null,
    },
  };
}

/** What a listing needs before it may appear: enough for a customer to judge the partner. */
function checkListable(input: ListingInput) {
  if (!input.listed) return;
  if (input.description.trim().length < 20) throw new DomainError(400, "Describe your services in at least 20 characters before you list.", "description");
  if (input.countries.length === 0) throw new DomainError(400, "Choose at least one country you serve.", "countries");
  if (input.sizes.length === 0) throw new DomainError(400, "Choose at least one organisation size you serve.", "sizes");
  if (input.keywords.length === 0) throw new DomainError(400, "Choose or enter at least one service keyword.", "keywords");
  if (input.languages.length === 0) throw new DomainError(400, "Choose at least one language you work in.", "languages");
}

export async function saveListing(tx: Tx, { partnerId, actor, input }: { partnerId: string; actor: Actor; input: ListingInput }) {
  checkListable(input);
  const values = {
    listed: input.listed,
    description: input.description.trim(),
    countries: input.countries,
    cities: input.cities,
    sizes: input.sizes,
    keywords: input.keywords,
    languages: input.languages,
  };
  const [before] = await tx.select({ listed: partnerListings.listed }).from(partnerListings).where(eq(partnerListings.partnerOrgId, partnerId));
  await tx
    .insert(partnerListings)
    .values({ partnerOrgId: partnerId, ...values, listedAt: input.listed ? sql`now()` : null })
    .onConflictDoUpdate({
      target: partnerListings.partnerOrgId,
      set: { ...values, updatedAt: sql`now()`, listedAt: input.listed ? sql`coalesce(${partnerListings.listedAt}, now())` : null },
    });
  const action = input.listed && !before?.listed ? "listing.listed" : !input.listed && before?.listed ? "listing.unlisted" : "listing.updated";
  await recordAudit(tx, { actor, action, objectType: "partner_listing", objectId: partnerId, details: { countries: input.countries, sizes: input.sizes, keywords: input.keywords } });
  return { action };
}
