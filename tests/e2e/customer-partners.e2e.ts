/**
 * Issue 30, the customer's partner pages as a customer's admin clicks them in Chromium (demo data):
 * the list of partners → a partner's details (by keyboard) → Remove roles → Yes; accepting the
 * customer agreement lands on the list; the MPSA sharing section and an MPSA partner's view of the
 * shared purchases; "Find a partner" from the partner pages, the buy form and the sign-in page.
 * axe on every page (and the dialog), no sideways scrolling at 390 px, screenshots at 1280 and 390.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { expectAccessible, hydrated, setUpApp, shotPath } from "./support";

const app = await setUpApp();
const { url: APP, signIn } = app;
// Demo customers (db/seed/demo.ts): Contoso Bakery has Northwind Partners as reseller, delegated
// admin and MPSA partner and Fabrikam IT Services as MPSA partner, sharing purchases; Lucerne
// Bakery has not accepted the customer agreement.
const CONTOSO = "admin@contoso-bakery.example";
const LUCERNE = "admin@lucerne-bakery.example";

async function newPage(width = 1280): Promise<Page> {
  return (await app.browser.newContext({ viewport: { width, height: width > 500 ? 900 : 844 } })).newPage();
}

async function noSidewaysScroll(page: Page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, `${page.url()} scrolls sideways by ${overflow}px`).toBeLessThanOrEqual(0);
}

describe("the customer's partner pages", () => {
  it("list → a partner's details (by keyboard) → Remove roles → Yes", async () => {
    const page = await newPage();
    await signIn(page, CONTOSO);
    await page.goto(`${APP}/customer/partners`);
    await hydrated(page);
    await page.getByRole("heading", { name: "Partner relationships", level: 1 }).waitFor();
    await page.getByRole("heading", { name: "MPSA partners: sharing purchases" }).waitFor();
    await page.getByRole("button", { name: "Stop sharing purchases" }).waitFor();
    await expectAccessible(page);
    await page.screenshot({ path: shotPath("customer-partners-list-1280.png"), fullPage: true });

    // Keyboard: the partner's name is a link reached with Tab and followed with Enter.
    const link = page.getByRole("link", { name: "Northwind Partners", exact: true });
    await link.focus();
    expect(await link.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/customer\/partners\/[0-9a-f-]{36}$/);
    await page.getByRole("heading", { name: "Northwind Partners", level: 1 }).waitFor();
    for (const text of ["Partner ID", "4000001", "contact@northwind.example", "Reseller", "Delegated admin", "MPSA partner", "Global Administrator", "Helpdesk Administrator", "Business Standard"]) {
      await page.getByText(text, { exact: false }).first().waitFor();
    }
    await page.getByRole("heading", { name: "Activity in your organisation" }).waitFor();
    await expectAccessible(page);
    await page.screenshot({ path: shotPath("customer-partner-details-1280.png"), fullPage: true });

    await page.getByRole("button", { name: "Remove roles" }).click();
    const dialog = page.getByRole("dialog", { name: "Remove roles?" });
    await dialog.waitFor();
    await expectAccessible(page);
    await page.screenshot({ path: shotPath("customer-partner-remove-roles-1280.png") });
    await dialog.getByRole("button", { name: "Yes" }).click();
    await page.getByRole("status").filter({ hasText: "admin roles are removed" }).waitFor();
    await expect.poll(() => page.getByRole("button", { name: "Remove roles" }).count()).toBe(0);
    await page.getByText("holds no admin roles in your organisation").waitFor();
    await expectAccessible(page);
  });

  it("works at 390 px without sideways scrolling", async () => {
    const page = await newPage(390);
    await signIn(page, CONTOSO);
    await page.goto(`${APP}/customer/partners`);
    await hydrated(page);
    await noSidewaysScroll(page);
    await expectAccessible(page);
    await page.screenshot({ path: shotPath("customer-partners-list-390.png"), fullPage: true });
    await page.getByRole("link", { name: "Fabrikam IT Services", exact: true }).click();
    await page.getByRole("heading", { name: "Fabrikam IT Services", level: 1 }).waitFor();
    await noSidewaysScroll(page);
    await expectAccessible(page);
    await page.screenshot({ path: shotPath("customer-partner-details-390.png"), fullPage: true });
  });

  it("accepting the customer agreement says why it is asked and lands on the list of partners", async () => {
    const page = await newPage();
    await signIn(page, LUCERNE);
    await page.waitForURL(`${APP}/customer/agreement`);
    await page.getByText("Northwind Partners needs you to accept the customer agreement before it can buy or manage subscriptions for you.").waitFor();
    await expectAccessible(page);
    await page.screenshot({ path: shotPath("customer-agreement-1280.png"), fullPage: true });
    await page.getByRole("checkbox", { name: /I have read the customer agreement/ }).check();
    await page.getByRole("button", { name: "Accept" }).click();
    await page.waitForURL(`${APP}/customer/partners`);
    await page.getByRole("status").filter({ hasText: "You accepted the customer agreement" }).waitFor();
    await page.getByRole("link", { name: "Northwind Partners", exact: true }).waitFor();
    await expectAccessible(page);
  });

  it("an MPSA partner sees the purchases the customer made through its other MPSA partner", async () => {
    const page = await newPage();
    await signIn(page, "admin@fabrikam.example");
    await page.goto(`${APP}/partner/customers?q=Contoso%20Bakery`);
    await page.getByRole("link", { name: "Contoso Bakery" }).first().click();
    await page.getByRole("heading", { name: "Contoso Bakery", level: 1 }).waitFor();
    await page.getByRole("link", { name: "MPSA purchases" }).click();
    await page.getByRole("heading", { name: "Purchases through its other MPSA partners" }).waitFor();
    const table = page.getByRole("table", { name: /Purchases of Contoso Bakery/ });
    await table.getByRole("row", { name: /Business Standard/ }).getByText("Northwind Partners").waitFor();
    // Only the other partner's purchases: not Fabrikam's own, not the unpartnered one.
    expect(await table.getByRole("row").count()).toBe(2);
    await expectAccessible(page);
    await page.screenshot({ path: shotPath("partner-mpsa-purchases-1280.png"), fullPage: true });
    const narrow = await newPage(390);
    await signIn(narrow, "admin@fabrikam.example");
    await narrow.goto(page.url());
    await narrow.getByRole("heading", { name: "Purchases through its other MPSA partners" }).waitFor();
    await noSidewaysScroll(narrow);
    await narrow.screenshot({ path: shotPath("partner-mpsa-purchases-390.png"), fullPage: true });
  });

  it("Find a partner is one click from the partner pages, the buy form and the sign-in page", async () => {
    const page = await newPage();
    await signIn(page, CONTOSO);
    await page.goto(`${APP}/customer/partners`);
    await page.getByRole("link", { name: "Find a partner" }).click();
    await page.waitForURL(`${APP}/partners`);
    await page.getByRole("heading", { name: "Find a partner", level: 1 }).waitFor();
    await expectAccessible(page);

    await page.goto(`${APP}/customer/subscriptions`);
    await page.getByText("Don't have a partner?").waitFor();
    await page.locator("#buy-form").getByRole("link", { name: "Find a partner" }).click();
    await page.waitForURL(`${APP}/partners`);

    const anonymous = await newPage();
    await anonymous.goto(`${APP}/signin`);
    await expectAccessible(anonymous);
    await anonymous.screenshot({ path: shotPath("signin-find-a-partner-1280.png") });
    await anonymous.getByRole("link", { name: "Find a partner" }).click();
    await anonymous.waitForURL(`${APP}/partners`);
    await anonymous.getByRole("heading", { name: "Find a partner", level: 1 }).waitFor();
  });
});
