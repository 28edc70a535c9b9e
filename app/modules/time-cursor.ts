/**
 * Cursors for lists ordered by creation time, newest first: the boundary row's creation time (as
 * UTC text to the microsecond, so no row is skipped or repeated at millisecond ties) and its id,
 * base64url-encoded JSON in the URL. Shared by server and browser; a bad cursor fails to parse
 * and the list falls back to its first page.
 */
import { z } from "zod";

export type TimeCursor = readonly [createdText: string, id: string];

export const timeCursor = z
  .string()
  .max(200)
  .transform((v, ctx) => {
    try {
      return z
        .tuple([z.string().regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/), z.string().uuid()])
        .parse(JSON.parse(atob(v.replace(/-/g, "+").replace(/_/g, "/"))));
    } catch {
      ctx.addIssue({ code: "custom", message: "bad cursor" });
      return z.NEVER;
    }
  });

export function encodeTimeCursor(c: TimeCursor): string {
  return btoa(JSON.stringify(c)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
