/**
 * Issue 30 in Chromium, as the demo customer's global admin (Adatum Bakery): change a user's role,
 * deactivate one after the confirmation dialog, the last-global-admin refusal shown next to the
 * control, invite a partner's person; then comment on a service request the partner opened.
 * axe on each state; screenshots at 1280 and 390 px wide; no sideways scroll at 390 px.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { expectAccessible, hydrated, setUpApp, shotPath } from "./support";

const app = await setUpApp();
const { url: APP, signIn } = app;
const ADMIN = "admin@adatum-bakery.example";

async function newPage(width = 1280): Promise<Page> {
  return (await app.browser.newContext({ viewport: { width, height: width > 500 ? 900 : 844 } })).newPage();
}

async function noSidewaysScroll(page: Page) {
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({ scrollWidth: document.scrollingElement!.scrollWidth, clientWidth: document.scrollingElement!.clientWidth }));
  expect(scrollWidth, "the page scrolls sideways").toBeLessThanOrEqual(clientWidth);
}

describe("the customer's Users page in a browser", () => {
  it("changes a role, deactivates after confirming, refuses to demote the last global admin next to the control, and invites a partner's person", async () => {
    const page = await newPage();
    await signIn(page, ADMIN);
    await page.goto(`${APP}/customer/users`);
    await page.getByRole("heading", { name: "Users", level: 1 }).waitFor();
    await hydrated(page);
    const ulf = page.getByRole("row", { name: /Ulf Urban/ });
    await ulf.waitFor();
    await page.getByRole("row", { name: /Pia Lund/ }).getByText("Partner's person (Northwind Partners)").waitFor();
    await expectAccessible(page);
    await page.screenshot({ path: shotPath("customer-users-1280.png"), fullPage: true });

    // A role: Ulf becomes a billing admin.
    const ulfRole = page.getByLabel("Role of Ulf Urban");
    expect(await ulf.getByRole("button", { name: "Change role" }).isDisabled()).toBe(true);
    await ulfRole.selectOption("billing_admin");
    await ulf.getByRole("button", { name: "Change role" }).click();
    await page.getByText("Ulf Urban is now billing admin.").waitFor();
    await expect.poll(() => ulf.getByRole("cell").nth(2).textContent()).toBe("Billing admin");
    expect(await ulfRole.inputValue()).toBe("billing_admin");

    // Deactivate, after the dialog: cancelling changes nothing, confirming does.
    await ulf.getByRole("button", { name: "Deactivate" }).click();
    const dialog = page.getByRole("dialog", { name: "Deactivate Ulf Urban?" });
    await dialog.waitFor();
    await expectAccessible(page);
    await page.screenshot({ path: shotPath("customer-users-deactivate-dialog.png") });
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await dialog.waitFor({ state: "hidden" });
    expect(await ulf.getByText("Active", { exact: true }).count()).toBe(1);
    await ulf.getByRole("button", { name: "Deactivate" }).click();
    await dialog.getByRole("button", { name: "Deactivate" }).click();
    await page.getByText("Ulf Urban is deactivated").waitFor();
    await ulf.getByText("Deactivated", { exact: true }).waitFor();
    await ulf.getByRole("button", { name: "Reactivate" }).waitFor();

    // The last global admin: the refusal shows in that row, next to the role control.
    const me = page.getByRole("row", { name: /Adatum Bakery Admin/ });
    await page.getByLabel("Role of Adatum Bakery Admin").selectOption("user");
    await me.getByRole("button", { name: "Change role" }).click();
    const refusal = me.getByRole("alert");
    await refusal.waitFor();
    expect(await refusal.textContent()).toContain("You are the organisation's only active global admin");
    expect(await page.getByLabel("Role of Adatum Bakery Admin").getAttribute("aria-invalid")).toBe("true");
    expect(await page.getByLabel("Role of Adatum Bakery Admin").getAttribute("aria-describedby")).toBe(await refusal.getAttribute("id"));
    await expectAccessible(page);
    await me.screenshot({ path: shotPath("customer-users-last-admin.png") });
    // Removing oneself is refused the same way, after the dialog.
    await me.getByRole("button", { name: "Remove yourself" }).click();
    await page.getByRole("dialog", { name: "Remove yourself from this organisation?" }).getByRole("button", { name: "Remove" }).click();
    await expect.poll(async () => (await me.getByRole("alert").textContent()) ?? "").toContain("can't remove yourself");

    // A partner's person: one of the customer's partners, through the invitation flow.
    const invite = page.getByRole("region", { name: "Invite a partner's person" });
    await invite.getByRole("button", { name: "Invite partner's person" }).click();
    await invite.getByText("Enter the user's name.").waitFor();
    await expectAccessible(page);
    await invite.getByLabel("Name").fill("Nils Northwind");
    await invite.getByLabel("Email address").fill("nils@northwind.example");
    // Neither one of its partners nor a Partner ID: said under the partner field, what was typed stays.
    await invite.getByRole("button", { name: "Invite partner's person" }).click();
    await invite.getByText("Choose one of your partners, or enter a Partner ID.").waitFor();
    expect(await invite.getByLabel("Name").inputValue()).toBe("Nils Northwind");
    await invite.getByLabel("Partner", { exact: true }).selectOption({ label: "Northwind Partners (Partner ID 4000001)" });
    await invite.getByRole("button", { name: "Invite partner's person" }).click();
    await page.getByText("Invitation sent to nils@northwind.example, a person of Northwind Partners.", { exact: false }).waitFor();
    await page.getByRole("row", { name: /Nils Northwind/ }).getByText("Partner's person (Northwind Partners)").waitFor();
    await expect.poll(() => invite.getByLabel("Name").inputValue()).toBe("");
    expect(await invite.getByLabel("Email address").inputValue()).toBe("");
    await expectAccessible(page);
    await page.screenshot({ path: shotPath("customer-users-invited-1280.png"), fullPage: true });

    // The person's invitation is in the outbox.
    const mail = await newPage();
    const link = await app.linkFromOutbox(mail, "nils@northwind.example", /\/activate\//);
    expect(link).toMatch(/\/activate\//);
  });

  it("works at 390 px: no sideways scroll, the table scrolls in its own region", async () => {
    const page = await newPage(390);
    await signIn(page, ADMIN);
    await page.goto(`${APP}/customer/users`);
    await hydrated(page);
    await noSidewaysScroll(page);
    await page.getByRole("region", { name: "Users" }).waitFor();
    await expectAccessible(page);
    await page.screenshot({ path: shotPath("customer-users-390.png"), fullPage: true });
  });
});

describe("the customer's service requests in a browser", () => {
  it("lists what the partner opened and the customer comments; the form is empty afterwards", async () => {
    const page = await newPage();
    await signIn(page, ADMIN);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Service requests" }).click();
    await page.getByRole("heading", { name: "Service requests", level: 1 }).waitFor();
    await hydrated(page);
    const row = page.getByRole("row", { name: /Shared mailbox for orders/ });
    await row.getByText("Northwind Partners").waitFor();
    await row.getByText("Open", { exact: true }).waitFor();
    await expectAccessible(page);
    await page.screenshot({ path: shotPath("customer-service-requests-1280.png"), fullPage: true });
    await page.getByRole("link", { name: "Closed (1)" }).click();
    await page.waitForURL(/status=closed/);
    await page.getByRole("row", { name: /New laptop for the front desk/ }).waitFor();
    await expect.poll(() => page.getByRole("row", { name: /Shared mailbox/ }).count()).toBe(0);
    await page.getByRole("link", { name: /^All/ }).click();
    await page.waitForURL((u) => !u.search.includes("status"));

    await page.getByRole("link", { name: "Shared mailbox for orders" }).click();
    await page.getByRole("heading", { name: "Shared mailbox for orders", level: 1 }).waitFor();
    await hydrated(page);
    await page.getByText("Done for Bea.", { exact: false }).waitFor();
    // An empty comment is refused next to the field.
    await page.getByRole("button", { name: "Add comment" }).click();
    await page.getByText("Write a comment.").waitFor();
    expect(await page.getByLabel("Your comment").getAttribute("aria-invalid")).toBe("true");
    await expectAccessible(page);
    await page.getByLabel("Your comment").fill("Thank you! Ulf can wait until Monday.");
    await page.getByRole("button", { name: "Add comment" }).click();
    await page.getByText("Comment added. Your partner is told.").waitFor();
    await page.getByRole("listitem").filter({ hasText: "Thank you! Ulf can wait until Monday." }).waitFor();
    await expect.poll(() => page.getByLabel("Your comment").inputValue()).toBe("");
    await expectAccessible(page);
    await page.screenshot({ path: shotPath("customer-service-request-1280.png"), fullPage: true });

    const phone = await newPage(390);
    await signIn(phone, ADMIN);
    for (const [path, name] of [
      ["/customer/service-requests", "customer-service-requests-390.png"],
      [new URL(page.url()).pathname, "customer-service-request-390.png"],
    ] as const) {
      await phone.goto(`${APP}${path}`);
      await hydrated(phone);
      await noSidewaysScroll(phone);
      await expectAccessible(phone);
      await phone.screenshot({ path: shotPath(name), fullPage: true });
    }
  });
});
