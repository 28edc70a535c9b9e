/**
 * Passkeys' round trips (ADR 0042), a resource route the pages' passkey buttons call with fetch:
 * each step first asks for options (`…-options`, JSON the browser hands to WebAuthn), then sends
 * the browser's answer. It answers JSON: `{ ok, redirectTo }` or `{ error }` with the status.
 *
 * - register-options / register: add a passkey (signed in; adding to an account that has a factor
 *   asks for a fresh one first, like the security page);
 * - second-factor-options / second-factor: the sign-in's second step (the waiting sign-in's cookie);
 * - passwordless-options / passwordless: a sign-in with a passkey alone (user verification required);
 * - step-up-options / step-up: confirm it's you with a passkey (signed in).
 */
import type { ActionFunctionArgs } from "@remix-run/node";
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from "@simplewebauthn/server";
import { text } from "~/utils/input";
import { actorOf, clientIp, recentSecondFactor, requireAuth, safeRedirect } from "~/modules/auth/gate.server";
import { requirePasswordForFirstFactor } from "~/modules/auth/accounts.server";
import { homeFor } from "~/modules/auth/navigation";
import {
  passwordlessOptions,
  readCredentialResponse,
  registerPasskey,
  registrationOptions,
  secondStepOptions,
  stepUpOptions,
  takeSignInChallenge,
  takeStepUpChallenge,
  verifyPasskey,
} from "~/modules/auth/passkeys.server";
import { loadAuth, rotateSession } from "~/modules/auth/session.server";
import { challengeCookieFor, clearChallengeCookie, completeChallenge, failChallenge, noticeWrongSecondFactor, readChallenge, readChallengeIdHash } from "~/modules/auth/sign-in-challenge.server";
import { isKnownDevice, loginLimits, readDevice, rememberDevice } from "~/modules/auth/throttle.server";
import { users } from "../../db/schema";
import { eq } from "drizzle-orm";
import { withSystem } from "~/utils/db.server";
import { DomainError, RateLimited } from "~/utils/errors";
import { readForm } from "~/utils/form.server";

export async function loader() {
  throw new Response("Not found", { status: 404 });
}

/** A JSON answer (a resource route: the browser's script reads it). */
function json(body: unknown, { status = 200, headers }: { status?: number; headers?: HeadersInit } = {}) {
  const h = new Headers(headers);
  h.set("Content-Type", "application/json; charset=utf-8");
  h.set("Cache-Control", "no-store");
  return new Response(JSON.stringify(body), { status, headers: h });
}

const fail = (status: number, error: string) => json({ ok: false, error }, { status });

export async function action({ request, context }: ActionFunctionArgs) {
  const formData = await readForm(request);
  const intent = String(formData.get("intent") ?? "");
  try {
    switch (intent) {
      case "register-options":
      case "register":
        return await register(request, context, formData, intent);
      case "second-factor-options":
      case "second-factor":
        return await secondFactor(request, context, formData, intent);
      case "passwordless-options":
      case "passwordless":
        return await passwordless(request, context, formData, intent);
      case "step-up-options":
      case "step-up":
        return await stepUp(request, context, formData, intent);
      default:
        return fail(400, "This request's intent is not one this endpoint knows.");
    }
  } catch (error) {
    if (error instanceof RateLimited) return json({ ok: false, error: error.message }, { status: 429, headers: { "Retry-After": String(error.retryAfter) } });
    if (error instanceof DomainError) return fail(error.status, error.message);
    throw error;
  }
}

type Context = ActionFunctionArgs["context"];

const nameSchema = text({ required_error: "Name the passkey (for example: Work laptop)." })
  .trim()
  .min(1, "Name the passkey (for example: Work laptop).")
  .max(60, "At most 60 characters.");

async function register(request: Request, context: Context, formData: FormData, intent: string) {
  const auth = await requireAuth({ request, context });
  if (auth.user.hasSecondFactor && !recentSecondFactor(auth)) return json({ ok: false, error: "Confirm it's you first.", goTo: `/account/verify?stepUp=add-factor&redirectTo=${encodeURIComponent("/account/security")}` }, { status: 403 });
  if (intent === "register-options") {
    // The first factor needs the current password: a stolen session alone must not add a passkey (a way in without the password).
    if (!auth.user.hasSecondFactor) {
      await requirePasswordForFirstFactor({ userId: auth.user.id, orgId: auth.org.id, password: formData.get("password") as string | null, ip: clientIp(context), device: await readDevice(request), limits: loginLimits() });
    }
    return json({ ok: true, options: await registrationOptions({ userId: auth.user.id, sessionIdHash: auth.sessionIdHash }) });
  }
  const name = nameSchema.safeParse(formData.get("name") ?? "");
  if (!name.success) return fail(400, name.error.issues[0]!.message);
  const response = readCredentialResponse<RegistrationResponseJSON>(formData.get("response") as string | null);
  const { recoveryCodes } = await registerPasskey({ userId: auth.user.id, sessionIdHash: auth.sessionIdHash, name: name.data, response, actor: actorOf(auth, context) });
  // The session has now used a second factor: a new id.
  const setCookie = await withSystem((tx) => rotateSession(tx, { sessionIdHash: auth.sessionIdHash, userId: auth.user.id, mfa: true }));
  return json({ ok: true, recoveryCodes }, setCookie ? { headers: { "Set-Cookie": setCookie } } : {});
}

async function secondFactor(request: Request, context: Context, formData: FormData, intent: string) {
  const challenge = await readChallenge(request);
  if (!challenge) return fail(410, "Your sign-in timed out. Sign in again.");
  if (intent === "second-factor-options") return json({ ok: true, options: await secondStepOptions({ userId: challenge.userId, challengeIdHash: challenge.idHash }) });
  const expected = await takeSignInChallenge(challenge.idHash, challenge.userId);
  if (!expected) return fail(409, "Start again: choose the passkey button once more.");
  const response = readCredentialResponse<AuthenticationResponseJSON>(formData.get("response") as string | null);
  try {
    await verifyPasskey({ response, challenge: expected.challenge, userId: challenge.userId, requireUserVerification: false });
  } catch (error) {
    // Like a wrong code: counted on the waiting sign-in, and the person is told.
    if (error instanceof DomainError && error.status === 400) {
      await noticeWrongSecondFactor({ userId: challenge.userId, email: challenge.email, displayName: challenge.displayName, ip: clientIp(context) });
      if (await failChallenge(challenge.idHash)) return fail(410, "Too many failed tries. Sign in again.");
    }
    throw error;
  }
  return signInAs(request, context, challenge);
}

async function passwordless(request: Request, context: Context, formData: FormData, intent: string) {
  if (await loadAuth(request, context)) return fail(409, "You are already signed in.");
  if (intent === "passwordless-options") {
    const redirectTo = safeRedirect(formData.get("redirectTo"), "") || null;
    const { challengeId, options } = await passwordlessOptions({ redirectTo, ip: clientIp(context) });
    return json({ ok: true, options }, { headers: { "Set-Cookie": await challengeCookieFor(challengeId) } });
  }
  const idHash = await readChallengeIdHash(request);
  const expected = idHash ? await takeSignInChallenge(idHash, null) : null;
  if (!idHash || !expected) return fail(409, "Start again: choose \u201cSign in with a passkey\u201d once more.");
  const response = readCredentialResponse<AuthenticationResponseJSON>(formData.get("response") as string | null);
  const userId = await verifyPasskey({ response, challenge: expected.challenge, userId: null, requireUserVerification: true });
  const [user] = await withSystem((tx) => tx.select({ email: users.email, displayName: users.displayName }).from(users).where(eq(users.id, userId)));
  if (!user) return fail(400, "This passkey is not registered with Partnerdesk.");
  const newDevice = !isKnownDevice(await readDevice(request), user.email);
  return signInAs(request, context, { idHash, userId, email: user.email, displayName: user.displayName, redirectTo: expected.redirectTo, webauthnChallenge: null, newDevice });
}

async function signInAs(request: Request, context: Context, challenge: Parameters<typeof completeChallenge>[0]) {
  const done = await completeChallenge(challenge, { method: "passkey", ip: clientIp(context), userAgent: request.headers.get("user-agent") });
  const headers = new Headers([["Set-Cookie", await clearChallengeCookie()]]);
  if (!done.ok)
    return json(
      {
        ok: false,
        error: done.reason === "no-organisation" ? "Your account is not active in any organisation. Ask your administrator." : "Your sign-in timed out. Sign in again.",
      },
      { status: 409, headers }
    );
  headers.append("Set-Cookie", done.setCookie);
  headers.append("Set-Cookie", await rememberDevice(await readDevice(request), challenge.email));
  return json({ ok: true, redirectTo: safeRedirect(done.redirectTo, done.home) }, { headers });
}

async function stepUp(request: Request, context: Context, formData: FormData, intent: string) {
  const auth = await requireAuth({ request, context });
  if (intent === "step-up-options") return json({ ok: true, options: await stepUpOptions({ userId: auth.user.id, sessionIdHash: auth.sessionIdHash }) });
  const expected = await takeStepUpChallenge(auth.sessionIdHash);
  if (!expected) return fail(409, "Start again: choose the passkey button once more.");
  const response = readCredentialResponse<AuthenticationResponseJSON>(formData.get("response") as string | null);
  await verifyPasskey({ response, challenge: expected, userId: auth.user.id, requireUserVerification: false });
  const setCookie = await withSystem((tx) => rotateSession(tx, { sessionIdHash: auth.sessionIdHash, userId: auth.user.id, mfa: true }));
  if (!setCookie) return fail(410, "Your session ended. Sign in again.");
  return json({ ok: true, redirectTo: safeRedirect(formData.get("redirectTo"), homeFor(auth.org.kind)) }, { headers: { "Set-Cookie": setCookie } });
}
