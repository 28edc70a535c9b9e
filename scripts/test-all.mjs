// npm test: build, then the same suite on PGlite and on PostgreSQL, then the browser tests.
// Locally a missing PostgreSQL or Chromium is skipped with a warning; under CI=true it fails.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import postgres from "postgres";

const ci = process.env.CI === "true";
const results = [];
const run = (name, cmd, args, env = {}) => {
  console.log(`\n=== ${name} ===`);
  const r = spawnSync(cmd, args, { stdio: "inherit", env: { ...process.env, ...env } });
  results.push({ name, ok: r.status === 0 });
  return r.status === 0;
};
const skip = (name, why) => {
  console.warn(`\n=== ${name}: SKIPPED (${why}) ===`);
  results.push({ name, ok: !ci, skipped: true });
};

run("build", "npx", ["remix", "build"]);
run("unit + integration on PGlite", "npx", ["vitest", "run"], { TEST_DB: "pglite" });

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
if (pgReachable) run("unit + integration on PostgreSQL", "npx", ["vitest", "run"], { TEST_DB: "postgres", TEST_DATABASE_URL: pgUrl });
else skip("unit + integration on PostgreSQL", "set TEST_DATABASE_URL or start PostgreSQL on 127.0.0.1:5432");

const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
if (fs.existsSync(chromium)) run("browser tests (Chromium)", "npx", ["vitest", "run", "--config", "tests/e2e/vitest.config.ts"]);
else skip("browser tests (Chromium)", `no Chromium at ${chromium}; apt-get install -y chromium`);

console.log("\n=== summary ===");
for (const r of results) console.log(`${r.ok ? (r.skipped ? "SKIP" : "PASS") : "FAIL"}  ${r.name}`);
process.exit(results.every((r) => r.ok) ? 0 : 1);
