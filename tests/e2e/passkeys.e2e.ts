/**
 * Issue 31, passkeys in Chromium (ADR 0042), through its virtual authenticator (the DevTools
 * WebAuthn domain): a customer admin adds a passkey (named; the first factor brings recovery
 * codes), signs in with it as the second factor after the password and then with it alone, renames
 * and removes it. WebAuthn takes no IP address as its relying party, so this server's APP_URL says
 * localhost.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { DEMO_PASSWORD, expectAccessible, freePort, hydrated, setUpApp, shotPath, signIn, submitSignIn } from "./support";

const port = await freePort();
const APP = `http://localhost:${port}`;
const app = await setUpApp({ port, env: { APP_URL: APP } });
const ADMIN = "admin@contoso-bakery.example";

/** A page with a virtual platform authenticator (resident keys, user verification, presence simulated). */
async function pageWithAuthenticator(): Promise<Page> {
  const context = await app.browser.newContext();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: { protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
  return page;
}

async function signOut(page: Page) {
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForURL(`${APP}/signin`);
}

describe("passkeys in the browser", () => {
  it("are added and named, then sign in as the second factor and on their own, and are renamed and removed", async () => {
    const page = await pageWithAuthenticator();
    await signIn(page, APP, ADMIN);
    await page.goto(`${APP}/account/security`);
    await hydrated(page);
    await page.getByLabel("Name for a new passkey").fill("Work laptop");
    await page.locator("#passkey-password").fill(DEMO_PASSWORD);
    await page.getByRole("button", { name: "Add a passkey" }).click();
    await page.getByRole("heading", { name: "Save your recovery codes" }).waitFor();
    expect(await page.locator(".recovery-codes code").count()).toBe(10);
    await expect.poll(() => page.getByRole("textbox", { name: "Name of the passkey" }).inputValue()).toBe("Work laptop");
    await expectAccessible(page);
    await page.screenshot({ path: shotPath("passkeys-added.png"), fullPage: true });

    // The password, then the passkey.
    await signOut(page);
    await submitSignIn(page, ADMIN, DEMO_PASSWORD);
    await page.waitForURL(`${APP}/signin/verify`);
    await hydrated(page);
    await page.getByRole("button", { name: "Use a passkey" }).click();
    await page.waitForURL(`${APP}/customer`);

    // The passkey alone.
    await signOut(page);
    await hydrated(page);
    await page.getByRole("button", { name: "Sign in with a passkey" }).click();
    await page.waitForURL(`${APP}/customer`);

    // Renamed, then removed (the session's second factor is fresh).
    await page.goto(`${APP}/account/security`);
    await hydrated(page);
    await page.getByRole("textbox", { name: "Name of the passkey" }).fill("Old laptop");
    await page.getByRole("button", { name: "Rename" }).click();
    await page.getByText("Passkey renamed.").waitFor();
    await page.getByRole("button", { name: "Remove Old laptop" }).click();
    await page.getByText("Passkey removed.").waitFor();
    expect(await page.getByRole("textbox", { name: "Name of the passkey" }).count()).toBe(0);
    // No factor left: the next sign-in is the password alone.
    await signOut(page);
    await submitSignIn(page, ADMIN, DEMO_PASSWORD);
    await page.waitForURL(`${APP}/customer`);
  });
});
