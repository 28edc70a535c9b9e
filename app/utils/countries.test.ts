import { describe, expect, it } from "vitest";
import { countryOptions, countryOptionsFor } from "./countries";

const COUNTRY_OPTIONS = countryOptions("en-GB");

describe("country options", () => {
  it("are in alphabetical order with accents ignored, the same on every runtime", () => {
    const names = COUNTRY_OPTIONS.map((c) => c.name);
    expect(names.slice(0, 3)).toEqual(["Afghanistan", "Åland Islands", "Albania"]);
    expect(names.indexOf("Côte d’Ivoire")).toBe(names.indexOf("Costa Rica") + 1);
    expect(names.indexOf("Curaçao")).toBeGreaterThan(names.indexOf("Cuba"));
    expect(names.indexOf("Réunion")).toBeLessThan(names.indexOf("Romania"));
    expect(new Set(COUNTRY_OPTIONS.map((c) => c.code)).size).toBe(COUNTRY_OPTIONS.length);
  });

  it("for a partner's countries: named, in the same order, each once, unknown codes last", () => {
    expect(countryOptionsFor(["SE", "DK", "ZZ", "AX", "DK"], "en-GB")).toEqual([
      { code: "AX", name: "Åland Islands" },
      { code: "DK", name: "Denmark" },
      { code: "SE", name: "Sweden" },
      { code: "ZZ", name: "ZZ" },
    ]);
    expect(countryOptionsFor([], "en-GB")).toEqual([]);
  });
});
