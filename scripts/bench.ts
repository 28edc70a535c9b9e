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
// server's memory at the start, at most while it streams, and at the end).
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
// Two builds side by side: BENCH_COMPARE=<directory of another checkout, e.g. a worktree of the
// previous main, already built there with `npx remix build`; not built again here> starts that
// build's `node server.js` as well, on the next port, against the same database, and measures every
// chosen case on both,
// alternating slice by slice: a slice of the case on this build, a slice of this build's trivial
// page, a slice of the case on the other build, a slice of the other's trivial page, and again.
// Each build's case is printed with its ratio against its own trivial page, and then the case's
// new/old ratios (req/s and p95; "new" is this tree, "old" the other). PostgreSQL only (two servers
// cannot share a PGlite directory); no link redemption (it adds customers to the database); unless
// BENCH_ONLY says otherwise, the list documents (first page, page 1,001, the search, each sort) and
// the CSV export; and shorter defaults (15 s in 5 slices, 3 s warm-up), so that both builds at two
// scales take about 20 minutes.
// Scales: BENCH_SCALES=100000/1000000,1000000/2000000 (the partner's customers / customers in all,
// comma-separated) runs everything at each scale in turn, each in its own database, seeded when
// missing and kept: partnerdesk_bench (data/bench-pglite) for 1,000,000 customers in all,
// partnerdesk_bench_2m (data/bench-pglite-2m) for 2,000,000, and so on; a database seeded for another
// number of the partner's customers stops the run. Then, per case, each scale's p95 over the first
// scale's (issue 29: at most 1.25 from 100,000 to 1,000,000), and the CSV export's memory at each.
// Link redemption runs at the first scale only.
//
// Environment: BENCH_DB=postgres|pglite|both (default both; postgres with BENCH_COMPARE or
// BENCH_SCALES), BENCH_SECONDS (30; 15 comparing), BENCH_WARMUP (5; 3 comparing), BENCH_SLICES (10;
// 5 comparing), BENCH_BASELINE_SECONDS (2, each trivial slice), BENCH_CONNECTIONS (8),
// BENCH_CUSTOMERS (100000), BENCH_TOTAL (1000000), BENCH_SCALES (BENCH_CUSTOMERS/BENCH_TOTAL),
// BENCH_COMPARE (unset), BENCH_ONLY (unset: every case), BENCH_BUILD (1; 0 measures build/ as it is,
// without building first), TEST_DATABASE_URL.
//
// The full comparison of issue 29 (about 20 minutes on 2 cores):
//   BENCH_COMPARE=/tmp/old-main BENCH_SCALES=100000/1000000,1000000/2000000 npm run bench
import { createHash, randomBytes } from "node:crypto";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import os from "node:os";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import autocannon from "autocannon";
import { createCookie } from "@remix-run/node";
import postgres from "postgres";
import { sql } from "drizzle-orm";
import { openDatabase, rowsOf, type DatabaseOptions } from "../db/client";
import { encodeCursor } from "../app/utils/list";
import { createLinkCode, parseSigningKeys } from "../app/modules/links/link-code.server";
import { DEMO_PARTNERS, DEMO_PASSWORD } from "../db/seed/demo";

/** The other build's directory (BENCH_COMPARE): measured side by side with this tree's build. */
const COMPARE = process.env.BENCH_COMPARE ? path.resolve(process.env.BENCH_COMPARE) : null;
/** A number from the environment, with its default alone and its default when comparing two builds. */
const setting = (name: string, alone: number, comparing: number) => Number(process.env[name] ?? (COMPARE ? comparing : alone));
const SECONDS = setting("BENCH_SECONDS", 30, 15);
/** A compared case's seconds are measured in this many slices, interleaved with the trivial page. */
const SLICES = Math.max(1, setting("BENCH_SLICES", 10, 5));
/** Each slice of the trivial page between two slices of a case. */
const BASELINE_SECONDS = Number(process.env.BENCH_BASELINE_SECONDS ?? 2);
const WARMUP = setting("BENCH_WARMUP", 5, 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 8);
const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 100_000);
const TOTAL = Number(process.env.BENCH_TOTAL ?? 1_000_000);

/** The partner's customers among all customers: one database each. */
interface Scale {
  customers: number;
  total: number;
}
const SCALES: Scale[] = (process.env.BENCH_SCALES ?? `${CUSTOMERS}/${TOTAL}`).split(",").map((text) => {
  const [customers, total] = text.split("/").map(Number);
  if (!Number.isInteger(customers) || !Number.isInteger(total) || customers! < 1 || customers! > total!) {
    throw new Error(`BENCH_SCALES: "${text}" is not <customers>/<total>, e.g. 100000/1000000`);
  }
  return { customers: customers!, total: total! };
});
const short = (n: number) => (n % 1e6 === 0 ? `${n / 1e6}m` : n % 1e3 === 0 ? `${n / 1e3}k` : String(n));
/** partnerdesk_bench and data/bench-pglite for 1,000,000 customers in all (as before scales), a suffix (_2m, -2m) for another total. */
const suffixOf = (scale: Scale) => (scale.total === 1_000_000 ? "" : short(scale.total));
const scaleName = (scale: Scale) => `${scale.customers.toLocaleString("en")} customers among ${scale.total.toLocaleString("en")}`;

/** A build to measure: this tree's, and with BENCH_COMPARE the other one. */
interface Build {
  label: string;
  dir: string;
}
const BUILDS: Build[] = [{ label: "new", dir: process.cwd() }, ...(COMPARE ? [{ label: "old", dir: COMPARE }] : [])];
/** Without BENCH_ONLY, a comparison measures the list documents of issue 29 and the CSV export. */
const ONLY_CASES = process.env.BENCH_ONLY ?? (COMPARE ? "^(first page|page 1,001 by cursor|search 'bake'|sort [a-z ]+|csv export)$" : "");
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

/** `node server.js` of the build in `dir`, on `port`; resolves when it answers /healthz. */
async function startServer(env: Record<string, string>, port: number, dir: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["server.js"], {
    cwd: dir,
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
 * The CSV export of every customer of the partner, as one download: its time (and to the first
 * byte), size, lines, and the server's resident memory at the start, at its highest while streaming
 * (sampled every 20 ms) and at the end. Streamed, the highest stays near the start at any size.
 */
async function measureExport(url: string, cookie: string, pid: number) {
  const before = rssMiB(pid);
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(pid))), 20);
  const started = performance.now();
  let firstByte = NaN;
  let bytes = 0;
  let lines = 0;
  try {
    const res = await fetch(url, { headers: { cookie } });
    if (!res.ok || !res.body) throw new Error(`CSV export answered ${res.status}`);
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      if (bytes === 0) firstByte = (performance.now() - started) / 1000;
      bytes += chunk.length;
      for (let i = 0; i < chunk.length; i++) if (chunk[i] === 10) lines++;
    }
  } finally {
    clearInterval(sampler);
  }
  const seconds = (performance.now() - started) / 1000;
  const after = rssMiB(pid);
  peak = Math.max(peak, after);
  return { seconds, firstByte, bytes, lines, before, peak, after };
}
type ExportFigures = Awaited<ReturnType<typeof measureExport>>;

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

/**
 * Stops the run when the database was seeded for another scale: it holds this scale's number of
 * customers in all but another number of the partner's (seeding would add the difference on top of
 * the total, or the figures would be another scale's). A database not seeded yet, or only partly,
 * is seeded (on).
 */
async function checkScale(options: DatabaseOptions, scale: Scale, where: string) {
  const database = await openDatabase(options);
  try {
    const [table] = rowsOf<{ ok: boolean }>(await database.db.execute(sql`select to_regclass('partner_customers') is not null as ok`));
    if (!table!.ok) return;
    const [n] = rowsOf<{ partner: number; leftover: number; total: number }>(
      await database.db.execute(sql`
        select (select count(*)::int from partner_customers pc
                join organisations o on o.id = pc.partner_org_id and o.partner_number = ${DEMO_PARTNERS[0].number}) as partner,
               (select count(*)::int from organisations where kind = 'customer' and primary_domain like '%.bench.example') as leftover,
               (select count(*)::int from organisations where kind = 'customer') as total`),
    );
    // Not counting the customers that earlier runs' redemption cases added.
    const seeded = n!.partner - n!.leftover;
    if (n!.total >= scale.total && (seeded < scale.customers || seeded > scale.customers * 1.1)) {
      throw new Error(
        `${where} holds ${seeded.toLocaleString("en")} customers of the partner among ${n!.total.toLocaleString("en")}, not ${scaleName(scale)}: drop it to seed it for this scale`,
      );
    }
  } finally {
    await database.close();
  }
}

type PageKind = "document" | "navigation";

/** One build's server in a run: its sign-in, its trivial pages' slices and its cases' results. */
interface Side {
  build: Build;
  server: ChildProcess;
  base: string;
  cookie: string;
  baselines: Record<PageKind, { name: string; url: string; slices: Slice[] }>;
  /** The trivial slice after the previous case: the first one around the next case of its kind. */
  last: { kind: PageKind; slice: Slice } | null;
  measured: { result: Result; kind: PageKind }[];
  results: Result[];
}

async function stopServer(server: ChildProcess) {
  if (server.exitCode !== null || server.signalCode !== null) return;
  server.kill("SIGTERM");
  await new Promise((r) => server.once("exit", r));
}

/**
 * One database at one scale: each build's results (in the order of BUILDS), lines of figures that
 * are not a case (the CSV export), and the export's figures per build.
 */
async function benchOne(
  db: "postgres" | "pglite",
  scale: Scale,
  port: number,
  withRedemption: boolean,
): Promise<{ results: Result[][]; notes: string[]; exports: (ExportFigures | null)[] }> {
  let env: Record<string, string>;
  let options: DatabaseOptions;
  let where: string;
  const suffix = suffixOf(scale);
  if (db === "postgres") {
    const name = `partnerdesk_bench${suffix && `_${suffix}`}`;
    const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
    const exists = await admin`select 1 from pg_database where datname = ${name}`;
    if (exists.length === 0) await admin.unsafe(`create database "${name}"`);
    await admin.end();
    const u = new URL(ADMIN_URL);
    u.pathname = `/${name}`;
    env = { DATABASE_URL: u.toString() };
    options = { kind: "postgres", url: u.toString() };
    where = `database ${name}`;
  } else {
    const dir = path.resolve(`data/bench-pglite${suffix && `-${suffix}`}`);
    env = { DATA_DIR: dir };
    options = { kind: "pglite", dataDir: path.join(dir, "pglite") };
    where = path.relative(process.cwd(), dir);
  }
  console.log(`\n## ${db}: ${scaleName(scale)} (${where}; seeded when missing, kept between runs)`);
  await checkScale(options, scale, where);
  run("npx", ["tsx", "scripts/db.ts", "seed", "--customers", String(scale.customers), "--total", String(scale.total)], env);
  await settleEarlierRuns(options);
  const cursor = await deepCursor(options);
  const redemption = withRedemption ? await prepareRedemption(options, db === "postgres" ? 12_000 : 6_000) : { code: "", cookies: [] as string[] };
  const comparing = BUILDS.length > 1;
  const sides: Side[] = [];
  try {
    // One after the other: each server migrates the database as it starts.
    for (const [i, build] of BUILDS.entries()) {
      const server = await startServer(env, port + i, build.dir);
      const base = `http://127.0.0.1:${port + i}`;
      sides.push({
        build,
        server,
        base,
        cookie: await signIn(port + i),
        // Every case is compared with the trivial page interleaved with it (documents with the trivial
        // document, client navigations with the trivial navigation): see the top of this file.
        baselines: {
          document: { name: "trivial page (baseline)", url: `${base}/ping`, slices: [] },
          navigation: { name: "trivial page, navigation (baseline)", url: `${base}/ping.data`, slices: [] },
        },
        last: null,
        measured: [],
        results: [],
      });
    }
    const list = (q: string) => `/partner/customers?size=${PAGE}${q}`;
    const nav = (q: string) => `/partner/customers.data?size=${PAGE}${q}`;
    // Each case's path on every build's server.
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
      ["partner subscriptions", "/partner/subscriptions"],
      // The public partner directory (10,000 listed partners; anonymous).
      ["directory: 'security'", "/partners?q=security"],
      ["directory: text+country+size", "/partners?q=security&country=DK&size=50-249"],
      ["directory: country+language", "/partners?country=DE&language=de"],
      // Inside the app, paging, sorting and searching are client navigations: the browser fetches
      // the route data only (single fetch, `.data`), every loader of the page included.
      ["first page, navigation", nav("")],
      ["page 1,001, navigation", nav(`&after=${cursor}`)],
      ["search 'bake', navigation", nav("&q=bake")],
      ["sort name desc, navigation", nav("&sort=name&dir=desc")],
      ["sort created desc, navigation", nav("&sort=created&dir=desc")],
    ];
    const notes: string[] = [];
    const print = (r: Result, side: Side) =>
      console.log(
        `  ${comparing ? `${side.build.label} ` : ""}${r.name.padEnd(30)} ${r.rps.toFixed(0).padStart(6)} req/s  p50 ${r.p50.toFixed(1)} ms  p95 ${r.p95.toFixed(1)} ms  p99 ${r.p99.toFixed(1)} ms${r.errors ? `  (${r.errors} errors)` : ""}`,
      );
    const baselineSlice = async (side: Side, kind: PageKind) => {
      const b = side.baselines[kind];
      const slice = await measureSlice(b.url, side.cookie, { seconds: BASELINE_SECONDS, warmup: b.slices.length === 0 ? WARMUP : 0 });
      b.slices.push(slice);
      return slice;
    };
    // BENCH_ONLY=<regex> measures only the matching cases (and the baseline), without redemption.
    const only = ONLY_CASES ? new RegExp(ONLY_CASES, "i") : null;
    const chosen = cases.filter(([name]) => !only || only.test(name));
    const kindOf = (name: string): PageKind => (name.includes("navigation") ? "navigation" : "document");
    for (const [name, target] of chosen) {
      const kind = kindOf(name);
      const anonymous = target.startsWith("/partners?");
      // Per build, the trivial slices around the case's slices; the first one is the slice after
      // the previous case of this kind, if it was one.
      const around: Slice[][] = [];
      for (const side of sides) around.push([side.last?.kind === kind ? side.last.slice : await baselineSlice(side, kind)]);
      const slices: Slice[][] = sides.map(() => []);
      for (let i = 0; i < SLICES; i++) {
        // Two builds alternate: a slice of the case and one of the trivial page on each in turn.
        for (const [j, side] of sides.entries()) {
          slices[j]!.push(await measureSlice(side.base + target, anonymous ? "" : side.cookie, { seconds: SECONDS / SLICES, warmup: i === 0 ? WARMUP : 0 }));
          around[j]!.push(await baselineSlice(side, kind));
        }
      }
      const results = sides.map((side, j) => {
        const result = resultOf(name, slices[j]!);
        result.baselineRps = rate(around[j]!);
        print(result, side);
        const rates = around[j]!.map((x) => x.requests / x.seconds);
        console.log(
          `    ${name}: ${(result.rps / result.baselineRps).toFixed(2)} of ${comparing ? "its build's" : "the"} trivial page interleaved with it (${around[j]!.length} slices of ${BASELINE_SECONDS} s: ${result.baselineRps.toFixed(0)} req/s, ${Math.min(...rates).toFixed(0)}–${Math.max(...rates).toFixed(0)})`,
        );
        side.measured.push({ result, kind });
        side.last = { kind, slice: around[j]!.at(-1)! };
        return result;
      });
      if (comparing) {
        const [fresh, old] = results as [Result, Result];
        console.log(`    ${name}: new/old ${(fresh.rps / old.rps).toFixed(2)} in req/s, ${(fresh.p95 / old.p95).toFixed(2)} in p95`);
      }
    }
    for (const side of sides) {
      for (const kind of ["document", "navigation"] as const) {
        const b = side.baselines[kind];
        if (b.slices.length === 0) continue;
        const pooled = resultOf(b.name, b.slices);
        side.results.push(pooled);
        console.log(`  ${comparing ? `${side.build.label} ` : ""}${b.name}: ${pooled.rps.toFixed(0)} req/s over ${b.slices.length} slices`);
        side.results.push(...side.measured.filter((m) => m.kind === kind).map((m) => m.result));
      }
    }
    const exports = sides.map((): ExportFigures | null => null);
    if (!only || only.test("csv export")) {
      for (const [j, side] of sides.entries()) {
        // The whole list as CSV (streamed in keyset batches): twice, the first one warming up.
        const url = `${side.base}/partner/customers/export.csv`;
        await measureExport(url, side.cookie, side.server.pid!);
        const e = await measureExport(url, side.cookie, side.server.pid!);
        exports[j] = e;
        const line =
          `CSV export, all customers${comparing ? ` (${side.build.label})` : ""}: ${e.seconds.toFixed(2)} s (first byte after ${(e.firstByte * 1000).toFixed(0)} ms), ` +
          `${(e.bytes / 1e6).toFixed(1)} MB, ${e.lines.toLocaleString("en")} lines; server memory ${e.before.toFixed(0)} MiB at the start, ` +
          `${e.peak.toFixed(0)} MiB at most while streaming (+${(e.peak - e.before).toFixed(0)}), ${e.after.toFixed(0)} MiB at the end`;
        console.log(`  ${line}`);
        notes.push(line);
      }
    }
    if (!withRedemption) return { results: sides.map((s) => s.results), notes, exports };

    // Redemption (this tree's build only).
    const { base, results } = sides[0]!;
    const report = (r: Result) => {
      results.push(r);
      print(r, sides[0]!);
    };
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
    return { results: sides.map((s) => s.results), notes, exports };
  } finally {
    await Promise.all(sides.map((s) => stopServer(s.server)));
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

const versusTrivial = (results: Result[], r: Result) => (r.rps / (r.baselineRps ?? baselineOf(results, r))).toFixed(2);

function table(title: string, results: Result[]) {
  if (results.length === 0) return `### ${title}`;
  const lines = [
    `### ${title}`,
    "",
    "| case | req/s | p50 ms | p95 ms | p99 ms | throughput vs trivial | errors |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...results.map((r) => `| ${r.name} | ${r.rps.toFixed(0)} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.p99.toFixed(1)} | ${versusTrivial(results, r)} | ${r.errors} |`),
  ];
  return lines.join("\n");
}

/** Two builds' results side by side: each against its own build's trivial page, and new over old. */
function compareTable(title: string, [fresh, old]: Result[][]) {
  const ms = (r: Result | undefined) => (r ? `${r.p50.toFixed(1)} / ${r.p95.toFixed(1)} / ${r.p99.toFixed(1)}` : "");
  const lines = [
    `### ${title}`,
    "",
    "| case | new req/s | new p50 / p95 / p99 ms | new vs trivial | old req/s | old p50 / p95 / p99 ms | old vs trivial | new/old req/s | new/old p95 | errors (new, old) |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...fresh!.map((r) => {
      const o = old!.find((x) => x.name === r.name);
      if (!o) return `| ${r.name} | ${r.rps.toFixed(0)} | ${ms(r)} | ${versusTrivial(fresh!, r)} | | | | | | ${r.errors}, |`;
      return `| ${r.name} | ${r.rps.toFixed(0)} | ${ms(r)} | ${versusTrivial(fresh!, r)} | ${o.rps.toFixed(0)} | ${ms(o)} | ${versusTrivial(old!, o)} | ${(r.rps / o.rps).toFixed(2)} | ${(r.p95 / o.p95).toFixed(2)} | ${r.errors}, ${o.errors} |`;
    }),
  ];
  return lines.join("\n");
}

interface ScaleRun {
  scale: Scale;
  results: Result[][];
  exports: (ExportFigures | null)[];
}

/** Per case and build, its p95 at each scale, and each later scale's over the first's (issue 29: at most 1.25). */
function scaleTable(title: string, runs: ScaleRun[]) {
  const [first, ...later] = runs as [ScaleRun, ...ScaleRun[]];
  const label = (b: Build) => (BUILDS.length > 1 ? `${b.label} ` : "");
  const n = (s: Scale) => s.customers.toLocaleString("en");
  const columns = BUILDS.flatMap((b) => [...runs.map((r) => `${label(b)}p95 ms at ${n(r.scale)}`), ...later.map((r) => `${label(b)}${n(r.scale)} / ${n(first.scale)}`)]);
  const rows = first.results[0]!.map((r) => {
    const cells = BUILDS.flatMap((_, j) => {
      const p95 = runs.map((run) => run.results[j]?.find((x) => x.name === r.name)?.p95);
      return [...p95.map((p) => (p === undefined ? "" : p.toFixed(1))), ...p95.slice(1).map((p) => (p === undefined || p95[0] === undefined ? "" : (p / p95[0]).toFixed(2)))];
    });
    return `| ${r.name} | ${cells.join(" | ")} |`;
  });
  return [`### ${title}`, "", `| case | ${columns.join(" | ")} |`, `| --- |${" ---: |".repeat(columns.length)}`, ...rows].join("\n");
}

/** The CSV export at each scale, per build: time and the server's memory growth while streaming. */
function exportLines(runs: ScaleRun[]) {
  return BUILDS.flatMap((b, j) => {
    const at = runs.flatMap((r) => {
      const e = r.exports[j];
      return e ? [`${r.scale.customers.toLocaleString("en")} customers in ${e.seconds.toFixed(1)} s, +${(e.peak - e.before).toFixed(0)} MiB (${e.before.toFixed(0)} → ${e.peak.toFixed(0)} MiB)`] : [];
    });
    return at.length ? [`CSV export${BUILDS.length > 1 ? ` (${b.label})` : ""}, the server's memory at most while streaming over its memory at the start: ${at.join("; ")}`] : [];
  });
}

/** This build's or the other's checkout: its directory and commit. */
function describeBuild(build: Build) {
  const git = (...args: string[]) => spawnSync("git", ["-C", build.dir, ...args], { encoding: "utf8" }).stdout?.trim() ?? "";
  const dirty = git("status", "--porcelain", "--untracked-files=no") !== "";
  return `${build.label} = ${build.dir} at ${git("rev-parse", "--short", "HEAD") || "?"}${dirty ? " with uncommitted changes" : ""}`;
}

/** PostgreSQL's version, or null when it is not reachable. */
async function pgVersion() {
  try {
    const c = postgres(ADMIN_URL, { max: 1, connect_timeout: 3, onnotice: () => {} });
    const [row] = await c`show server_version`;
    await c.end();
    return String(row!.server_version);
  } catch {
    return null;
  }
}

const which = process.env.BENCH_DB ?? (COMPARE || process.env.BENCH_SCALES ? "postgres" : "both");
if (COMPARE) {
  if (which !== "postgres") throw new Error("BENCH_COMPARE measures on PostgreSQL only (two servers cannot share a PGlite directory): BENCH_DB=postgres");
  if (!existsSync(path.join(COMPARE, "build/index.js"))) throw new Error(`BENCH_COMPARE: ${COMPARE} has no build (npx remix build there)`);
}
if (process.env.BENCH_BUILD !== "0") run("npx", ["remix", "build"], {});
const pg = which === "pglite" ? null : await pgVersion();
const out: string[] = [
  `Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}${pg ? `, PostgreSQL ${pg}` : ""}; ` +
    `${CONNECTIONS} connections, ${WARMUP} s warm-up, ${SECONDS} s measured per case, each compared case in ${SLICES} slices interleaved with ${BASELINE_SECONDS} s slices of the trivial page (its ratio against those), ${PAGE} rows per page; server, database and load generator on one machine.`,
];
if (COMPARE) out.push(`Builds: ${BUILDS.map(describeBuild).join("; ")}. Both servers run against the same database; each case alternates between them slice by slice, each build's ratio against its own trivial page.`);
const sections = async (title: string, db: "postgres" | "pglite", port: number) => {
  const runs: ScaleRun[] = [];
  for (const [i, scale] of SCALES.entries()) {
    const { results, notes, exports } = await benchOne(db, scale, port, i === 0 && !ONLY_CASES && !COMPARE);
    const heading = SCALES.length > 1 ? `${title}, ${scaleName(scale)}` : title;
    out.push(COMPARE ? compareTable(heading, results) : table(heading, results[0]!), ...notes);
    runs.push({ scale, results, exports });
  }
  if (runs.length > 1) out.push(scaleTable(`${title}: p95 at each scale`, runs), ...exportLines(runs));
};
if (which !== "pglite") {
  if (pg) await sections("PostgreSQL", "postgres", 3950);
  else console.warn(`PostgreSQL at ${ADMIN_URL} is not reachable; skipped`);
}
if (which !== "postgres") await sections("PGlite", "pglite", 3951);
console.log(`\n${out.join("\n\n")}\n`);
