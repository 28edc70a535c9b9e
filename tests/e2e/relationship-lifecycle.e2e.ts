/**
 * Issue 30, the relationship lifecycle as the people click it in Chromium (demo data): the
 * partner's admin agent reads the DAP confirmation (every admin agent becomes Global
 * Administrator) and cancels it, asks Coho Bakery to approve it as its Advisor; the customer's
 * global admin sees the request with what it means and approves it; the partner sees it active
 * (and the Advisor's rights); the customer's partner list says to contact the partner to end it.
 * axe on each page and dialog; screenshots at 1280 and 390 px.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { expectAccessible, hydrated, setUpApp, shotPath } from "./support";

const app = await setUpApp();
const { url: APP, signIn } = app;
// Demo data (db/seed/demo.ts): Coho Bakery is a customer of Northwind Partners with no Advisor.
const CUSTOMER = "Coho Bakery";
const CUSTOMER_ADMIN = "admin@coho-bakery.example";
const ADMIN_AGENT = "admin-agent@northwind.example";

async function newPage(width = 1280): Promise<Page> {
  return (await app.browser.newContext({ viewport: { width, height: width > 500 ? 900 : 844 } })).newPage();
}

async function noSidewaysScroll(page: Page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, `${page.url()} scrolls sideways by ${overflow}px`).toBeLessThanOrEqual(0);
}

async function openCustomer(page: Page) {
  await page.goto(`${APP}/partner/customers?q=coho-bakery`);
  await page.getByRole("link", { name: CUSTOMER, exact: true }).click();
  await page.waitForURL(/\/partner\/customers\/[0-9a-f-]{36}$/);
  await hydrated(page);
  await page.getByRole("heading", { name: CUSTOMER, level: 1 }).waitFor();
}

describe("the relationship lifecycle", () => {
  it("the partner asks to be the customer's Advisor, the customer approves, the partner sees it active; DAP asks first; the customer is told to contact its partner", async () => {
    const partner = await newPage();
    await signIn(partner, ADMIN_AGENT);
    await openCustomer(partner);

    // DAP only after its confirmation, which says what it grants.
    await partner.getByRole("button", { name: "Request delegated admin (DAP)" }).click();
    const dap = partner.getByRole("dialog", { name: `Request delegated admin (DAP) for ${CUSTOMER}?` });
    await dap.waitFor();
    expect(await dap.textContent()).toContain(`every admin agent of your organisation becomes ${CUSTOMER}'s Global Administrator`);
    expect(await dap.textContent()).toContain("Helpdesk Administrator");
    await expectAccessible(partner);
    await partner.screenshot({ path: shotPath("relationship-dap-confirmation-1280.png") });
    await dap.getByRole("button", { name: "Cancel" }).click();
    await expect.poll(() => dap.isVisible()).toBe(false);

    // Ask for the Advisor relationship: each choice says what it means to the customer.
    const form = partner.getByRole("form", { name: "Ask for another relationship" });
    await form.getByText("Can reset passwords and handle support incidents for you.").waitFor();
    await form.getByRole("button", { name: "Send request" }).click();
    // Nothing chosen: the browser's own check keeps the form (the radio is required).
    expect(partner.url()).toMatch(/\/partner\/customers\/[0-9a-f-]{36}$/);
    await form.getByRole("radio", { name: /^Advisor/ }).check();
    await expectAccessible(partner);
    await partner.screenshot({ path: shotPath("relationship-request-1280.png"), fullPage: true });
    await form.getByRole("button", { name: "Send request" }).click();
    await partner.getByText(`You asked ${CUSTOMER} to approve you as its Advisor.`).waitFor();
    const relationships = partner.getByRole("region", { name: "Relationships with you" });
    await relationships.getByRole("row", { name: /Advisor.*Awaiting approval/ }).waitFor();
    await relationships.getByRole("button", { name: "Withdraw advisor request" }).waitFor();

    // The customer's global admin sees it with its meaning, and approves.
    const customer = await newPage();
    await signIn(customer, CUSTOMER_ADMIN);
    await customer.goto(`${APP}/customer/requests`);
    await hydrated(customer);
    const row = customer.getByRole("row", { name: /Northwind Partners/ });
    await row.getByText("Advisor", { exact: true }).waitFor();
    await row.getByText("Can reset passwords and handle support incidents for you.").waitFor();
    await expectAccessible(customer);
    await customer.screenshot({ path: shotPath("relationship-customer-requests-1280.png"), fullPage: true });
    await row.getByRole("button", { name: "Approve" }).click();
    const approve = customer.getByRole("dialog", { name: "Approve Northwind Partners as your Advisor?" });
    await approve.waitFor();
    expect(await approve.textContent()).toContain("reset your users' passwords and handle your support incidents, nothing more");
    await expectAccessible(customer);
    await approve.getByRole("button", { name: "Approve" }).click();
    await customer.getByText("Approved. The partner is now your advisor").waitFor();

    // The customer cannot end it: it is told to contact its partner, with how.
    await customer.goto(`${APP}/customer/partners`);
    await hydrated(customer);
    const northwind = customer.getByRole("row", { name: /Northwind Partners/ });
    await northwind.getByText("Contact your partner to end the relationship", { exact: false }).waitFor();
    await northwind.getByRole("link", { name: "contact@northwind.example" }).first().waitFor();
    expect(await customer.getByRole("button", { name: "Remove partner" }).count()).toBe(0);
    await expectAccessible(customer);
    await customer.screenshot({ path: shotPath("relationship-customer-partners-1280.png"), fullPage: true });

    // The partner sees it active, what it may now do, and how it would end it.
    await partner.reload();
    await hydrated(partner);
    await relationships.getByRole("row", { name: /Advisor.*active/ }).waitFor();
    await partner.getByText("As this customer's advisor you may reset its users' passwords and handle its support incidents.").first().waitFor();
    await partner.getByRole("link", { name: "Users" }).waitFor();
    await partner.getByRole("link", { name: "Service requests" }).waitFor();
    expect(await partner.getByRole("link", { name: "Licences" }).count()).toBe(0);
    await relationships.getByRole("button", { name: "End advisor relationship" }).click();
    const end = partner.getByRole("dialog", { name: `End your advisor relationship with ${CUSTOMER}?` });
    await end.waitFor();
    expect(await end.textContent()).toContain("can no longer reset the customer's passwords or handle its support incidents");
    await expectAccessible(partner);
    await end.getByRole("button", { name: "Cancel" }).click();
    await partner.screenshot({ path: shotPath("relationship-partner-customer-1280.png"), fullPage: true });

    // At 390 px: nothing scrolls sideways; the dialog fits.
    const narrow = await newPage(390);
    await signIn(narrow, ADMIN_AGENT);
    await openCustomer(narrow);
    await noSidewaysScroll(narrow);
    await narrow.screenshot({ path: shotPath("relationship-partner-customer-390.png"), fullPage: true });
    await narrow.getByRole("button", { name: "Request delegated admin (DAP)" }).click();
    await narrow.getByRole("dialog", { name: `Request delegated admin (DAP) for ${CUSTOMER}?` }).waitFor();
    await noSidewaysScroll(narrow);
    await expectAccessible(narrow);
    await narrow.screenshot({ path: shotPath("relationship-dap-confirmation-390.png") });
    const narrowCustomer = await newPage(390);
    await signIn(narrowCustomer, CUSTOMER_ADMIN);
    await narrowCustomer.goto(`${APP}/customer/partners`);
    await hydrated(narrowCustomer);
    await noSidewaysScroll(narrowCustomer);
    await narrowCustomer.screenshot({ path: shotPath("relationship-customer-partners-390.png"), fullPage: true });
  });
});
