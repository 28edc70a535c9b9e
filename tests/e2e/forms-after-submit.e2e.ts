/**
 * Issue 30 defect, as a person clicks it in Chromium: forms are empty after a successful submit
 * (staff invite with its role boxes, staff group, add user, password change), so the next entry
 * does not inherit the last one's values; a refused submit keeps them.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { DEMO_PASSWORD, expectAccessible, hydrated, setUpApp } from "./support";

const app = await setUpApp();
const { url: APP, signIn } = app;

async function newPage(): Promise<Page> {
  return (await app.browser.newContext()).newPage();
}

describe("forms are empty after a successful submit", () => {
  it("staff invite: the next invitee starts with no name, address or ticked roles", async () => {
    const page = await newPage();
    await signIn(page, "admin@northwind.example");
    await page.goto(`${APP}/partner/staff`);
    await hydrated(page);
    await page.getByLabel("Name").fill("Ida Firsthire");
    // An address the server refuses (it is staff already): the form keeps what was entered.
    await page.getByLabel("Email address").fill("sales-agent@northwind.example");
    for (const role of [/Sales agent/, /Helpdesk agent/]) await page.getByRole("checkbox", { name: role }).check();
    await page.getByRole("button", { name: "Send invitation" }).click();
    await page.locator(".field-errors").first().waitFor();
    await expectAccessible(page);
    expect(await page.getByLabel("Name").inputValue()).toBe("Ida Firsthire");
    expect(await page.getByRole("checkbox", { name: /Sales agent/ }).isChecked()).toBe(true);

    await page.getByLabel("Email address").fill("ida@northwind.example");
    await page.getByRole("button", { name: "Send invitation" }).click();
    await page.getByRole("status").filter({ hasText: "Invitation sent" }).waitFor();
    await page.getByRole("row", { name: /Ida Firsthire/ }).waitFor();

    await expect.poll(() => page.getByLabel("Name").inputValue()).toBe("");
    expect(await page.getByLabel("Email address").inputValue()).toBe("");
    const boxes = page.locator("fieldset").getByRole("checkbox");
    expect(await boxes.count()).toBeGreaterThan(1);
    for (const box of await boxes.all()) expect(await box.isChecked()).toBe(false);
  });

  it("staff group: the name field is empty after the group is created", async () => {
    const page = await newPage();
    await signIn(page, "admin@northwind.example");
    await page.goto(`${APP}/partner/staff/groups`);
    await hydrated(page);
    await page.getByLabel("New group").fill("Night shift");
    await page.getByRole("button", { name: "Create group" }).click();
    await page.getByRole("heading", { name: "Night shift" }).waitFor();
    await expect.poll(() => page.getByLabel("New group").inputValue()).toBe("");
  });

  it("add user: the customer's Users page is empty for the next person", async () => {
    const page = await newPage();
    await signIn(page, "admin@adatum-bakery.example");
    await page.goto(`${APP}/customer/users`);
    await page.getByRole("heading", { name: "Users", level: 1 }).waitFor();
    await hydrated(page);
    const form = page.getByRole("region", { name: "Add a user" });
    await form.getByLabel("Name").fill("Nina Newuser");
    await form.getByLabel("Email address").fill("nina@adatum-e2e.example");
    await page.getByRole("button", { name: "Invite user" }).click();
    await page.getByText("Invitation sent to nina@adatum-e2e.example.").waitFor();
    await expect.poll(() => form.getByLabel("Name").inputValue()).toBe("");
    expect(await form.getByLabel("Email address").inputValue()).toBe("");
  });

  it("password change: no password stays in the form", async () => {
    const page = await newPage();
    await signIn(page, "helpdesk-agent@northwind.example");
    await page.goto(`${APP}/account`);
    await hydrated(page);
    await page.getByLabel("Current password").fill(DEMO_PASSWORD);
    await page.getByLabel("New password", { exact: true }).fill("a-brand-new-long-password");
    await page.getByLabel("Repeat the new password").fill("a-brand-new-long-password");
    await page.getByRole("button", { name: "Change password" }).click();
    await page.getByText("Password changed.", { exact: false }).waitFor();
    await expect.poll(() => page.getByLabel("Current password").inputValue()).toBe("");
    expect(await page.getByLabel("New password", { exact: true }).inputValue()).toBe("");
    expect(await page.getByLabel("Repeat the new password").inputValue()).toBe("");
  });
});
