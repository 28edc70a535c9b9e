/**
 * Accounts belong to people (ADR 0026), as a person clicks it: a customer's admin invites another
 * partner's global admin; the invitation page asks that person to sign in as themselves, they
 * accept; the customer's admin can then only send them a reset link of their own, never set a
 * password. With an accessibility check of each page.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "./free-port";
import { accessibilityViolations } from "./a11y";

const PORT = await freePort();
const APP = `http://127.0.0.1:${PORT}`;
const PASSWORD = "Partnerdesk-demo-2026";
const SHOTS = path.resolve("test-results");
// The first demo customer of Northwind Partners (db/seed/demo.ts).
const CUSTOMER_ADMIN = "admin@adatum-bakery.example";
const VICTIM = "admin@fabrikam.example";
let server: ChildProcess;
let browser: Browser;

beforeAll(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "partnerdesk-e2e-accounts-"));
  server = spawn(process.execPath, ["server.js"], {
    env: { ...process.env, NODE_ENV: "development", SEED_DEMO: "auto", DATA_DIR: dataDir, PORT: String(PORT), APP_URL: APP, LOG_LEVEL: "warn", JOB_POLL_MS: "200", ARGON2_MEMORY_KIB: "4096", ARGON2_ITERATIONS: "1" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  server.stdout!.resume();
  for (let i = 0; i < 240; i++) {
    try {
      if ((await fetch(`${APP}/healthz`)).ok) break;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});

afterAll(async () => {
  await browser?.close();
  server?.kill("SIGTERM");
});

async function signIn(page: Page, email: string) {
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((u) => !u.pathname.startsWith("/signin"));
}

async function linkFromOutbox(page: Page, to: string, pattern: RegExp) {
  for (let i = 0; i < 40; i++) {
    await page.goto(`${APP}/dev/outbox`);
    const links = page.locator("li.card", { hasText: to }).getByRole("link", { name: pattern });
    if (await links.count()) {
      const href = await links.first().getAttribute("href");
      if (href) return href;
    }
    await page.waitForTimeout(250);
  }
  throw new Error(`no mail to ${to}`);
}

async function expectAccessible(page: Page) {
  const violations = await accessibilityViolations(page);
  expect(violations, JSON.stringify(violations, null, 2)).toEqual([]);
}

describe("an account joins a customer only by accepting, and stays its owner's", () => {
  it("invite → sign in as yourself → accept → the customer may only send a reset link", async () => {
    const admin = await (await browser.newContext()).newPage();
    await admin.goto(`${APP}/signin`);
    await signIn(admin, CUSTOMER_ADMIN);
    await admin.goto(`${APP}/customer/users`);
    await admin.getByRole("heading", { name: "Users", level: 1 }).waitFor();
    await admin.getByLabel("Name").fill("Fabrikam's admin");
    await admin.getByLabel("Email address").fill(VICTIM);
    await admin.getByRole("button", { name: "Invite user" }).click();
    await admin.getByText(`Invitation sent to ${VICTIM}.`).waitFor();
    const invitedRow = admin.getByRole("row", { name: new RegExp(VICTIM) });
    await invitedRow.getByText("Invitation pending").waitFor();
    await expectAccessible(admin);

    // The invited person opens the mail's link: not signed in, they are asked to sign in as themselves.
    const person = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
    const link = await linkFromOutbox(person, VICTIM, /\/activate\//);
    await person.goto(link.startsWith("http") ? link : `${APP}${link}`);
    await person.getByRole("heading", { name: /^Join / }).waitFor();
    expect(await person.getByLabel("Password").count()).toBe(0);
    await expectAccessible(person);
    await person.getByRole("link", { name: "Sign in to answer" }).click();
    await person.waitForURL(/\/signin/);
    await signIn(person, VICTIM);
    await person.waitForURL(/\/activate\//);
    await person.getByRole("button", { name: "Accept and join" }).waitFor();
    await person.screenshot({ path: path.join(SHOTS, "invitation-accept-390.png"), fullPage: true });
    await expectAccessible(person);
    await person.getByRole("button", { name: "Accept and join" }).click();
    await person.waitForURL((u) => u.pathname.startsWith("/customer"));

    // The customer's admin sees the member, with a reset link instead of a password reset.
    await admin.goto(`${APP}/customer/users`);
    const row = admin.getByRole("row", { name: new RegExp(VICTIM) });
    expect(await row.getByRole("button", { name: "Reset password" }).count()).toBe(0);
    await row.getByRole("button", { name: "Send reset link" }).click();
    await admin.getByRole("dialog").getByRole("button", { name: "Send link" }).click();
    await admin.getByText(`A link to reset their password was sent to ${VICTIM}.`).waitFor();
    await admin.screenshot({ path: path.join(SHOTS, "customer-users-reset-link.png"), fullPage: true });
    await expectAccessible(admin);
  });
});
