// npm test: build, then the same suite on PGlite and on PostgreSQL, then the browser tests.
// PGlite's suite runs alone (two files at a time keep both cores busy). The browser suite leaves
// about half of the two cores idle (its files wait on Chromium, their servers and the disk), so
// the PostgreSQL suite runs beside it, one file at a time; each of the two is printed whole when it
// ends. TEST_SERIAL=1 runs all three one after another.
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

/** Runs a suite in the foreground, its output as it comes. */
function runNow(name, cmd, args, env = {}) {
  const started = Date.now();
  console.log(`\n=== ${name} ===`);
  const r = spawnSync(cmd, args, { stdio: "inherit", env: { ...process.env, ...env } });
  results.push({ name, ok: r.status === 0, seconds: Math.round((Date.now() - started) / 1000) });
}

/** Runs a suite beside another: its output is kept and printed whole when it ends. */
function runBeside(name, cmd, args, env = {}) {
  if (serial) return Promise.resolve(runNow(name, cmd, args, env));
  const started = Date.now();
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

runNow("build", "npx", ["remix", "build"]);
runNow("unit + integration on PGlite", "npx", ["vitest", "run"], { TEST_DB: "pglite" });

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
const suites = [];
const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
if (fs.existsSync(chromium)) suites.push(runBeside("browser tests (Chromium)", "npx", ["vitest", "run", "--config", "tests/e2e/vitest.config.ts"]));
else skip("browser tests (Chromium)", `no Chromium at ${chromium}; apt-get install -y chromium`);
// Beside the browser suite, one file at a time (TEST_FORKS); alone, two.
if (pgReachable) {
  suites.push(runBeside("unit + integration on PostgreSQL", "npx", ["vitest", "run"], { TEST_DB: "postgres", TEST_DATABASE_URL: pgUrl, ...(serial ? {} : { TEST_FORKS: "1" }) }));
} else skip("unit + integration on PostgreSQL", "set TEST_DATABASE_URL or start PostgreSQL on 127.0.0.1:5432");

await Promise.all(suites);
console.log("\n=== summary ===");
for (const r of results) console.log(`${r.ok ? (r.skipped ? "SKIP" : "PASS") : "FAIL"}  ${r.name}${r.seconds ? ` (${r.seconds} s)` : ""}`);
process.exit(results.every((r) => r.ok) ? 0 : 1);
