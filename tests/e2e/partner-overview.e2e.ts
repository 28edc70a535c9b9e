/**
 * Issue 30, the partner's side in a browser (demo data): the overview's action centre — every
 * count is non-zero in the demo, and clicking it opens its list showing exactly that many rows;
 * the audit log's search, date range (a reversed range says so next to the field) and the export
 * link carrying the filters; the admin relationships list's sort and filters. axe on each page;
 * screenshots at 1280 and 390 px.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { expectAccessible, hydrated, setUpApp, shotPath, until } from "./support";

const app = await setUpApp();
const { url: APP, signIn } = app;

async function openAs(email: string, path: string, viewport = { width: 1280, height: 900 }) {
  const page = await (await app.browser.newContext({ viewport })).newPage();
  await signIn(page, email);
  await page.goto(`${APP}${path}`);
  await hydrated(page);
  return page;
}

const rows = (page: Page) => page.locator("tbody tr").count();
const noSidewaysScroll = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth);

describe("the partner overview's action centre", () => {
  it("every count is non-zero in the demo and opens its list showing exactly those rows", async () => {
    const page = await openAs("admin@northwind.example", "/partner");
    await page.getByRole("heading", { name: "Needs your attention" }).waitFor();
    await expectAccessible(page);
    await page.screenshot({ path: shotPath("partner-overview-1280.png"), fullPage: true });
    const counts = page.locator("a.action-count");
    const n = await counts.count();
    expect(n).toBe(8);
    const cards: { label: string; href: string; count: number }[] = [];
    for (let i = 0; i < n; i++) {
      const link = counts.nth(i);
      const label = (await link.getAttribute("aria-label"))!;
      const count = Number(/^([\d,]+)/.exec(label)![1]!.replace(/,/g, ""));
      cards.push({ label, href: (await link.getAttribute("href"))!, count });
    }
    for (const card of cards) expect(card.count, card.label).toBeGreaterThan(0);
    for (const card of cards) {
      await page.goto(`${APP}/partner`);
      await hydrated(page);
      await page.getByRole("link", { name: card.label, exact: true }).click();
      await page.waitForURL((u) => `${u.pathname}${u.search}` === card.href);
      await until(async () => (await rows(page)) === card.count, { what: `${card.count} rows for "${card.label}" at ${card.href}` });
    }
  });

  it("at 390 px the cards stack and the page does not scroll sideways", async () => {
    const page = await openAs("admin-agent@northwind.example", "/partner", { width: 390, height: 844 });
    await page.getByRole("heading", { name: "Needs your attention" }).waitFor();
    expect(await noSidewaysScroll(page)).toBe(true);
    await expectAccessible(page);
    await page.screenshot({ path: shotPath("partner-overview-390.png"), fullPage: true });
  });

  it("a sales agent sees only the cards of lists it may open", async () => {
    const page = await openAs("sales-agent@northwind.example", "/partner");
    const labels = await page.locator("a.action-count").evaluateAll((els) => els.map((e) => e.getAttribute("aria-label")!.replace(/^[\d,+]+ /, "")));
    expect(labels.sort()).toEqual(["Customers who have not accepted the customer agreement", "New leads", "Trials ending within 30 days"]);
  });
});

describe("the audit log", () => {
  it("searches, narrows to dates, says when the range is reversed, and the export link carries the filters", async () => {
    const page = await openAs("admin@northwind.example", "/partner/audit");
    const before = await rows(page);
    expect(before).toBeGreaterThan(0);
    await page.getByLabel("Search by user, action or customer").fill("link");
    await page.getByRole("button", { name: "Apply filters" }).click();
    await page.waitForURL(/q=link/);
    await until(async () => (await page.locator("tbody tr td:nth-child(3)").allTextContents()).every((t) => /link/i.test(t)) || (await rows(page)) === 0);
    const today = new Date().toISOString().slice(0, 10);
    await page.getByLabel("From (UTC)").fill("2020-01-01");
    await page.getByLabel("To (UTC)").fill(today);
    await page.getByRole("button", { name: "Apply filters" }).click();
    await page.waitForURL(/to=/);
    const exportLink = page.getByRole("link", { name: "Export CSV" });
    const exportHref = await until(async () => {
      const href = await exportLink.getAttribute("href");
      return href?.includes("from=") ? href : null;
    }, { what: `the export link to carry the dates (${await exportLink.getAttribute("href")})` });
    expect(exportHref).toContain("q=link");
    expect(exportHref).toContain("from=2020-01-01");
    expect(exportHref).toContain(`to=${today}`);
    const csv = await page.evaluate(async (href) => (await fetch(href)).text(), exportHref!);
    expect(csv.split("\n")[0]).toContain("Time (UTC)");
    await page.screenshot({ path: shotPath("partner-audit-1280.png"), fullPage: true });
    // A range that ends before it starts: said next to the field, with the list still shown.
    await page.getByLabel("From (UTC)").fill("2030-01-01");
    await page.getByRole("button", { name: "Apply filters" }).click();
    await page.waitForURL(/from=2030-01-01/);
    await page.getByText("The From date is after the To date.").waitFor();
    expect(await page.getByLabel("From (UTC)").getAttribute("aria-invalid")).toBe("true");
    await expectAccessible(page);
  });

  it("at 390 px the filters and the table fit without sideways scrolling", async () => {
    const page = await openAs("admin@northwind.example", "/partner/audit?from=2030-01-01&to=2020-01-01", { width: 390, height: 844 });
    await page.getByText("The From date is after the To date.").waitFor();
    expect(await noSidewaysScroll(page)).toBe(true);
    await page.screenshot({ path: shotPath("partner-audit-390.png"), fullPage: true });
  });
});

describe("the admin relationships list", () => {
  it("sorts by a column, filters by type, and the export link follows", async () => {
    const page = await openAs("admin@northwind.example", "/partner/relationships");
    await page.getByRole("link", { name: /^Ends/ }).click();
    await page.waitForURL(/sort=ends/);
    // The URL changes a moment before React renders the new page.
    await expect.poll(() => page.locator("th[aria-sort]").getAttribute("aria-sort")).toBe("ascending");
    const ends = await page.locator("tbody tr td:nth-child(6)").allTextContents();
    expect(ends.length).toBeGreaterThan(1);
    await page.getByLabel("Type").selectOption("gdap");
    await page.getByRole("button", { name: "Search" }).click();
    await page.waitForURL(/type=gdap/);
    expect(new URL(page.url()).searchParams.get("sort")).toBe("ends");
    // (The URL changes a moment before React renders the filtered rows.)
    await expect.poll(async () => (await page.locator("tbody tr td:nth-child(1)").allTextContents()).some((t) => /DAP\)/.test(t))).toBe(false);
    const exportHref = await page.getByRole("link", { name: "Export CSV" }).getAttribute("href");
    expect(exportHref).toContain("type=gdap");
    expect(exportHref).toContain("sort=ends");
    await expectAccessible(page);
    await page.screenshot({ path: shotPath("partner-relationships-1280.png"), fullPage: true });
  });

  it("at 390 px the list does not scroll sideways", async () => {
    const page = await openAs("admin@northwind.example", "/partner/relationships?ends=30&sort=ends&dir=asc", { width: 390, height: 844 });
    expect(await rows(page)).toBeGreaterThan(0);
    expect(await noSidewaysScroll(page)).toBe(true);
    await expectAccessible(page);
    await page.screenshot({ path: shotPath("partner-relationships-390.png"), fullPage: true });
  });
});
