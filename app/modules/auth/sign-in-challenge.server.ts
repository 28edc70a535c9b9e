/**
 * A sign-in between the password and the second factor (ADR 0042). The password step leaves a
 * challenge: a random id in a signed cookie (`__pd_signin`, 10 minutes), its SHA-256 in
 * `sign_in_challenges`. The second step (/signin/verify) checks a code or a passkey for that
 * person, ends the challenge and only then creates the session, marked as having completed a
 * second factor. A challenge dies after MAX_CHALLENGE_FAILURES wrong codes (the person's wrong
 * codes also count on their throttle key, mfa.server.ts) or when it expires.
 */
import { createCookie } from "@remix-run/node";
import { and, eq, sql } from "drizzle-orm";
import { signInChallenges, users } from "../../../db/schema";
import { recordAudit } from "~/modules/platform/audit.server";
import { enqueueMail } from "~/modules/platform/mail.server";
import { config } from "~/utils/config.server";
import { withSystem, type Tx } from "~/utils/db.server";
import { randomToken, sha256 } from "./crypto.server";
import { firstNoticeInWindow } from "./throttle.server";
import { activeOrgsOf, createSession } from "./session.server";
import type { SecondFactorMethod } from "./mfa.server";
import { describeDevice } from "./devices";
import { homeFor } from "./navigation";

const CHALLENGE_SECONDS = 600;
export const MAX_CHALLENGE_FAILURES = 5;

function challengeCookie() {
  const c = config();
  return createCookie("__pd_signin", {
    httpOnly: true,
    sameSite: "lax",
    secure: c.NODE_ENV === "production" && c.APP_URL.startsWith("https:"),
    path: "/",
    secrets: [c.SESSION_SECRET],
    maxAge: CHALLENGE_SECONDS,
  });
}

/** Starts the second step of a sign-in; returns the Set-Cookie header value. */
export async function createChallenge(tx: Tx, { userId, redirectTo, newDevice }: { userId: string; redirectTo: string | null; newDevice: boolean }): Promise<string> {
  const id = randomToken();
  // One sign-in waiting per person at a time is enough: an older one ends.
  await tx.delete(signInChallenges).where(eq(signInChallenges.userId, userId));
  await tx.insert(signInChallenges).values({
    idHash: sha256(id),
    userId,
    redirectTo: redirectTo?.slice(0, 2000) ?? null,
    newDevice,
    expiresAt: sql`now() + make_interval(secs => ${CHALLENGE_SECONDS})`,
  });
  return challengeCookie().serialize(id);
}

export interface Challenge {
  idHash: string;
  userId: string;
  email: string;
  displayName: string;
  redirectTo: string | null;
  webauthnChallenge: string | null;
  newDevice: boolean;
}

/** The browser's live challenge, or null (no cookie, tampered, expired, ended). */
export async function readChallenge(request: Request): Promise<Challenge | null> {
  const id = (await challengeCookie().parse(request.headers.get("Cookie")).catch(() => null)) as unknown;
  if (typeof id !== "string" || id.length < 32) return null;
  const [row] = await withSystem((tx) =>
    tx
      .select({
        idHash: signInChallenges.idHash,
        userId: signInChallenges.userId,
        email: users.email,
        displayName: users.displayName,
        redirectTo: signInChallenges.redirectTo,
        webauthnChallenge: signInChallenges.webauthnChallenge,
        newDevice: signInChallenges.newDevice,
      })
      .from(signInChallenges)
      .innerJoin(users, eq(users.id, signInChallenges.userId))
      .where(and(eq(signInChallenges.idHash, sha256(id)), sql`${signInChallenges.expiresAt} > now()`)),
  );
  // (The inner join leaves out a passkey-alone sign-in, which has no person yet.)
  return row?.userId ? { ...row, userId: row.userId } : null;
}

/** The id of the browser's waiting sign-in (its cookie), hashed as stored, or null. */
export async function readChallengeIdHash(request: Request): Promise<string | null> {
  const id = (await challengeCookie().parse(request.headers.get("Cookie")).catch(() => null)) as unknown;
  return typeof id === "string" && id.length >= 32 ? sha256(id) : null;
}

/** The cookie of a waiting sign-in made elsewhere (a passkey-alone sign-in). */
export function challengeCookieFor(id: string): Promise<string> {
  return challengeCookie().serialize(id);
}

/** Ends a waiting sign-in (a passkey-alone one, answered). */
export async function endChallenge(idHash: string) {
  await withSystem((tx) => tx.delete(signInChallenges).where(eq(signInChallenges.idHash, idHash)));
}

/** Clears the challenge cookie. */
export function clearChallengeCookie(): Promise<string> {
  return challengeCookie().serialize("", { maxAge: 0 });
}

/** Counts a wrong code on the challenge; true when that ended it. */
export async function failChallenge(idHash: string): Promise<boolean> {
  return withSystem(async (tx) => {
    const [row] = await tx
      .update(signInChallenges)
      .set({ failures: sql`${signInChallenges.failures} + 1` })
      .where(eq(signInChallenges.idHash, idHash))
      .returning({ failures: signInChallenges.failures });
    if (!row || row.failures < MAX_CHALLENGE_FAILURES) return !row;
    await tx.delete(signInChallenges).where(eq(signInChallenges.idHash, idHash));
    return true;
  });
}

export type CompletedSignIn = { ok: true; setCookie: string; home: string; redirectTo: string | null } | { ok: false; reason: "gone" | "no-organisation" };

/**
 * Ends the challenge (once: two requests racing with right codes make one session) and signs the
 * person in with a session that completed a second factor. A sign-in from a browser the account
 * had not used before is mailed to the person.
 */
export async function completeChallenge(challenge: Challenge, { method, ip, userAgent }: { method: SecondFactorMethod; ip: string; userAgent: string | null }): Promise<CompletedSignIn> {
  return withSystem(async (tx) => {
    const ended = await tx.delete(signInChallenges).where(eq(signInChallenges.idHash, challenge.idHash)).returning({ userId: signInChallenges.userId });
    if (!ended.length) return { ok: false, reason: "gone" } as const;
    const org = (await activeOrgsOf(tx, challenge.userId))[0];
    if (!org) return { ok: false, reason: "no-organisation" } as const;
    const setCookie = await createSession(tx, { userId: challenge.userId, orgId: org.id, ip, userAgent, mfa: true });
    await recordAudit(tx, { actor: { userId: challenge.userId, orgId: org.id, ip }, action: "auth.sign_in", objectType: "user", objectId: challenge.userId, details: { secondFactor: method } });
    if (challenge.newDevice) await noticeNewDevice(tx, { email: challenge.email, displayName: challenge.displayName, ip, userAgent });
    return { ok: true, setCookie, home: homeFor(org.kind), redirectTo: challenge.redirectTo } as const;
  });
}

/** Mails the person that their account was signed in to from a browser it had not used before. */
export async function noticeNewDevice(tx: Tx, { email, displayName, ip, userAgent }: { email: string; displayName: string; ip: string; userAgent: string | null }) {
  await enqueueMail(tx, {
    orgId: null,
    to: [email],
    subject: "New sign-in to your Partnerdesk account",
    text:
      `Hello ${displayName},\n\nYour Partnerdesk account was just signed in to from a browser it had not been used from before:\n\n` +
      `  ${describeDevice(userAgent)}\n  IP address: ${ip}\n  Time: ${new Date().toISOString().replace("T", " ").slice(0, 16)} UTC\n\n` +
      `If this was you, there is nothing to do.\n` +
      `If it was not, end that session on your account's sessions page (${config().APP_URL}/account/sessions), choose a new password and tell your administrator.\n`,
  });
}

/**
 * The password was right but the second factor was not: someone may know the password. The person
 * is mailed, once per sign-in throttling window.
 */
export async function noticeWrongSecondFactor({ userId, email, displayName, ip }: { userId: string; email: string; displayName: string; ip: string }) {
  await withSystem(async (tx) => {
    if (!(await firstNoticeInWindow(tx, { email: `second-factor:${email}`, windowSeconds: config().LOGIN_THROTTLE_WINDOW_SECONDS }))) return;
    await recordAudit(tx, { actor: { userId, orgId: null, ip }, action: "auth.second_factor_failed", objectType: "user", objectId: userId });
    await enqueueMail(tx, {
      orgId: null,
      to: [email],
      subject: "Your Partnerdesk password was used, but not your second factor",
      text:
        `Hello ${displayName},\n\nSomeone signed in to your Partnerdesk account with the right password (from ${ip}), then entered a wrong code from your authenticator app.\n\n` +
        `If this was you, there is nothing to do.\nIf it was not, someone knows your password: choose a new one now (${config().APP_URL}/forgot-password) and tell your administrator.\n`,
    });
  });
}

/** Sign-ins waiting for their second factor that expired (scheduled housekeeping). */
export async function purgeExpiredChallenges(tx: Tx) {
  await tx.delete(signInChallenges).where(sql`${signInChallenges.expiresAt} < now()`);
}
