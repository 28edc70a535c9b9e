import { parseWithZod } from "@conform-to/zod";
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { SecondFactorCodeForm, secondFactorCodeSchema } from "~/components/second-factor";
import { factorsOf, verifyCode } from "~/modules/auth/mfa.server";
import { PasskeyButton } from "~/components/passkeys";
import { withSystem } from "~/utils/db.server";
import { clearChallengeCookie, completeChallenge, failChallenge, noticeWrongSecondFactor, readChallenge } from "~/modules/auth/sign-in-challenge.server";
import { loadAuth } from "~/modules/auth/session.server";
import { isKnownDevice, readDevice, rememberDevice } from "~/modules/auth/throttle.server";
import { homeFor } from "~/modules/auth/navigation";
import { clientIp, safeRedirect } from "~/modules/auth/gate.server";
import { DomainError } from "~/utils/errors";
import { handleDomainError, redirectWithToast, retryAfterHeaders, unknownIntent } from "~/utils/http.server";
import { readForm } from "~/utils/form.server";

export const meta: MetaFunction = () => [{ title: "Confirm it's you · Partnerdesk" }];

// A refused request's Retry-After reaches the document response too.
export const headers = retryAfterHeaders;

/** The second step of a sign-in (ADR 0042): reached only with a live challenge from the password step. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const auth = await loadAuth(request, context);
  if (auth) throw redirect(homeFor(auth.org.kind));
  const challenge = await readChallenge(request);
  if (!challenge) throw await redirectWithToast("/signin", { kind: "info", message: "Your sign-in timed out. Sign in again." });
  const factors = await withSystem((tx) => factorsOf(tx, challenge.userId));
  return { email: challenge.email, hasApp: Boolean(factors.totp), hasPasskey: factors.passkeys.length > 0 };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const formData = await readForm(request);
  const challenge = await readChallenge(request);
  if (!challenge) throw await redirectWithToast("/signin", { kind: "info", message: "Your sign-in timed out. Sign in again." });
  if (formData.get("intent") !== "code") return unknownIntent();
  const submission = parseWithZod(formData, { schema: secondFactorCodeSchema });
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  const ip = clientIp(context);
  let method;
  try {
    const unknownBrowser = !isKnownDevice(await readDevice(request), challenge.email);
    method = await verifyCode({ userId: challenge.userId, code: submission.value.code, actor: { userId: challenge.userId, orgId: null, ip }, unknownBrowser });
  } catch (error) {
    if (error instanceof DomainError && (error.status === 400 || error.status === 429)) await noticeWrongSecondFactor({ userId: challenge.userId, email: challenge.email, displayName: challenge.displayName, ip });
    if (error instanceof DomainError && error.status === 400 && (await failChallenge(challenge.idHash))) {
      throw await redirectWithToast("/signin", { kind: "error", message: "Too many wrong codes. Sign in again." }, { headers: { "Set-Cookie": await clearChallengeCookie() } });
    }
    return handleDomainError(error, submission, { hideFields: ["code"] });
  }
  const done = await completeChallenge(challenge, { method, ip, userAgent: request.headers.get("user-agent") });
  const clear = await clearChallengeCookie();
  if (!done.ok) {
    const message = done.reason === "no-organisation" ? "Your account is not active in any organisation. Ask your administrator." : "Your sign-in timed out. Sign in again.";
    throw await redirectWithToast("/signin", { kind: "error", message }, { headers: { "Set-Cookie": clear } });
  }
  // Only now is this browser one the account has signed in from (ADR 0029's device cookie).
  const headers = new Headers([
    ["Set-Cookie", done.setCookie],
    ["Set-Cookie", clear],
    ["Set-Cookie", await rememberDevice(await readDevice(request), challenge.email)],
  ]);
  throw redirect(safeRedirect(done.redirectTo, done.home), { headers });
}

export default function VerifySignIn() {
  const { email, hasApp, hasPasskey } = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  return (
    <main className="auth-page">
      <div className="auth-card">
        <p className="brand">Partnerdesk</p>
        <h1>Confirm it's you</h1>
        <p>
          Signing in as <strong>{email}</strong>. {hasPasskey ? "Use your passkey" : null}
          {hasPasskey && hasApp ? ", or enter" : hasApp ? "Enter" : ""}
          {hasApp ? " the code from your authenticator app" : null}
          {hasPasskey || hasApp ? "." : "Enter one of your recovery codes."}
        </p>
        {hasPasskey ? (
          <PasskeyButton kind="second-factor" className="button primary">
            Use a passkey
          </PasskeyButton>
        ) : null}
        <SecondFactorCodeForm lastResult={lastResult} submitLabel="Sign in" />
        <p className="auth-links">
          Lost your phone? Enter one of the recovery codes you saved when you set up the app.
        </p>
        <p className="auth-links">
          <Link to="/signin">Sign in as someone else</Link>
        </p>
      </div>
    </main>
  );
}
