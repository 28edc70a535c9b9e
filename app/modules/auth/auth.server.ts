/**
 * Sign-in, passwords and mailed single-use links (activation, password reset).
 * These are the authentication paths that must cross tenants; they run in the system
 * context (ADR 0002) and audit every change.
 */
import { and, eq, isNull, sql } from "drizzle-orm";
import { authTokens, memberships, organisations, users } from "../../../db/schema";
import { recordAudit } from "../audit.server";
import { enqueueMail } from "../mail.server";
import { config } from "~/utils/config.server";
import type { Tx } from "~/utils/db.server";
import { hashPassword, randomToken, sha256, verifyPassword } from "./crypto.server";
import { activeOrgsOf, createSession, deleteSessionsOfUser } from "./session.server";
import { clearAccountFailures, recordFailure, retryAfterSeconds, throttleKeys, type ThrottleLimits } from "./throttle.server";

export const RESET_TOKEN_MINUTES = 60;
export const ACTIVATION_TOKEN_DAYS = 7;

export type SignInResult =
  | { ok: true; setCookie: string; home: string }
  | { ok: false; reason: "invalid" }
  | { ok: false; reason: "throttled"; retryAfter: number }
  | { ok: false; reason: "no-organisation" };

export function homeFor(kind: "partner" | "customer") {
  return kind === "partner" ? "/partner" : "/customer";
}

export async function signIn(
  tx: Tx,
  input: { email: string; password: string; ip: string; userAgent: string | null; limits: ThrottleLimits },
): Promise<SignInResult> {
  const email = input.email.trim().toLowerCase();
  const keys = throttleKeys(email, input.ip);
  const retryAfter = await retryAfterSeconds(tx, [keys.account, keys.ip]);
  if (retryAfter > 0) return { ok: false, reason: "throttled", retryAfter };

  const [user] = await tx.select().from(users).where(eq(users.email, email));
  const valid = await verifyPassword(user?.passwordHash, input.password);
  if (!user || !valid) {
    await recordFailure(tx, { email, ip: input.ip, limits: input.limits });
    if (user) {
      await recordAudit(tx, {
        actor: { userId: user.id, orgId: null, ip: input.ip },
        action: "auth.sign_in_failed",
        objectType: "user",
        objectId: user.id,
      });
    }
    return { ok: false, reason: "invalid" };
  }
  await clearAccountFailures(tx, { email });
  const orgs = await activeOrgsOf(tx, user.id);
  const org = orgs[0];
  if (!org) return { ok: false, reason: "no-organisation" };
  const setCookie = await createSession(tx, { userId: user.id, orgId: org.id, ip: input.ip, userAgent: input.userAgent });
  await recordAudit(tx, {
    actor: { userId: user.id, orgId: org.id, ip: input.ip },
    action: "auth.sign_in",
    objectType: "user",
    objectId: user.id,
  });
  return { ok: true, setCookie, home: homeFor(org.kind) };
}

export async function changePassword(
  tx: Tx,
  input: { userId: string; orgId: string; currentPassword: string; newPassword: string; ip: string; keepSessionHash: string },
): Promise<{ ok: true } | { ok: false; field: "currentPassword"; message: string }> {
  const [user] = await tx.select().from(users).where(eq(users.id, input.userId));
  if (!user || !(await verifyPassword(user.passwordHash, input.currentPassword))) {
    return { ok: false, field: "currentPassword", message: "The current password is not correct." };
  }
  await tx
    .update(users)
    .set({ passwordHash: await hashPassword(input.newPassword), passwordChangedAt: sql`now()`, passwordMustChange: false })
    .where(eq(users.id, input.userId));
  // Other sessions of this user end; the current one stays.
  await tx.execute(sql`delete from sessions where user_id = ${input.userId} and id_hash <> ${input.keepSessionHash}`);
  await recordAudit(tx, {
    actor: { userId: input.userId, orgId: input.orgId, ip: input.ip },
    action: "auth.password_changed",
    objectType: "user",
    objectId: input.userId,
  });
  return { ok: true };
}

/** Always succeeds from the caller's view (no account enumeration); mails a link when the account exists. */
export async function requestPasswordReset(tx: Tx, { email, ip }: { email: string; ip: string }) {
  const [user] = await tx.select().from(users).where(eq(users.email, email.trim().toLowerCase()));
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

async function findToken(tx: Tx, token: string, kind: "activation" | "password_reset", forUpdate = false) {
  const q = tx
    .select()
    .from(authTokens)
    .where(and(eq(authTokens.tokenHash, sha256(token)), eq(authTokens.kind, kind)));
  const [row] = forUpdate ? await q.for("update") : await q;
  if (!row) return { ok: false as const, reason: "unknown" as const };
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
    .set({ passwordHash: await hashPassword(password), passwordChangedAt: sql`now()` })
    .where(eq(users.id, t.value.userId));
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

export async function checkActivationToken(tx: Tx, token: string): Promise<TokenState<ActivationInfo>> {
  const t = await findToken(tx, token, "activation");
  if (!t.ok) return t;
  const [row] = await tx
    .select({
      email: users.email,
      displayName: users.displayName,
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
  | { ok: true; setCookie: string; home: string }
  | { ok: false; reason: "unknown" | "expired" }
  | { ok: false; reason: "wrong-password" };

/**
 * Accepts an invitation: a new user chooses a name and password; an existing user confirms
 * with its password. The membership becomes active and the user is signed in.
 */
export async function activateMembership(
  tx: Tx,
  input: { token: string; displayName?: string; password: string; ip: string; userAgent: string | null },
): Promise<ActivationResult> {
  const t = await findToken(tx, input.token, "activation", true);
  if (!t.ok) return t;
  const orgId = t.value.orgId!;
  const [user] = await tx.select().from(users).where(eq(users.id, t.value.userId)).for("update");
  if (!user) return { ok: false, reason: "unknown" };
  if (user.passwordHash) {
    if (!(await verifyPassword(user.passwordHash, input.password))) return { ok: false, reason: "wrong-password" };
  } else {
    await tx
      .update(users)
      .set({
        displayName: input.displayName?.trim() || user.displayName,
        passwordHash: await hashPassword(input.password),
        passwordChangedAt: sql`now()`,
      })
      .where(eq(users.id, user.id));
  }
  const activated = await tx
    .update(memberships)
    .set({ status: "active", activatedAt: sql`now()` })
    .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, user.id), eq(memberships.status, "invited")))
    .returning({ orgId: memberships.orgId });
  if (activated.length === 0) return { ok: false, reason: "expired" };
  await tx.update(authTokens).set({ usedAt: sql`now()` }).where(eq(authTokens.tokenHash, t.value.tokenHash));
  const [org] = await tx.select({ kind: organisations.kind }).from(organisations).where(eq(organisations.id, orgId));
  const setCookie = await createSession(tx, { userId: user.id, orgId, ip: input.ip, userAgent: input.userAgent });
  await recordAudit(tx, {
    actor: { userId: user.id, orgId, ip: input.ip },
    action: "staff.activated",
    objectType: "user",
    objectId: user.id,
  });
  return { ok: true, setCookie, home: homeFor(org?.kind ?? "partner") };
}

export async function purgeOldTokens(tx: Tx) {
  await tx.delete(authTokens).where(sql`${authTokens.expiresAt} < now() - interval '30 days'`);
}

