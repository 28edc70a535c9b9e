/**
 * Second factors (issue 31, ADR 0042): an authenticator app (TOTP, RFC 6238, through otpauth),
 * passkeys (WebAuthn, passkeys.server.ts) and recovery codes. A person's factors are global, like
 * the account: only the person changes them, on the auth path (system context); the app role has
 * no grant on their tables.
 *
 * A TOTP code is accepted once: the factor remembers the last time step it accepted, and a code of
 * that step or an earlier one is refused, so a code seen over someone's shoulder cannot be used
 * again. One step of clock drift either way is accepted. Wrong codes count on the person's key
 * `mfa:<user id>` in the sign-in throttle (MFA_MAX_FAILURES per LOGIN_THROTTLE_WINDOW_SECONDS),
 * whichever page they were typed on.
 */
import { randomBytes } from "node:crypto";
import { and, eq, isNotNull, isNull, sql } from "drizzle-orm";
import * as OTPAuth from "otpauth";
import { memberships, organisations, recoveryCodes, userFactors, users } from "../../../db/schema";
import { enqueueMail } from "~/modules/platform/mail.server";
import { recordAudit, type Actor } from "~/modules/platform/audit.server";
import { config } from "~/utils/config.server";
import { qrCodeDataUrl } from "~/utils/qr.server";
import { withSystem, type Tx } from "~/utils/db.server";
import { DomainError, RateLimited } from "~/utils/errors";
import { sha256 } from "./crypto.server";
import { reserve, settle } from "./throttle.server";

export const TOTP_PERIOD = 30;
const TOTP_DIGITS = 6;
/** Steps of clock drift accepted either way (RFC 6238 §5.2 recommends at most one). */
const TOTP_WINDOW = 1;
export const RECOVERY_CODE_COUNT = 10;

function totpFor(secret: string, label: string) {
  return new OTPAuth.TOTP({ issuer: "Partnerdesk", label, algorithm: "SHA1", digits: TOTP_DIGITS, period: TOTP_PERIOD, secret: OTPAuth.Secret.fromBase32(secret) });
}

/**
 * The time step a code belongs to, if it is right for `secret` at `now` (within the drift window).
 * Exported for the RFC 6238 tests.
 */
export function totpStepOf(secret: string, code: string, now = Date.now()): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const delta = totpFor(secret, "x").validate({ token: code, timestamp: now, window: TOTP_WINDOW });
  return delta === null ? null : Math.floor(now / 1000 / TOTP_PERIOD) + delta;
}

/** The code an authenticator shows for `secret` at `now` (tests and the demo's printout). */
export function totpCode(secret: string, now = Date.now()): string {
  return totpFor(secret, "x").generate({ timestamp: now });
}

/** A code as typed: spaces and dashes people copy from apps dropped, letters lower-cased. */
export function normaliseCode(input: string): string {
  return input.replace(/[\s-]/g, "").toLowerCase();
}

// ---- What a person has ----

export interface FactorSummary {
  totp: { id: string; createdAt: Date; lastUsedAt: Date | null } | null;
  /** An authenticator app set up but not confirmed with a first code yet. */
  pendingTotp: boolean;
  passkeys: { id: string; name: string; createdAt: Date; lastUsedAt: Date | null }[];
  recoveryCodesLeft: number;
}

export async function factorsOf(tx: Tx, userId: string): Promise<FactorSummary> {
  const rows = await tx
    .select({ id: userFactors.id, kind: userFactors.kind, name: userFactors.name, confirmedAt: userFactors.confirmedAt, createdAt: userFactors.createdAt, lastUsedAt: userFactors.lastUsedAt })
    .from(userFactors)
    .where(eq(userFactors.userId, userId))
    .orderBy(userFactors.createdAt);
  const [left] = await tx
    .select({ n: sql<number>`count(*)::int` })
    .from(recoveryCodes)
    .where(and(eq(recoveryCodes.userId, userId), isNull(recoveryCodes.usedAt)));
  const totp = rows.find((r) => r.kind === "totp" && r.confirmedAt);
  return {
    totp: totp ? { id: totp.id, createdAt: totp.createdAt, lastUsedAt: totp.lastUsedAt } : null,
    pendingTotp: rows.some((r) => r.kind === "totp" && !r.confirmedAt),
    passkeys: rows.filter((r) => r.kind === "passkey").map(({ id, name, createdAt, lastUsedAt }) => ({ id, name, createdAt, lastUsedAt })),
    recoveryCodesLeft: Number(left?.n ?? 0),
  };
}

/** True when the person has a confirmed second factor (an authenticator app or a passkey). */
export async function hasSecondFactor(tx: Tx, userId: string): Promise<boolean> {
  const [row] = await tx
    .select({ id: userFactors.id })
    .from(userFactors)
    .where(and(eq(userFactors.userId, userId), isNotNull(userFactors.confirmedAt)))
    .limit(1);
  return Boolean(row);
}

/** True when an organisation the person is an active member of requires a second factor (every partner does). */
export async function secondFactorRequired(tx: Tx, userId: string): Promise<boolean> {
  const [row] = await tx
    .select({ id: memberships.orgId })
    .from(memberships)
    .innerJoin(organisations, eq(organisations.id, memberships.orgId))
    .where(and(eq(memberships.userId, userId), eq(memberships.status, "active"), sql`(${organisations.kind} = 'partner' or ${organisations.requireMfa})`))
    .limit(1);
  return Boolean(row);
}

const countConfirmed = async (tx: Tx, userId: string) =>
  Number(
    (
      await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(userFactors)
        .where(and(eq(userFactors.userId, userId), isNotNull(userFactors.confirmedAt)))
    )[0]?.n ?? 0,
  );

// ---- Wrong codes ----

/**
 * Takes one attempt on the person's second-factor key, in a transaction of its own (committed, so a
 * wrong code still counts when the check's transaction rolls back); refused (429) when too many
 * were wrong. A right code clears the key (`settle` in the check's transaction).
 */
async function reserveAttempt(userId: string, { daily = false }: { daily?: boolean } = {}) {
  const c = config();
  const reservation = await withSystem(async (tx) => {
    const short = await reserve(tx, [{ key: `mfa:${userId}`, max: c.MFA_MAX_FAILURES }], c.LOGIN_THROTTLE_WINDOW_SECONDS);
    if (!short.ok || !daily) return short;
    // From a browser the account has not signed in from, also at most MFA_MAX_FAILURES_PER_DAY a
    // day: a password holder guessing codes across windows gets tens a day, not a thousand. The
    // person's own browsers do not count here and are not refused by it.
    const day = await reserve(tx, [{ key: `mfa-day:${userId}`, max: c.MFA_MAX_FAILURES_PER_DAY }], 86_400);
    if (day.ok) return { ok: true as const, reserved: [...short.reserved, ...day.reserved] };
    await settle(tx, { release: short.reserved });
    return day;
  });
  if (!reservation.ok) {
    const minutes = Math.ceil(reservation.retryAfter / 60);
    throw new RateLimited(`Too many wrong codes. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`, reservation.retryAfter);
  }
  return reservation.reserved;
}

// ---- Authenticator app ----

export interface TotpEnrolment {
  /** The secret in base32, to type into an app by hand (grouped in fours for reading). */
  manualKey: string;
  otpauthUri: string;
  /** The otpauth URI as a QR code (an SVG data URL). */
  qrCode: string;
}

async function enrolmentOf(secret: string, email: string): Promise<TotpEnrolment> {
  const uri = totpFor(secret, email).toString();
  return {
    manualKey: secret.replace(/(.{4})/g, "$1 ").trim(),
    otpauthUri: uri,
    qrCode: await qrCodeDataUrl(uri),
  };
}

/** Starts (or restarts) setting up an authenticator app: a new secret, waiting for its first code. */
export async function startTotpEnrolment(tx: Tx, { userId }: { userId: string }): Promise<TotpEnrolment> {
  const [user] = await tx.select({ email: users.email }).from(users).where(eq(users.id, userId));
  if (!user) throw new DomainError(404, "The account does not exist.");
  const [existing] = await tx.select({ confirmedAt: userFactors.confirmedAt }).from(userFactors).where(and(eq(userFactors.userId, userId), eq(userFactors.kind, "totp")));
  if (existing?.confirmedAt) throw new DomainError(409, "An authenticator app is already set up. Remove it first to set up another one.");
  await tx.delete(userFactors).where(and(eq(userFactors.userId, userId), eq(userFactors.kind, "totp"), isNull(userFactors.confirmedAt)));
  // 160 bits, the size RFC 4226 recommends for HMAC-SHA1.
  const secret = new OTPAuth.Secret({ buffer: randomBytes(20).buffer as ArrayBuffer }).base32;
  await tx.insert(userFactors).values({ userId, kind: "totp", name: "Authenticator app", totpSecret: secret });
  return enrolmentOf(secret, user.email);
}

/** The enrolment waiting for its first code, to show again (a reload, a wrong first code). */
export async function pendingTotpEnrolment(tx: Tx, { userId }: { userId: string }): Promise<TotpEnrolment | null> {
  const [row] = await tx
    .select({ secret: userFactors.totpSecret, email: users.email })
    .from(userFactors)
    .innerJoin(users, eq(users.id, userFactors.userId))
    .where(and(eq(userFactors.userId, userId), eq(userFactors.kind, "totp"), isNull(userFactors.confirmedAt)));
  return row?.secret ? enrolmentOf(row.secret, row.email) : null;
}

/**
 * Confirms the authenticator app with its first code. Returns new recovery codes when the person
 * had none left (shown once), otherwise none. Its own transactions (system context): a wrong code
 * counts even though nothing else is written.
 */
export async function confirmTotpEnrolment({ userId, code, actor }: { userId: string; code: string; actor: Actor }): Promise<{ recoveryCodes: string[] | null }> {
  const pendingOf = async (tx: Tx) =>
    (
      await tx
        .select({ id: userFactors.id, secret: userFactors.totpSecret })
        .from(userFactors)
        .where(and(eq(userFactors.userId, userId), eq(userFactors.kind, "totp"), isNull(userFactors.confirmedAt)))
        .for("update")
    )[0];
  if (!(await withSystem(pendingOf))) throw new DomainError(409, "Start setting up the authenticator app again: there is no set-up waiting for a code.");
  const reserved = await reserveAttempt(userId);
  return withSystem(async (tx) => {
    const pending = await pendingOf(tx);
    if (!pending?.secret) throw new DomainError(409, "Start setting up the authenticator app again: there is no set-up waiting for a code.");
    const step = totpStepOf(pending.secret, normaliseCode(code));
    if (step === null) throw new DomainError(400, "That code is not right. Enter the 6-digit code your app shows now.", "code");
    await settle(tx, { clear: reserved });
    await tx.update(userFactors).set({ confirmedAt: sql`now()`, lastUsedAt: sql`now()`, totpLastStep: step }).where(eq(userFactors.id, pending.id));
    const codes = await replaceRecoveryCodesIfFirst(tx, userId);
    await factorChanged(tx, { userId, actor, action: "auth.mfa_totp_added", subject: "An authenticator app was added to your Partnerdesk account", what: "An authenticator app was set up as a second factor for your account." });
    return { recoveryCodes: codes };
  });
}

/**
 * Removes the authenticator app. The last factor goes only with a current code from it or a
 * recovery code (a fresh sign-in with it), and takes the recovery codes with it. A person whose
 * organisation requires a second factor may remove it too (a new phone, a secret they fear leaked):
 * the gate then has them set up a new one before anything else.
 */
export async function removeTotp({ userId, code, actor }: { userId: string; code: string | undefined; actor: Actor }) {
  const [factor] = await withSystem((tx) =>
    tx
      .select({ id: userFactors.id, confirmedAt: userFactors.confirmedAt })
      .from(userFactors)
      .where(and(eq(userFactors.userId, userId), eq(userFactors.kind, "totp"))),
  );
  if (!factor) throw new DomainError(404, "No authenticator app is set up.");
  const last = Boolean(factor.confirmedAt) && (await withSystem((tx) => countConfirmed(tx, userId))) === 1;
  if (last) {
    if (!normaliseCode(code ?? "")) throw new DomainError(400, "Enter a current code from the app, or a recovery code, to remove it.", "code");
    await verifyCode({ userId, code: code!, actor });
  }
  await withSystem(async (tx) => {
    const gone = await tx.delete(userFactors).where(eq(userFactors.id, factor.id)).returning({ id: userFactors.id });
    if (!gone.length || !factor.confirmedAt) return;
    if ((await countConfirmed(tx, userId)) === 0) await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
    await factorChanged(tx, { userId, actor, action: "auth.mfa_totp_removed", subject: "The authenticator app was removed from your Partnerdesk account", what: "The authenticator app was removed from your account's second factors." });
  });
}

/**
 * The operator's reset for a person who lost every factor and every recovery code (after proving
 * who they are outside the product): factors, recovery codes and sessions go; audited and mailed.
 */
export async function resetSecondFactors(tx: Tx, { email, operator }: { email: string; operator: string }) {
  const [user] = await tx.select({ id: users.id }).from(users).where(eq(users.email, email.trim().toLowerCase()));
  if (!user) throw new DomainError(404, "No account has this email address.");
  await tx.delete(userFactors).where(eq(userFactors.userId, user.id));
  await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, user.id));
  await tx.execute(sql`delete from sessions where user_id = ${user.id}`);
  await factorChanged(tx, {
    userId: user.id,
    actor: { userId: null, orgId: null, name: operator },
    action: "operator.mfa_reset",
    subject: "The second factors of your Partnerdesk account were reset",
    what: "The platform operator removed your account's second factors and recovery codes at your request, and signed you out everywhere. Set up a new authenticator app at your next sign-in.",
  });
  return user.id;
}

// ---- Recovery codes ----

/** A recovery code: 10 characters of a 31-character alphabet without look-alikes (about 49.5 bits), shown as xxxxx-xxxxx. */
function newRecoveryCode(): string {
  const alphabet = "abcdefghjkmnpqrstuvwxyz23456789"; // no i, l, o, 0, 1
  let code = "";
  while (code.length < 10) {
    // Rejection sampling: bytes of 248 and over would favour the first characters.
    for (const b of randomBytes(16)) if (b < 248 && code.length < 10) code += alphabet[b % 31];
  }
  return `${code.slice(0, 5)}-${code.slice(5)}`;
}

async function replaceRecoveryCodes(tx: Tx, userId: string): Promise<string[]> {
  await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  await tx.insert(recoveryCodes).values(codes.map((code) => ({ userId, codeHash: sha256(normaliseCode(code)) })));
  return codes;
}

/** The first factor comes with new recovery codes (any older ones stop working); null for a later one. */
export async function replaceRecoveryCodesIfFirst(tx: Tx, userId: string): Promise<string[] | null> {
  return (await countConfirmed(tx, userId)) === 1 ? replaceRecoveryCodes(tx, userId) : null;
}

/** Ten new recovery codes (shown once); the old ones stop working. Needs a second factor to recover. */
export async function regenerateRecoveryCodes(tx: Tx, { userId, actor }: { userId: string; actor: Actor }): Promise<string[]> {
  if ((await countConfirmed(tx, userId)) === 0) throw new DomainError(409, "Set up an authenticator app or a passkey first: recovery codes stand in for one.");
  const codes = await replaceRecoveryCodes(tx, userId);
  await factorChanged(tx, { userId, actor, action: "auth.mfa_recovery_codes_regenerated", subject: "New recovery codes for your Partnerdesk account", what: "New recovery codes were made for your account; the old ones no longer work." });
  return codes;
}

// ---- Using a factor ----

export type SecondFactorMethod = "totp" | "recovery_code" | "passkey";

/**
 * Checks a code typed as a second factor: a 6-digit code from the authenticator app (once per time
 * step) or a recovery code (once). Wrong codes count (429 when too many); a right one clears them.
 * Its own transactions (system context), for the same reason as confirmTotpEnrolment.
 */
export async function verifyCode({ userId, code, actor, unknownBrowser = false }: { userId: string; code: string; actor: Actor; unknownBrowser?: boolean }): Promise<SecondFactorMethod> {
  const typed = normaliseCode(code);
  if (!typed) throw new DomainError(400, "Enter the code from your authenticator app, or a recovery code.", "code");
  const reserved = await reserveAttempt(userId, { daily: unknownBrowser });
  return withSystem(async (tx) => {
    const method = /^\d{6}$/.test(typed) ? await useTotpCode(tx, userId, typed) : await useRecoveryCode(tx, userId, typed);
    if (!method) throw new DomainError(400, "That code is not right. Enter the code your app shows now, or one of your recovery codes.", "code");
    await settle(tx, { clear: reserved });
    if (method === "recovery_code") {
      const [left] = await tx.select({ n: sql<number>`count(*)::int` }).from(recoveryCodes).where(and(eq(recoveryCodes.userId, userId), isNull(recoveryCodes.usedAt)));
      const n = Number(left?.n ?? 0);
      await factorChanged(tx, {
        userId,
        actor,
        action: "auth.mfa_recovery_code_used",
        subject: "A recovery code was used for your Partnerdesk account",
        what: `A recovery code was used to sign in to your account. ${n} recovery code${n === 1 ? "" : "s"} left${n <= 3 ? ": make new ones on your account's security page" : ""}.`,
      });
    }
    return method;
  });
}

async function useTotpCode(tx: Tx, userId: string, code: string): Promise<SecondFactorMethod | null> {
  const [factor] = await tx
    .select({ id: userFactors.id, secret: userFactors.totpSecret })
    .from(userFactors)
    .where(and(eq(userFactors.userId, userId), eq(userFactors.kind, "totp"), isNotNull(userFactors.confirmedAt)));
  if (!factor?.secret) return null;
  const step = totpStepOf(factor.secret, code);
  if (step === null) return null;
  // Once per step: the update wins only if no code of this step or a later one was accepted before,
  // so two requests with the same code cannot both pass.
  const used = await tx
    .update(userFactors)
    .set({ totpLastStep: step, lastUsedAt: sql`now()` })
    .where(and(eq(userFactors.id, factor.id), sql`(${userFactors.totpLastStep} is null or ${userFactors.totpLastStep} < ${step})`))
    .returning({ id: userFactors.id });
  return used.length ? "totp" : null;
}

async function useRecoveryCode(tx: Tx, userId: string, code: string): Promise<SecondFactorMethod | null> {
  const used = await tx
    .update(recoveryCodes)
    .set({ usedAt: sql`now()` })
    .where(and(eq(recoveryCodes.userId, userId), eq(recoveryCodes.codeHash, sha256(code)), isNull(recoveryCodes.usedAt)))
    .returning({ id: recoveryCodes.id });
  return used.length ? "recovery_code" : null;
}

/** Every change to a person's factors is audited and mailed to them. */
export async function factorChanged(tx: Tx, { userId, actor, action, subject, what }: { userId: string; actor: Actor; action: string; subject: string; what: string }) {
  const [user] = await tx.select({ email: users.email, displayName: users.displayName }).from(users).where(eq(users.id, userId));
  if (!user) return;
  await recordAudit(tx, { actor, action, objectType: "user", objectId: userId });
  await enqueueMail(tx, {
    orgId: null,
    to: [user.email],
    subject,
    text:
      `Hello ${user.displayName},\n\n${what}\n\n` +
      `If this was not you, sign in and review your account's security (${config().APP_URL}/account/security), ` +
      `choose a new password, and tell your administrator.\n`,
  });
}
