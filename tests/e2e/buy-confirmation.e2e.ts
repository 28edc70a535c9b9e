/**
 * Issue 30 defect, as a customer's admin clicks it in Chromium: after "Buy with <partner> as
 * partner?" a change to the product, count or Partner ID takes the question away, so the person
 * asks again and the new question names what will be bought; what is bought is what was last
 * confirmed. The question shows the line price and the total, the form the price of what it holds,
 * and the offer page each line's price and the total as the counts change.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { formatMoney } from "../../app/utils/format";
import { expectAccessible, hydrated, setUpApp } from "./support";

const app = await setUpApp();
const { url: APP, signIn } = app;
const CUSTOMER_ADMIN = "admin@adatum-bakery.example";
const eur = (cents: number) => formatMoney(cents, "EUR");
// The catalogue's prices (drizzle/0014_products_seed.sql).
const BUSINESS_STANDARD = 1250;
const VISIO = 1300;

async function newPage(): Promise<Page> {
  return (await app.browser.newContext()).newPage();
}

describe("buying with a partner", () => {
  it("a change after the question takes it away; asked again, it names and prices what is then bought", async () => {
    const page = await newPage();
    await signIn(page, CUSTOMER_ADMIN);
    await page.goto(`${APP}/customer/subscriptions`);
    await hydrated(page);
    const form = page.locator("#buy-form");
    const question = page.locator(".confirm-partner");
    const lines = question.getByRole("table", { name: "What you buy" });
    const confirmNorthwind = page.getByRole("button", { name: "Buy with Northwind Partners as partner" });
    await form.getByLabel("Product").selectOption("business-standard");
    await form.getByLabel("Licences").fill("15");
    await form.getByLabel(/Partner ID/).fill("4000001");
    await form.getByRole("button", { name: "Buy", exact: true }).click();
    await question.getByText("Partner ID 4000001 is Northwind Partners").waitFor();

    // Another product after the question: the question goes, so its button cannot buy the old entry.
    await form.getByLabel("Product").selectOption("visio-plan-2");
    await expect.poll(() => confirmNorthwind.count(), { timeout: 3000 }).toBe(0);
    // Asked again: the question names and prices the product now chosen.
    await form.getByRole("button", { name: "Buy", exact: true }).click();
    await question.getByText("Partner ID 4000001 is Northwind Partners").waitFor();
    await expect.poll(() => lines.getByRole("row", { name: /Visio Plan 2/ }).textContent()).toBe(`Visio Plan 215${eur(VISIO)}${eur(15 * VISIO)}`);
    expect(await lines.locator("tfoot").textContent()).toBe(`Total per month${eur(15 * VISIO)}`);
    await expectAccessible(page);

    // Another count, then another Partner ID: asked again, for that partner and count.
    await form.getByLabel("Licences").fill("3");
    await expect.poll(() => confirmNorthwind.count(), { timeout: 3000 }).toBe(0);
    await form.getByLabel(/Partner ID/).fill("4000002");
    await form.getByRole("button", { name: "Buy", exact: true }).click();
    await question.getByText("Partner ID 4000002 is Fabrikam IT Services").waitFor();
    expect(await lines.getByRole("row", { name: /Visio Plan 2/ }).textContent()).toBe(`Visio Plan 23${eur(VISIO)}${eur(3 * VISIO)}`);
    expect(await lines.locator("tfoot").textContent()).toBe(`Total per month${eur(3 * VISIO)}`);
    await question.getByRole("button", { name: "Buy with Fabrikam IT Services as partner" }).click();
    await page.getByText("You bought 3 licences of Visio Plan 2 with Fabrikam IT Services as your partner.").waitFor();

    // Bought: that, and nothing asked for before.
    const table = page.getByRole("table", { name: "Subscriptions" });
    const visio = table.getByRole("row", { name: /Visio Plan 2/ });
    expect(await visio.count()).toBe(1);
    expect(await visio.textContent()).toContain("Fabrikam IT Services");
    expect(await visio.getByRole("cell").nth(1).textContent()).toBe("3");
    for (const row of await table.getByRole("row", { name: /Business Standard/ }).all()) expect(await row.getByRole("cell").nth(1).textContent()).not.toBe("15");
    expect(await table.getByText("Northwind Partners").count()).toBe(0);

    // The form prices what it holds as it changes.
    await form.getByLabel("Product").selectOption("business-standard");
    await form.getByLabel("Licences").fill("15");
    await expect.poll(() => page.locator("#buy-price").textContent()).toBe(`15 × ${eur(BUSINESS_STANDARD)} = ${eur(15 * BUSINESS_STANDARD)} per month.`);

    // Changing the partner on a subscription asks the same way: a changed Partner ID takes the question away.
    await visio.getByText("Manage").click();
    await visio.getByLabel("New partner's Partner ID").fill("4000001");
    await visio.getByRole("button", { name: "Change partner" }).click();
    const changeTo = visio.getByRole("button", { name: "Change to Northwind Partners" });
    await changeTo.waitFor();
    await visio.getByLabel("New partner's Partner ID").fill("4000002");
    await expect.poll(() => changeTo.count(), { timeout: 3000 }).toBe(0);
    await visio.getByLabel("New partner's Partner ID").fill("4000001");
    await visio.getByRole("button", { name: "Change partner" }).click();
    await changeTo.click();
    await page.getByText("Northwind Partners is now the partner on this subscription.").waitFor();
    await expect.poll(() => table.getByRole("row", { name: /Visio Plan 2/ }).textContent()).toContain("Northwind Partners");
  });

  it("the offer page shows each line's price and the total, and follows the counts", async () => {
    const offer = app.server.stdout().match(/purchase offer: (\S+)/)?.[1];
    expect(offer).toBeTruthy();
    const page = await newPage();
    await signIn(page, CUSTOMER_ADMIN);
    await page.goto(offer!);
    await hydrated(page);
    const table = page.locator("section", { has: page.getByRole("heading", { name: "What you buy" }) }).getByRole("table");
    await table.getByRole("columnheader", { name: "Line price / month" }).waitFor();
    const lineOf = (name: RegExp) => table.getByRole("row", { name }).getByRole("cell").last();
    expect(await lineOf(/Business Standard/).textContent()).toBe(eur(10 * BUSINESS_STANDARD));
    expect(await lineOf(/Visio Plan 2/).textContent()).toBe(eur(2 * VISIO));
    expect(await table.locator("tfoot").textContent()).toBe(`Total per month${eur(10 * BUSINESS_STANDARD + 2 * VISIO)}`);
    await expectAccessible(page);

    await page.getByLabel("Licences of Business Standard").fill("20");
    await expect.poll(() => lineOf(/Business Standard/).textContent()).toBe(eur(20 * BUSINESS_STANDARD));
    expect(await table.locator("tfoot").textContent()).toBe(`Total per month${eur(20 * BUSINESS_STANDARD + 2 * VISIO)}`);
  });
});
