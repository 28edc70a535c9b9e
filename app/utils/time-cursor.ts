/**
 * Cursors for lists ordered by creation time, newest first: the boundary row's creation time (as
 * UTC text to the microsecond, so no row is skipped or repeated at millisecond ties) and its id,
 * base64url-encoded JSON in the URL. Shared by server and browser; a cursor that is not a real
 * timestamp and uuid (2026-13-45, 25:61, "not-a-uuid") fails to parse and the list falls back to
 * its first page (ADR 0027).
 */
import { z } from "zod";
import { decodeCursor, timeIdCursor } from "~/utils/input";

/** The page sizes every list offers. */
export const PAGE_SIZES = [25, 50, 100, 200] as const;

/** A list's page size in the URL: one of PAGE_SIZES, else 50 (absent without a failed parse). */
export const pageSizeField = z.coerce
  .number()
  .refine((n): n is (typeof PAGE_SIZES)[number] => (PAGE_SIZES as readonly number[]).includes(n))
  .catch(50)
  .default(50);

export type TimeCursor = readonly [createdText: string, id: string];

export const timeCursor = z
  .string()
  .max(200)
  .transform((v, ctx) => {
    const cursor = decodeCursor(v, timeIdCursor);
    if (cursor) return cursor as TimeCursor;
    ctx.addIssue({ code: "custom", message: "bad cursor" });
    return z.NEVER;
  });

export function encodeTimeCursor(c: TimeCursor): string {
  return btoa(JSON.stringify(c)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** A newest-first list's page in the URL: its size and position (forgiving: a bad value is ignored). */
export const timeKeysetFields = {
  size: pageSizeField,
  after: timeCursor.optional().catch(undefined),
  before: timeCursor.optional().catch(undefined),
  last: z
    .enum(["1"])
    .transform(() => true)
    .optional()
    .catch(undefined),
};

/** The list's URL with `change` applied and the page position dropped (a new filter starts at the top). */
export function listHref(path: string, params: URLSearchParams, change: Record<string, string | null>) {
  const next = new URLSearchParams(params);
  for (const k of ["after", "before", "last"]) next.delete(k);
  for (const [k, v] of Object.entries(change)) {
    if (v) next.set(k, v);
    else next.delete(k);
  }
  const s = next.toString();
  return s ? `${path}?${s}` : path;
}

/** First / previous / next / last of a newest-first list, from its boundary cursors. */
export function pagerLinks(newer: string | null, older: string | null, href: (change: Record<string, string | null>) => string) {
  return {
    first: newer ? href({}) : null,
    prev: newer ? href({ before: newer }) : null,
    next: older ? href({ after: older }) : null,
    last: older ? href({ last: "1" }) : null,
  };
}
