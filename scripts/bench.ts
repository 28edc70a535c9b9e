// npm run bench — the customer list at scale, over HTTP, against the production build.
//
// For each database (PostgreSQL when reachable, and PGlite): seed 100,000 customers for one
// partner among 1,000,000 (kept between runs: partnerdesk_bench / data/bench-pglite), start
// `node server.js`, sign in, and drive it with autocannon (8 connections, 5 s warm-up, 30 s
// measured) for: a trivial page behind the same layout and session check (the baseline), the
// first page, a page 1,000 pages deep reached by cursor, a 4-character search, each sort (as
// documents, and some as the client navigations the app makes when paging, compared with the
// trivial page's navigation), the partner's subscriptions page (totals over all of them) and three
// public directory searches; then the CSV export of all the partner's customers (time, size, the
// server's memory while it streams).
// Then link redemption: the public page of a trial invitation, an existing customer's global admin
// accepting it (each request a different customer, signed in), and a new customer signing up from
// it (argon2id at the configured cost included).
// Prints p50/p95/p99 latency, requests per second and throughput relative to the baseline. Each
// compared case is measured interleaved with the trivial page: after its warm-up, its 30 s run as
// BENCH_SLICES slices (10 of 3 s), each slice between two slices of the trivial page (2 s), and its
// ratio is its pooled throughput over that of the trivial slices around it. On a shared machine
// the speed drifts within seconds (a neighbour on the other hyperthread), and a baseline measured
// once, or even right before and after 30 s, carries that drift into the ratio; interleaved, both
// sides see the same machine. The baseline's row pools all of its slices.
//
// Environment: BENCH_DB=postgres|pglite|both (default both), BENCH_SECONDS (30), BENCH_WARMUP (5),
// BENCH_SLICES (10), BENCH_BASELINE_SECONDS (2, each trivial slice),
// BENCH_CONNECTIONS (8), BENCH_CUSTOMERS (100000), BENCH_TOTAL (1000000), TEST_DATABASE_URL.
import { createHash, randomBytes } from "node:crypto";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import os from "node:os";
import { readFileSync } from "node:fs";
import path from "node:path";
import autocannon from "autocannon";
import { createCookie } from "@remix-run/node";
import postgres from "postgres";
import { sql } from "drizzle-orm";
import { openDatabase, rowsOf, type DatabaseOptions } from "../db/client";
import { encodeCursor } from "../app/utils/list";
import { createLinkCode, parseSigningKeys } from "../app/modules/links/link-code.server";
import { DEMO_PARTNERS, DEMO_PASSWORD } from "../db/seed/demo";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
/** A compared case's seconds are measured in this many slices, interleaved with the trivial page. */
const SLICES = Math.max(1, Number(process.env.BENCH_SLICES ?? 10));
/** Each slice of the trivial page between two slices of a case. */
const BASELINE_SECONDS = Number(process.env.BENCH_BASELINE_SECONDS ?? 2);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 8);
const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 100_000);
const TOTAL = Number(process.env.BENCH_TOTAL ?? 1_000_000);
const PAGE = 50;
const DEEP_ROW = 1000 * PAGE; // the first row of page 1,001
const SECRET = "bench-session-secret-0123456789-abcdefghij";
const ADMIN_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

interface Result {
  name: string;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
  requests: number;
  /** The trivial page's req/s this case is compared with (its slices interleaved with this case's). */
  baselineRps?: number;
}

/** One stretch of measuring: its latencies, requests, errors and length. */
interface Slice {
  latencies: number[];
  requests: number;
  errors: number;
  seconds: number;
}

const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN);

function run(cmd: string, args: string[], env: Record<string, string>) {
  const r = spawnSync(cmd, args, { stdio: "inherit", env: { ...process.env, ...env } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed`);
}

async function startServer(env: Record<string, string>, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["server.js"], {
    // NODE_OPTIONS as `npm start` sets it (package.json; ADR 0014, addendum: the young generation).
    env: { ...process.env, ...env, NODE_OPTIONS: `--max-semi-space-size=32 ${process.env.NODE_OPTIONS ?? ""}`, NODE_ENV: "production", PORT: String(port), APP_URL: `http://127.0.0.1:${port}`, SESSION_SECRET: SECRET, LINK_SIGNING_KEYS: `bench:${SECRET}`, PRODUCT_KEY_PEPPER: SECRET, SEED_DEMO: "never", LOG_LEVEL: "warn", LOGIN_MAX_FAILURES_PER_IP: "1000" },
    stdio: ["ignore", "inherit", "inherit"],
  });
  for (let i = 0; i < 600; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) return child;
    } catch {
      /* starting */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  child.kill();
  throw new Error("server did not start");
}

/** The server's resident memory now, in MiB (Linux /proc). */
function rssMiB(pid: number) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/**
 * The CSV export of every customer of the partner, as one download: its time, size, lines, and the
 * server's resident memory before and at its highest while streaming (sampled every 20 ms).
 */
async function measureExport(url: string, cookie: string, pid: number) {
  const before = rssMiB(pid);
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(pid))), 20);
  const started = performance.now();
  let bytes = 0;
  let lines = 0;
  try {
    const res = await fetch(url, { headers: { cookie } });
    if (!res.ok || !res.body) throw new Error(`CSV export answered ${res.status}`);
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      bytes += chunk.length;
      for (let i = 0; i < chunk.length; i++) if (chunk[i] === 10) lines++;
    }
  } finally {
    clearInterval(sampler);
  }
  const seconds = (performance.now() - started) / 1000;
  peak = Math.max(peak, rssMiB(pid));
  return { seconds, bytes, lines, before, peak };
}

async function signIn(port: number) {
  const res = await fetch(`http://127.0.0.1:${port}/signin`, {
    method: "POST",
    redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: `http://127.0.0.1:${port}` },
    body: new URLSearchParams({ email: `admin@${DEMO_PARTNERS[0].domain}`, password: DEMO_PASSWORD }),
  });
  const cookie = res.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  if (res.status !== 302 || !cookie) throw new Error(`sign-in failed: ${res.status}`);
  return cookie;
}

interface MeasureOptions {
  /** Builds each request (e.g. a different customer or form per request); GET with the cookie otherwise. */
  setupRequest?: (req: Record<string, unknown>) => Record<string, unknown>;
  method?: "GET" | "POST";
  /** Statuses that count as success (default 2xx). */
  ok?: number[];
}

async function measureSlice(url: string, cookie: string, o: MeasureOptions & { seconds: number; warmup: number }): Promise<Slice> {
  const opts = {
    url,
    connections: CONNECTIONS,
    headers: cookie ? { cookie } : {},
    pipelining: 1,
    ...(o.setupRequest ? { requests: [{ method: o.method ?? "POST", setupRequest: o.setupRequest }] } : {}),
  } as autocannon.Options;
  if (o.warmup > 0) await autocannon({ ...opts, duration: o.warmup });
  const latencies: number[] = [];
  let bad = 0;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({ ...opts, duration: o.seconds }, (err, res) => (err ? reject(err) : resolve(res)));
    // autocannon reports p97.5 but not p95; keep every latency and read the percentiles exactly.
    instance.on("response", (_client, status, _bytes, responseTime) => {
      latencies.push(responseTime);
      if (o.ok ? !o.ok.includes(status) : status >= 300) bad++;
    });
  });
  return { latencies, requests: result.requests.total, errors: bad + result.errors + result.timeouts, seconds: o.seconds };
}

/** Pooled throughput of slices: all their requests over all their seconds. */
const rate = (slices: Slice[]) => slices.reduce((n, x) => n + x.requests, 0) / slices.reduce((n, x) => n + x.seconds, 0);

/** A result from one or more slices of the same case (pooled). */
function resultOf(name: string, slices: Slice[]): Result {
  const latencies = slices.flatMap((x) => x.latencies).sort((a, b) => a - b);
  return {
    name,
    rps: rate(slices),
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    errors: slices.reduce((n, x) => n + x.errors, 0),
    requests: slices.reduce((n, x) => n + x.requests, 0),
  };
}

async function measure(name: string, url: string, cookie: string, o: MeasureOptions = {}): Promise<Result> {
  return resultOf(name, [await measureSlice(url, cookie, { ...o, seconds: SECONDS, warmup: WARMUP })]);
}

const FORM = { "Content-Type": "application/x-www-form-urlencoded" };

/**
 * For the redemption cases: a trial invitation of the first demo partner (with delegated
 * administration) and `count` customers, each with a global admin already signed in (a session
 * row and its signed cookie), so every accept request is a different customer's first.
 */
async function prepareRedemption(options: DatabaseOptions, count: number) {
  const database = await openDatabase(options);
  const tag = randomBytes(4).toString("hex");
  const ids = Array.from({ length: count }, () => randomBytes(32).toString("base64url"));
  const cookieOf = createCookie("__pd_session", { secrets: [SECRET], path: "/", sameSite: "lax", httpOnly: true });
  try {
    // The code is signed by the app's own function with the key the bench server uses.
    const made = createLinkCode(parseSigningKeys(`bench:${SECRET}`), { partnerNumber: DEMO_PARTNERS[0].number });
    await database.db.execute(sql`
      with l as (insert into links (partner_org_id, kind, link_id, code, offer_dap)
                 select id, 'trial', ${made.linkId}, ${made.code}, true from organisations where partner_number = ${DEMO_PARTNERS[0].number}
                 returning id, partner_org_id)
      insert into link_items (link_id, partner_org_id, product_id, licences) select id, partner_org_id, 'business-premium', 25 from l`);
    const hashes = ids.map((id) => createHash("sha256").update(id).digest("base64url"));
    await database.db.execute(sql`
      with n as (select i, (string_to_array(${hashes.join(",")}, ','))[i] as h from generate_series(1, ${count}) i),
      o as (insert into organisations (kind, name, primary_domain, country)
            select 'customer', 'Bench Accept ' || ${tag} || ' ' || i, 'accept-' || ${tag} || '-' || i || '.bench.example', 'DK' from n returning id, primary_domain),
      u as (insert into users (email, display_name, password_hash)
            select 'admin@' || primary_domain, 'Bench admin', 'no-password' from o returning id, email),
      m as (insert into memberships (org_id, user_id, roles, status, activated_at)
            select o.id, u.id, '{global_admin}', 'active', now() from o join u on u.email = 'admin@' || o.primary_domain returning org_id, user_id)
      insert into sessions (id_hash, user_id, org_id, expires_at)
      select n.h, m.user_id, m.org_id, now() + interval '1 day'
      from m join o on o.id = m.org_id join n on o.primary_domain = 'accept-' || ${tag} || '-' || n.i || '.bench.example'`);
    const cookies = await Promise.all(ids.map(async (id) => (await cookieOf.serialize(id)).split(";")[0]!));
    return { code: made.code, cookies, tag };
  } finally {
    await database.close();
  }
}

/**
 * The redemption cases of earlier runs left the first partner's admin, whom the list cases sign in
 * as, thousands of unread notifications: marked read, so every run's pages read the same bell.
 * (They also left their customers, about 14,000 per run, with the first partner: removing them
 * cascades through every table that references an organisation and took 8 minutes, so they stay;
 * drop the bench database for a run from the seeded state.)
 */
async function settleEarlierRuns(options: DatabaseOptions) {
  const database = await openDatabase(options);
  try {
    await database.db.execute(sql`
      update notifications set read_at = now()
      where read_at is null and user_id = (select id from users where email = ${`admin@${DEMO_PARTNERS[0].domain}`})`);
    const [left] = rowsOf<{ n: number }>(
      await database.db.execute(sql`select count(*)::int as n from organisations where kind = 'customer' and primary_domain like '%.bench.example'`),
    );
    if (left!.n > 0) console.log(`  (${left!.n.toLocaleString("en")} customers left by earlier runs' redemption cases)`);
  } finally {
    await database.close();
  }
}

/** The cursor of the row that starts page 1,001 (computed once, before the server starts). */
async function deepCursor(options: DatabaseOptions) {
  const database = await openDatabase(options);
  try {
    const [row] = rowsOf<{ v: string; id: string }>(
      await database.db.execute(sql`
        select pc.sort_name as v, pc.customer_org_id as id from partner_customers pc
        join organisations o on o.id = pc.partner_org_id and o.partner_number = ${DEMO_PARTNERS[0].number}
        order by pc.sort_name, pc.customer_org_id offset ${DEEP_ROW - 1} limit 1`),
    );
    if (!row) throw new Error("not enough customers for the deep page");
    return encodeCursor([row.v, row.id]);
  } finally {
    await database.close();
  }
}

/** One database's run: its cases' results, and lines of figures that are not a case (the CSV export). */
async function benchOne(kind: "postgres" | "pglite", port: number): Promise<{ results: Result[]; notes: string[] }> {
  let env: Record<string, string>;
  let options: DatabaseOptions;
  if (kind === "postgres") {
    const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
    const exists = await admin`select 1 from pg_database where datname = 'partnerdesk_bench'`;
    if (exists.length === 0) await admin.unsafe("create database partnerdesk_bench");
    await admin.end();
    const u = new URL(ADMIN_URL);
    u.pathname = "/partnerdesk_bench";
    env = { DATABASE_URL: u.toString() };
    options = { kind: "postgres", url: u.toString() };
  } else {
    const dir = path.resolve("data/bench-pglite");
    env = { DATA_DIR: dir };
    options = { kind: "pglite", dataDir: path.join(dir, "pglite") };
  }
  console.log(`\n## ${kind}: seeding ${CUSTOMERS.toLocaleString("en")} customers for one partner among ${TOTAL.toLocaleString("en")} (kept between runs)`);
  run("npx", ["tsx", "scripts/db.ts", "seed", "--customers", String(CUSTOMERS), "--total", String(TOTAL)], env);
  await settleEarlierRuns(options);
  const cursor = await deepCursor(options);
  const redemption = process.env.BENCH_ONLY ? { code: "", cookies: [] as string[] } : await prepareRedemption(options, kind === "postgres" ? 12_000 : 6_000);
  const server = await startServer(env, port);
  try {
    const cookie = await signIn(port);
    const base = `http://127.0.0.1:${port}`;
    const list = (q: string) => `${base}/partner/customers?size=${PAGE}${q}`;
    const nav = (q: string) => `${base}/partner/customers.data?size=${PAGE}${q}`;
    // Every case is compared with the trivial page interleaved with it (documents with the trivial
    // document, client navigations with the trivial navigation): see the top of this file.
    const baselines = {
      document: { name: "trivial page (baseline)", url: `${base}/ping`, slices: [] as Slice[] },
      navigation: { name: "trivial page, navigation (baseline)", url: `${base}/ping.data`, slices: [] as Slice[] },
    };
    const cases: [string, string][] = [
      ["first page", list("")],
      ["page 1,001 by cursor", list(`&after=${cursor}`)],
      ["search 'bake'", list("&q=bake")],
      ["sort name desc", list("&sort=name&dir=desc")],
      ["sort domain", list("&sort=domain")],
      ["sort country", list("&sort=country")],
      ["sort relationships", list("&sort=types")],
      ["sort agreement", list("&sort=agreement")],
      ["sort created desc", list("&sort=created&dir=desc")],
      // The partner's subscriptions (read model, totals over all of them).
      ["partner subscriptions", `${base}/partner/subscriptions`],
      // The public partner directory (10,000 listed partners; anonymous).
      ["directory: 'security'", `${base}/partners?q=security`],
      ["directory: text+country+size", `${base}/partners?q=security&country=DK&size=50-249`],
      ["directory: country+language", `${base}/partners?country=DE&language=de`],
      // Inside the app, paging, sorting and searching are client navigations: the browser fetches
      // the route data only (single fetch, `.data`), every loader of the page included.
      ["first page, navigation", nav("")],
      ["page 1,001, navigation", nav(`&after=${cursor}`)],
      ["search 'bake', navigation", nav("&q=bake")],
      ["sort name desc, navigation", nav("&sort=name&dir=desc")],
      ["sort created desc, navigation", nav("&sort=created&dir=desc")],
    ];
    const results: Result[] = [];
    const notes: string[] = [];
    const print = (r: Result) =>
      console.log(`  ${r.name.padEnd(30)} ${r.rps.toFixed(0).padStart(6)} req/s  p50 ${r.p50.toFixed(1)} ms  p95 ${r.p95.toFixed(1)} ms  p99 ${r.p99.toFixed(1)} ms${r.errors ? `  (${r.errors} errors)` : ""}`);
    const report = (r: Result) => {
      results.push(r);
      print(r);
    };
    const baselineSlice = async (kind: keyof typeof baselines) => {
      const b = baselines[kind];
      const slice = await measureSlice(b.url, cookie, { seconds: BASELINE_SECONDS, warmup: b.slices.length === 0 ? WARMUP : 0 });
      b.slices.push(slice);
      return slice;
    };
    // BENCH_ONLY=<regex> measures only the matching cases (and the baseline), without redemption.
    const only = process.env.BENCH_ONLY ? new RegExp(process.env.BENCH_ONLY, "i") : null;
    const chosen = cases.filter(([name]) => !only || only.test(name));
    const kindOf = (name: string): keyof typeof baselines => (name.includes("navigation") ? "navigation" : "document");
    const measured: { result: Result; kind: keyof typeof baselines }[] = [];
    let last: { kind: keyof typeof baselines; slice: Slice } | null = null;
    for (const [name, url] of chosen) {
      const kind = kindOf(name);
      const caseCookie = url.includes("/partners?") ? "" : cookie;
      // The trivial slice after the previous case of this kind is the first one around this case.
      const around: Slice[] = [last?.kind === kind ? last.slice : await baselineSlice(kind)];
      const slices: Slice[] = [];
      for (let i = 0; i < SLICES; i++) {
        slices.push(await measureSlice(url, caseCookie, { seconds: SECONDS / SLICES, warmup: i === 0 ? WARMUP : 0 }));
        around.push(await baselineSlice(kind));
      }
      const result = resultOf(name, slices);
      print(result);
      result.baselineRps = rate(around);
      const rates = around.map((x) => x.requests / x.seconds);
      console.log(
        `    ${name}: ${(result.rps / result.baselineRps).toFixed(2)} of the trivial page interleaved with it (${around.length} slices of ${BASELINE_SECONDS} s: ${result.baselineRps.toFixed(0)} req/s, ${Math.min(...rates).toFixed(0)}–${Math.max(...rates).toFixed(0)})`,
      );
      measured.push({ result, kind });
      last = { kind, slice: around.at(-1)! };
    }
    for (const kind of ["document", "navigation"] as const) {
      const b = baselines[kind];
      if (b.slices.length === 0) continue;
      const pooled = resultOf(b.name, b.slices);
      results.push(pooled);
      console.log(`  ${b.name}: ${pooled.rps.toFixed(0)} req/s over ${b.slices.length} slices`);
      results.push(...measured.filter((m) => m.kind === kind).map((m) => m.result));
    }
    if (!only || only.test("csv export")) {
      // The whole list as CSV (streamed in keyset batches): twice, the first one warming up.
      await measureExport(`${base}/partner/customers/export.csv`, cookie, server.pid!);
      const e = await measureExport(`${base}/partner/customers/export.csv`, cookie, server.pid!);
      const line = `CSV export, all customers: ${e.seconds.toFixed(2)} s, ${(e.bytes / 1e6).toFixed(1)} MB, ${e.lines.toLocaleString("en")} lines; server memory ${e.before.toFixed(0)} MiB before, ${e.peak.toFixed(0)} MiB at most while streaming`;
      console.log(`  ${line}`);
      notes.push(line);
    }
    if (only) return { results, notes };

    // Redemption.
    const linkUrl = `${base}/l/${redemption.code}`;
    report(await measure("link page (anonymous)", linkUrl, ""));
    let next = 0;
    const accept = await measure("accept (existing customer)", linkUrl, "", {
      ok: [302],
      setupRequest: (req) => {
        const c = redemption.cookies[next++];
        if (!c) throw new Error("the bench ran out of prepared customers; raise the count");
        return { ...req, method: "POST", headers: { ...FORM, Origin: base, cookie: c }, body: "intent=accept&agreementVersion=2026-11&read=on&authoriseDap=on" };
      },
    });
    report(accept);
    let signups = 0;
    const signupTag = randomBytes(4).toString("hex");
    report(
      await measure("sign up & accept (argon2id)", linkUrl, "", {
        ok: [302],
        setupRequest: (req) => {
          const i = signups++;
          const domain = `su-${signupTag}-${i}.bench.example`;
          const body = new URLSearchParams({
            intent: "signup", agreementVersion: "2026-11", read: "on", authoriseDap: "on", submissionKey: `bench-${signupTag}-${i}-${randomBytes(12).toString("hex")}`,
            organisationName: `Bench Signup ${signupTag} ${i}`, primaryDomain: domain, country: "DK", adminName: "Bench Admin", email: `admin@${domain}`, password: "bench-password-long-enough",
          }).toString();
          return { ...req, method: "POST", headers: { ...FORM, Origin: base }, body };
        },
      }),
    );
    console.log(`  (accepted by ${next.toLocaleString("en")} different customers; ${signups.toLocaleString("en")} sign-ups)`);
    return { results, notes };
  } finally {
    server.kill("SIGTERM");
    await new Promise((r) => server.once("exit", r));
  }
}

/**
 * Documents are compared with the trivial document, client navigations with the trivial navigation:
 * the compared cases with the slices interleaved with them (baselineRps), the rest with all of
 * its slices pooled.
 */
function baselineOf(results: Result[], r: Result) {
  const navigation = r.name.includes("navigation");
  return (results.find((b) => b.name.includes("(baseline)") && b.name.includes("navigation") === navigation) ?? results[0]!).rps;
}

function table(kind: string, results: Result[]) {
  if (results.length === 0) return `### ${kind}`;
  const lines = [
    `### ${kind}`,
    "",
    "| case | req/s | p50 ms | p95 ms | p99 ms | throughput vs trivial | errors |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...results.map((r) => `| ${r.name} | ${r.rps.toFixed(0)} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.p99.toFixed(1)} | ${(r.rps / (r.baselineRps ?? baselineOf(results, r))).toFixed(2)} | ${r.errors} |`),
  ];
  return lines.join("\n");
}

async function pgReachable() {
  try {
    const c = postgres(ADMIN_URL, { max: 1, connect_timeout: 3, onnotice: () => {} });
    await c`select 1`;
    await c.end();
    return true;
  } catch {
    return false;
  }
}

const which = process.env.BENCH_DB ?? "both";
run("npx", ["remix", "build"], {});
const out: string[] = [
  `Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}; ` +
    `${CONNECTIONS} connections, ${WARMUP} s warm-up, ${SECONDS} s measured per case, each compared case in ${SLICES} slices interleaved with ${BASELINE_SECONDS} s slices of the trivial page (its ratio against those), ${PAGE} rows per page; server, database and load generator on one machine.`,
];
const section = async (title: string, kind: "postgres" | "pglite", port: number) => {
  const { results, notes } = await benchOne(kind, port);
  out.push(table(title, results), ...notes);
};
if (which !== "pglite") {
  if (await pgReachable()) await section("PostgreSQL", "postgres", 3950);
  else console.warn(`PostgreSQL at ${ADMIN_URL} is not reachable; skipped`);
}
if (which !== "postgres") await section("PGlite", "pglite", 3951);
console.log(`\n${out.join("\n\n")}\n`);
