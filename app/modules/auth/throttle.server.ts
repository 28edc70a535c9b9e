/**
 * Throttling of sign-in and password-reset requests, with its state in the database
 * (`login_throttle`, system context) so every app instance shares it. ADR 0027.
 *
 * An attempt first *reserves* one unit on each of its keys, in one statement (an upsert that
 * returns every key's new count): the check and the count are one atomic step, so simultaneous
 * attempts cannot all pass a check made before any of them counted. An attempt over any key's
 * limit is refused and gives its units back; a reservation that is not given back stands as a
 * failure. Each key counts in a fixed window that starts with its first attempt.
 *
 * Sign-in keys (limits from the configuration):
 *  - `ip:<ip>` — every attempt from one client IP, whatever the account;
 *  - `account-ip:<email>|<ip>` — one account from one IP, or `device:<device>|<account tag>` — one
 *    account from one browser it has signed in from before (a signed device cookie);
 *  - `account:<email>` — one account from browsers it has not signed in from, over all IPs (a much
 *    higher limit against guessing spread over many addresses). A known browser does not count
 *    here and is not refused by it, so no one can lock a person out of the browsers they use.
 * Statements lock their rows in key order (sorted VALUES; ORDER BY … FOR UPDATE), so two
 * attempts never wait for each other in a cycle.
 */
import { createHmac } from "node:crypto";
import { createCookie } from "@remix-run/node";
import { sql } from "drizzle-orm";
import { rowsOf } from "../../../db/client";
import { config } from "~/utils/config.server";
import type { Tx } from "~/utils/db.server";
import { randomToken } from "./crypto.server";

export interface ThrottleLimits {
  /** Failures per account from one IP, or from one known browser. */
  maxPerAccount: number;
  /** Failures per client IP, whatever the accounts. */
  maxPerIp: number;
  /** Failures per account from browsers it has not signed in from, over every IP. */
  maxPerAccountWide: number;
  windowSeconds: number;
}

export const loginLimits = (): ThrottleLimits => {
  const c = config();
  return {
    maxPerAccount: c.LOGIN_MAX_FAILURES_PER_ACCOUNT,
    maxPerIp: c.LOGIN_MAX_FAILURES_PER_IP,
    maxPerAccountWide: c.LOGIN_MAX_FAILURES_PER_ACCOUNT_WIDE,
    windowSeconds: c.LOGIN_THROTTLE_WINDOW_SECONDS,
  };
};

export interface Limit {
  key: string;
  max: number;
}

/** A unit taken on a key, in the window it was taken in (so it is given back to that window only). */
export interface Reservation {
  key: string;
  windowId: string;
}

export type ReserveResult = { ok: true; reserved: Reservation[] } | { ok: false; retryAfter: number; refused: string[] };

const byKey = <T extends { key: string }>(a: T, b: T) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/**
 * Takes one unit on every key in one statement. Refused when any key goes over its limit; the
 * units are then given back at once, so attempts refused on one key do not count on the others.
 */
export async function reserve(db: Tx, limits: Limit[], windowSeconds: number): Promise<ReserveResult> {
  const sorted = [...new Map(limits.map((l) => [l.key, l])).values()].sort(byKey);
  const rows = rowsOf<{ key: string; failures: number; window_id: string; remaining: number }>(
    await db.execute(sql`
      insert into login_throttle as t (key, failures, window_started_at)
      values ${sql.join(
        sorted.map((l) => sql`(${l.key}, 1, now())`),
        sql`, `,
      )}
      on conflict (key) do update set
        failures = case when t.window_started_at <= now() - make_interval(secs => ${windowSeconds}) then 1 else t.failures + 1 end,
        window_started_at = case when t.window_started_at <= now() - make_interval(secs => ${windowSeconds}) then now() else t.window_started_at end,
        blocked_until = null
      returning key, failures,
        (extract(epoch from window_started_at) * 1000000)::bigint::text as window_id,
        ceil(extract(epoch from (window_started_at + make_interval(secs => ${windowSeconds}) - now())))::int as remaining`),
  );
  const reserved = rows.map((r) => ({ key: r.key, windowId: String(r.window_id) }));
  const over = rows.filter((r) => Number(r.failures) > sorted.find((l) => l.key === r.key)!.max);
  if (over.length === 0) return { ok: true, reserved };
  await settle(db, { release: reserved });
  return { ok: false, retryAfter: Math.max(1, ...over.map((r) => Number(r.remaining))), refused: over.map((r) => r.key) };
}

/**
 * Gives units back (`release`: the attempt was not a failure) and clears keys (`clear`: the
 * person proved who they are there), each only in the window its unit was taken in.
 */
export async function settle(db: Tx, { release = [], clear = [] }: { release?: Reservation[]; clear?: Reservation[] }) {
  const all = [...release.map((r) => ({ ...r, clear: false })), ...clear.map((r) => ({ ...r, clear: true }))].sort(byKey);
  if (all.length === 0) return;
  const list = sql.join(
    all.map((r) => sql`(${r.key}::text, ${r.windowId}::text, ${r.clear}::boolean)`),
    sql`, `,
  );
  await db.execute(sql`
    with v(key, window_id, clear) as (values ${list}),
      locked as (
        select t.key, v.clear from login_throttle t join v on v.key = t.key
        where (extract(epoch from t.window_started_at) * 1000000)::bigint::text = v.window_id
        order by t.key for update of t)
    update login_throttle t set failures = case when locked.clear then 0 else greatest(t.failures - 1, 0) end
    from locked where locked.key = t.key`);
}

// ---- Sign-in keys and known browsers ----

/** An account's tag in a device cookie and its device key: keyed, so the cookie does not carry the address. */
const accountTag = (email: string) => createHmac("sha256", config().SESSION_SECRET).update(`device-account:${email}`).digest("base64url").slice(0, 22);

export interface Device {
  id: string;
  accounts: string[];
}

/** Accounts remembered per browser (the oldest is forgotten first). */
const DEVICE_ACCOUNTS_MAX = 10;

function deviceCookie() {
  const c = config();
  return createCookie("__pd_device", {
    httpOnly: true,
    sameSite: "lax",
    secure: c.NODE_ENV === "production" && c.APP_URL.startsWith("https:"),
    path: "/",
    secrets: [c.SESSION_SECRET],
    maxAge: 180 * 86_400,
  });
}

/** The browser's signed device cookie, or null (missing, tampered, malformed). */
export async function readDevice(request: Request): Promise<Device | null> {
  const value = (await deviceCookie().parse(request.headers.get("Cookie")).catch(() => null)) as unknown;
  if (!value || typeof value !== "object") return null;
  const { id, accounts } = value as { id?: unknown; accounts?: unknown };
  if (typeof id !== "string" || id.length < 20 || !Array.isArray(accounts) || !accounts.every((a) => typeof a === "string")) return null;
  return { id, accounts: accounts as string[] };
}

/** The device cookie after an account proved itself in this browser (sign-in, password reset). */
export function rememberDevice(device: Device | null, email: string): Promise<string> {
  const tag = accountTag(normaliseEmail(email));
  const accounts = [...(device?.accounts ?? []).filter((a) => a !== tag), tag].slice(-DEVICE_ACCOUNTS_MAX);
  return deviceCookie().serialize({ id: device?.id ?? randomToken(), accounts });
}

export const normaliseEmail = (email: string) => email.trim().toLowerCase();

export const isKnownDevice = (device: Device | null, email: string) => Boolean(device?.accounts.includes(accountTag(normaliseEmail(email))));

/** The keys one sign-in attempt counts on, and their limits. */
export function signInLimits({ email, ip, device, limits }: { email: string; ip: string; device: Device | null; limits: ThrottleLimits }) {
  const account = normaliseEmail(email);
  const known = isKnownDevice(device, account);
  const keys: Limit[] = [{ key: `ip:${ip}`, max: limits.maxPerIp }];
  const personal = known ? `device:${device!.id}|${accountTag(account)}` : `account-ip:${account}|${ip}`;
  keys.push({ key: personal, max: limits.maxPerAccount });
  if (!known) keys.push({ key: `account:${account}`, max: limits.maxPerAccountWide });
  return { keys, personal, known };
}

/**
 * The account's throttling notice: true for the first refusal of the account in a window (the
 * person is mailed once per window, however many attempts are refused).
 */
export async function firstNoticeInWindow(db: Tx, { email, windowSeconds }: { email: string; windowSeconds: number }) {
  const [row] = rowsOf<{ failures: number }>(
    await db.execute(sql`
      insert into login_throttle as t (key, failures, window_started_at) values (${`notice:${normaliseEmail(email)}`}, 1, now())
      on conflict (key) do update set
        failures = case when t.window_started_at <= now() - make_interval(secs => ${windowSeconds}) then 1 else t.failures + 1 end,
        window_started_at = case when t.window_started_at <= now() - make_interval(secs => ${windowSeconds}) then now() else t.window_started_at end
      returning failures`),
  );
  return Number(row?.failures) === 1;
}

// ---- Password-reset requests ----

/** Password-reset requests count in hourly windows. */
export const RESET_WINDOW_SECONDS = 3600;

export function resetLimits({ email, ip }: { email: string; ip: string }) {
  const c = config();
  return {
    ip: { key: `reset-ip:${ip}`, max: c.PASSWORD_RESET_MAX_PER_IP_PER_HOUR },
    email: { key: `reset-email:${normaliseEmail(email)}`, max: c.PASSWORD_RESET_MAX_PER_EMAIL_PER_HOUR },
  };
}

/** Housekeeping for scheduled work: rows whose window has passed. */
export async function purgeStaleThrottleRows(tx: Tx, windowSeconds: number) {
  await tx.execute(sql`
    delete from login_throttle
    where window_started_at < now() - make_interval(secs => ${Math.max(windowSeconds, RESET_WINDOW_SECONDS)})`);
}
