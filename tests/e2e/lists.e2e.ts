/**
 * Issue 29 item 2, the list kit in a browser: the filter controls always show what the URL says
 * (after "Clear filters", after Back and Forward), so a search never re-applies a filter the URL no
 * longer has; at 390 px the page never scrolls sideways while a table scrolls in its own region;
 * every list passes axe's WCAG A/AA rules.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { expectAccessible, hydrated, setUpApp, shotPath, until } from "./support";

const app = await setUpApp();
const { url: APP, signIn } = app;

const param = (page: Page, name: string) => new URL(page.url()).searchParams.get(name) ?? "";
const value = (page: Page, label: string) => page.getByLabel(label, { exact: true }).inputValue();

async function openAs(email: string, path: string, viewport = { width: 1280, height: 900 }) {
  const page = await (await app.browser.newContext({ viewport })).newPage();
  await signIn(page, email);
  await page.goto(`${APP}${path}`);
  await hydrated(page);
  return page;
}

describe("filter controls show the URL's state", () => {
  it("customers: Clear filters empties the form, the next search does not bring the filter back, Back and Forward show each URL's values", async () => {
    const page = await openAs("helpdesk-agent@northwind.example", "/partner/customers");
    await page.getByText("150 customers").waitFor();
    const names = () => page.locator("tbody tr td:nth-child(2)").allTextContents();

    await page.getByLabel("Search by name or domain").fill("bake");
    await page.getByLabel("Agreement").selectOption("accepted");
    await page.getByRole("button", { name: "Search" }).click();
    await page.waitForURL(/q=bake/);
    await until(async () => (await names()).every((n) => /bakery/i.test(n)));

    await page.getByRole("link", { name: "Clear filters" }).click();
    await page.waitForURL((u) => !u.searchParams.get("q") && !u.searchParams.get("agreement"));
    await page.getByText("150 customers").waitFor();
    expect(await value(page, "Search by name or domain")).toBe("");
    expect(await value(page, "Agreement")).toBe("");
    await expect(page.getByRole("link", { name: "Clear filters" }).count()).resolves.toBe(0);

    // A new search with only a relationship type: the old search and agreement stay away.
    await page.getByLabel("Relationship").selectOption("reseller");
    await page.getByRole("button", { name: "Search" }).click();
    await page.waitForURL(/type=reseller/);
    expect(param(page, "q")).toBe("");
    expect(param(page, "agreement")).toBe("");
    await page.getByRole("link", { name: "Clear filters" }).waitFor();

    // Back: the cleared list, then the search; Forward again. The form follows the URL each time.
    await page.goBack();
    await page.waitForURL((u) => !u.searchParams.get("type") && !u.searchParams.get("q"));
    await until(async () => (await value(page, "Relationship")) === "");
    expect(await value(page, "Search by name or domain")).toBe("");
    await page.goBack();
    await page.waitForURL(/q=bake/);
    await until(async () => (await value(page, "Search by name or domain")) === "bake");
    expect(await value(page, "Agreement")).toBe("accepted");
    expect(await value(page, "Relationship")).toBe("");
    await page.goForward();
    await page.waitForURL((u) => !u.searchParams.get("q"));
    await until(async () => (await value(page, "Search by name or domain")) === "");
    expect(await value(page, "Agreement")).toBe("");
    await page.goForward();
    await page.waitForURL(/type=reseller/);
    await until(async () => (await value(page, "Relationship")) === "reseller");
    expect(await value(page, "Search by name or domain")).toBe("");
  });

  it("subscriptions (submitted on change): Clear filters empties the form and Back shows the URL's values", async () => {
    const page = await openAs("admin@northwind.example", "/partner/subscriptions");
    const status = page.getByLabel("Status");
    await status.focus();
    await status.selectOption("active");
    await page.waitForURL(/status=active/);
    // The field that submitted keeps the focus while the form follows the URL.
    await until(async () => (await page.evaluate(() => document.activeElement?.getAttribute("name"))) === "status");

    await page.getByRole("link", { name: "Clear filters" }).click();
    await page.waitForURL((u) => !u.searchParams.get("status"));
    await until(async () => (await status.inputValue()) === "");

    // Another filter: the cleared status does not come back with it.
    await page.getByLabel(/Trials ending in/).check();
    await page.waitForURL(/ending=1/);
    expect(param(page, "status")).toBe("");
    expect(await status.inputValue()).toBe("");

    // Back to the filtered list (the change replaced its own entry): the form shows status=active.
    await page.goBack();
    await page.waitForURL(/status=active/);
    await until(async () => (await status.inputValue()) === "active");
    expect(await page.getByLabel(/Trials ending in/).isChecked()).toBe(false);
  });

  it("admin relationships and the audit log: Clear filters and Back", async () => {
    const page = await openAs("admin@northwind.example", "/partner/relationships");
    await page.getByLabel("Search by name or customer").fill("helpdesk");
    await page.getByRole("button", { name: "Search" }).click();
    await page.waitForURL(/q=helpdesk/);
    await page.getByRole("link", { name: "Clear filters" }).click();
    await page.waitForURL((u) => !u.searchParams.get("q"));
    await until(async () => (await value(page, "Search by name or customer")) === "");
    await page.goBack();
    await page.waitForURL(/q=helpdesk/);
    await until(async () => (await value(page, "Search by name or customer")) === "helpdesk");

    await page.goto(`${APP}/partner/audit`);
    await hydrated(page);
    const action = page.getByLabel("Action", { exact: true });
    const first = (await action.locator("option").nth(1).getAttribute("value"))!;
    await action.selectOption(first);
    await page.getByRole("button", { name: "Apply filters" }).click();
    await page.waitForURL(/action=/);
    await page.getByRole("link", { name: "Clear filters" }).click();
    await page.waitForURL((u) => !u.searchParams.get("action"));
    await until(async () => (await action.inputValue()) === "");
    await page.getByRole("button", { name: "Apply filters" }).click();
    await until(async () => new URL(page.url()).search !== "");
    expect(param(page, "action")).toBe("");
  });
});

describe("lists on a narrow screen", () => {
  it("at 390 px the page does not scroll sideways; the table scrolls in its own focusable region", async () => {
    const page = await openAs("helpdesk-agent@northwind.example", "/partner/customers", { width: 390, height: 844 });
    await page.getByText("150 customers").waitFor();
    const region = page.getByRole("region", { name: "Customers" });
    expect(await region.getAttribute("tabindex")).toBe("0");
    // Nothing outside the table's region reaches past the screen's edge (named, to say what does).
    const wide = await page.evaluate(() =>
      [...document.querySelectorAll("body *")]
        .filter((el) => el.getBoundingClientRect().right > 391 && !el.closest(".table-scroll"))
        .map((el) => `${el.tagName}.${el.className} ${Math.round(el.getBoundingClientRect().right)}`)
        .slice(0, 15),
    );
    expect(wide).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    const { scrollWidth, clientWidth } = await region.evaluate((el) => ({ scrollWidth: el.scrollWidth, clientWidth: el.clientWidth }));
    expect(scrollWidth).toBeGreaterThan(clientWidth);
    // Keyboard users scroll it: focus the region and press the arrow key.
    await region.focus();
    await page.keyboard.press("ArrowRight");
    await until(async () => (await region.evaluate((el) => el.scrollLeft)) > 0);
    expect(await page.evaluate(() => window.scrollX)).toBe(0);
    await region.evaluate((el) => (el.scrollLeft = 0));
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: shotPath("customers-390.png") });
    await expectAccessible(page);

    for (const path of ["/partner/subscriptions", "/partner/relationships", "/partner/leads", "/partner/product-keys", "/partner/links", "/partner/staff", "/partner/audit", "/partners"]) {
      await page.goto(`${APP}${path}`);
      await hydrated(page);
      expect(await page.evaluate(() => document.documentElement.scrollWidth), path).toBeLessThanOrEqual(390);
    }
  });

  it("every list passes axe's WCAG A/AA rules at 1280 px", async () => {
    const page = await openAs("admin@northwind.example", "/partner/customers");
    await page.screenshot({ path: shotPath("customers-1280.png"), fullPage: true });
    for (const path of ["/partner/customers", "/partner/subscriptions", "/partner/relationships", "/partner/leads", "/partner/product-keys", "/partner/links", "/partner/staff", "/partner/audit", "/partners"]) {
      await page.goto(`${APP}${path}`);
      await hydrated(page);
      await expectAccessible(page);
    }
  });
});
