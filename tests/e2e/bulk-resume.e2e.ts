/**
 * A bulk GDAP request for thousands of customers survives the server being killed mid-run: a
 * second server process finishes it, and every customer is requested exactly once. On PostgreSQL
 * (a throw-away database), with real server processes and SIGKILL.
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminUrl, databaseUrl } from "../support/global-setup";
import { freePort, postForm, signInOverHttp, startServer, stopServers, until } from "./support";

const ADMIN_URL = adminUrl();
const CUSTOMERS = 2500;
const PORT = await freePort();
const APP = `http://127.0.0.1:${PORT}`;
const name = `partnerdesk_bulk_${randomBytes(4).toString("hex")}`;
const url = databaseUrl(ADMIN_URL, name);

let reachable = false;
let admin: ReturnType<typeof postgres> | undefined;
let db: ReturnType<typeof postgres> | undefined;

beforeAll(async () => {
  try {
    admin = postgres(ADMIN_URL, { max: 1, connect_timeout: 3, onnotice: () => {} });
    await admin`select 1`;
    reachable = true;
  } catch {
    if (process.env.CI === "true") throw new Error(`PostgreSQL at ${ADMIN_URL} is needed for this test`);
    return;
  }
  await admin.unsafe(`create database ${name}`);
  const seeded = spawnSync("npx", ["tsx", "scripts/db.ts", "seed", "--customers", String(CUSTOMERS), "--total", String(CUSTOMERS)], {
    env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: "warn" },
    encoding: "utf8",
  });
  if (seeded.status !== 0) throw new Error(`seeding failed: ${seeded.stderr}`);
  db = postgres(url, { max: 2, onnotice: () => {} });
}, 180_000);

afterAll(async () => {
  await stopServers();
  await db?.end();
  if (reachable) await admin!.unsafe(`drop database if exists ${name} with (force)`);
  await admin?.end();
});

// Both servers answer on the same address, one after the other.
const startServerHere = () =>
  startServer({ port: PORT, env: { DATABASE_URL: url, JOB_POLL_MS: "100", SEED_DEMO: "never", WEB_CONCURRENCY: "1" } });

describe("bulk work and a killed server", () => {
  it("a bulk GDAP request for thousands of customers resumes after SIGKILL and requests each customer once", async () => {
    if (!reachable) return;
    const first = await startServerHere();
    const { cookie } = await signInOverHttp(APP, "admin-agent@northwind.example");
    const selection = await postForm(APP, "/partner/customers?index", { mode: "all" }, { cookie });
    expect(selection.status).toBe(302);
    const bulk = await postForm(APP, selection.headers.get("Location")!, { intent: "bulk-gdap", namePrefix: "Resume", durationDays: "60", roles: "729827e3-9c14-49f7-bb1b-9608f156bbb8" }, { cookie });
    expect(bulk.status).toBe(302);
    const id = bulk.headers.get("Location")!.split("/").pop()!;
    const progress = async () => (await db!<{ done: number; total: number; status: string }[]>`select succeeded + failed as done, total, status from bulk_operations where id = ${id}`)[0]!;
    const { total } = await progress();
    expect(total).toBeGreaterThanOrEqual(CUSTOMERS);

    // Kill the server mid-run, without warning.
    await until(async () => (await progress()).done >= 150, { timeoutMs: 60_000, intervalMs: 50 });
    await first.stop("SIGKILL");
    const atKill = await progress();
    expect(atKill.status).toBe("running");
    expect(atKill.done).toBeLessThan(total);

    // A new process picks the work up at once (it releases the dead process's job) and finishes it.
    await startServerHere();
    await until(async () => (await progress()).status === "finished", { timeoutMs: 120_000, intervalMs: 50 });
    const [counts] = await db!<{ succeeded: number; failed: number }[]>`select succeeded, failed from bulk_operations where id = ${id}`;
    expect(counts).toEqual({ succeeded: total, failed: 0 });
    const [made] = await db!<{ n: number; customers: number }[]>`
      select count(*)::int as n, count(distinct customer_org_id)::int as customers from admin_relationships where display_name like 'Resume %'`;
    expect(made).toEqual({ n: total, customers: total });
  }, 300_000);
});
