import { describe, expect, it } from "vitest";
import { formatDate, formatDateTime } from "../../app/components/layout";

describe("date formatting", () => {
  // The hand-written formatter must write what en-GB's medium style writes in UTC.
  const DATE = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeZone: "UTC" });
  const DATE_TIME = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });

  it("matches Intl en-GB medium in UTC on every month, day and hour boundary", () => {
    for (let month = 0; month < 12; month++) {
      for (const [day, hour, minute] of [[1, 0, 0], [9, 9, 5], [28, 23, 59]] as const) {
        const d = new Date(Date.UTC(2026, month, day, hour, minute));
        expect(formatDate(d)).toBe(DATE.format(d));
        expect(formatDate(d.toISOString())).toBe(DATE.format(d));
        expect(formatDateTime(d)).toBe(`${DATE_TIME.format(d)} UTC`);
      }
    }
  });

  it("shows a dash for a missing or unreadable date", () => {
    expect(formatDate(null)).toBe("—");
    expect(formatDate(undefined)).toBe("—");
    expect(formatDate("not a date")).toBe("—");
    expect(formatDateTime(null)).toBe("—");
  });
});
