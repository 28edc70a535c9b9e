import { describe, expect, it } from "vitest";
import { formatDate, formatDateTime, formatMoney } from "../../app/utils/format";

describe("date formatting", () => {
  // The app's dates are what en-GB's medium style writes in UTC (app/utils/format.ts, ADR 0030).
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

  it("reads a UTC timestamp string as the same date its Date would give", () => {
    const strings = [
      "2026-09-05T07:03:00Z", "2026-09-05T07:03:00.123456Z", "2026-12-31T23:59:59Z", "2026-01-28T00:00:00.5Z",
      "2024-02-29T12:00:00Z", "2026-02-30T00:00:00Z", "2026-04-31T10:00:00Z", "2026-01-01T24:00:00Z",
      "0999-03-04T00:00:00Z", "2026-03-04T00:00:00+02:00", "2026-03-04", "2026-03-04T23:30:00-01:00",
    ];
    for (const s of strings) {
      const d = new Date(s);
      expect(formatDate(s), s).toBe(Number.isNaN(d.getTime()) ? "—" : DATE.format(d));
    }
  });

  it("shows a dash for a missing or unreadable date", () => {
    expect(formatDate(null)).toBe("—");
    expect(formatDate(undefined)).toBe("—");
    expect(formatDate("not a date")).toBe("—");
    expect(formatDateTime(null)).toBe("—");
  });
});

describe("money formatting", () => {
  it("writes minor units in each currency's own format, however currencies alternate", () => {
    expect(formatMoney(1250, "EUR")).toBe("€12.50");
    expect(formatMoney(1250, "USD")).toBe("US$12.50");
    expect(formatMoney(123456789, "EUR")).toBe("€1,234,567.89");
    expect(formatMoney(1250, "DKK")).toBe("DKK\u00a012.50");
    expect(formatMoney(0, "USD")).toBe("US$0.00");
    expect(formatMoney(99, "EUR")).toBe("€0.99");
  });
});
