/**
 * Issue 30 defect, as a person clicks it in Chromium: "Send by email" on a shared link did nothing
 * (the schema put a bad address's error on "to[1]", which no input shows, so the form refused
 * itself in silence). It shows the error on the field, then sends: a toast, the mail in the
 * outbox, and an empty form for the next addresses.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { expectAccessible, hydrated, mailsInOutbox, setUpApp } from "./support";

const app = await setUpApp();
const { url: APP, signIn } = app;

async function newPage(): Promise<Page> {
  return (await app.browser.newContext()).newPage();
}

describe("sending a shared link by email", () => {
  it("shows field errors for bad addresses, then sends, says so, and empties the form", async () => {
    const page = await newPage();
    await signIn(page, "sales-agent@northwind.example");
    await page.goto(`${APP}/partner/links`);
    await page.locator("table").getByRole("link").first().click();
    await page.getByRole("heading", { name: "Send by email" }).waitFor();
    await hydrated(page);
    const to = page.getByRole("textbox", { name: "To" });
    const send = page.getByRole("button", { name: "Send", exact: true });

    await to.fill("ann@share-e2e.example, not-an-address");
    await send.click();
    await page.getByText("Each address must be a valid email address, separated by commas or new lines. Not valid: not-an-address").waitFor({ timeout: 5000 });
    await expectAccessible(page);
    expect(await to.inputValue()).toBe("ann@share-e2e.example, not-an-address");

    await to.fill("ann@share-e2e.example, bo@share-e2e.example");
    await page.getByRole("textbox", { name: /Note/ }).fill("As we discussed.");
    await send.click();
    await page.getByText("Sent to 2 addresses.").waitFor({ timeout: 5000 });
    await expect.poll(() => to.inputValue()).toBe("");
    expect(await page.getByRole("textbox", { name: /Note/ }).inputValue()).toBe("");

    const outbox = await newPage();
    expect(await mailsInOutbox(outbox, APP, "bo@share-e2e.example", "As we discussed.")).toBe(1);
  });
});
