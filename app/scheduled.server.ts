/**
 * The scheduled work of the foundation and the worker loop that runs it in every app process.
 * Job kinds register here; later issues add theirs.
 */
import { z } from "zod";
import { eq } from "drizzle-orm";
import { jobs } from "../db/schema";
import { enterTenant, getDatabase, type Tx } from "~/utils/db.server";
import { config } from "~/utils/config.server";
import { logger } from "~/utils/logger.server";
import { purgeOldTokens, sendPasswordReset, sendThrottleNotice } from "./modules/auth/accounts.server";
import { purgeExpiredSessions } from "./modules/auth/session.server";
import { purgeExpiredChallenges } from "./modules/auth/sign-in-challenge.server";
import { purgeStaleThrottleRows } from "./modules/auth/throttle.server";
import { purgeLinkVisitors } from "./modules/links/redemption.server";
import { registerJob, registerRecurring, releaseOrphanedJobs, runDueJobs, defaultWorkerId } from "./modules/platform/jobs.server";
import { deliverPendingMail, purgeSentMailBodies, resetMailTransport } from "./modules/platform/mail.server";
import { memberIdsWithRoles, notify } from "./modules/platform/notifications.server";
import { compactSubscriptionTotals, expireTrials } from "./modules/subscriptions/subscriptions.server";
import { applyAgreementVersion } from "./modules/customer-tenant/agreements.server";
import { runGdapLifecycle } from "./modules/delegated-admin/admin-relationships.server";
import { runBulkGdapBatch } from "./modules/delegated-admin/bulk-gdap.server";
import { purgeLostLeads } from "./modules/directory/leads.server";

const notifyPayload = z.object({
  orgId: z.string().uuid(),
  roles: z.array(z.string()).min(1),
  kind: z.string().min(1),
  title: z.string().min(1),
  body: z.string().optional(),
  link: z.string().optional(),
  email: z.boolean().default(false),
});

/** Notifies the members of an organisation holding some roles; runs in that organisation's context. */
async function notifyJob(tx: Tx, payload: Record<string, unknown>) {
  const p = notifyPayload.parse(payload);
  await enterTenant(tx, { orgId: p.orgId, userId: null });
  const userIds = await memberIdsWithRoles(tx, { orgId: p.orgId, roles: p.roles });
  await notify(tx, { ...p, userIds });
}

/** A done job's personal data (an email address, an IP) is not kept in the jobs table. */
async function forgetPayload(tx: Tx, jobId: number) {
  await tx.update(jobs).set({ payload: {} }).where(eq(jobs.id, jobId));
}

async function maintenanceJob(tx: Tx) {
  await purgeExpiredSessions(tx);
  await purgeExpiredChallenges(tx);
  await purgeOldTokens(tx);
  await purgeStaleThrottleRows(tx, config().LOGIN_THROTTLE_WINDOW_SECONDS);
  await purgeLinkVisitors(tx);
  // Sent mail's bodies carry activation, reset and confirmation links: blanked after the retention.
  await purgeSentMailBodies(tx, { retentionDays: config().MAIL_BODY_RETENTION_DAYS });
}

export function registerScheduledWork() {
  registerJob("notify", notifyJob);
  registerJob("maintenance.sweep", (tx) => maintenanceJob(tx));
  // Password-reset mails and throttling notices (ADR 0029): the address leaves the job's payload once it ran.
  registerJob("auth.password_reset", async (tx, payload, job) => {
    await sendPasswordReset(tx, payload);
    await forgetPayload(tx, job.id);
  });
  registerJob("auth.throttle_notice", async (tx, payload, job) => {
    await sendThrottleNotice(tx, payload);
    await forgetPayload(tx, job.id);
  });
  registerRecurring({ kind: "maintenance.sweep", everySeconds: 3600 });
  // Trials that reach their end date are marked expired (an idempotent update; every process may run it).
  registerJob("subscriptions.expire_trials", async (tx) => {
    await expireTrials(tx);
  });
  registerRecurring({ kind: "subscriptions.expire_trials", everySeconds: 300 });
  // The partners' subscription totals: appended changes are folded into the kept sums (ADR 0013).
  registerJob("subscriptions.compact_totals", async (tx) => {
    await compactSubscriptionTotals(tx);
  });
  registerRecurring({ kind: "subscriptions.compact_totals", everySeconds: 60 });
  // A new customer agreement version: customers that have not accepted it become "pending".
  registerJob("agreements.apply_version", async (tx) => {
    await applyAgreementVersion(tx);
  });
  registerRecurring({ kind: "agreements.apply_version", everySeconds: 300 });
  // GDAP: request expiry, expiry or auto-extension at the end, and the 30/7/1-day notices (each once).
  registerJob("gdap.lifecycle", async (tx) => {
    await runGdapLifecycle(tx);
  });
  registerRecurring({ kind: "gdap.lifecycle", everySeconds: 600 });
  // Lost leads are deleted after the retention (LEAD_RETENTION_DAYS), with old contact-form rate-limit rows.
  registerJob("leads.purge", async (tx) => {
    await purgeLostLeads(tx, { retentionDays: config().LEAD_RETENTION_DAYS });
  });
  registerRecurring({ kind: "leads.purge", everySeconds: 3600 });
  // Bulk GDAP requests: one batch per run; each batch enqueues the next.
  registerJob("bulk.gdap", async (tx, payload) => {
    const p = z.object({ operationId: z.string().uuid(), partnerId: z.string().uuid() }).parse(payload);
    await runBulkGdapBatch(tx, p);
  });
}

const g = globalThis as typeof globalThis & { __partnerdesk_worker?: { stop(): Promise<void> } };

/** Starts the polling worker once per process. */
export function startWorker() {
  if (g.__partnerdesk_worker) return g.__partnerdesk_worker;
  registerScheduledWork();
  const workerId = defaultWorkerId();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let first = true;
  const tick = async () => {
    try {
      const { db } = await getDatabase();
      if (first) {
        first = false;
        await releaseOrphanedJobs(db);
      }
      await runDueJobs(db, { workerId, kinds: config().JOB_KINDS?.split(",") });
      await deliverPendingMail(db);
    } catch (error) {
      logger.error({ err: error }, "worker pass failed");
    }
  };
  const loop = () => {
    if (stopped) return;
    running = tick().finally(() => {
      if (!stopped) timer = setTimeout(loop, config().JOB_POLL_MS);
    });
  };
  loop();
  g.__partnerdesk_worker = {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
      resetMailTransport();
    },
  };
  return g.__partnerdesk_worker;
}
