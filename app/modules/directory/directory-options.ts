/**
 * The partner directory's vocabulary and URL state, shared by server and browser: organisation
 * sizes, suggested service keywords, languages, and the search query read from the URL by a
 * forgiving schema (a bad value falls back to none).
 */
import { z } from "zod";
import { text } from "~/utils/input";
import { forwardFields, listState } from "~/utils/list";
import { COUNTRY_CODES } from "~/utils/countries";

export const ORGANISATION_SIZES = ["1-9", "10-49", "50-249", "250-999", "1000+"] as const;
export type OrganisationSize = (typeof ORGANISATION_SIZES)[number];
export const SIZE_LABELS: Record<OrganisationSize, string> = {
  "1-9": "1–9 employees",
  "10-49": "10–49 employees",
  "50-249": "50–249 employees",
  "250-999": "250–999 employees",
  "1000+": "1,000 or more employees",
};

/** Suggested service keywords; partners may add their own. */
export const SERVICE_KEYWORDS = ["migration", "security", "licensing", "support", "deployment", "compliance", "training", "backup", "identity", "teams", "sharepoint", "devices", "networking", "cloud", "consulting"] as const;

/** Languages partners may serve in (ISO 639-1), with their names in English. */
export const LANGUAGES: Record<string, string> = {
  da: "Danish",
  de: "German",
  en: "English",
  es: "Spanish",
  fi: "Finnish",
  fr: "French",
  it: "Italian",
  nl: "Dutch",
  no: "Norwegian",
  pl: "Polish",
  pt: "Portuguese",
  ru: "Russian",
  sv: "Swedish",
  uk: "Ukrainian",
};
export const LANGUAGE_CODES = Object.keys(LANGUAGES);

export const DIRECTORY_PAGE_SIZE = 20;

/** The directory's URL state (the list kit): its search and filters, and the next page's cursor. */
export const directoryList = listState({
  filters: {
    q: text().trim().max(200),
    country: z.string().refine((c) => COUNTRY_CODES.includes(c)),
    city: text().trim().min(1).max(100),
    size: z.enum(ORGANISATION_SIZES),
    language: z.string().refine((l) => LANGUAGE_CODES.includes(l)),
  },
  paging: forwardFields,
});
export type DirectoryQuery = z.output<typeof directoryList.schema>;

export function parseDirectoryQuery(params: URLSearchParams): DirectoryQuery {
  return directoryList.read(params);
}

export const LEAD_STATUSES = ["new", "contacted", "won", "lost"] as const;
export type LeadStatus = (typeof LEAD_STATUSES)[number];
export const LEAD_STATUS_LABELS: Record<LeadStatus, string> = { new: "New", contacted: "Contacted", won: "Won", lost: "Lost" };
export const LEAD_STATUS_TONES = { new: "info", contacted: "warn", won: "good", lost: "neutral" } as const;
