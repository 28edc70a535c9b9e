/**
 * Scheduled work: a jobs table claimed with FOR UPDATE SKIP LOCKED, retries with exponential
 * backoff, and exactly-once effects: a job's effect key is inserted into job_effects in the
 * same transaction as the job's writes, so a job run twice (a lease ran out, two instances)
 * commits its effect once. Recurring work is enqueued once per time slot via a dedupe key.
 * See docs/decisions/0005-scheduled-work.md.
 */
import { hostname } from "node:os";
import { and, eq, inArray, sql } from "drizzle-orm";
import { jobEffects, jobs, type Job } from "../../../db/schema";
import { rowsOf } from "../../../db/client";
import type { Tx } from "~/utils/db.server";
import { logger, safeErrorMessage } from "~/utils/logger.server";

export type JobHandler = (tx: Tx, payload: Record<string, unknown>, job: Job) => Promise<void>;

const handlers = new Map<string, JobHandler>();

/** What the worker needs of the (system) database: single statements and transactions. */
type WorkerDb = Pick<Tx, "transaction" | "insert" | "update">;

export function registerJob(kind: string, handler: JobHandler) {
  handlers.set(kind, handler);
}

export interface NewJob {
  kind: string;
  payload?: Record<string, unknown>;
  effectKey?: string;
  dedupeKey?: string;
  runAt?: Date;
  maxAttempts?: number;
}

const jobRow = (job: NewJob) => ({
  kind: job.kind,
  payload: job.payload ?? {},
  effectKey: job.effectKey ?? null,
  dedupeKey: job.dedupeKey ?? null,
  runAt: job.runAt ?? sql`now()`,
  maxAttempts: job.maxAttempts ?? 8,
});

export async function enqueueJob(tx: Tx, job: NewJob) {
  await tx.insert(jobs).values(jobRow(job)).onConflictDoNothing();
}

export interface Recurring {
  kind: string;
  everySeconds: number;
}

const recurring: Recurring[] = [];
export function registerRecurring(r: Recurring) {
  if (!recurring.some((x) => x.kind === r.kind)) recurring.push(r);
}

/** The slot of each recurring kind this process has enqueued (so a pass writes only when a slot begins). */
const enqueuedSlots = new Map<string, number>();

/**
 * Enqueues the current slot of each recurring job, in one statement, for the kinds whose slot this
 * process has not enqueued yet: a worker pass every second writes once a minute, not six times a
 * second. Every instance may call this; the dedupe key leaves one job per slot.
 */
export async function scheduleRecurring(db: WorkerDb, now = new Date()) {
  const due = recurring
    .map((r) => ({ kind: r.kind, slot: Math.floor(now.getTime() / 1000 / r.everySeconds) }))
    .filter((r) => enqueuedSlots.get(r.kind) !== r.slot);
  if (due.length === 0) return;
  await db
    .insert(jobs)
    .values(due.map((r) => jobRow({ kind: r.kind, dedupeKey: `${r.kind}@${r.slot}`, maxAttempts: 3 })))
    .onConflictDoNothing();
  for (const r of due) enqueuedSlots.set(r.kind, r.slot);
}

const LEASE_SECONDS = 300;
export const backoffSeconds = (attempts: number) => Math.min(3600, 5 * 2 ** Math.max(0, attempts - 1));

/** Claims due jobs for this worker (system context), of the given kinds only when kinds are given: one statement. */
async function claimJobs(db: WorkerDb, workerId: string, limit: number, kinds?: string[]): Promise<Job[]> {
  const claimed = await db
    .update(jobs)
    .set({ lockedUntil: sql`now() + make_interval(secs => ${LEASE_SECONDS})`, lockedBy: workerId, attempts: sql`${jobs.attempts} + 1` })
    .where(
      sql`${jobs.id} in (
        select id from jobs
        where done_at is null and failed_at is null and run_at <= now()
          and (locked_until is null or locked_until < now())
          ${kinds?.length ? sql`and kind = any(string_to_array(${kinds.join(",")}, ','))` : sql``}
        order by run_at, id
        limit ${limit}
        for update skip locked)`,
    )
    .returning();
  return claimed.sort((a, b) => a.id - b.id);
}

/** Runs one claimed job: its handler, its effect key and its completion commit together. */
async function runJob(db: WorkerDb, job: Job, workerId: string) {
  const handler = handlers.get(job.kind);
  try {
    if (!handler) throw new Error(`no handler for job kind ${job.kind}`);
    await db.transaction(async (tx) => {
      // Bookkeeping first: the handler runs last because it may switch the transaction to
      // the app role and a tenant context (enterTenant), after which jobs is out of reach.
      await tx
        .update(jobs)
        .set({ doneAt: sql`now()`, lockedUntil: null, lastError: null })
        .where(and(eq(jobs.id, job.id), eq(jobs.lockedBy, workerId)));
      if (job.effectKey) {
        const inserted = await tx
          .insert(jobEffects)
          .values({ key: job.effectKey, jobId: job.id })
          .onConflictDoNothing()
          .returning({ key: jobEffects.key });
        if (inserted.length === 0) {
          logger.info({ jobId: job.id, effectKey: job.effectKey }, "effect already done; skipping");
          return;
        }
      }
      await handler(tx, job.payload, job);
    });
    return true;
  } catch (error) {
    // Without the failed statement's bound values (ADR 0027): the row is read by operators.
    const message = safeErrorMessage(error).slice(0, 1000);
    logger.warn({ jobId: job.id, kind: job.kind, attempts: job.attempts, err: error }, "job failed");
    await db.transaction(async (tx) => {
      await tx
        .update(jobs)
        .set({
          lastError: message,
          lockedUntil: null,
          runAt: sql`now() + make_interval(secs => ${backoffSeconds(job.attempts)})`,
          failedAt: job.attempts >= job.maxAttempts ? sql`now()` : null,
        })
        .where(eq(jobs.id, job.id));
    });
    return false;
  }
}

/** One pass of the worker: schedule recurring slots, then run due jobs. Returns how many ran. */
export async function runDueJobs(db: WorkerDb, { workerId = defaultWorkerId(), limit = 10, kinds }: { workerId?: string; limit?: number; kinds?: string[] } = {}) {
  await scheduleRecurring(db);
  let ran = 0;
  for (;;) {
    const claimed = await claimJobs(db, workerId, limit, kinds);
    if (claimed.length === 0) return ran;
    for (const job of claimed) {
      await runJob(db, job, workerId);
      ran++;
    }
  }
}

export function defaultWorkerId() {
  return `${hostname()}:${process.pid}`;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
};

/**
 * At start: jobs still leased by a process of this host that is gone (killed mid-run) are
 * released at once instead of waiting out their lease. A lease held under this very process's
 * id predates it (the id was reused after a restart) and is released too.
 */
export async function releaseOrphanedJobs(db: WorkerDb, { host = hostname(), isAlive = alive }: { host?: string; isAlive?: (pid: number) => boolean } = {}) {
  return db.transaction(async (tx) => {
    const held = rowsOf<{ locked_by: string }>(
      await tx.execute(sql`select distinct locked_by from jobs where done_at is null and failed_at is null and locked_until > now() and locked_by like ${`${host}:%`}`),
    );
    const orphaned = held
      .map((r) => r.locked_by)
      .filter((id) => {
        const pid = Number(id.slice(host.length + 1));
        return Number.isInteger(pid) && (pid === process.pid || !isAlive(pid));
      });
    if (orphaned.length === 0) return 0;
    const released = await tx
      .update(jobs)
      .set({ lockedUntil: null })
      .where(and(sql`${jobs.doneAt} is null`, inArray(jobs.lockedBy, orphaned)))
      .returning({ id: jobs.id });
    logger.warn({ jobs: released.length, workers: orphaned }, "released jobs of workers that are gone");
    return released.length;
  });
}
