/**
 * An accessibility check for browser tests: axe-core's WCAG 2.x A/AA rules on the current page.
 * axe runs through the DevTools protocol (page.evaluate), so the page's Content-Security-Policy
 * stays as strict as in production.
 *
 * The automatic check: every page of a watched browser (launchChromium in support.ts watches
 * every context it makes) is checked after each navigation of its main frame, a full load or a
 * client-side URL change (Remix's history push/replace, which also follows a form submission
 * answered with errors), once the page has settled (loaded, Remix's router idle, transitions
 * over). Serious and critical violations are collected by URL; support.ts fails the test that
 * visited the page (afterEach). Dialogs and other states without a URL change need an explicit
 * expectAccessible.
 */
import fs from "node:fs";
import { createRequire } from "node:module";
import type { Page } from "playwright-core";

const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/** One serious or critical violation the automatic check found, with where. */
export interface AxeFinding extends AxeViolation {
  url: string;
}

/** axe runs one at a time per page (two runs at once make axe throw "Axe is already running"). */
const queues = new WeakMap<Page, Promise<unknown>>();

function onePerPage<T>(page: Page, run: () => Promise<T>): Promise<T> {
  const next = (queues.get(page) ?? Promise.resolve()).then(run, run);
  queues.set(
    page,
    next.catch(() => undefined),
  );
  return next;
}

/** The page's WCAG A/AA violations (empty when it passes). */
export function accessibilityViolations(page: Page): Promise<AxeViolation[]> {
  return onePerPage(page, async () => {
    if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(axeSource);
    return page.evaluate(async () => {
      const axe = (window as unknown as { axe: { run: (ctx: Document, opts: unknown) => Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[] }> } }).axe;
      // Only violations are read: axe then skips collecting the passing and inapplicable nodes.
      const result = await axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] }, resultTypes: ["violations"] });
      return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(" ")) }));
    });
  });
}

/** Impacts that fail a test through the automatic check. */
export const FAILING_IMPACTS = new Set(["serious", "critical"]);

/** Pages the automatic check leaves alone: the development outbox (not part of the product). */
const SKIPPED_PATHS = [/^\/dev\//];

function skipped(url: string) {
  const { protocol, pathname } = new URL(url);
  return !protocol.startsWith("http") || SKIPPED_PATHS.some((p) => p.test(pathname));
}

interface Watch {
  generation: number;
  current?: Promise<void>;
  skip: boolean;
}

const watches = new WeakMap<Page, Watch>();
/** The states already checked in this file, by URL and a hash of the markup: the same page twice is checked once. */
const checkedStates = new Set<string>();
const pending = new Set<Promise<void>>();
let findings: AxeFinding[] = [];
let checkedPages = 0;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until the page has loaded, Remix (if the page runs it) is hydrated and idle, and CSS transitions are over. */
async function settle(page: Page) {
  await page.waitForLoadState("load", { timeout: 15_000 });
  await page.waitForFunction(
    () => {
      const router = (window as unknown as { __remixRouter?: { state: { initialized: boolean; navigation: { state: string } } } }).__remixRouter;
      if (!router) return !document.querySelector("script[type=module]") || document.readyState === "complete";
      return router.state.initialized && router.state.navigation.state === "idle";
    },
    undefined,
    { timeout: 10_000, polling: 50 },
  );
  // CSS transitions over (the busy table's fade); endless ones (spinners) do not count.
  await page
    .waitForFunction(() => document.getAnimations().every((a) => a.playState !== "running" || a.effect?.getTiming().iterations === Infinity), undefined, { timeout: 2_000, polling: 50 })
    .catch(() => undefined);
}

async function checkAfterNavigation(page: Page, watch: Watch, generation: number) {
  const started = Date.now();
  if (process.env.AXE_DEBUG) void page.waitForTimeout(0).then(() => console.warn(`axe check after navigation to ${page.url()}`), () => undefined);
  try {
    if (skipped(page.url())) return;
    await settle(page);
    if (watch.skip || generation !== watch.generation || page.isClosed()) return;
    const url = page.url();
    if (skipped(url)) return;
    const state = await page.evaluate(() => {
      if (document.contentType !== "text/html") return null;
      // FNV-1a over the markup: cheap next to an axe run.
      const html = document.documentElement.outerHTML;
      let h = 0x811c9dc5;
      for (let i = 0; i < html.length; i++) h = Math.imul(h ^ html.charCodeAt(i), 0x01000193);
      return `${html.length}:${(h >>> 0).toString(16)}`;
    });
    if (state === null) return;
    const key = `${url} ${state}`;
    if (checkedStates.has(key)) return;
    const violations = await accessibilityViolations(page);
    // A page that moved on while axe ran is checked again by its own navigation.
    if (generation !== watch.generation || page.url() !== url) return;
    checkedPages++;
    checkedStates.add(key);
    if (process.env.AXE_DEBUG) console.warn(`axe checked ${url} in ${Date.now() - started} ms`);
    for (const v of violations) if (v.impact && FAILING_IMPACTS.has(v.impact)) findings.push({ ...v, url });
  } catch (error) {
    // The page closed or navigated away while settling or being checked: nothing to report for it.
    if (process.env.AXE_DEBUG) console.warn(`axe check skipped: ${String(error).split("\n")[0]}`);
  }
}

/**
 * Checks the page after every navigation of its main frame (see the file's comment); page.goto
 * returns only once the page it went to has been checked, so no page a test goes to is missed.
 */
export function watchAccessibility(page: Page) {
  if (watches.has(page)) return;
  const watch: Watch = { generation: 0, skip: false };
  watches.set(page, watch);
  page.on("framenavigated", (frame) => {
    if (process.env.AXE_DEBUG) console.warn(`framenavigated ${frame === page.mainFrame() ? "main" : "sub"} ${frame.url()}`);
    if (frame !== page.mainFrame()) return;
    // A check that hangs (a page that stopped answering) is given up after 40 s.
    const check = Promise.race([checkAfterNavigation(page, watch, ++watch.generation), sleep(40_000).then(() => undefined)]);
    watch.current = check;
    pending.add(check);
    void check.finally(() => pending.delete(check));
  });
  const goto = page.goto.bind(page);
  page.goto = async (...args: Parameters<Page["goto"]>) => {
    const response = await goto(...args);
    // The page may change its URL again as it starts (Remix's history state): wait for the last check.
    for (let seen: Promise<void> | undefined; seen !== watch.current; ) {
      seen = watch.current;
      await seen;
      await sleep(50);
    }
    return response;
  };
}

/** Leaves this page out of the automatic check (a test that shows a deliberately broken page). */
export function skipAutomaticAccessibility(page: Page) {
  const watch = watches.get(page);
  if (watch) watch.skip = true;
}

/** Waits for the checks under way (at most `timeoutMs`), then hands over and forgets what they found. */
export async function takeAccessibilityFindings(timeoutMs = 30_000): Promise<AxeFinding[]> {
  // A navigation that has just happened may reach the listener a moment after the test saw it.
  const deadline = Date.now() + timeoutMs;
  await sleep(100);
  while (pending.size && Date.now() < deadline) {
    await Promise.race([Promise.all([...pending]), sleep(deadline - Date.now())]);
    await sleep(100);
  }
  const taken = findings;
  findings = [];
  return taken;
}

/** How many pages the automatic check has run axe on in this file. */
export const automaticallyCheckedPages = () => checkedPages;

/** The findings as a message: each URL, then each rule with its impact, what it asks for and the elements. */
export function describeFindings(found: AxeFinding[]): string {
  const byUrl = new Map<string, AxeFinding[]>();
  for (const f of found) byUrl.set(f.url, [...(byUrl.get(f.url) ?? []), f]);
  const lines = [`Serious or critical accessibility violations (axe-core, WCAG 2.1 A/AA) on ${byUrl.size} page(s) this test visited:`];
  for (const [url, list] of byUrl) {
    lines.push(`  ${url}`);
    const seen = new Set<string>();
    for (const f of list) {
      const key = `${f.id}|${f.nodes.join(",")}`;
      if (seen.has(key)) continue;
      seen.add(key);
      lines.push(`    ${f.id} (${f.impact}): ${f.help}`);
      for (const node of f.nodes.slice(0, 8)) lines.push(`      ${node}`);
      if (f.nodes.length > 8) lines.push(`      … and ${f.nodes.length - 8} more`);
    }
  }
  return lines.join("\n");
}
