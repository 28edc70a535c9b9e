// npm test: build, then the same suite on PGlite and on PostgreSQL, and the browser tests.
// The three suites run at the same time (each is a process tree that leaves a core idle part of
// the time: PostgreSQL's suite waits on the server, the browser suite on Chromium and its servers);
// each suite's output is printed whole when it ends. TEST_SERIAL=1 runs them one after another.
// Locally a missing PostgreSQL or Chromium is skipped with a warning; under CI=true it fails.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import postgres from "postgres";

const ci = process.env.CI === "true";
const serial = process.env.TEST_SERIAL === "1";
const results = [];
const skip = (name, why) => {
  console.warn(`\n=== ${name}: SKIPPED (${why}) ===`);
  results.push({ name, ok: !ci, skipped: true });
};

/** Runs a suite; in parallel mode its output is kept and printed when it ends. */
function run(name, cmd, args, env = {}) {
  const started = Date.now();
  if (serial) {
    console.log(`\n=== ${name} ===`);
    const r = spawnSync(cmd, args, { stdio: "inherit", env: { ...process.env, ...env } });
    results.push({ name, ok: r.status === 0, seconds: Math.round((Date.now() - started) / 1000) });
    return Promise.resolve();
  }
  console.log(`--- started: ${name}`);
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env, FORCE_COLOR: "0" } });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("close", (code) => {
      const seconds = Math.round((Date.now() - started) / 1000);
      console.log(`\n=== ${name} (${seconds} s) ===\n${output}`);
      results.push({ name, ok: code === 0, seconds });
      resolve();
    });
  });
}

console.log("\n=== build ===");
const build = spawnSync("npx", ["remix", "build"], { stdio: "inherit" });
results.push({ name: "build", ok: build.status === 0 });

const suites = [run("unit + integration on PGlite", "npx", ["vitest", "run"], { TEST_DB: "pglite" })];

const pgUrl = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
let pgReachable = false;
try {
  const sql = postgres(pgUrl, { max: 1, connect_timeout: 3, onnotice: () => {} });
  await sql`select 1`;
  await sql.end();
  pgReachable = true;
} catch (error) {
  pgReachable = false;
  console.warn(`PostgreSQL at ${pgUrl.replace(/:[^:@/]*@/, ":***@")} is not reachable: ${error.message}`);
}
if (pgReachable) suites.push(run("unit + integration on PostgreSQL", "npx", ["vitest", "run"], { TEST_DB: "postgres", TEST_DATABASE_URL: pgUrl }));
else skip("unit + integration on PostgreSQL", "set TEST_DATABASE_URL or start PostgreSQL on 127.0.0.1:5432");

const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
if (fs.existsSync(chromium)) suites.push(run("browser tests (Chromium)", "npx", ["vitest", "run", "--config", "tests/e2e/vitest.config.ts"]));
else skip("browser tests (Chromium)", `no Chromium at ${chromium}; apt-get install -y chromium`);

await Promise.all(suites);
console.log("\n=== summary ===");
for (const r of results) console.log(`${r.ok ? (r.skipped ? "SKIP" : "PASS") : "FAIL"}  ${r.name}${r.seconds ? ` (${r.seconds} s)` : ""}`);
process.exit(results.every((r) => r.ok) ? 0 : 1);
