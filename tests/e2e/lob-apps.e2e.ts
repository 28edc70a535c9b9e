/**
 * Line-of-business (LOB) apps in Chromium (issue 30), on the demo data: Fabrikam IT Services is its
 * first customer's LOB partner. The partner opens the customer, its Line-of-business apps page,
 * submits an app (an http:// address is refused next to the field first); the customer's global
 * admin sees it on Line-of-business apps, approves it in the dialog; the partner then sees Approved.
 * Each page passes axe, does not scroll sideways at 390 px, and is photographed at 1280 and 390 px.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { expectAccessible, hydrated, setUpApp, shotPath } from "./support";

const app = await setUpApp();
const { url: APP, signIn } = app;
// demoLobCustomerName() in db/seed/demo.ts (which imports the app, so browser tests name it themselves).
const customerName = "Fourth Coffee Pickles";
const customerAdmin = "admin@fourth-coffee-pickles.example";

async function newPage(width = 1280): Promise<Page> {
  return (await app.browser.newContext({ viewport: { width, height: width > 500 ? 900 : 844 } })).newPage();
}

async function noSidewaysScroll(page: Page, width: number) {
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
}

async function shots(page: Page, name: string) {
  await page.screenshot({ path: shotPath(`${name}-1280.png`), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await noSidewaysScroll(page, 390);
  await page.screenshot({ path: shotPath(`${name}-390.png`), fullPage: true });
  await expectAccessible(page);
  await page.setViewportSize({ width: 1280, height: 900 });
}

describe("line-of-business apps", () => {
  it("the LOB partner submits an app, the customer's global admin approves it, and the partner sees Approved", async () => {
    const name = `Delivery Notes ${Date.now() % 100000}`;
    const partner = await newPage();
    await signIn(partner, "admin@fabrikam.example");
    await partner.goto(`${APP}/partner/customers`);
    await partner.getByRole("link", { name: customerName }).first().click();
    await partner.getByRole("link", { name: "Line-of-business apps" }).click();
    await partner.getByRole("heading", { name: "Line-of-business apps", level: 1 }).waitFor();
    await hydrated(partner);
    // The demo's apps: one approved, one waiting.
    await partner.getByText("Field Service Planner", { exact: true }).waitFor();
    await partner.getByText("Batch Tracker", { exact: true }).waitFor();

    await partner.getByLabel("App name").fill(name);
    await partner.getByLabel("Version").fill("1.4.0");
    await partner.getByLabel("Description").fill("Drivers sign delivery notes on their phones; the office sees them at once.");
    await partner.getByLabel("Download URL").fill("http://apps.fabrikam.example/delivery-notes.msix");
    await partner.getByRole("button", { name: "Submit app" }).click();
    await partner.getByText("The download URL must start with https://.").waitFor({ timeout: 5000 });
    expect(await partner.getByLabel("App name").inputValue()).toBe(name);
    await expectAccessible(partner);

    await partner.getByLabel("Download URL").fill("https://apps.fabrikam.example/delivery-notes/1.4.0/DeliveryNotes.msix");
    await partner.getByRole("button", { name: "Submit app" }).click();
    await partner.getByText(`${name} 1.4.0 was submitted.`).waitFor({ timeout: 5000 });
    await expect.poll(() => partner.getByLabel("App name").inputValue()).toBe("");
    const mine = partner.getByRole("row").filter({ hasText: name });
    await mine.getByText("Waiting for review").waitFor();
    await expectAccessible(partner);
    await shots(partner, "lob-apps-partner");

    const customer = await newPage();
    await signIn(customer, customerAdmin);
    await customer.goto(`${APP}/customer`);
    await customer.getByRole("link", { name: "Line-of-business apps" }).first().click();
    await customer.getByRole("heading", { name: "Line-of-business apps", level: 1 }).waitFor();
    await hydrated(customer);
    const row = customer.getByRole("row").filter({ hasText: name });
    await row.getByRole("cell", { name: "Fabrikam IT Services", exact: true }).waitFor();
    await row.getByRole("link", { name: "https://apps.fabrikam.example/delivery-notes/1.4.0/DeliveryNotes.msix" }).waitFor();
    await expectAccessible(customer);
    await shots(customer, "lob-apps-customer");

    await row.getByRole("button", { name: "Approve" }).click();
    const dialog = customer.getByRole("dialog", { name: `Approve ${name} 1.4.0?` });
    await dialog.waitFor();
    await expectAccessible(customer);
    await customer.screenshot({ path: shotPath("lob-apps-approve-dialog-1280.png") });
    await dialog.getByRole("button", { name: "Approve app" }).click();
    await customer.getByText(`${name} 1.4.0 is approved`).waitFor({ timeout: 5000 });
    await customer.getByRole("row").filter({ hasText: name }).getByText("Approved", { exact: true }).waitFor();

    await partner.reload();
    await partner.getByRole("row").filter({ hasText: name }).getByText("Approved", { exact: true }).waitFor();
    await expectAccessible(partner);
  });

  it("a partner that is not the customer's LOB partner is told why, at 390 px too", async () => {
    const page = await newPage(390);
    await signIn(page, "admin@northwind.example");
    await page.goto(`${APP}/partner/customers`);
    await page.getByRole("link", { name: /Adatum Bakery/ }).first().click();
    await page.waitForURL(/\/partner\/customers\/[0-9a-f-]{36}$/);
    const url = new URL(page.url());
    await page.goto(`${APP}${url.pathname}/apps`);
    await page.getByRole("heading", { name: "Line-of-business apps are not available" }).waitFor();
    await page.getByText("You are not Adatum Bakery's line-of-business (LOB) partner.").waitFor();
    await noSidewaysScroll(page, 390);
    await page.screenshot({ path: shotPath("lob-apps-unavailable-390.png"), fullPage: true });
    await expectAccessible(page);
  });
});
