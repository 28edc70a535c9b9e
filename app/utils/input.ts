/**
 * The building blocks every form and URL reader parses input with (shared by server and browser),
 * so that bad input is refused with a field message before it reaches the database (issue 28,
 * ADR 0027):
 * - `text()` / `multilineText()`: strings without control characters (NUL, which PostgreSQL
 *   cannot store in text, and the rest of Unicode's Cc class); multi-line text keeps TAB, CR, LF;
 * - `wholeNumber()` and the INT4/INT8 ranges: numbers within the range of the column they go to;
 * - `uuid()` and `utcTimestampText`: what cursors (the list kit's codec, app/utils/list.ts) and ids
 *   are decoded into.
 *
 * `text()` is a z.string(): chain `.trim()`, `.min()`, `.max()` as usual. Its check is a regex with
 * the `i` flag (meaningless for this class) so that conform's getZodConstraint does not copy it
 * into an HTML `pattern` attribute: browsers cannot type control characters anyway, and the field
 * message is what a pasted one gets.
 */
import { z } from "zod";

export const CONTROL_CHARACTER_MESSAGE = "Remove the control characters (such as NUL) from this text.";

/** Any control character (Unicode Cc: U+0000–U+001F, U+007F–U+009F). */
const SINGLE_LINE = /^\P{Cc}*$/iu;
/** Control characters except TAB, LF and CR. */
const MULTI_LINE = /^[\t\n\r\P{Cc}]*$/iu;

/** True when the text holds a control character a single-line field refuses. */
export const hasControlCharacters = (value: string) => !SINGLE_LINE.test(value);

/** A single-line text field: a z.string() that refuses control characters with a field message. */
export function text(params?: Parameters<typeof z.string>[0]) {
  return z.string(params).regex(SINGLE_LINE, CONTROL_CHARACTER_MESSAGE);
}

/** Multi-line text (a textarea): TAB, CR and LF are allowed, other control characters are not. */
export function multilineText(params?: Parameters<typeof z.string>[0]) {
  return z.string(params).regex(MULTI_LINE, CONTROL_CHARACTER_MESSAGE);
}

/** PostgreSQL's integer (int4) and bigint (int8, as far as a JS number is exact) ranges. */
export const INT4 = { min: -2_147_483_648, max: 2_147_483_647 } as const;
export const INT8 = { min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER } as const;

/**
 * A whole number from a form field or URL ("12"), within `range` (default: an int4 column's) and
 * the given bounds, each with its message. Empty text is "missing", not 0.
 */
export function wholeNumber(
  messages: { invalid?: string; tooSmall?: string; tooLarge?: string; required?: string } = {},
  { min = INT4.min, max = INT4.max }: { min?: number; max?: number } = {},
) {
  const invalid = messages.invalid ?? "Enter a whole number.";
  return z.preprocess(
    (v) => (typeof v === "string" ? (v.trim() === "" ? undefined : /^[+-]?\d{1,20}$/.test(v.trim()) ? Number(v.trim()) : Number.NaN) : v),
    z
      .number({ required_error: messages.required ?? invalid, invalid_type_error: invalid })
      .int(invalid)
      .min(min, messages.tooSmall ?? `At least ${min.toLocaleString("en")}.`)
      .max(max, messages.tooLarge ?? `At most ${max.toLocaleString("en")}.`),
  );
}

/** A uuid as PostgreSQL's uuid type reads it (8-4-4-4-12 hex digits). */
export const uuid = (message?: string) => z.string().uuid(message);

/**
 * A UTC timestamp as cursors carry it ("2026-01-31T12:34:56.123456", to the microsecond), checked to
 * be a real date and time (no 2026-13-45 or 25:61), within PostgreSQL's timestamp range.
 */
export const utcTimestampText = z.string().refine((v) => {
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)\.(\d{6})$/.exec(v);
  if (!m) return false;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return y >= 1 && date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d && date.getUTCHours() === h && date.getUTCMinutes() === mi && date.getUTCSeconds() === s;
}, "not a timestamp");

/** An instant from a URL (ISO 8601 with offset), as a real date between years 1 and 9999, else a failed parse. */
export const isoInstant = z
  .string()
  .datetime({ offset: true })
  // zod runs a refinement even after a failed check: this one must hold for any string.
  .refine((v) => {
    const t = new Date(v);
    const day = /^\d{4}-\d\d-\d\d/.exec(v)?.[0];
    return Number.isFinite(t.getTime()) && t.getUTCFullYear() >= 1 && t.getUTCFullYear() <= 9999 && day !== undefined && utcTimestampText.safeParse(`${day}T00:00:00.000000`).success;
  }, "not a date");

/** A row id from a URL (an int8 identity column): a positive whole number PostgreSQL can hold. */
export const rowIdParam = z.coerce.number().int().positive().max(INT8.max);

/** A calendar date from a date field ("2026-12-31"): a real day (no 2026-02-30) in years 1–9999. */
export const calendarDate = (message = "Enter a date.") =>
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, message)
    .refine((v) => utcTimestampText.safeParse(`${v}T00:00:00.000000`).success, message);

/** A list's search term as the server compares it: trimmed, lower case, one space between words, at most 100 characters (undefined when empty). */
export function normaliseTerm(q: string | undefined) {
  const t = (q ?? "").trim().toLowerCase().replace(/\s+/g, " ");
  return t.length ? t.slice(0, 100) : undefined;
}
