/**
 * What the browser tests share: the built server (server.js) on a fresh database, Debian's
 * Chromium through playwright-core, signing in as a demo user (in the browser or over HTTP),
 * the development outbox as the mailbox, waiting, screenshots and the accessibility check.
 *
 * A file that needs one server and a browser:
 *
 *   const app = await setUpApp({ env: { LINK_SHARE_MAX_PER_PARTNER_PER_HOUR: "2" } });
 *   const { url: APP, signIn, linkFromOutbox } = app;
 *   ... (await app.browser.newContext()).newPage() ...
 *
 * Files that start servers themselves use startServer / spawnServer and stopServers.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, expect } from "vitest";
import { accessibilityViolations, describeFindings, takeAccessibilityFindings, watchAccessibility } from "./a11y";
import { DEMO_TEMPLATE_ENV, E2E_SERVER_ENV } from "./global-setup";
import * as OTPAuth from "otpauth";

export { accessibilityViolations, automaticallyCheckedPages, skipAutomaticAccessibility, takeAccessibilityFindings, type AxeFinding, type AxeViolation } from "./a11y";

/** Every demo account's password (DEMO_PASSWORD in db/seed/demo.ts, which imports the app). */
export const DEMO_PASSWORD = "Partnerdesk-demo-2026";

/** A port the OS says is free now (random ports in the ephemeral range collided with outgoing connections). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Environment for server.js; a variable set to undefined is removed from the inherited environment. */
export type ServerEnv = Record<string, string | undefined>;

export interface ServerOptions {
  /** On top of the defaults: development, demo data, quick jobs, cheap password hashing, warnings only. */
  env?: ServerEnv;
  /** A port of the caller's choosing (a restarted server on the same address); a free one otherwise. */
  port?: number;
}

export interface TestServer {
  url: string;
  port: number;
  child: ChildProcess;
  /** What the server wrote to stdout so far. */
  stdout: () => string;
  /** Everything the server wrote so far, stdout and stderr interleaved (stderr also goes to the test's own). */
  output: () => string;
  /** The exit code once the process has ended (null when a signal ended it). */
  exited: Promise<number | null>;
  /** Ends the process (SIGTERM unless told; SIGKILL after 10 s) and removes its fresh data directory. */
  stop: (signal?: NodeJS.Signals) => Promise<void>;
}

const DEFAULT_ENV: ServerEnv = E2E_SERVER_ENV;

const running = new Set<TestServer>();

/**
 * Starts `node server.js` on 127.0.0.1 without waiting for it. Unless env names a DATABASE_URL,
 * it gets an embedded database in a fresh data directory (the demo data with the default SEED_DEMO).
 */
export async function spawnServer({ env = {}, port }: ServerOptions = {}): Promise<TestServer> {
  port ??= await freePort();
  const url = `http://127.0.0.1:${port}`;
  const dataDir = env.DATABASE_URL || env.DATA_DIR ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), "partnerdesk-e2e-"));
  const merged: ServerEnv = { ...process.env, ...DEFAULT_ENV, DATA_DIR: dataDir, PORT: String(port), APP_URL: url, ...env };
  // A demo server starts from the run's migrated and seeded copy (global-setup.ts) when there is one.
  const template = process.env[DEMO_TEMPLATE_ENV];
  if (dataDir && template && merged.SEED_DEMO === "auto" && merged.NODE_ENV !== "production") fs.cpSync(template, dataDir, { recursive: true });
  const child = spawn(process.execPath, ["server.js"], {
    env: Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== undefined)) as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    output += chunk.toString();
  });
  child.stderr!.on("data", (chunk: Buffer) => {
    output += chunk.toString();
    process.stderr.write(chunk);
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const server: TestServer = {
    url,
    port,
    child,
    stdout: () => stdout,
    output: () => output,
    exited,
    stop: async (signal = "SIGTERM") => {
      running.delete(server);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill(signal);
        const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
        await exited;
        clearTimeout(timer);
      }
      if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
  running.add(server);
  return server;
}

/** Starts server.js (see spawnServer) and waits until /healthz answers; throws if it exits or takes two minutes. */
export async function startServer(options: ServerOptions = {}): Promise<TestServer> {
  const server = await spawnServer(options);
  const deadline = Date.now() + 120_000;
  while (!(await fetch(`${server.url}/healthz`).then((r) => r.ok, () => false))) {
    if (server.child.exitCode !== null) throw new Error(`server.js exited with ${server.child.exitCode}: ${server.output()}`);
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(`server.js did not answer /healthz in time: ${server.output()}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return server;
}

/** Stops every server this file started and has not stopped yet. */
export async function stopServers() {
  await Promise.all([...running].map((s) => s.stop()));
}

/**
 * Debian's Chromium (or CHROMIUM_PATH), headless, without a sandbox or calls home. Every page of
 * every context it makes (browser.newContext, browser.newPage) gets the automatic accessibility
 * check (a11y.ts): axe after each navigation; a serious or critical violation fails the test.
 */
export async function launchChromium(): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (...args: Parameters<Browser["newContext"]>) => {
    const context = await newContext(...args);
    // axe is a script: pages without JavaScript cannot be checked.
    return args[0]?.javaScriptEnabled === false ? context : watchContext(context);
  };
  return browser;
}

function watchContext(context: BrowserContext): BrowserContext {
  context.on("page", watchAccessibility);
  for (const page of context.pages()) watchAccessibility(page);
  return context;
}

// The automatic accessibility check fails the test whose pages showed a serious or critical
// violation (this runs in every file that imports this module, after each of its tests).
afterEach(async () => {
  const found = await takeAccessibilityFindings();
  if (found.length) throw new Error(describeFindings(found));
});

export interface App {
  /** The server's address (known before it starts). */
  url: string;
  /** The running server and browser, from beforeAll on. */
  readonly server: TestServer;
  readonly browser: Browser;
  /** signIn and linkFromOutbox against this server. */
  signIn: (page: Page, email: string, password?: string, totpSecret?: string) => Promise<void>;
  linkFromOutbox: (page: Page, to: string, pattern: RegExp) => Promise<string>;
}

/**
 * One server (see startServer) and, unless `browser: false`, Chromium for the file: started in
 * beforeAll, closed and stopped in afterAll. Call it at the top level of a test file.
 */
export async function setUpApp(options: ServerOptions & { browser?: boolean } = {}): Promise<App> {
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    server = await startServer({ ...options, port });
    if (options.browser !== false) browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });
  return {
    url,
    get server() {
      if (!server) throw new Error("the server starts in beforeAll");
      return server;
    },
    get browser() {
      if (!browser) throw new Error("the browser starts in beforeAll (and not with browser: false)");
      return browser;
    },
    signIn: (page, email, password, totpSecret) => signIn(page, url, email, password, totpSecret),
    linkFromOutbox: (page, to, pattern) => linkFromOutbox(page, url, to, pattern),
  };
}

/** Fills in the sign-in form the page shows and submits it (no waiting). */
export async function submitSignIn(page: Page, email: string, password = DEMO_PASSWORD) {
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

/** The demo partner staff's authenticator secret (DEMO_TOTP_SECRET in db/seed/demo.ts). */
export const DEMO_TOTP_SECRET = "PARTNERDESKDEMOAUTHENTICATORKEYS";

const TOTP_PERIOD = 30;
const totpCode = (secret: string, timestamp: number) => new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), period: TOTP_PERIOD, digits: 6 }).generate({ timestamp });

/** The last time step this file typed a code for, per account (each file has its own server). */
const lastSteps = new Map<string, number>();

/**
 * A code the server has not seen for this account: the server takes a code once per 30-second
 * step and accepts the steps either side of now, so three sign-ins of one account can follow each
 * other at once; a fourth waits for the clock. Returns the code of the step it chose.
 */
export async function nextTotpCode(email: string, secret = DEMO_TOTP_SECRET): Promise<string> {
  for (;;) {
    const now = Math.floor(Date.now() / 1000 / TOTP_PERIOD);
    const step = Math.max(now - 1, (lastSteps.get(email) ?? -Infinity) + 1);
    // Not the last second of the next step's window: the code must still be good when it arrives.
    if (step <= now + 1 && (step > now - 1 || Date.now() / 1000 - now * TOTP_PERIOD < TOTP_PERIOD - 2)) {
      lastSteps.set(email, step);
      return totpCode(secret, step * TOTP_PERIOD * 1000);
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** Opens the sign-in page, signs in (with the authenticator code when asked), and waits to be let in (anywhere but /signin). */
export async function signIn(page: Page, base: string, email: string, password = DEMO_PASSWORD, totpSecret = DEMO_TOTP_SECRET) {
  await page.goto(`${base}/signin`);
  await submitSignIn(page, email, password);
  await page.waitForURL((u) => u.pathname !== "/signin");
  await completeSecondFactor(page, email, totpSecret);
}

/** On the sign-in's second step (after the password), types the account's authenticator code and waits to be let in; elsewhere does nothing. */
export async function completeSecondFactor(page: Page, email: string, totpSecret = DEMO_TOTP_SECRET) {
  if (new URL(page.url()).pathname !== "/signin/verify") return;
  await page.getByLabel("Code").fill(await nextTotpCode(email, totpSecret));
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.waitForURL((u) => !u.pathname.startsWith("/signin"));
}

/** The session cookie(s) a response sets, as a Cookie header. */
export const cookieOf = (res: Response) =>
  res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");

/** Posts a form as a browser would (same-origin unless `origin` says otherwise), not following redirects. */
export function postForm(base: string, pathname: string, fields: Record<string, string>, { cookie, origin = base }: { cookie?: string; origin?: string } = {}) {
  return fetch(`${base}${pathname}`, {
    method: "POST",
    redirect: "manual",
    headers: { Origin: origin, "Content-Type": "application/x-www-form-urlencoded", ...(cookie ? { Cookie: cookie } : {}) },
    body: new URLSearchParams(fields),
  });
}

/**
 * Signs in over HTTP (a form post to /signin, then the authenticator code to /signin/verify when
 * the account has one) and returns the last status and the session cookie.
 */
export async function signInOverHttp(base: string, email: string, { password = DEMO_PASSWORD, origin = base }: { password?: string; origin?: string } = {}) {
  const res = await postForm(base, "/signin", { email, password }, { origin });
  if (res.status !== 302 || res.headers.get("Location") !== "/signin/verify") return { status: res.status, cookie: cookieOf(res) };
  const verified = await postForm(base, "/signin/verify", { intent: "code", code: await nextTotpCode(email) }, { origin, cookie: cookieOf(res) });
  return { status: verified.status, cookie: cookieOf(verified) };
}

/** Calls probe until it gives something truthy (every 100 ms unless told, for 10 s unless told) and returns that. */
export async function until<T>(probe: () => Promise<T>, { timeoutMs = 10_000, intervalMs = 100, what = "the condition" } = {}): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** The development outbox page (this machine only) as HTML. */
export const outboxHtml = async (base: string) => (await fetch(`${base}/dev/outbox`)).text();

/** Reloads the outbox in the page until read gives something (40 times, 250 ms apart); null if it never does. */
async function pollOutbox<T>(page: Page, base: string, read: () => Promise<T | null>): Promise<T | null> {
  for (let i = 0; i < 40; i++) {
    await page.goto(`${base}/dev/outbox`);
    const value = await read();
    if (value) return value;
    await page.waitForTimeout(250);
  }
  return null;
}

/** The link matching pattern in the newest mail to an address that holds one, read in the outbox page. */
export async function linkFromOutbox(page: Page, base: string, to: string, pattern: RegExp): Promise<string> {
  const href = await pollOutbox(page, base, async () => {
    const links = page.locator("li.card", { hasText: to }).getByRole("link", { name: pattern });
    return (await links.count()) ? links.first().getAttribute("href") : null;
  });
  if (!href) throw new Error(`no mail to ${to}`);
  return href;
}

/** How many mails to an address hold the text, once there is at least one (0 if none comes). */
export async function mailsInOutbox(page: Page, base: string, to: string, text: string): Promise<number> {
  return (await pollOutbox(page, base, async () => (await page.locator("li.card", { hasText: to }).filter({ hasText: text }).count()) || null)) ?? 0;
}

/** Waits until React has hydrated the page (Remix's router is running) and the network is quiet. */
export async function hydrated(page: Page) {
  await page.waitForFunction(() => Boolean((window as unknown as { __remixRouter?: { state: { initialized: boolean } } }).__remixRouter?.state.initialized));
  await page.waitForLoadState("networkidle");
}

/** Collects the page's errors and console errors, and console messages matching `also`. */
export function collectProblems(page: Page, also: RegExp) {
  const problems: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" || also.test(m.text())) problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  return problems;
}

/** Expects the page to pass axe's WCAG A/AA rules. */
export async function expectAccessible(page: Page) {
  const violations = await accessibilityViolations(page);
  expect(violations, JSON.stringify(violations, null, 2)).toEqual([]);
}

const SHOTS = path.resolve("test-results");

/** Where a screenshot of that name goes (test-results/, created when needed). */
export function shotPath(name: string) {
  fs.mkdirSync(SHOTS, { recursive: true });
  return path.join(SHOTS, name);
}
