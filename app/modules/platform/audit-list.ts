/**
 * The audit log's list state, shared by server and browser (the list kit, app/utils/list.ts): read
 * forgivingly by the page (a bad value is ignored and said next to its field) and strictly by the
 * CSV export (400). Dates are calendar days in UTC, both included.
 */
import { z } from "zod";
import { calendarDate, text } from "~/utils/input";
import { cursorField, listState } from "~/utils/list";

export const DATE_RANGE_MESSAGE = "The From date is after the To date. Choose a From date on or before the To date.";
export const DATE_MESSAGE = "Enter a real date (year-month-day).";

export const auditList = listState({
  filters: { q: text().max(100), action: text().max(100), user: z.string().uuid(), from: calendarDate(DATE_MESSAGE), to: calendarDate(DATE_MESSAGE) },
  /** Newest first: `after` is the older page (below the entry with that id), `before` the newer one. */
  paging: { after: cursorField, before: cursorField },
});

/** A date range that ends before it starts (the dates are "YYYY-MM-DD", so text order is date order). */
export const rangeReversed = (from: string | undefined, to: string | undefined) => Boolean(from && to && from > to);

/** The export's filters, read strictly: a bad value or a reversed range is the message for a 400. */
export function readAuditExport(params: URLSearchParams): { ok: true; filter: z.output<typeof auditList.strictSchema> } | { ok: false; message: string } {
  const read = auditList.readStrict(params);
  if (!read.success) return { ok: false, message: "The audit log's filters in this link are not valid." };
  if (rangeReversed(read.data.from, read.data.to)) return { ok: false, message: DATE_RANGE_MESSAGE };
  return { ok: true, filter: read.data };
}
