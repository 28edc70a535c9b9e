/**
 * Issue 28, items 2 and 9, against the real server.js: security headers on every kind of
 * response, a CSP nonce per response that every inline script carries, pages that hydrate in
 * Chromium with no CSP violation, and the safe defaults (no demo data in production, HSTS only
 * on https, the outbox only to a developer on this machine).
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectProblems, hydrated, launchChromium, signIn, signInOverHttp, spawnServer, startServer, stopServers, type ServerEnv, type TestServer } from "./support";

const SECRET = "e2e-security-headers-secret-0123456789abcdef";
/** `npm start`: production secrets and nothing else (SEED_DEMO unset), on this machine's loopback (production listens on 0.0.0.0). */
const PRODUCTION: ServerEnv = { NODE_ENV: "production", SEED_DEMO: undefined, SESSION_SECRET: SECRET, LINK_SIGNING_KEYS: `k1:${SECRET}`, PRODUCT_KEY_PEPPER: SECRET, HOST: "127.0.0.1" };
let browser: Browser;

let dev: TestServer;
let production: TestServer;
const PRODUCTION_URL = "https://pd.example.test";

beforeAll(async () => {
  [dev, production] = await Promise.all([
    // What `npm run demo` runs: development, demo data asked for, the default HOST (127.0.0.1).
    startServer({ env: { NODE_ENV: "development", SEED_DEMO: "auto" } }),
    // `npm start` behind TLS.
    startServer({ env: PRODUCTION }),
  ]);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await stopServers();
});

function csp(res: Response): Map<string, string[]> {
  const header = res.headers.get("Content-Security-Policy");
  expect(header, `Content-Security-Policy on ${res.url}`).toBeTruthy();
  return new Map(
    header!
      .split(";")
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...values]) => [name!, values]),
  );
}

/** The headers every response of the server carries, whatever answered it. */
function expectSecurityHeaders(res: Response, { https = false } = {}) {
  const where = `${res.status} ${res.url}`;
  const policy = csp(res);
  expect(policy.get("default-src"), where).toEqual(["'self'"]);
  const scripts = policy.get("script-src")!;
  expect(scripts, where).toContain("'self'");
  expect(scripts.filter((s) => s.startsWith("'nonce-")), where).toHaveLength(1);
  expect(scripts, where).not.toContain("'unsafe-inline'");
  expect(scripts, where).not.toContain("'unsafe-eval'");
  expect(policy.get("script-src-attr"), where).toEqual(["'none'"]);
  expect(policy.get("style-src"), where).toEqual(["'self'"]);
  expect(policy.get("object-src"), where).toEqual(["'none'"]);
  expect(policy.get("base-uri"), where).toEqual(["'none'"]);
  expect(policy.get("frame-ancestors"), where).toEqual(["'none'"]);
  expect(policy.get("form-action"), where).toEqual(["'self'"]);
  expect(policy.has("upgrade-insecure-requests"), where).toBe(https);
  expect(res.headers.get("X-Content-Type-Options"), where).toBe("nosniff");
  expect(res.headers.get("X-Frame-Options"), where).toBe("DENY");
  expect(res.headers.get("Referrer-Policy"), where).toBe("strict-origin-when-cross-origin");
  expect(res.headers.get("Cross-Origin-Opener-Policy"), where).toBe("same-origin");
  expect(res.headers.get("X-Powered-By"), where).toBeNull();
  if (https) expect(res.headers.get("Strict-Transport-Security"), where).toBe("max-age=31536000");
  else expect(res.headers.get("Strict-Transport-Security"), where).toBeNull();
}

const nonceOf = (res: Response) => csp(res).get("script-src")!.find((s) => s.startsWith("'nonce-"))!.slice("'nonce-".length, -1);

describe("security headers on every response (development server, http)", () => {
  let cookie: string;
  beforeAll(async () => {
    const signedIn = await signInOverHttp(dev.url, "admin@northwind.example");
    expect(signedIn.status).toBe(302);
    cookie = signedIn.cookie;
  });
  const get = (p: string, headers: Record<string, string> = {}) => fetch(`${dev.url}${p}`, { headers: { Cookie: cookie, ...headers }, redirect: "manual" });

  it("a public page: headers, no-store, and every inline script carries this response's nonce", async () => {
    const res = await fetch(`${dev.url}/signin`);
    expect(res.status).toBe(200);
    expectSecurityHeaders(res);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    const html = await res.text();
    const nonce = nonceOf(res);
    expect(nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    expect(scripts.length).toBeGreaterThan(1);
    for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
    // No style attribute or inline <style>: style-src is 'self' only.
    expect(html).not.toMatch(/\sstyle="/);
    expect(html).not.toContain("<style");
    // A new nonce for every response.
    expect(nonceOf(await fetch(`${dev.url}/signin`))).not.toBe(nonce);
  });

  it("a signed-in page and its .data request: headers and no-store", async () => {
    const page = await get("/partner");
    expect(page.status).toBe(200);
    expectSecurityHeaders(page);
    expect(page.headers.get("Cache-Control")).toBe("no-store");
    const data = await get("/partner/customers.data");
    expect(data.status).toBe(200);
    expect(data.headers.get("Content-Type")).toContain("text/x-script");
    expectSecurityHeaders(data);
    expect(data.headers.get("Cache-Control")).toBe("no-store");
  });

  it("the CSV export: headers and no-store (once, not twice)", async () => {
    const res = await get("/partner/customers/export.csv");
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toContain("text/csv");
    expectSecurityHeaders(res);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    await res.arrayBuffer();
  });

  it("/healthz, the Origin refusal and 404s: headers and no-store", async () => {
    const health = await fetch(`${dev.url}/healthz`);
    expect(health.status).toBe(200);
    expectSecurityHeaders(health);
    expect(health.headers.get("Cache-Control")).toBe("no-store");

    const refused = await fetch(`${dev.url}/signin`, { method: "POST", headers: { Origin: "https://evil.example", "Content-Type": "application/x-www-form-urlencoded" }, body: "email=a@b.c&password=x" });
    expect(refused.status).toBe(403);
    expectSecurityHeaders(refused);
    expect(refused.headers.get("Cache-Control")).toBe("no-store");

    for (const missing of ["/no/such/page", "/no-such-file.png", "/no/such/page.data"]) {
      const res = await get(missing);
      expect(res.status, missing).toBe(404);
      expectSecurityHeaders(res);
      expect(res.headers.get("Cache-Control"), missing).toBe("no-store");
    }
  });

  it("static files: headers, and their own caching", async () => {
    const css = await fetch(`${dev.url}/app.css`);
    expect(css.status).toBe(200);
    expectSecurityHeaders(css);
    expect(css.headers.get("Cache-Control")).toBe("public, max-age=3600");
    const html = await (await fetch(`${dev.url}/signin`)).text();
    const asset = html.match(/\/build\/[\w./-]+\.js/)![0];
    const js = await fetch(`${dev.url}${asset}`);
    expect(js.status).toBe(200);
    expectSecurityHeaders(js);
    expect(js.headers.get("Cache-Control")).toBe("public, max-age=31536000, immutable");
  });

  it("serves the mail outbox to a developer on this machine only, never through a proxy", async () => {
    expect((await fetch(`${dev.url}/dev/outbox`)).status).toBe(200);
    expect((await fetch(`${dev.url}/dev/outbox.data`)).status).toBe(200);
    expect((await fetch(`${dev.url}/dev/outbox`, { headers: { "X-Forwarded-For": "203.0.113.7" } })).status).toBe(404);
    expect((await fetch(`${dev.url}/dev/outbox`, { headers: { Forwarded: "for=203.0.113.7" } })).status).toBe(404);
  });
});

describe("production: safe defaults", () => {
  it("refuses SEED_DEMO=auto at start-up with a message naming it", async () => {
    const refused = await spawnServer({ env: { ...PRODUCTION, SEED_DEMO: "auto" } });
    const code = await refused.exited;
    const output = refused.output();
    expect(code).toBe(1);
    expect(output).toContain("Invalid configuration");
    expect(output).toContain("SEED_DEMO: auto is refused in production");
  });

  it("seeds no demo data: the demo accounts do not exist", async () => {
    expect(production.stdout()).not.toContain("demo sign-ins");
    const attempt = await signInOverHttp(production.url, "admin@northwind.example");
    expect(attempt.status).toBe(401);
    expect(attempt.cookie).not.toContain("__pd_session=");
  });

  it("has no mail outbox, not even for this machine", async () => {
    expect((await fetch(`${production.url}/dev/outbox`)).status).toBe(404);
  });

  it("sends the same headers, and no HSTS while APP_URL is http", async () => {
    const res = await fetch(`${production.url}/signin`);
    expect(res.status).toBe(200);
    expectSecurityHeaders(res);
  });
});

describe("production on https: HSTS and upgrade-insecure-requests", () => {
  let https: TestServer;
  beforeAll(async () => {
    https = await startServer({ env: { ...PRODUCTION, APP_URL: PRODUCTION_URL } });
  });

  it("adds Strict-Transport-Security and upgrade-insecure-requests to every response", async () => {
    for (const p of ["/signin", "/healthz", "/app.css", "/no/such/page"]) expectSecurityHeaders(await fetch(`${https.url}${p}`), { https: true });
  });
});

/** Collects CSP violations (the DOM event and Chromium's console report) and page errors. */
async function watch(page: Page) {
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      (window as unknown as { __csp: string[] }).__csp ??= [];
      (window as unknown as { __csp: string[] }).__csp.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  return collectProblems(page, /Content Security Policy/i);
}

/** Opens a page, waits until React has hydrated it (the router is running), and reports problems. */
async function visit(page: Page, url: string, problems: string[]) {
  const res = await page.goto(url);
  expect(res!.status(), url).toBeLessThan(400);
  await hydrated(page);
  const violations = await page.evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? []);
  expect([...violations, ...problems], url).toEqual([]);
}

describe("pages hydrate in Chromium with no CSP violation", () => {
  const PARTNER_PAGES = [
    "/partner",
    "/partner/customers",
    "/partner/customers/new",
    "/partner/links",
    "/partner/links/new",
    "/partner/product-keys",
    "/partner/product-keys/register",
    "/partner/subscriptions",
    "/partner/leads",
    "/partner/relationships",
    "/partner/relationships/new",
    "/partner/staff",
    "/partner/staff/groups",
    "/partner/profile",
    "/partner/listing",
    "/partner/audit",
    "/notifications",
    "/account",
    "/dev/outbox",
  ];

  it("public pages and a shared link", async () => {
    const page = await (await browser.newContext()).newPage();
    const problems = await watch(page);
    const trial = dev.stdout().match(/trial invitation: (\S+)/)![1]!;
    for (const p of ["/signin", "/forgot-password", "/partners", new URL(trial).pathname]) await visit(page, `${dev.url}${p}`, problems);
    // A partner's public page (its description was a style attribute before).
    await page.goto(`${dev.url}/partners`);
    await page.locator("a[href^='/partners/']").first().click();
    await page.waitForURL(/\/partners\/\d+/);
    await visit(page, page.url(), problems);
  });

  it("a partner's pages, with client-side navigation between them", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems = await watch(page);
    await signIn(page, dev.url, "admin@northwind.example");
    await page.waitForURL(`${dev.url}/partner`);
    for (const p of PARTNER_PAGES) await visit(page, `${dev.url}${p}`, problems);
    // A customer's detail and a lead's detail (a style attribute before), reached by clicking.
    await page.goto(`${dev.url}/partner/customers`);
    await page.locator("tbody a[href^='/partner/customers/']").first().click();
    await page.waitForURL(/\/partner\/customers\/[0-9a-f-]{36}$/);
    await visit(page, page.url(), problems);
    await page.goto(`${dev.url}/partner/leads`);
    const lead = page.locator("a[href^='/partner/leads/']").first();
    if (await lead.count()) {
      await lead.click();
      await page.waitForURL(/\/partner\/leads\/.+/);
      await visit(page, page.url(), problems);
    }
    // Client-side navigation (a .data request) keeps working under the policy.
    await page.goto(`${dev.url}/partner`);
    const navigated = page.waitForResponse((r) => r.url().includes(".data"));
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Customers" }).click();
    expect((await navigated).status()).toBe(200);
    await page.waitForURL(`${dev.url}/partner/customers`);
    expect(problems).toEqual([]);
    await context.close();
  });

  it("a customer's pages", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems = await watch(page);
    await signIn(page, dev.url, "admin@adatum-bakery.example");
    await page.waitForURL(`${dev.url}/customer`);
    for (const p of ["/customer", "/customer/partners", "/customer/subscriptions", "/customer/requests", "/customer/users", "/customer/activity", "/customer/agreement"]) {
      await visit(page, `${dev.url}${p}`, problems);
    }
    await context.close();
  });
});
