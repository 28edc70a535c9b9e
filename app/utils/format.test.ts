import { afterEach, describe, expect, it } from "vitest";
import { countryName, countryOptions, countryOptionsFor, DEFAULT_FORMAT, formatDate, formatDateTime, formatFor, formatMoney, formatNumber } from "./format";

const LATE = "2026-09-05T23:30:00Z"; // already 6 September east of UTC+1, still the 5th in UTC

describe("formatting does not depend on the machine's time zone", () => {
  const machineZone = process.env.TZ;
  afterEach(() => {
    if (machineZone === undefined) delete process.env.TZ;
    else process.env.TZ = machineZone;
  });

  it("writes the explicit zone's date and time on a machine in UTC+14", () => {
    process.env.TZ = "Pacific/Kiritimati";
    // The machine's own formatting has moved to the next day: the premise of the test holds.
    expect(new Date(LATE).getDate()).toBe(6);
    expect(new Date(LATE).toLocaleDateString("en-GB", { dateStyle: "medium" })).toBe("6 Sept 2026");

    expect(formatDate(LATE)).toBe("5 Sept 2026");
    expect(formatDateTime(LATE)).toBe("5 Sept 2026, 23:30 UTC");
    expect(formatDate(new Date(LATE))).toBe("5 Sept 2026");
    // A timestamp without an offset is the database's UTC, not the machine's local time.
    expect(formatDateTime("2026-09-05T23:30:00")).toBe("5 Sept 2026, 23:30 UTC");
    expect(formatDateTime("2026-09-05T23:30:00.123456")).toBe("5 Sept 2026, 23:30 UTC");
  });

  it("writes the same text on machines in different zones", () => {
    const written = (zone: string) => {
      process.env.TZ = zone;
      return [formatDate(LATE), formatDateTime(LATE), formatDate("2026-03-29T00:59:00Z"), formatDateTime("2026-10-25T01:30:00Z")];
    };
    const utc = written("UTC");
    expect(written("America/Los_Angeles")).toEqual(utc);
    expect(written("Asia/Kolkata")).toEqual(utc);
    expect(written("Pacific/Kiritimati")).toEqual(utc);
  });
});

describe("an explicit time zone", () => {
  it("moves the date and time into that zone and names it, summer time included", () => {
    const copenhagen = { locale: "en-GB", timeZone: "Europe/Copenhagen" };
    expect(formatDate(LATE, copenhagen)).toBe("6 Sept 2026");
    expect(formatDateTime(LATE, copenhagen)).toBe("6 Sept 2026, 01:30 CEST");
    expect(formatDateTime("2026-12-07T12:00:00Z", copenhagen)).toBe("7 Dec 2026, 13:00 CET");
    expect(formatDateTime(LATE, { locale: "en-GB", timeZone: "America/Los_Angeles" })).toBe("5 Sept 2026, 16:30 GMT-7");
  });

  it("leaves a calendar date (no time) on its day in every zone", () => {
    for (const timeZone of ["UTC", "America/Los_Angeles", "Pacific/Kiritimati"]) {
      expect(formatDate("2026-03-04", { locale: "en-GB", timeZone })).toBe("4 Mar 2026");
    }
  });
});

describe("an explicit locale", () => {
  it("formats dates, numbers and money in that locale", () => {
    const de = { locale: "de-DE", timeZone: "UTC" };
    expect(formatDate(LATE, de)).toBe("05.09.2026");
    expect(formatDateTime(LATE, de)).toBe("05.09.2026, 23:30 UTC");
    expect(formatNumber(1234567.5, de)).toBe("1.234.567,5");
    expect(formatMoney(123456, "EUR", de)).toBe("1.234,56\u00a0€");
    expect(formatNumber(1234567)).toBe("1,234,567");
  });

  it("names countries from the locale's language table, English where there is none yet", () => {
    expect(countryName("DK")).toBe("Denmark");
    expect(countryName("HK", { locale: "en-GB" })).toBe("Hong Kong SAR China");
    expect(countryName("DK", { locale: "da-DK" })).toBe("Denmark");
    expect(countryName("ZZ")).toBe("ZZ");
    expect(countryName("constructor")).toBe("constructor");
    expect(countryOptions({ locale: "en" })).toBe(countryOptions(DEFAULT_FORMAT));
    expect(countryOptionsFor(["SE", "AX"])).toEqual([{ code: "AX", name: "Åland Islands" }, { code: "SE", name: "Sweden" }]);
  });
});

describe("bound formatters", () => {
  it("are one object per locale and zone, so a component gets the same one on every render", () => {
    const a = formatFor({ locale: "en-GB", timeZone: "UTC" });
    expect(formatFor({ ...DEFAULT_FORMAT })).toBe(a);
    expect(formatFor({ locale: "en-GB", timeZone: "Europe/Copenhagen" })).not.toBe(a);
    expect(a.date(LATE)).toBe("5 Sept 2026");
    expect(a.dateTime(LATE)).toBe("5 Sept 2026, 23:30 UTC");
    expect(a.number(1500)).toBe("1,500");
    expect(a.money(1250, "USD")).toBe("US$12.50");
    expect(a.country("SE")).toBe("Sweden");
    expect(["DK", "SE"].map(a.country)).toEqual(["Denmark", "Sweden"]);
  });

  it("keep working past the cache's bound (the oldest formatters are dropped and rebuilt)", () => {
    const zones = Intl.supportedValuesOf("timeZone").slice(0, 250);
    for (const timeZone of zones) formatDate(LATE, { locale: "en-GB", timeZone });
    expect(formatDate(LATE)).toBe("5 Sept 2026");
    expect(formatDate(LATE, { locale: "en-GB", timeZone: zones[0]! })).toBe(new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeZone: zones[0] }).format(new Date(LATE)));
  });
});
