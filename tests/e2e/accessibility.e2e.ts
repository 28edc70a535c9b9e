/**
 * The automatic accessibility check itself (tests/e2e/a11y.ts, wired in support.ts): axe runs
 * after every navigation of every page the browser tests open, a full load and a client-side
 * URL change, and a serious or critical violation fails the test that showed it.
 */
import { describe, expect, it } from "vitest";
import { automaticallyCheckedPages, setUpApp, takeAccessibilityFindings } from "./support";

const app = await setUpApp();

const PAGE = (body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Probe</title></head><body><main>${body}</main></body></html>`;

describe("the automatic accessibility check", () => {
  it("finds a serious violation after a full load and after a client-side URL change, and nothing on a clean page", async () => {
    const page = await (await app.browser.newContext()).newPage();
    await page.route(`${app.url}/axe-probe/**`, (route) => {
      const broken = route.request().url().endsWith("/broken");
      // A form field without any label (axe: label, critical); the clean page labels it.
      const body = broken
        ? `<h1>Broken</h1><input type="text">`
        : `<h1>Clean</h1><label for="q">Search</label><input id="q" type="text"><a id="next" href="#">Next</a>`;
      return route.fulfill({ contentType: "text/html", body: PAGE(body) });
    });

    await page.goto(`${app.url}/axe-probe/clean`);
    expect(await takeAccessibilityFindings()).toEqual([]);

    await page.goto(`${app.url}/axe-probe/broken`);
    const afterLoad = await takeAccessibilityFindings();
    expect(afterLoad.map((f) => [f.url, f.id])).toEqual([[`${app.url}/axe-probe/broken`, "label"]]);

    // A client-side change of the URL (as Remix's router makes) with a DOM that breaks the rule.
    await page.goto(`${app.url}/axe-probe/clean`);
    await page.evaluate(() => {
      document.querySelector("label")!.remove();
      history.pushState(null, "", "/axe-probe/clean-moved-on");
    });
    const afterPush = await takeAccessibilityFindings();
    expect(afterPush.map((f) => [f.url, f.id])).toEqual([[`${app.url}/axe-probe/clean-moved-on`, "label"]]);
  });

  it("checks the application's pages, loaded and reached through the side navigation", async () => {
    const page = await (await app.browser.newContext()).newPage();
    await app.signIn(page, "admin@northwind.example");
    const before = automaticallyCheckedPages();
    await page.goto(`${app.url}/partner/customers`);
    expect(automaticallyCheckedPages()).toBe(before + 1);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Invitations and offers" }).click();
    await page.waitForURL(/\/partner\/links/);
    await takeAccessibilityFindings().then((found) => expect(found).toEqual([]));
    expect(automaticallyCheckedPages()).toBe(before + 2);
  });
});
