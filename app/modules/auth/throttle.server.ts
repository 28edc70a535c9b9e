/**
 * Sign-in throttling per account and per IP, with its state in the database so every app
 * instance shares it. A key that reaches its failure limit within the window is blocked
 * until the window (counted from the blocking failure) has passed.
 */
import { and, gt, inArray, sql } from "drizzle-orm";
import { loginThrottle } from "../../../db/schema";
import type { Tx } from "~/utils/db.server";

export interface ThrottleLimits {
  maxPerAccount: number;
  maxPerIp: number;
  windowSeconds: number;
}

export const throttleKeys = (email: string, ip: string) => ({
  account: `account:${email.trim().toLowerCase()}`,
  ip: `ip:${ip}`,
});

/** Seconds until the first of the keys unblocks, or 0 when none is blocked. */
export async function retryAfterSeconds(tx: Tx, keys: string[]): Promise<number> {
  const [row] = await tx
    .select({ until: sql<string | null>`max(${loginThrottle.blockedUntil})` })
    .from(loginThrottle)
    .where(and(inArray(loginThrottle.key, keys), gt(loginThrottle.blockedUntil, sql`now()`)));
  if (!row?.until) return 0;
  return Math.max(1, Math.ceil((new Date(row.until).getTime() - Date.now()) / 1000));
}

async function bump(tx: Tx, key: string, max: number, windowSeconds: number) {
  // One atomic upsert: restart the window when it has passed, block when the limit is reached.
  await tx.execute(sql`
    insert into login_throttle as t (key, failures, window_started_at, blocked_until)
    values (${key}, 1, now(), case when 1 >= ${max} then now() + make_interval(secs => ${windowSeconds}) end)
    on conflict (key) do update set
      failures = case when t.window_started_at < now() - make_interval(secs => ${windowSeconds}) then 1 else t.failures + 1 end,
      window_started_at = case when t.window_started_at < now() - make_interval(secs => ${windowSeconds}) then now() else t.window_started_at end,
      blocked_until = case
        when (case when t.window_started_at < now() - make_interval(secs => ${windowSeconds}) then 1 else t.failures + 1 end) >= ${max}
        then now() + make_interval(secs => ${windowSeconds})
        else t.blocked_until end`);
}

export async function recordFailure(tx: Tx, { email, ip, limits }: { email: string; ip: string; limits: ThrottleLimits }) {
  const keys = throttleKeys(email, ip);
  await bump(tx, keys.account, limits.maxPerAccount, limits.windowSeconds);
  await bump(tx, keys.ip, limits.maxPerIp, limits.windowSeconds);
}

/** A successful sign-in clears the account's failures (not the IP's: one good account must not unlock guessing others). */
export async function clearAccountFailures(tx: Tx, { email }: { email: string }) {
  await tx.delete(loginThrottle).where(inArray(loginThrottle.key, [throttleKeys(email, "").account]));
}

/** Housekeeping for scheduled work. */
export async function purgeStaleThrottleRows(tx: Tx, windowSeconds: number) {
  await tx.execute(sql`
    delete from login_throttle
    where (blocked_until is null or blocked_until < now())
      and window_started_at < now() - make_interval(secs => ${windowSeconds})`);
}
