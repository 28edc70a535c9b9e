/**
 * Issue 28 items 5-7 where a person sees them (ADR 0029): sign-in throttling and its notice, the
 * agreement gate on in-app navigation (single-fetch .data requests), and the hourly limit on
 * sharing links by email. Chromium against the built app on a fresh embedded database with the demo data.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { DEMO_PASSWORD as PASSWORD, mailsInOutbox, setUpApp, submitSignIn } from "./support";

const app = await setUpApp({ env: { LINK_SHARE_MAX_PER_PARTNER_PER_HOUR: "2" } });
const { url: APP, signIn } = app;

async function trySignIn(page: Page, email: string, password: string) {
  await page.goto(`${APP}/signin`);
  await submitSignIn(page, email, password);
}

describe("sign-in throttling in a browser", () => {
  it("after five wrong passwords the page says how long to wait; the person's own browser still signs in; they get one mail", async () => {
    const email = "admin@fabrikam.example";
    // The person's laptop: signed in before, then signed out.
    const laptop = await (await app.browser.newContext()).newPage();
    await signIn(laptop, email);
    await laptop.getByRole("button", { name: "Sign out" }).click();
    await laptop.waitForURL((u) => u.pathname.startsWith("/signin"));

    const guesser = await (await app.browser.newContext()).newPage();
    for (let i = 0; i < 5; i++) {
      await trySignIn(guesser, email, `wrong-password-${i}`);
      await guesser.getByText("The email address or password is not correct.").waitFor();
    }
    await trySignIn(guesser, email, PASSWORD);
    await guesser.getByText(/Too many failed sign-in attempts\. Try again in 15 minutes\./).waitFor();
    expect(new URL(guesser.url()).pathname).toBe("/signin");

    await signIn(laptop, email);
    expect(new URL(laptop.url()).pathname).toBe("/partner");

    // The notice, once, in the development outbox.
    const outbox = await (await app.browser.newContext()).newPage();
    const notices = await mailsInOutbox(outbox, APP, email, "Sign-in to your Partnerdesk account was paused");
    expect(notices).toBe(1);
  });
});

describe("the agreement gate in a browser", () => {
  it("a customer's global admin with the agreement pending stays on the agreement when navigating inside the app", async () => {
    // Every seventh demo customer, the fourth first (demoCustomerName(3)), has not accepted the agreement.
    const email = "admin@blue-yonder-bakery.example";
    const page = await (await app.browser.newContext()).newPage();
    await signIn(page, email);
    expect(new URL(page.url()).pathname).toBe("/customer/agreement");
    // A client-side navigation: the app asks for /customer/partners.data, which the gate answers too.
    const dataRequest = page.waitForResponse((r) => r.url().includes("/customer/partners.data"));
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Partners" }).click();
    expect((await dataRequest).status()).toBe(202); // single fetch's redirect
    await page.waitForURL(`${APP}/customer/agreement`);
    await page.getByRole("checkbox", { name: /I have read the customer agreement/ }).waitFor();
    expect(await page.getByRole("heading", { name: "Partner relationships" }).count()).toBe(0);
    // A form posted straight to another page's action is refused.
    const status = await page.evaluate(async () => {
      const body = new URLSearchParams({ intent: "remove-partner", partnerId: "00000000-0000-4000-8000-000000000000" });
      return (await fetch("/customer/partners", { method: "POST", body })).status;
    });
    expect(status).toBe(403);
  });
});

describe("sharing a link by email in a browser", () => {
  it("over the partner's hourly limit, the form says so and sends nothing more", async () => {
    const page = await (await app.browser.newContext()).newPage();
    await signIn(page, "sales-agent@northwind.example");
    await page.goto(`${APP}/partner/links`);
    await page.locator("table").getByRole("link").first().click();
    await page.getByRole("heading", { name: "Send by email" }).waitFor();
    await page.getByRole("textbox", { name: "To" }).fill("ann@prospect-e2e.example, bo@prospect-e2e.example");
    await page.getByRole("button", { name: "Send", exact: true }).click();
    await page.getByText("Sent to 2 addresses.").waitFor();
    await page.getByRole("textbox", { name: "To" }).fill("cy@prospect-e2e.example");
    await page.getByRole("button", { name: "Send", exact: true }).click();
    await page.getByText(/Your organisation can send 2 link emails an hour, and this would go over it\. Try again in \d+ minutes?/).waitFor();
  });
});
