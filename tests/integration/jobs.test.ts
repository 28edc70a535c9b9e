import { spawn, type ChildProcess } from "node:child_process";
import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { rowsOf } from "../../db/client";
import { getDatabase, withSystem, withTenant } from "../../app/utils/db.server";
import { enqueueJob, registerJob, runDueJobs, scheduleRecurring } from "../../app/modules/platform/jobs.server";
import { registerScheduledWork } from "../../app/scheduled.server";
import { createPartner } from "../support/factories";
import { installTestDatabase, testDatabaseUrl, testDbKind } from "../support/db";

installTestDatabase();
registerScheduledWork();

async function count(query: ReturnType<typeof sql>) {
  const [row] = await withSystem(async (tx) => rowsOf<{ n: number }>(await tx.execute(query)));
  return Number(row!.n);
}

describe("scheduled work", () => {
  it("runs a notify job once per effect key, however often it is enqueued", async () => {
    const p = await createPartner(["global_admin", "sales_agent"]);
    await withTenant({ orgId: p.orgId, userId: null }, async (tx) => {
      for (let i = 0; i < 3; i++) {
        await enqueueJob(tx, {
          kind: "notify",
          effectKey: `test-notice:${p.orgId}`,
          payload: { orgId: p.orgId, roles: ["global_admin"], kind: "test", title: "Renewal in 30 days", email: true },
        });
      }
    });
    const { db } = await getDatabase();
    // Only the kind under test: other files share the PostgreSQL database and run their jobs by hand.
    await runDueJobs(db, { kinds: ["notify"] });
    expect(await count(sql`select count(*) as n from notifications where org_id = ${p.orgId}`)).toBe(1);
    expect(await count(sql`select count(*) as n from mail_outbox where org_id = ${p.orgId}`)).toBe(1);
    expect(await count(sql`select count(*) as n from jobs where effect_key = ${`test-notice:${p.orgId}`} and done_at is not null`)).toBe(3);
  });

  it("retries a failing job with backoff and gives up after max attempts", async () => {
    let calls = 0;
    registerJob("test.flaky", async () => {
      calls++;
      throw new Error("downstream unavailable");
    });
    const p = await createPartner(["global_admin"]);
    await withTenant({ orgId: p.orgId, userId: null }, (tx) => enqueueJob(tx, { kind: "test.flaky", maxAttempts: 2, payload: { orgId: p.orgId } }));
    const { db } = await getDatabase();
    await runDueJobs(db, { kinds: ["test.flaky"] });
    const [first] = await withSystem(async (tx) =>
      rowsOf<{ attempts: number; later: boolean; failed: boolean; last_error: string }>(
        await tx.execute(sql`select attempts, run_at > now() as later, failed_at is not null as failed, last_error from jobs where kind = 'test.flaky'`),
      ),
    );
    expect(first).toMatchObject({ attempts: 1, later: true, failed: false, last_error: "downstream unavailable" });
    await withSystem((tx) => tx.execute(sql`update jobs set run_at = now() where kind = 'test.flaky'`));
    await runDueJobs(db, { kinds: ["test.flaky"] });
    expect(calls).toBe(2);
    expect(await count(sql`select count(*) as n from jobs where kind = 'test.flaky' and failed_at is not null`)).toBe(1);
  });

  it("a process given JOB_KINDS runs only those kinds", async () => {
    const p = await createPartner(["global_admin"]);
    registerJob("test.kind-a", async () => {});
    registerJob("test.kind-b", async () => {});
    await withTenant({ orgId: p.orgId, userId: null }, async (tx) => {
      await enqueueJob(tx, { kind: "test.kind-a", payload: { orgId: p.orgId } });
      await enqueueJob(tx, { kind: "test.kind-b", payload: { orgId: p.orgId } });
    });
    const { db } = await getDatabase();
    await runDueJobs(db, { kinds: ["test.kind-a"] });
    expect(await count(sql`select count(*) as n from jobs where kind = 'test.kind-a' and payload->>'orgId' = ${p.orgId} and done_at is not null`)).toBe(1);
    expect(await count(sql`select count(*) as n from jobs where kind = 'test.kind-b' and payload->>'orgId' = ${p.orgId} and done_at is null`)).toBe(1);
  });

  it("a failed handler rolls back its writes and its effect key", async () => {
    const p = await createPartner(["global_admin"]);
    registerJob("test.half", async (tx) => {
      await tx.execute(sql`insert into notifications (org_id, user_id, kind, title) values (${p.orgId}, ${p.users.global_admin!.id}, 'half', 'half')`);
      throw new Error("boom after writing");
    });
    await withTenant({ orgId: p.orgId, userId: null }, (tx) => enqueueJob(tx, { kind: "test.half", effectKey: `half:${p.orgId}`, maxAttempts: 1 }));
    const { db } = await getDatabase();
    await runDueJobs(db, { kinds: ["test.half"] });
    expect(await count(sql`select count(*) as n from notifications where org_id = ${p.orgId}`)).toBe(0);
    expect(await count(sql`select count(*) as n from job_effects where key = ${`half:${p.orgId}`}`)).toBe(0);
  });

  it("enqueues each recurring kind's time slot once, however often a pass runs, and the next slot when it begins", async () => {
    const { db } = await getDatabase();
    const at = new Date(Date.UTC(2031, 0, 1, 0, 0, 30)); // a slot no other test reaches
    const slot = Math.floor(at.getTime() / 1000 / 60);
    const key = (n: number) => `subscriptions.compact_totals@${n}`;
    const started = new Date(Date.now() - 1000);
    try {
      await scheduleRecurring(db, at);
      await scheduleRecurring(db, new Date(at.getTime() + 10_000));
      expect(await count(sql`select count(*) as n from jobs where dedupe_key = ${key(slot)}`)).toBe(1);
      expect(await count(sql`select count(*) as n from jobs where dedupe_key = ${key(slot + 1)}`)).toBe(0);
      await scheduleRecurring(db, new Date(at.getTime() + 60_000));
      expect(await count(sql`select count(*) as n from jobs where dedupe_key = ${key(slot + 1)}`)).toBe(1);
      // Every recurring kind of the app has its slot (the hourly sweep included).
      expect(await count(sql`select count(*) as n from jobs where dedupe_key = ${`maintenance.sweep@${Math.floor(at.getTime() / 1000 / 3600)}`}`)).toBe(1);
    } finally {
      // The future slots enqueued here must not run: remove what this test added.
      await withSystem((tx) => tx.execute(sql`delete from jobs where dedupe_key like '%@%' and done_at is null and created_at >= ${started.toISOString()}`));
    }
  });
});

const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill("SIGKILL");
});

describe.runIf(testDbKind() === "postgres")("two app processes on one PostgreSQL database", () => {
  it("each effect happens once", async () => {
    const p = await createPartner(["global_admin"]);
    const keys = 40;
    await withTenant({ orgId: p.orgId, userId: null }, async (tx) => {
      for (let i = 0; i < keys * 3; i++) {
        await enqueueJob(tx, {
          kind: "notify",
          effectKey: `two-process:${p.orgId}:${i % keys}`,
          payload: { orgId: p.orgId, roles: ["global_admin"], kind: "test", title: `Notice ${i % keys}` },
        });
      }
    });
    for (const port of [40000 + Math.floor(Math.random() * 10000), 50000 + Math.floor(Math.random() * 10000)]) {
      const child = spawn(process.execPath, ["server.js"], {
        // Only the kinds this test is about: the file's other tests run their own jobs by hand.
        env: { ...process.env, NODE_ENV: "test", DATABASE_URL: await testDatabaseUrl(), PORT: String(port), SEED_DEMO: "never", JOB_POLL_MS: "50", LOG_LEVEL: "warn", JOB_KINDS: "notify,maintenance.sweep" },
        stdio: ["ignore", "inherit", "inherit"],
      });
      children.push(child);
    }
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const open = await count(sql`select count(*) as n from jobs where effect_key like ${`two-process:${p.orgId}:%`} and done_at is null`);
      if (open === 0) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(await count(sql`select count(*) as n from jobs where effect_key like ${`two-process:${p.orgId}:%`} and done_at is null`)).toBe(0);
    expect(await count(sql`select count(*) as n from notifications where org_id = ${p.orgId}`)).toBe(keys);
    expect(await count(sql`select count(distinct title) as n from notifications where org_id = ${p.orgId}`)).toBe(keys);
    // Both processes scheduled the hourly sweep; one job exists per slot.
    expect(await count(sql`select count(*) as n from (select dedupe_key from jobs where kind = 'maintenance.sweep' group by dedupe_key having count(*) > 1) d`)).toBe(0);
    expect(await count(sql`select count(distinct locked_by) as n from jobs where effect_key like ${`two-process:${p.orgId}:%`}`)).toBeGreaterThanOrEqual(1);
  }, 60_000);
});
