import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { neutraliseFormula, toCsv } from "./csv.server";

describe("CSV cells a spreadsheet would run", () => {
  it.each([
    ['=HYPERLINK("https://evil.example","Click")', `'=HYPERLINK("https://evil.example","Click")`],
    ["=1+2", "'=1+2"],
    ["+1+2", "'+1+2"],
    ["-1+2", "'-1+2"],
    ["@SUM(A1:A2)", "'@SUM(A1:A2)"],
    ["\t=1+2", "'\t=1+2"],
    ["\r=1+2", "'\r=1+2"],
  ])("neutralises %j with a leading single quote", (cell, expected) => {
    expect(neutraliseFormula(cell)).toBe(expected);
    // And it survives quoting: a CSV reader gets the quoted cell back whole.
    expect(parse(toCsv([["x", cell, "y"]]))).toEqual([["x", expected, "y"]]);
  });

  it.each(["Contoso Ltd", "a=b", "mail@contoso.example", "2026-01-31", "", "'already quoted", " =1+2 starts with a space"])("leaves %j as it is", (cell) => {
    expect(neutraliseFormula(cell)).toBe(cell);
  });

  it("quotes separators, quotes and line breaks, and leaves numbers and empty cells alone", () => {
    const text = toCsv([
      ['Gamma, "Quoted" Co', "line\nbreak", 42, -3, null, undefined],
      ["=cmd|' /C calc'!A0", "plain", 0, 1.5, "", true],
    ]);
    expect(text).toBe('"Gamma, ""Quoted"" Co","line\nbreak",42,-3,,\n' + "'=cmd|' /C calc'!A0,plain,0,1.5,,1\n");
  });
});
