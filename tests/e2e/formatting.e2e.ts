/**
 * Issue 29, item 4 (ADR 0030): dates, money and country names are the same text on the server
 * and in the browser, whatever zone and language either machine has. The server runs in
 * Los Angeles, Chromium in Kiritimati (UTC+14) with a Danish system locale; every page is written
 * in en-GB and UTC by both. Each page is compared three ways: the server's HTML, the same page
 * after hydration (with no hydration warning), and the page rendered by the browser alone after a
 * client-side navigation.
 */
import type { BrowserContext, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { collectProblems, hydrated, setUpApp } from "./support";

const app = await setUpApp({ env: { TZ: "America/Los_Angeles", LANG: "de_DE.UTF-8", JOB_POLL_MS: "500" } });
const { url: APP, signIn } = app;

const MONTH = "(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sept|Oct|Nov|Dec)";
/** Dates and date-times as the app writes them, and money. */
const FORMATTED = new RegExp(
  [`\\b\\d{1,2} ${MONTH} \\d{4}(?:, \\d\\d:\\d\\d [A-Z][A-Za-z0-9+-]*)?`, "(?:€|US\\$|£|[A-Z]{3}\\u00a0)\\d[\\d,]*\\.\\d\\d"].join("|"),
  "g",
);
const formatted = (text: string) => text.match(FORMATTED) ?? [];

/** The page's text nodes, one a line (tags out, the few entities React writes decoded). */
function textOf(html: string) {
  return html
    .replace(/<script[\s\S]*?<\/script>/g, "")
    .replace(/<[^>]+>/g, "\n")
    .replace(/&amp;/g, "&")
    .replace(/&#x27;/g, "'")
    .replace(/&quot;/g, '"');
}

async function bodyText(page: Page) {
  return page.evaluate(() => {
    const texts: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) if (n.parentElement?.tagName !== "SCRIPT") texts.push(n.nodeValue ?? "");
    return texts.join("\n");
  });
}

const watch = (page: Page) => collectProblems(page, /hydrat|did not match/i);

async function signedIn(email: string): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await app.browser.newContext({ timezoneId: "Pacific/Kiritimati", locale: "da-DK" });
  const page = await context.newPage();
  const problems = watch(page);
  await signIn(page, email);
  return { context, page, problems };
}

/** The three renders of one page agree, and it shows what `expectSome` says it must. */
async function sameEverywhere(context: BrowserContext, page: Page, problems: string[], pathname: string, expectSome: RegExp | null) {
  // 1. The server's HTML.
  const res = await context.request.get(`${APP}${pathname}`);
  expect(res.status(), pathname).toBe(200);
  const html = await res.text();
  const server = formatted(textOf(html));
  if (expectSome) expect(server.join(" | "), pathname).toMatch(expectSome);

  // 2. The same page loaded and hydrated in the browser: same text, no hydration warning.
  await page.goto(`${APP}${pathname}`);
  await hydrated(page);
  expect(formatted(await bodyText(page)), pathname).toEqual(server);

  // 3. Rendered by the browser alone: away and back again by client-side navigation, then wait
  // for the page's own heading (React renders the new route in a transition after the router).
  const heading = textOf(/<h1[^>]*>([\s\S]*?)<\/h1>/.exec(html)?.[1] ?? "");
  for (const to of ["/account", pathname]) {
    await page.evaluate((path) => (window as unknown as { __remixRouter: { navigate: (to: string) => Promise<void> } }).__remixRouter.navigate(path), to);
    await page.waitForFunction((path) => location.pathname === path, to);
  }
  await page.waitForFunction((h) => document.querySelector("h1")?.textContent === h, heading);
  const rendered = formatted(await bodyText(page));
  expect(rendered, `${pathname} rendered in the browser`).toEqual(server);
  expect(problems, pathname).toEqual([]);
}

describe("formatting is the same on the server and in a browser in another zone and language", () => {
  it("the browser's own zone and locale are not UTC and not English (the premise)", async () => {
    const context = await app.browser.newContext({ timezoneId: "Pacific/Kiritimati", locale: "da-DK" });
    const page = await context.newPage();
    const machine = await page.evaluate(() => [Intl.DateTimeFormat().resolvedOptions().timeZone, navigator.language, new Date("2026-09-05T23:30:00Z").getDate()]);
    expect(machine).toEqual(["Pacific/Kiritimati", "da-DK", 6]);
    await context.close();
  });

  it("a partner's pages: dates, date-times in UTC, money", async () => {
    const { context, page, problems } = await signedIn("admin@northwind.example");
    await sameEverywhere(context, page, problems, "/partner/audit", new RegExp(`\\d{1,2} ${MONTH} \\d{4}, \\d\\d:\\d\\d UTC`));
    await sameEverywhere(context, page, problems, "/partner/subscriptions", /(€|US\$|£|[A-Z]{3}\u00a0)\d/);
    await sameEverywhere(context, page, problems, "/partner/customers", new RegExp(`\\d{1,2} ${MONTH} \\d{4}`));
    // Lists whose demo data may be empty: still the same text three ways.
    for (const p of ["/partner/links", "/partner/leads", "/partner/relationships", "/partner/product-keys", "/notifications"]) await sameEverywhere(context, page, problems, p, null);
    // A customer's detail page: its country by name, dates.
    await page.goto(`${APP}/partner/customers`);
    const href = await page.locator("tbody a[href^='/partner/customers/']").first().getAttribute("href");
    await sameEverywhere(context, page, problems, href!, new RegExp(`\\d{1,2} ${MONTH} \\d{4}`));
    await context.close();
  });

  it("a customer's pages", async () => {
    const { context, page, problems } = await signedIn("admin@adatum-bakery.example");
    await sameEverywhere(context, page, problems, "/customer/subscriptions", new RegExp(`\\d{1,2} ${MONTH} \\d{4}`));
    for (const p of ["/customer", "/customer/partners", "/customer/activity", "/customer/agreement"]) await sameEverywhere(context, page, problems, p, null);
    await context.close();
  });

  it("the public directory's country select and names", async () => {
    const context = await app.browser.newContext({ timezoneId: "Pacific/Kiritimati", locale: "da-DK" });
    const page = await context.newPage();
    const problems = watch(page);
    const res = await context.request.get(`${APP}/partners`);
    const html = await res.text();
    // The table's names, not the browser's ICU ones ("Hong Kong" in Chromium).
    expect(html).toContain(">Hong Kong SAR China</option>");
    expect(html).toContain(">Åland Islands</option>");
    await page.goto(`${APP}/partners`);
    await hydrated(page);
    const options = await page.locator("select#country option").allTextContents();
    expect(options.slice(0, 4)).toEqual(["Any", "Afghanistan", "Åland Islands", "Albania"]);
    expect(options).toContain("Hong Kong SAR China");
    expect(problems).toEqual([]);
    await context.close();
  });
});
