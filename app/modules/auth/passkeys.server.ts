/**
 * Passkeys and security keys (WebAuthn, through @simplewebauthn/server; ADR 0042). A person
 * registers several and names them; a passkey is a second factor after the password, a step-up, or
 * a sign-in on its own (it proves possession and, with user verification, the person). The relying
 * party is APP_URL's host; the expected origin its origin. Each challenge is stored where it was
 * offered (the session, or the sign-in waiting for its second factor) and used once.
 */
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from "@simplewebauthn/server";
import { and, eq, isNotNull, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import { sessions, signInChallenges, userFactors, users } from "../../../db/schema";
import type { Actor } from "~/modules/platform/audit.server";
import { config } from "~/utils/config.server";
import { withSystem, type Tx } from "~/utils/db.server";
import { DomainError, RateLimited, uniqueViolation } from "~/utils/errors";
import { randomToken, sha256 } from "./crypto.server";
import { factorChanged, replaceRecoveryCodesIfFirst } from "./mfa.server";
import { reserve } from "./throttle.server";

const relyingParty = () => {
  const url = new URL(config().APP_URL);
  return { rpID: url.hostname, origin: url.origin };
};

const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64url");

/** A browser's answer, as sent in a form field (JSON); refused with 400 when it is not one. */
const credentialId = z.string().regex(/^[A-Za-z0-9_-]{1,1400}$/);
const responseShape = z.object({ id: credentialId, rawId: credentialId, type: z.literal("public-key"), response: z.record(z.unknown()) }).passthrough();
/** The transports WebAuthn defines; an authenticator's answer may carry anything. */
const TRANSPORTS = new Set(["ble", "cable", "hybrid", "internal", "nfc", "smart-card", "usb"]);
export function readCredentialResponse<T>(json: string | null | undefined): T {
  let value: unknown;
  try {
    value = JSON.parse(json ?? "");
  } catch {
    throw new DomainError(400, "The passkey's answer could not be read. Try again.");
  }
  if (!responseShape.safeParse(value).success) throw new DomainError(400, "The passkey's answer could not be read. Try again.");
  return value as T;
}

const passkeysOf = (tx: Tx, userId: string) =>
  tx
    .select({ id: userFactors.id, credentialId: userFactors.credentialId, transports: userFactors.transports })
    .from(userFactors)
    .where(and(eq(userFactors.userId, userId), eq(userFactors.kind, "passkey")));

type Transports = NonNullable<PublicKeyCredentialCreationOptionsJSON["excludeCredentials"]>[number]["transports"];

// ---- Adding a passkey (signed in) ----

export async function registrationOptions({ userId, sessionIdHash }: { userId: string; sessionIdHash: string }): Promise<PublicKeyCredentialCreationOptionsJSON> {
  return withSystem(async (tx) => {
    const [user] = await tx.select({ email: users.email, displayName: users.displayName }).from(users).where(eq(users.id, userId));
    if (!user) throw new DomainError(404, "The account does not exist.");
    const existing = await passkeysOf(tx, userId);
    const options = await generateRegistrationOptions({
      rpName: "Partnerdesk",
      rpID: relyingParty().rpID,
      userName: user.email,
      userDisplayName: user.displayName,
      userID: new TextEncoder().encode(userId),
      attestationType: "none",
      excludeCredentials: existing.map((c) => ({ id: c.credentialId!, transports: (c.transports ?? undefined) as Transports })),
      // A discoverable credential, so that it can also sign in on its own.
      authenticatorSelection: { residentKey: "required", userVerification: "preferred" },
    });
    await tx.update(sessions).set({ webauthnChallenge: options.challenge }).where(eq(sessions.idHash, sessionIdHash));
    return options;
  });
}

/** Takes the challenge offered to this session (once). */
async function takeSessionChallenge(tx: Tx, sessionIdHash: string): Promise<string | null> {
  const [row] = await tx.select({ challenge: sessions.webauthnChallenge }).from(sessions).where(eq(sessions.idHash, sessionIdHash)).for("update");
  if (!row?.challenge) return null;
  await tx.update(sessions).set({ webauthnChallenge: null }).where(eq(sessions.idHash, sessionIdHash));
  return row.challenge;
}

export async function registerPasskey({
  userId,
  sessionIdHash,
  name,
  response,
  actor,
}: {
  userId: string;
  sessionIdHash: string;
  name: string;
  response: RegistrationResponseJSON;
  actor: Actor;
}) {
  const challenge = await withSystem((tx) => takeSessionChallenge(tx, sessionIdHash));
  if (!challenge) throw new DomainError(409, "Start adding the passkey again: the request expired.");
  const { rpID, origin } = relyingParty();
  const verification = await verifyRegistrationResponse({
    response,
    expectedChallenge: challenge,
    expectedOrigin: origin,
    expectedRPID: rpID,
    requireUserVerification: false,
  }).catch(() => null);
  if (!verification?.verified) throw new DomainError(400, "The passkey could not be added: its answer did not check out. Try again.");
  const { credential } = verification.registrationInfo;
  try {
    return await withSystem(async (tx) => {
      await tx.insert(userFactors).values({
        userId,
        kind: "passkey",
        name,
        credentialId: credential.id,
        publicKey: b64url(credential.publicKey),
        signCount: credential.counter,
        transports: credential.transports ? [...new Set(credential.transports.filter((t) => TRANSPORTS.has(t)))].slice(0, 8) : null,
        confirmedAt: sql`now()`,
      });
      const codes = await replaceRecoveryCodesIfFirst(tx, userId);
      await factorChanged(tx, {
        userId,
        actor,
        action: "auth.mfa_passkey_added",
        subject: "A passkey was added to your Partnerdesk account",
        what: `A passkey named "${name}" was added to your account.`,
      });
      return { recoveryCodes: codes };
    });
  } catch (error) {
    if (uniqueViolation(error)) throw new DomainError(409, "This passkey is already registered.");
    throw error;
  }
}

export async function renamePasskey(tx: Tx, { userId, id, name }: { userId: string; id: string; name: string }) {
  const done = await tx
    .update(userFactors)
    .set({ name })
    .where(and(eq(userFactors.id, id), eq(userFactors.userId, userId), eq(userFactors.kind, "passkey")))
    .returning({ id: userFactors.id });
  if (!done.length) throw new DomainError(404, "No such passkey.");
}

/** Removes a passkey (the route asks for a fresh second factor first); the last factor takes the recovery codes with it. */
export async function removePasskey(tx: Tx, { userId, id, actor }: { userId: string; id: string; actor: Actor }) {
  const gone = await tx
    .delete(userFactors)
    .where(and(eq(userFactors.id, id), eq(userFactors.userId, userId), eq(userFactors.kind, "passkey")))
    .returning({ name: userFactors.name });
  if (!gone.length) throw new DomainError(404, "No such passkey.");
  const [left] = await tx
    .select({ n: sql<number>`count(*)::int` })
    .from(userFactors)
    .where(and(eq(userFactors.userId, userId), isNotNull(userFactors.confirmedAt)));
  if (Number(left?.n ?? 0) === 0) await tx.execute(sql`delete from recovery_codes where user_id = ${userId}`);
  await factorChanged(tx, {
    userId,
    actor,
    action: "auth.mfa_passkey_removed",
    subject: "A passkey was removed from your Partnerdesk account",
    what: `The passkey named "${gone[0]!.name}" was removed from your account.`,
  });
}

// ---- Using a passkey ----

/** Options for an assertion: the person's passkeys, or any discoverable one (`userId` null: a sign-in with a passkey alone). */
async function assertionOptions(tx: Tx, userId: string | null): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const allow = userId ? await passkeysOf(tx, userId) : [];
  if (userId && !allow.length) throw new DomainError(409, "No passkey is registered for this account.");
  return generateAuthenticationOptions({
    rpID: relyingParty().rpID,
    allowCredentials: allow.map((c) => ({ id: c.credentialId!, transports: (c.transports ?? undefined) as Transports })),
    userVerification: userId ? "preferred" : "required",
  });
}

/** Step-up with a passkey: options, the challenge kept on the session. */
export async function stepUpOptions({ userId, sessionIdHash }: { userId: string; sessionIdHash: string }) {
  return withSystem(async (tx) => {
    const options = await assertionOptions(tx, userId);
    await tx.update(sessions).set({ webauthnChallenge: options.challenge }).where(eq(sessions.idHash, sessionIdHash));
    return options;
  });
}

/** The second step of a sign-in with a passkey: options, the challenge kept on the waiting sign-in. */
export async function secondStepOptions({ userId, challengeIdHash }: { userId: string; challengeIdHash: string }) {
  return withSystem(async (tx) => {
    const options = await assertionOptions(tx, userId);
    await tx.update(signInChallenges).set({ webauthnChallenge: options.challenge }).where(eq(signInChallenges.idHash, challengeIdHash));
    return options;
  });
}

/** A sign-in with a passkey alone: a waiting sign-in without a person yet; returns its cookie id and the options. */
export async function passwordlessOptions({ redirectTo, ip }: { redirectTo: string | null; ip: string }): Promise<{ challengeId: string; options: PublicKeyCredentialRequestOptionsJSON }> {
  // Anyone may ask, so each IP only so often: four times the sign-in throttle's per-IP limit of
  // failures in its window, counting every start (an office behind one address signs in often).
  const c = config();
  const allowed = await withSystem((tx) => reserve(tx, [{ key: `passkey-ip:${ip}`, max: 4 * c.LOGIN_MAX_FAILURES_PER_IP }], c.LOGIN_THROTTLE_WINDOW_SECONDS));
  if (!allowed.ok) throw new RateLimited("Too many passkey sign-ins from this network. Try again later.", allowed.retryAfter);
  return withSystem(async (tx) => {
    const options = await assertionOptions(tx, null);
    const challengeId = randomToken();
    await tx
      .insert(signInChallenges)
      .values({
        idHash: sha256(challengeId),
        userId: null,
        redirectTo: redirectTo?.slice(0, 2000) ?? null,
        webauthnChallenge: options.challenge,
        expiresAt: sql`now() + interval '10 minutes'`,
      });
    return { challengeId, options };
  });
}

/** Takes the challenge of the step-up (session) once. */
export const takeStepUpChallenge = (sessionIdHash: string) => withSystem((tx) => takeSessionChallenge(tx, sessionIdHash));

/** Takes the challenge of a waiting sign-in once: for its person (`userId`), or for a passkey-alone sign-in (null). */
export async function takeSignInChallenge(challengeIdHash: string, userId: string | null): Promise<{ challenge: string; redirectTo: string | null } | null> {
  return withSystem(async (tx) => {
    const [row] = await tx
      .select({ challenge: signInChallenges.webauthnChallenge, redirectTo: signInChallenges.redirectTo })
      .from(signInChallenges)
      .where(
        and(
          eq(signInChallenges.idHash, challengeIdHash),
          userId ? eq(signInChallenges.userId, userId) : isNull(signInChallenges.userId),
          sql`${signInChallenges.expiresAt} > now()`
        )
      )
      .for("update");
    if (!row?.challenge) return null;
    await tx.update(signInChallenges).set({ webauthnChallenge: null }).where(eq(signInChallenges.idHash, challengeIdHash));
    return { challenge: row.challenge, redirectTo: row.redirectTo };
  });
}

/**
 * Checks a passkey's assertion against `challenge`: the credential must be registered (to `userId`
 * when given), the signature right, the counter moving on. Returns the person it belongs to.
 */
export async function verifyPasskey({
  response,
  challenge,
  userId,
  requireUserVerification,
}: {
  response: AuthenticationResponseJSON;
  challenge: string;
  userId: string | null;
  requireUserVerification: boolean;
}): Promise<string> {
  const [factor] = await withSystem((tx) =>
    tx
      .select({ id: userFactors.id, userId: userFactors.userId, publicKey: userFactors.publicKey, signCount: userFactors.signCount, transports: userFactors.transports })
      .from(userFactors)
      .where(and(eq(userFactors.credentialId, response.id), eq(userFactors.kind, "passkey"), userId ? eq(userFactors.userId, userId) : sql`true`))
  );
  if (!factor?.publicKey) throw new DomainError(400, "The passkey's answer did not check out. Try again.");
  const { rpID, origin } = relyingParty();
  const result = await verifyAuthenticationResponse({
    response,
    expectedChallenge: challenge,
    expectedOrigin: origin,
    expectedRPID: rpID,
    requireUserVerification,
    credential: {
      id: response.id,
      publicKey: Buffer.from(factor.publicKey, "base64url"),
      counter: Number(factor.signCount ?? 0),
      transports: (factor.transports ?? undefined) as never,
    },
  }).catch(() => null);
  if (!result?.verified) throw new DomainError(400, "The passkey's answer did not check out. Try again.");
  // The counter only moves on (two answers at once must not leave the lower one stored); an
  // authenticator without a counter always says 0.
  const newCounter = result.authenticationInfo.newCounter;
  const moved = await withSystem((tx) =>
    tx
      .update(userFactors)
      .set({ signCount: newCounter, lastUsedAt: sql`now()` })
      .where(and(eq(userFactors.id, factor.id), sql`(${newCounter} = 0 or coalesce(${userFactors.signCount}, 0) < ${newCounter})`))
      .returning({ id: userFactors.id }),
  );
  if (!moved.length) throw new DomainError(400, "The passkey's answer did not check out. Try again.");
  return factor.userId;
}
