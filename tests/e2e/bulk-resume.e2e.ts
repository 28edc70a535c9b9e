/**
 * A bulk GDAP request for thousands of customers survives the server being killed mid-run: a
 * second server process finishes it, and every customer is requested exactly once. On PostgreSQL
 * (a throw-away database), with real server processes and SIGKILL.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "./free-port";

const ADMIN_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const CUSTOMERS = 2500;
const PORT = await freePort();
const APP = `http://127.0.0.1:${PORT}`;
const name = `partnerdesk_bulk_${randomBytes(4).toString("hex")}`;
const url = (() => {
  const u = new URL(ADMIN_URL);
  u.pathname = `/${name}`;
  return u.toString();
})();

let reachable = false;
let admin: ReturnType<typeof postgres> | undefined;
let db: ReturnType<typeof postgres> | undefined;
const servers: ChildProcess[] = [];

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
  for (const s of servers) s.kill("SIGKILL");
  await db?.end();
  if (reachable) await admin!.unsafe(`drop database if exists ${name} with (force)`);
  await admin?.end();
});

async function startServer() {
  const child = spawn(process.execPath, ["server.js"], {
    env: { ...process.env, NODE_ENV: "development", DATABASE_URL: url, PORT: String(PORT), APP_URL: APP, LOG_LEVEL: "warn", JOB_POLL_MS: "100", SEED_DEMO: "never", WEB_CONCURRENCY: "1" },
    stdio: ["ignore", "ignore", "inherit"],
  });
  servers.push(child);
  for (let i = 0; i < 240; i++) {
    try {
      if ((await fetch(`${APP}/healthz`)).ok) return child;
    } catch {
      /* starting */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error("server did not start");
}

const until = async (condition: () => Promise<boolean>, timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe("bulk work and a killed server", () => {
  it("a bulk GDAP request for thousands of customers resumes after SIGKILL and requests each customer once", async () => {
    if (!reachable) return;
    const first = await startServer();
    const form = (fields: Record<string, string>, cookie = "") => ({
      method: "POST",
      redirect: "manual" as const,
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: APP, cookie },
      body: new URLSearchParams(fields),
    });
    const signIn = await fetch(`${APP}/signin`, form({ email: "admin-agent@northwind.example", password: "Partnerdesk-demo-2026" }));
    const cookie = signIn.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
    const selection = await fetch(`${APP}/partner/customers?index`, form({ mode: "all" }, cookie));
    expect(selection.status).toBe(302);
    const bulk = await fetch(`${APP}${selection.headers.get("Location")}`, form({ intent: "bulk-gdap", namePrefix: "Resume", durationDays: "60", roles: "729827e3-9c14-49f7-bb1b-9608f156bbb8" }, cookie));
    expect(bulk.status).toBe(302);
    const id = bulk.headers.get("Location")!.split("/").pop()!;
    const progress = async () => (await db!<{ done: number; total: number; status: string }[]>`select succeeded + failed as done, total, status from bulk_operations where id = ${id}`)[0]!;
    const { total } = await progress();
    expect(total).toBeGreaterThanOrEqual(CUSTOMERS);

    // Kill the server mid-run, without warning.
    await until(async () => (await progress()).done >= 150, 60_000);
    first.kill("SIGKILL");
    await new Promise((r) => first.once("exit", r));
    const atKill = await progress();
    expect(atKill.status).toBe("running");
    expect(atKill.done).toBeLessThan(total);

    // A new process picks the work up at once (it releases the dead process's job) and finishes it.
    await startServer();
    await until(async () => (await progress()).status === "finished", 120_000);
    const [counts] = await db!<{ succeeded: number; failed: number }[]>`select succeeded, failed from bulk_operations where id = ${id}`;
    expect(counts).toEqual({ succeeded: total, failed: 0 });
    const [made] = await db!<{ n: number; customers: number }[]>`
      select count(*)::int as n, count(distinct customer_org_id)::int as customers from admin_relationships where display_name like 'Resume %'`;
    expect(made).toEqual({ n: total, customers: total });
  }, 300_000);
});
