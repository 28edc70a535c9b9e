/**
 * Sign-in, passwords and mailed single-use links (activation, password reset).
 * These are the authentication paths that must cross tenants; they run in the system
 * context (ADR 0002) and audit every change.
 */
import { and, eq, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import { authTokens, memberships, organisations, users } from "../../../db/schema";
import { recordAudit } from "../platform/audit.server";
import { enqueueMail } from "../platform/mail.server";
import { config } from "~/utils/config.server";
import { DomainError, pgErrorCode, RateLimited } from "~/utils/errors";
import { withSystem, type Tx } from "~/utils/db.server";
import { enqueueJob } from "../platform/jobs.server";
import { hashPassword, randomToken, sha256, verifyPassword } from "./crypto.server";
import { activeOrgsOf, createSession, deleteSessionsOfUser, switchOrganisation } from "./session.server";
import { hasSecondFactor } from "./mfa.server";
import { homeFor } from "./navigation";
import { createChallenge, noticeNewDevice } from "./sign-in-challenge.server";
import {
  firstNoticeInWindow,
  isKnownDevice,
  normaliseEmail,
  rememberDevice,
  reserve,
  resetLimits,
  RESET_WINDOW_SECONDS,
  settle,
  signInLimits,
  type Device,
  type ThrottleLimits,
} from "./throttle.server";

export const RESET_TOKEN_MINUTES = 60;
export const ACTIVATION_TOKEN_DAYS = 7;

export type SignInResult =
  | { ok: true; setCookie: string; deviceCookie: string; home: string }
  /**
   * The password was right; the person has a second factor: `challengeCookie` leads to
   * /signin/verify. The browser is remembered for the account only once that is done.
   */
  | { ok: "second-factor"; challengeCookie: string }
  | { ok: false; reason: "invalid" }
  | { ok: false; reason: "throttled"; retryAfter: number }
  | { ok: false; reason: "no-organisation"; deviceCookie: string };

/**
 * Signs in (system context). The attempt first reserves its place under every throttling key in
 * one statement, committed before the password is verified (so simultaneous attempts cannot pass
 * together, and no lock is held while argon2 runs); a right password gives the units back (and
 * clears the account's count for this IP or browser), a wrong one leaves them as failures. When
 * the account itself is throttled the person is mailed, once per window. ADR 0029.
 */
export async function signIn(input: {
  email: string;
  password: string;
  ip: string;
  userAgent: string | null;
  device: Device | null;
  limits: ThrottleLimits;
  /** Where to go once signed in (kept with a sign-in that waits for its second factor). */
  redirectTo?: string | null;
}): Promise<SignInResult> {
  const email = normaliseEmail(input.email);
  const newDevice = !isKnownDevice(input.device, email);
  const { keys, personal } = signInLimits({ email, ip: input.ip, device: input.device, limits: input.limits });
  const reservation = await withSystem((db) => reserve(db, keys, input.limits.windowSeconds));
  if (!reservation.ok) {
    await noticeIfAccountThrottled({ email, ip: input.ip, refused: reservation.refused, retryAfter: reservation.retryAfter, windowSeconds: input.limits.windowSeconds });
    return { ok: false, reason: "throttled", retryAfter: reservation.retryAfter };
  }

  const [user] = await withSystem((db) => db.select().from(users).where(eq(users.email, email)));
  const valid = await verifyPassword(user?.passwordHash, input.password);
  if (!user || !valid) {
    // A transaction either way, so an unknown account answers in about the same time as a known one.
    await withSystem(async (tx) => {
      if (!user) return void (await tx.execute(sql`select 1`));
      await recordAudit(tx, {
        actor: { userId: user.id, orgId: null, ip: input.ip },
        action: "auth.sign_in_failed",
        objectType: "user",
        objectId: user.id,
      });
    });
    return { ok: false, reason: "invalid" };
  }
  return withSystem(async (tx) => {
    // Not a failure: the units go back, and this IP's (or browser's) count for the account is cleared.
    await settle(tx, { release: reservation.reserved.filter((r) => r.key !== personal), clear: reservation.reserved.filter((r) => r.key === personal) });
    const orgs = await activeOrgsOf(tx, user.id);
    const org = orgs[0];
    // A person with a second factor is signed in only once it is used (sign-in-challenge.server.ts).
    if (org && (await hasSecondFactor(tx, user.id))) {
      const challengeCookie = await createChallenge(tx, { userId: user.id, redirectTo: input.redirectTo ?? null, newDevice });
      return { ok: "second-factor", challengeCookie } as const;
    }
    const deviceCookie = await rememberDevice(input.device, email);
    if (!org) return { ok: false, reason: "no-organisation", deviceCookie } as const;
    const setCookie = await createSession(tx, { userId: user.id, orgId: org.id, ip: input.ip, userAgent: input.userAgent });
    await recordAudit(tx, {
      actor: { userId: user.id, orgId: org.id, ip: input.ip },
      action: "auth.sign_in",
      objectType: "user",
      objectId: user.id,
    });
    if (newDevice) await noticeNewDevice(tx, { email: user.email, displayName: user.displayName, ip: input.ip, userAgent: input.userAgent });
    return { ok: true, setCookie, deviceCookie, home: homeFor(org.kind) } as const;
  });
}

/** When the account is being throttled (not only an IP), the person is told, once per window. */
async function noticeIfAccountThrottled(r: { email: string; ip: string; refused: string[]; retryAfter: number; windowSeconds: number }) {
  if (!r.refused.some((k) => !k.startsWith("ip:"))) return;
  await withSystem(async (tx) => {
    if (await firstNoticeInWindow(tx, { email: r.email, windowSeconds: r.windowSeconds })) {
      await enqueueJob(tx, { kind: "auth.throttle_notice", payload: { email: r.email, ip: r.ip, retryAfter: r.retryAfter } });
    }
  });
}

/** Job: mails the person whose account sign-in is being throttled (at most once per window). */
export async function sendThrottleNotice(tx: Tx, payload: Record<string, unknown>) {
  const p = z.object({ email: z.string(), ip: z.string(), retryAfter: z.number() }).parse(payload);
  const [user] = await tx.select().from(users).where(eq(users.email, p.email));
  if (!user) return;
  const minutes = Math.max(1, Math.ceil(p.retryAfter / 60));
  await enqueueMail(tx, {
    orgId: null,
    to: [user.email],
    subject: "Sign-in to your Partnerdesk account was paused",
    text:
      `Hello ${user.displayName},\n\nThere were too many failed attempts to sign in to your Partnerdesk account (the latest from ${p.ip}), ` +
      `so we paused sign-in with your address for about ${minutes} minute${minutes === 1 ? "" : "s"}.\n\n` +
      `If that was you, wait and try again. You can still sign in from a browser you have signed in from before.\n` +
      `If it was not you, someone may be guessing your password: choose a new, strong one (${config().APP_URL}/forgot-password). ` +
      `Your password has not been changed.\n`,
  });
  await recordAudit(tx, { actor: { userId: user.id, orgId: null, ip: p.ip }, action: "auth.sign_in_throttled", objectType: "user", objectId: user.id });
}

/**
 * The signed-in person's current password, checked under the sign-in throttling (ADR 0029), on the
 * same keys as a sign-in with this account from this IP or browser: a stolen session guesses no
 * faster here than at /signin. Reserve, then verify; a right one hands back `settle`, which gives the
 * units back (call it in the transaction that acts on it).
 */
export async function checkCurrentPassword(input: {
  userId: string;
  orgId: string;
  password: string;
  ip: string;
  device: Device | null;
  limits: ThrottleLimits;
  failedAction: string;
}): Promise<
  | { ok: true; settle: (tx: Tx) => Promise<void> }
  | { ok: false; reason: "invalid"; field: "currentPassword"; message: string }
  | { ok: false; reason: "throttled"; retryAfter: number }
> {
  const wrong = { ok: false, reason: "invalid", field: "currentPassword", message: "The current password is not correct." } as const;
  const [user] = await withSystem((db) => db.select({ email: users.email, passwordHash: users.passwordHash }).from(users).where(eq(users.id, input.userId)));
  if (!user) return wrong;
  const email = normaliseEmail(user.email);
  const { keys, personal } = signInLimits({ email, ip: input.ip, device: input.device, limits: input.limits });
  const reservation = await withSystem((db) => reserve(db, keys, input.limits.windowSeconds));
  if (!reservation.ok) {
    await noticeIfAccountThrottled({ email, ip: input.ip, refused: reservation.refused, retryAfter: reservation.retryAfter, windowSeconds: input.limits.windowSeconds });
    return { ok: false, reason: "throttled", retryAfter: reservation.retryAfter };
  }
  if (!(await verifyPassword(user.passwordHash, input.password))) {
    await withSystem((tx) => recordAudit(tx, { actor: { userId: input.userId, orgId: input.orgId, ip: input.ip }, action: input.failedAction, objectType: "user", objectId: input.userId }));
    return wrong;
  }
  return {
    ok: true,
    // Not a failure: the units go back, and this IP's (or browser's) count for the account is cleared.
    settle: (tx: Tx) => settle(tx, { release: reservation.reserved.filter((r) => r.key !== personal), clear: reservation.reserved.filter((r) => r.key === personal) }),
  };
}

/**
 * A first second factor is set up only after the current password (finding of the issue 31 review):
 * a stolen session alone must not make itself the account's factor (or, a passkey, a way to sign in
 * without the password). Throws a DomainError on the `password` field (400, or 429 throttled).
 */
export async function requirePasswordForFirstFactor(input: { userId: string; orgId: string; password: string | null | undefined; ip: string; device: Device | null; limits: ThrottleLimits }) {
  if (!input.password) throw new DomainError(400, "Enter your current password to set up your first second factor.", "password");
  const checked = await checkCurrentPassword({ ...input, password: input.password.slice(0, 1024), failedAction: "auth.mfa_password_failed" });
  if (checked.ok) return withSystem((tx) => checked.settle(tx));
  if (checked.reason === "throttled") {
    const minutes = Math.ceil(checked.retryAfter / 60);
    throw new RateLimited(`Too many wrong passwords. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`, checked.retryAfter);
  }
  throw new DomainError(400, checked.message, "password");
}

export type ChangePasswordResult =
  | { ok: true }
  | { ok: false; reason: "invalid"; field: "currentPassword"; message: string }
  | { ok: false; reason: "throttled"; retryAfter: number };

/**
 * The signed-in person changes their password (system context: passwords belong to the person).
 * The current password is checked under the sign-in throttling (ADR 0029), on the same keys as a
 * sign-in with this account from this IP or browser: a stolen session guesses no faster here than
 * at /signin, and guesses at both count together. Reserve, then verify, then settle, as signIn does.
 */
export async function changePassword(input: {
  userId: string;
  orgId: string;
  currentPassword: string;
  newPassword: string;
  ip: string;
  keepSessionHash: string;
  device: Device | null;
  limits: ThrottleLimits;
}): Promise<ChangePasswordResult> {
  const checked = await checkCurrentPassword({ ...input, password: input.currentPassword, failedAction: "auth.password_change_failed" });
  if (!checked.ok) return checked;
  const passwordHash = await hashPassword(input.newPassword);
  return withSystem(async (tx) => {
    await checked.settle(tx);
    await tx.update(users).set({ passwordHash, passwordChangedAt: sql`now()`, passwordMustChange: false }).where(eq(users.id, input.userId));
    // Other sessions of this user end; the current one stays.
    await tx.execute(sql`delete from sessions where user_id = ${input.userId} and id_hash <> ${input.keepSessionHash}`);
    await recordAudit(tx, {
      actor: { userId: input.userId, orgId: input.orgId, ip: input.ip },
      action: "auth.password_changed",
      objectType: "user",
      objectId: input.userId,
    });
    return { ok: true } as const;
  });
}

/**
 * A request for a password-reset mail, rate-limited per IP and per address (hourly windows).
 * Whether or not the account exists, the request does the same work — the limits and one job — and
 * gets the same answer; the job looks the account up and mails it (no timing oracle). Over the
 * address's limit nothing more is sent (its latest link is on its way) and the answer is the same;
 * over the IP's limit the answer is 429.
 */
export async function requestPasswordReset({ email, ip }: { email: string; ip: string }): Promise<{ ok: true } | { ok: false; retryAfter: number }> {
  const address = normaliseEmail(email);
  const limits = resetLimits({ email: address, ip });
  return withSystem(async (tx) => {
    const byIp = await reserve(tx, [limits.ip], RESET_WINDOW_SECONDS);
    if (!byIp.ok) return { ok: false, retryAfter: byIp.retryAfter };
    const byAddress = await reserve(tx, [limits.email], RESET_WINDOW_SECONDS);
    if (byAddress.ok) await enqueueJob(tx, { kind: "auth.password_reset", payload: { email: address, ip } });
    return { ok: true };
  });
}

/** Job: mails a reset link when the account exists (a new link replaces any earlier one). */
export async function sendPasswordReset(tx: Tx, payload: Record<string, unknown>) {
  const { email, ip } = z.object({ email: z.string(), ip: z.string() }).parse(payload);
  const [user] = await tx.select().from(users).where(eq(users.email, normaliseEmail(email)));
  if (!user || !user.passwordHash) return;
  const token = randomToken();
  // A new link replaces any earlier one.
  await tx
    .update(authTokens)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(authTokens.userId, user.id), eq(authTokens.kind, "password_reset"), isNull(authTokens.usedAt), isNull(authTokens.revokedAt)));
  await tx.insert(authTokens).values({
    tokenHash: sha256(token),
    kind: "password_reset",
    userId: user.id,
    expiresAt: sql`now() + make_interval(mins => ${RESET_TOKEN_MINUTES})`,
  });
  const link = `${config().APP_URL}/reset-password/${token}`;
  await enqueueMail(tx, {
    orgId: null,
    to: [user.email],
    subject: "Reset your Partnerdesk password",
    text: `Hello ${user.displayName},\n\nSomeone (hopefully you) asked to reset the password of your Partnerdesk account.\nOpen this link within ${RESET_TOKEN_MINUTES} minutes to choose a new password:\n\n${link}\n\nIf you did not ask for this, ignore this message; your password stays as it is.\n`,
  });
  await recordAudit(tx, {
    actor: { userId: user.id, orgId: null, ip },
    action: "auth.password_reset_requested",
    objectType: "user",
    objectId: user.id,
  });
}

export type TokenState<T> = { ok: true; value: T } | { ok: false; reason: "unknown" | "expired" };

export async function findToken(tx: Tx, token: string, kind: "activation" | "password_reset" | "email_confirmation", forUpdate = false) {
  const q = tx
    .select()
    .from(authTokens)
    .where(and(eq(authTokens.tokenHash, sha256(token)), eq(authTokens.kind, kind)));
  const [row] = forUpdate ? await q.for("update") : await q;
  // Reset links are made in the system context only, for no organisation (ADR 0026).
  if (!row || (kind === "password_reset" && row.orgId !== null)) return { ok: false as const, reason: "unknown" as const };
  if (row.usedAt || row.revokedAt || row.expiresAt.getTime() <= Date.now()) return { ok: false as const, reason: "expired" as const };
  return { ok: true as const, value: row };
}

export async function checkResetToken(tx: Tx, token: string): Promise<TokenState<{ email: string }>> {
  const t = await findToken(tx, token, "password_reset");
  if (!t.ok) return t;
  const [user] = await tx.select({ email: users.email }).from(users).where(eq(users.id, t.value.userId));
  return user ? { ok: true, value: user } : { ok: false, reason: "unknown" };
}

export async function resetPassword(tx: Tx, { token, password, ip }: { token: string; password: string; ip: string }): Promise<TokenState<null>> {
  const t = await findToken(tx, token, "password_reset", true);
  if (!t.ok) return t;
  await tx.update(authTokens).set({ usedAt: sql`now()` }).where(eq(authTokens.tokenHash, t.value.tokenHash));
  await tx
    .update(users)
    // The link was read at the address: it is confirmed (no home is given here: the organisations
    // the account is in were not chosen by this act, ADR 0026).
    .set({ passwordHash: await hashPassword(password), passwordChangedAt: sql`now()`, passwordMustChange: false, emailConfirmed: true })
    .where(eq(users.id, t.value.userId));
  // Confirmation links mailed before this reset were for whoever had the password then (perhaps
  // someone who signed up with this address): they must not give that organisation a hold now.
  await tx
    .update(authTokens)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(authTokens.userId, t.value.userId), eq(authTokens.kind, "email_confirmation"), isNull(authTokens.usedAt), isNull(authTokens.revokedAt)));
  await deleteSessionsOfUser(tx, t.value.userId);
  await recordAudit(tx, {
    actor: { userId: t.value.userId, orgId: null, ip },
    action: "auth.password_reset",
    objectType: "user",
    objectId: t.value.userId,
  });
  return { ok: true, value: null };
}

export interface ActivationInfo {
  email: string;
  displayName: string;
  hasPassword: boolean;
  orgName: string;
  orgId: string;
  userId: string;
}

/** An invitation link (ADR 0026): what it invites to, while it is pending. */
export async function checkActivationToken(tx: Tx, token: string): Promise<TokenState<ActivationInfo>> {
  const t = await findToken(tx, token, "activation");
  if (!t.ok) return t;
  const [row] = await tx
    .select({
      email: users.email,
      displayName: sql<string>`coalesce(${memberships.invitedName}, ${users.displayName})`,
      passwordHash: users.passwordHash,
      orgName: organisations.name,
      orgId: organisations.id,
      status: memberships.status,
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .innerJoin(organisations, eq(organisations.id, memberships.orgId))
    .where(and(eq(memberships.userId, t.value.userId), eq(memberships.orgId, t.value.orgId!)));
  if (!row || row.status !== "invited") return { ok: false, reason: "expired" };
  return {
    ok: true,
    value: {
      email: row.email,
      displayName: row.displayName,
      hasPassword: Boolean(row.passwordHash),
      orgName: row.orgName,
      orgId: row.orgId,
      userId: t.value.userId,
    },
  };
}

export type ActivationResult =
  | { ok: true; setCookie: string | null; home: string; orgName: string }
  | { ok: false; reason: "unknown" | "expired" }
  | { ok: false; reason: "sign-in-required" };

/**
 * Accepts an invitation. An account that has a password accepts only while signed in as itself
 * (`signedIn` is the session's user and session): its password is never asked for or changed
 * here, and the session moves to the organisation joined. A new account — no password yet —
 * chooses its name and password from the link mailed to its address and is signed in.
 */
export async function activateMembership(
  tx: Tx,
  input: {
    token: string;
    displayName?: string;
    password?: string;
    signedIn: { userId: string; sessionIdHash: string } | null;
    ip: string;
    userAgent: string | null;
  },
): Promise<ActivationResult> {
  const t = await findToken(tx, input.token, "activation", true);
  if (!t.ok) return t;
  const orgId = t.value.orgId!;
  const [user] = await tx.select().from(users).where(eq(users.id, t.value.userId)).for("update");
  if (!user) return { ok: false, reason: "unknown" };
  const existing = Boolean(user.passwordHash);
  if (existing) {
    if (input.signedIn?.userId !== user.id) return { ok: false, reason: "sign-in-required" };
  } else {
    if (!input.password) return { ok: false, reason: "sign-in-required" };
    await tx
      .update(users)
      .set({
        displayName: input.displayName?.trim() || user.displayName,
        passwordHash: await hashPassword(input.password),
        passwordChangedAt: sql`now()`,
        // The invitation was read at the address, so the organisation joined becomes the home.
        emailConfirmed: true,
      })
      .where(eq(users.id, user.id));
  }
  // A partner's person's invitation (it names a partner) is accepted only by an active member of
  // that partner: the database refuses anyone else (PD003, migration 0058, review of issue 30).
  const [named] = await tx
    .select({ partner: sql<string | null>`(select o.name from organisations o where o.id = ${memberships.partnerOrgId})`, customer: organisations.name })
    .from(memberships)
    .innerJoin(organisations, eq(organisations.id, memberships.orgId))
    .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, user.id)));
  let activated: { orgId: string }[];
  try {
    activated = await tx
      .update(memberships)
      .set({ status: "active", activatedAt: sql`now()`, invitedEmail: null, invitedName: null })
      .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, user.id), eq(memberships.status, "invited")))
      .returning({ orgId: memberships.orgId });
  } catch (error) {
    if (pgErrorCode(error) !== "PD003") throw error;
    const partner = named?.partner ?? "a partner";
    const customer = named?.customer ?? "the organisation";
    throw new DomainError(409, `This invitation is for a person of ${partner}. Sign in with your account at ${partner}, or ask ${customer} to invite you as a user.`);
  }
  if (activated.length === 0) return { ok: false, reason: "expired" };
  await tx.update(authTokens).set({ usedAt: sql`now()` }).where(eq(authTokens.tokenHash, t.value.tokenHash));
  const [org] = await tx.select({ kind: organisations.kind, name: organisations.name }).from(organisations).where(eq(organisations.id, orgId));
  let setCookie: string | null = null;
  if (existing) {
    // The session moves to the organisation just joined under a new id (a change of privilege).
    setCookie = (await switchOrganisation(tx, { sessionIdHash: input.signedIn!.sessionIdHash, userId: user.id, orgId }))?.setCookie ?? null;
  } else {
    setCookie = await createSession(tx, { userId: user.id, orgId, ip: input.ip, userAgent: input.userAgent });
  }
  await recordAudit(tx, {
    actor: { userId: user.id, orgId, ip: input.ip },
    subjectOrgId: orgId,
    action: "membership.invitation_accepted",
    objectType: "user",
    objectId: user.id,
    details: { newAccount: !existing },
  });
  return { ok: true, setCookie, home: homeFor(org?.kind ?? "partner"), orgName: org?.name ?? "" };
}

/** Declines an invitation: the membership is not created and the link stops working. */
export async function declineInvitation(tx: Tx, input: { token: string; signedIn: { userId: string } | null; ip: string }): Promise<TokenState<null> | { ok: false; reason: "sign-in-required" }> {
  const t = await findToken(tx, input.token, "activation", true);
  if (!t.ok) return t;
  const [user] = await tx.select({ passwordHash: users.passwordHash }).from(users).where(eq(users.id, t.value.userId));
  // An existing account declines as itself, like it accepts; a new address declines from its mail.
  if (user?.passwordHash && input.signedIn?.userId !== t.value.userId) return { ok: false, reason: "sign-in-required" };
  await tx.delete(memberships).where(and(eq(memberships.orgId, t.value.orgId!), eq(memberships.userId, t.value.userId), eq(memberships.status, "invited")));
  await tx.update(authTokens).set({ usedAt: sql`now()` }).where(eq(authTokens.tokenHash, t.value.tokenHash));
  await recordAudit(tx, {
    actor: { userId: t.value.userId, orgId: null, ip: input.ip },
    subjectOrgId: t.value.orgId,
    action: "membership.invitation_declined",
    objectType: "user",
    objectId: t.value.userId,
  });
  return { ok: true, value: null };
}

export async function purgeOldTokens(tx: Tx) {
  await tx.delete(authTokens).where(sql`${authTokens.expiresAt} < now() - interval '30 days'`);
}

