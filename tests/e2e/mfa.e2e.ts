/**
 * Issue 31 in Chromium (ADR 0042): a customer admin sets up an authenticator app from the QR
 * code's manual key (the test computes the codes an app would show), saves the recovery codes,
 * signs in again with a code and then with a recovery code; partner staff are asked for their
 * code at every sign-in (the demo's published secret) and end their other sessions. (Step-up after
 * ten minutes is tested over HTTP, in tests/integration/mfa.test.ts.)
 */
import * as OTPAuth from "otpauth";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { DEMO_PASSWORD, expectAccessible, hydrated, mailsInOutbox, nextTotpCode, setUpApp, shotPath, submitSignIn } from "./support";

const app = await setUpApp();
const { url: APP, signIn } = app;
const CUSTOMER_ADMIN = "admin@coho-bakery.example";

async function newPage(width = 1280): Promise<Page> {
  return (await app.browser.newContext({ viewport: { width, height: 900 } })).newPage();
}

/** A 6-digit code no step around now has (so the server refuses it). */
function wrongCode(secret: string) {
  const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), period: 30, digits: 6 });
  const near = [-2, -1, 0, 1, 2].map((d) => totp.generate({ timestamp: Date.now() + d * 30_000 }));
  for (let n = 0; ; n++) {
    const candidate = String(n).padStart(6, "0");
    if (!near.includes(candidate)) return candidate;
  }
}

describe("an authenticator app in the browser", () => {
  it("is set up from the key under the QR code, then asked for at sign-in; a recovery code stands in for it once", async () => {
    const page = await newPage(390);
    await signIn(page, CUSTOMER_ADMIN);
    await page.goto(`${APP}/account/security`);
    await hydrated(page);
    // The first factor needs the current password.
    await page.locator("#totp-password").fill(DEMO_PASSWORD);
    await page.getByRole("button", { name: "Set up authenticator app" }).click();
    const key = page.locator("code.manual-key");
    await key.waitFor();
    await expect.poll(() => page.getByRole("img", { name: "QR code to add Partnerdesk to an authenticator app" }).isVisible()).toBe(true);
    await page.screenshot({ path: shotPath("mfa-enrol-390.png"), fullPage: true });
    const secret = (await key.innerText()).replace(/\s/g, "");
    await page.getByLabel("Code from the app").fill(await nextTotpCode(CUSTOMER_ADMIN, secret));
    await page.getByRole("button", { name: "Confirm and turn on" }).click();
    await page.getByRole("heading", { name: "Save your recovery codes" }).waitFor();
    const codes = await page.locator(".recovery-codes code").allInnerTexts();
    expect(codes).toHaveLength(10);
    await expectAccessible(page);
    await page.screenshot({ path: shotPath("mfa-recovery-codes-390.png"), fullPage: true });
    await page.goto(`${APP}/account/security`);
    expect(new URL(page.url()).pathname).toBe("/account/security");
    await page.getByText("10 of 10 recovery codes left").waitFor();
    expect(await page.locator(".recovery-codes").count()).toBe(0);

    // Signing in again: the password, then a code from the app.
    const again = await newPage();
    await again.goto(`${APP}/signin`);
    await submitSignIn(again, CUSTOMER_ADMIN, DEMO_PASSWORD);
    await again.waitForURL(`${APP}/signin/verify`);
    await again.getByRole("heading", { name: "Confirm it's you" }).waitFor();
    await expectAccessible(again);
    await again.getByLabel("Code").fill(wrongCode(secret));
    await again.getByRole("button", { name: "Sign in", exact: true }).click();
    await again.getByText("That code is not right").waitFor();
    await again.getByLabel("Code").fill(await nextTotpCode(CUSTOMER_ADMIN, secret));
    await again.getByRole("button", { name: "Sign in", exact: true }).click();
    await again.waitForURL(`${APP}/customer`);

    // Lost phone: a recovery code, once.
    const lost = await newPage();
    await lost.goto(`${APP}/signin`);
    await submitSignIn(lost, CUSTOMER_ADMIN, DEMO_PASSWORD);
    await lost.waitForURL(`${APP}/signin/verify`);
    await lost.getByLabel("Code").fill(codes[0]!);
    await lost.getByRole("button", { name: "Sign in", exact: true }).click();
    await lost.waitForURL(`${APP}/customer`);
    const outbox = await newPage();
    expect(await mailsInOutbox(outbox, APP, CUSTOMER_ADMIN, "9 recovery codes left")).toBe(1);
  });

  it("partner staff confirm a code at sign-in; their sessions can be seen and ended", async () => {
    const page = await newPage();
    await page.goto(`${APP}/signin`);
    await submitSignIn(page, "admin-agent@northwind.example");
    await page.waitForURL(`${APP}/signin/verify`);
    await page.screenshot({ path: shotPath("mfa-signin-verify.png") });
    await page.getByLabel("Code").fill(await nextTotpCode("admin-agent@northwind.example"));
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.waitForURL(`${APP}/partner`);

    const other = await newPage();
    await signIn(other, "admin-agent@northwind.example");
    await page.goto(`${APP}/account/sessions`);
    await hydrated(page);
    await expect.poll(() => page.getByRole("button", { name: "End session" }).count()).toBeGreaterThanOrEqual(1);
    await page.screenshot({ path: shotPath("mfa-sessions.png"), fullPage: true });
    await page.getByRole("button", { name: "Sign out everywhere else" }).click();
    await page.getByText(/other sessions? ended/).waitFor();
    await other.goto(`${APP}/partner`);
    expect(new URL(other.url()).pathname).toBe("/signin");
  });
});
