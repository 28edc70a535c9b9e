/**
 * Dates, numbers, money and country names as people read them: the one place that formats them,
 * on the server and in the browser alike (ADR 0030).
 *
 * Every function takes the locale and the time zone explicitly (FormatSettings) and never reads the
 * machine's: a page rendered on a server in UTC and hydrated in a browser in Los Angeles writes the
 * same text, so hydration never finds a difference. Components get the request's settings from
 * useFormat() (app/components/format.tsx), which the root loader provides; server code that writes
 * a message outside a page (a domain error, a mail) passes them or takes DEFAULT_FORMAT.
 *
 * Intl does the formatting. Building an Intl formatter costs far more than formatting with one (tens
 * of microseconds against about one), so each is built once per locale, zone and options and kept in
 * a bounded map.
 */
import { countryNames, countryOptions as optionsFor, countryOptionsFor as optionsForCodes } from "./countries";

export type FormatSettings = { readonly locale: string; readonly timeZone: string };

/**
 * What every page uses today: British English (the product's English: "5 Sept 2026", 24-hour
 * clock) in UTC, the zone the database stores and the CSV export writes. There is no per-person
 * zone yet, so a date-time names its zone ("07:03 UTC") rather than guessing the reader's.
 */
export const DEFAULT_FORMAT: FormatSettings = Object.freeze({ locale: "en-GB", timeZone: "UTC" });

type DateInput = string | Date | null | undefined;
const NONE = "—";

// --- formatter cache --------------------------------------------------------------------------

/** Enough for every locale × zone × currency the app uses; a key past it evicts the oldest. */
const MAX_FORMATTERS = 200;
const formatters = new Map<string, Intl.DateTimeFormat | Intl.NumberFormat>();

function cached<T extends Intl.DateTimeFormat | Intl.NumberFormat>(key: string, make: () => T): T {
  let f = formatters.get(key);
  if (!f) {
    if (formatters.size >= MAX_FORMATTERS) formatters.delete(formatters.keys().next().value!);
    f = make();
    formatters.set(key, f);
  }
  return f as T;
}

const dateFormat = (locale: string, timeZone: string) =>
  cached(`d|${locale}|${timeZone}`, () => new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeZone }));
const dateTimeFormat = (locale: string, timeZone: string) =>
  cached(`dt|${locale}|${timeZone}`, () => new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short", timeZone }));
const zoneFormat = (locale: string, timeZone: string) =>
  cached(`z|${locale}|${timeZone}`, () => new Intl.DateTimeFormat(locale, { timeZoneName: "short", timeZone }));
const numberFormat = (locale: string) => cached(`n|${locale}`, () => new Intl.NumberFormat(locale));
const moneyFormat = (locale: string, currency: string) =>
  cached(`m|${locale}|${currency}`, () => new Intl.NumberFormat(locale, { style: "currency", currency }));

// --- dates ------------------------------------------------------------------------------------

/** A calendar date without a time ("2026-03-04"): a day, not an instant, so no zone moves it. */
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
/** A date and time without an offset: read as UTC (the database's zone), never the machine's. */
const NO_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?$/;

function toDate(value: DateInput): Date | null {
  if (value === null || value === undefined || value === "") return null;
  const d = typeof value === "string" ? new Date(NO_OFFSET.test(value) ? `${value}Z` : value) : value;
  return Number.isNaN(d.getTime()) ? null : d;
}

/** A date in the locale's medium style in the given zone: "5 Sept 2026"; "—" for none. */
export function formatDate(value: DateInput, { locale, timeZone }: FormatSettings = DEFAULT_FORMAT): string {
  const d = toDate(value);
  if (!d) return NONE;
  return dateFormat(locale, typeof value === "string" && DATE_ONLY.test(value) ? "UTC" : timeZone).format(d);
}

/** A date and time with its zone named: "5 Sept 2026, 07:03 UTC"; "—" for none. */
export function formatDateTime(value: DateInput, { locale, timeZone }: FormatSettings = DEFAULT_FORMAT): string {
  const d = toDate(value);
  if (!d) return NONE;
  // The zone's name is its own part (dateStyle/timeStyle cannot carry one) and is taken for the
  // instant itself: summer and winter time have different names ("CEST", "CET").
  const zone = zoneFormat(locale, timeZone).formatToParts(d).find((p) => p.type === "timeZoneName")?.value;
  const text = dateTimeFormat(locale, timeZone).format(d);
  return zone ? `${text} ${zone}` : text;
}

// --- numbers and money ------------------------------------------------------------------------

/** A number with the locale's grouping and decimal marks: 1234567 → "1,234,567". */
export function formatNumber(value: number, { locale }: Pick<FormatSettings, "locale"> = DEFAULT_FORMAT): string {
  return numberFormat(locale).format(value);
}

/** Money in minor units in its currency's own format: 1250 EUR → "€12.50", 1250 DKK → "DKK 12.50". */
export function formatMoney(cents: number, currency: string, { locale }: Pick<FormatSettings, "locale"> = DEFAULT_FORMAT): string {
  return moneyFormat(locale, currency).format(cents / 100);
}

// --- countries --------------------------------------------------------------------------------

/** A country's name in the locale's language ("DK" → "Denmark"); an unknown code as itself. */
export function countryName(code: string, { locale }: Pick<FormatSettings, "locale"> = DEFAULT_FORMAT): string {
  const names = countryNames(locale);
  return Object.hasOwn(names, code) ? names[code]! : code;
}

/** Every country as a select option, in alphabetical order of the locale's names. */
export function countryOptions({ locale }: Pick<FormatSettings, "locale"> = DEFAULT_FORMAT) {
  return optionsFor(locale);
}

/** Options for the given codes in the same order, each once, unknown codes last. */
export function countryOptionsFor(codes: readonly string[], { locale }: Pick<FormatSettings, "locale"> = DEFAULT_FORMAT) {
  return optionsForCodes(codes, locale);
}

// --- bound to one request's settings ----------------------------------------------------------

/** The functions above bound to one locale and zone: what useFormat() returns. */
export type Format = FormatSettings & {
  date: (value: DateInput) => string;
  dateTime: (value: DateInput) => string;
  number: (value: number) => string;
  money: (cents: number, currency: string) => string;
  country: (code: string) => string;
  countryOptions: () => ReturnType<typeof countryOptions>;
  countryOptionsFor: (codes: readonly string[]) => ReturnType<typeof countryOptionsFor>;
};

const bound = new Map<string, Format>();

/** One Format object per locale and zone, kept (bounded like the formatters): stable across renders. */
export function formatFor(settings: FormatSettings = DEFAULT_FORMAT): Format {
  const key = `${settings.locale}|${settings.timeZone}`;
  let f = bound.get(key);
  if (!f) {
    const s: FormatSettings = { locale: settings.locale, timeZone: settings.timeZone };
    f = Object.freeze({
      ...s,
      date: (value: DateInput) => formatDate(value, s),
      dateTime: (value: DateInput) => formatDateTime(value, s),
      number: (value: number) => formatNumber(value, s),
      money: (cents: number, currency: string) => formatMoney(cents, currency, s),
      country: (code: string) => countryName(code, s),
      countryOptions: () => countryOptions(s),
      countryOptionsFor: (codes: readonly string[]) => countryOptionsFor(codes, s),
    });
    if (bound.size >= MAX_FORMATTERS) bound.delete(bound.keys().next().value!);
    bound.set(key, f);
  }
  return f;
}
