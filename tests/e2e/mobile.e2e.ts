/**
 * Issue 30, "Everywhere": at 390 px wide no page scrolls sideways, the side navigation collapses
 * behind a Menu button (keyboard usable, Escape closes it; without JavaScript the Menu link shows
 * it), and the header keeps the account menu and Sign out. Each page is photographed at 390 px
 * (test-results/mobile-*.png); the automatic accessibility check (support.ts) runs on each.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { hydrated, setUpApp, shotPath } from "./support";

const app = await setUpApp();
const { url: APP, signIn } = app;
const PHONE = { width: 390, height: 844 };

async function phone(options: { javaScriptEnabled?: boolean } = {}): Promise<Page> {
  return (await app.browser.newContext({ viewport: PHONE, ...options })).newPage();
}

/** What reaches past the screen's right edge (outside regions that scroll on their own), to say what overflows. */
function widest(page: Page) {
  return page.evaluate(() =>
    [...document.querySelectorAll("body *")]
      .filter((el) => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1 && !el.closest(".table-scroll") && el.getClientRects().length)
      .map((el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ""}.${String(el.className).replace(/\s+/g, ".")} → ${Math.round(el.getBoundingClientRect().right)}`)
      .slice(0, 10),
  );
}

/** Opens each page at 390 px, photographs it, and expects none to scroll sideways (naming what reaches past the edge). */
async function expectNoSidewaysScroll(page: Page, pages: [path: string, name: string][]) {
  const overflowing: { path: string; scrollWidth: number; clientWidth: number; elements: string[] }[] = [];
  for (const [path, name] of pages) {
    const response = await page.goto(`${APP}${path}`);
    expect(response?.status(), path).toBeLessThan(400);
    await hydrated(page);
    const { scrollWidth, clientWidth } = await page.evaluate(() => ({ scrollWidth: document.scrollingElement!.scrollWidth, clientWidth: document.scrollingElement!.clientWidth }));
    await page.screenshot({ path: shotPath(`mobile-${name}.png`), fullPage: true });
    if (scrollWidth > clientWidth) overflowing.push({ path, scrollWidth, clientWidth, elements: await widest(page) });
  }
  expect(overflowing).toEqual([]);
}

/** The first link in the page's main content whose address matches, as a path. */
async function firstHref(page: Page, listPath: string, pattern: RegExp): Promise<string> {
  await page.goto(`${APP}${listPath}`);
  const hrefs = await page.locator("main a[href]").evaluateAll((as) => as.map((a) => a.getAttribute("href")!));
  const href = hrefs.find((h) => pattern.test(h));
  if (!href) throw new Error(`no link matching ${pattern} on ${listPath}`);
  return href;
}

describe("at 390 px no page scrolls sideways", () => {
  it("the partner's pages", async () => {
    const page = await phone();
    await signIn(page, "admin@northwind.example");
    const customer = await firstHref(page, "/partner/customers", /^\/partner\/customers\/[0-9a-f-]{36}$/);
    const link = await firstHref(page, "/partner/links", /^\/partner\/links\/[0-9a-f-]{36}$/);
    const pages: [string, string][] = [
      ["/partner", "partner-overview"],
      ["/partner/customers", "customers"],
      [customer, "customer"],
      ["/partner/customers/new", "customer-new"],
      ["/partner/links", "links"],
      [link, "link"],
      ["/partner/links/new", "link-new"],
      ["/partner/leads", "leads"],
      ["/partner/product-keys", "product-keys"],
      ["/partner/product-keys/register", "product-keys-register"],
      ["/partner/staff", "staff"],
      ["/partner/staff/groups", "staff-groups"],
      ["/partner/relationships", "relationships"],
      ["/partner/relationships/new", "relationship-new"],
      ["/partner/audit", "audit"],
      ["/partner/subscriptions", "partner-subscriptions"],
      ["/partner/profile", "profile"],
      ["/partner/listing", "listing"],
      ["/notifications", "notifications"],
      ["/account", "account"],
    ];
    await expectNoSidewaysScroll(page, pages);
  });

  it("the customer's pages", async () => {
    const page = await phone();
    await signIn(page, "admin@adatum-bakery.example");
    const partner = await firstHref(page, "/customer/partners", /^\/customer\/partners\/[0-9a-f-]{36}$/).catch(() => null);
    const pages: [string, string][] = [
      ["/customer", "customer-overview"],
      ["/customer/partners", "customer-partners"],
      ...(partner ? [[partner, "customer-partner"] as [string, string]] : []),
      ["/customer/requests", "customer-requests"],
      ["/customer/subscriptions", "customer-subscriptions"],
      ["/customer/users", "customer-users"],
      ["/customer/activity", "customer-activity"],
      ["/customer/agreement", "customer-agreement"],
      ["/notifications", "customer-notifications"],
      ["/account", "customer-account"],
    ];
    await expectNoSidewaysScroll(page, pages);
  });

  it("the public pages: the directory, a partner's listing, sign-in, forgot password and a link's landing page", async () => {
    const page = await phone();
    const trial = app.server.stdout().match(/trial invitation: (\S+)/)?.[1];
    const offer = app.server.stdout().match(/purchase offer: (\S+)/)?.[1];
    expect(trial && offer).toBeTruthy();
    const listing = await firstHref(page, "/partners", /^\/partners\/\d+/);
    const pages: [string, string][] = [
      ["/partners", "directory"],
      [listing, "directory-partner"],
      ["/signin", "signin"],
      ["/forgot-password", "forgot-password"],
      [new URL(trial!).pathname, "link-trial"],
      [new URL(offer!).pathname, "link-offer"],
    ];
    await expectNoSidewaysScroll(page, pages);
  });
});

describe("at 390 px the side navigation is behind Menu and the header keeps the account", () => {
  it("the navigation's links are hidden until Menu is pressed, then reached by keyboard; Escape closes it; a link closes it", async () => {
    const page = await phone();
    await signIn(page, "admin@northwind.example");
    await hydrated(page);
    const nav = page.getByRole("navigation", { name: "Main" });
    const menu = page.getByRole("button", { name: "Menu" });
    expect(await menu.getAttribute("aria-expanded")).toBe("false");
    expect(await menu.getAttribute("aria-controls")).toBe(await page.locator("nav.sidenav").getAttribute("id"));
    expect(await page.locator("nav.sidenav a").first().isVisible()).toBe(false);
    await expect(nav.count()).resolves.toBe(0);

    await menu.focus();
    await page.keyboard.press("Enter");
    expect(await menu.getAttribute("aria-expanded")).toBe("true");
    await nav.getByRole("link", { name: "Overview" }).waitFor();
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Overview");
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Customers");
    await page.screenshot({ path: shotPath("mobile-menu-open.png") });

    await page.keyboard.press("Escape");
    expect(await menu.getAttribute("aria-expanded")).toBe("false");
    expect(await page.locator("nav.sidenav a").first().isVisible()).toBe(false);
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Menu");

    // Space opens it too; a link goes to its page and the menu closes, focus on the page's content.
    await page.keyboard.press("Space");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    await page.waitForURL(`${APP}/partner/customers`);
    await page.getByRole("heading", { name: "Customers", level: 1 }).waitFor();
    expect(await menu.getAttribute("aria-expanded")).toBe("false");
    expect(await page.locator("nav.sidenav a").first().isVisible()).toBe(false);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("main");
  });

  it("without JavaScript the Menu link shows the navigation", async () => {
    const page = await phone({ javaScriptEnabled: false });
    await signIn(page, "admin@northwind.example");
    expect(await page.locator("nav.sidenav a").first().isVisible()).toBe(false);
    await page.getByRole("link", { name: "Menu" }).click();
    const nav = page.getByRole("navigation", { name: "Main" });
    await nav.getByRole("link", { name: "Customers" }).click();
    await page.waitForURL(`${APP}/partner/customers`);
    await page.getByRole("heading", { name: "Customers", level: 1 }).waitFor();
  });

  it("the header keeps the organisation, notifications, the account and Sign out on screen, and Sign out works", async () => {
    const page = await phone();
    await signIn(page, "admin@adatum-bakery.example");
    await hydrated(page);
    const account = page.getByRole("navigation", { name: "Account" });
    const onScreen = async (name: string, locator: ReturnType<Page["locator"]>) => {
      const box = await locator.boundingBox();
      expect(box && box.x >= 0 && box.x + box.width <= PHONE.width && box.y + box.height <= PHONE.height, name).toBe(true);
    };
    await onScreen("organisation", page.locator(".topbar-org"));
    await onScreen("notifications", account.getByRole("link", { name: /^Notifications/ }));
    await onScreen("account", account.getByRole("link", { name: /Adatum Bakery|Admin/ }));
    await onScreen("sign out", account.getByRole("button", { name: "Sign out" }));
    await page.screenshot({ path: shotPath("mobile-header.png") });
    await account.getByRole("link", { name: /^Notifications/ }).click();
    await page.waitForURL(`${APP}/notifications`);
    await account.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL((u) => u.pathname === "/signin");
    await page.goto(`${APP}/customer`);
    expect(new URL(page.url()).pathname).toBe("/signin");
  });
});
