import { parseWithZod } from "@conform-to/zod";
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { PageHeader } from "~/components/layout";
import { SecondFactorCodeForm, secondFactorCodeSchema } from "~/components/second-factor";
import { factorsOf, verifyCode } from "~/modules/auth/mfa.server";
import { PasskeyButton } from "~/components/passkeys";
import { rotateSession } from "~/modules/auth/session.server";
import { actorOf, requireAuth, safeRedirect, STEP_UP_REASONS, type StepUpReason } from "~/modules/auth/gate.server";
import { homeFor } from "~/modules/auth/navigation";
import { withSystem } from "~/utils/db.server";
import { handleDomainError, redirectWithToast, retryAfterHeaders, unknownIntent } from "~/utils/http.server";
import { readForm } from "~/utils/form.server";

export const meta: MetaFunction = () => [{ title: "Confirm it's you · Partnerdesk" }];

// A refused request's Retry-After reaches the document response too.
export const headers = retryAfterHeaders;

/**
 * "Confirm it's you" for a signed-in person (ADR 0042): the second factor again, before a sensitive
 * action (step-up, `?stepUp=<reason>`) or in a session that signed in before the person set one
 * up, where the organisation requires it (the gate sends them here). On success the session gets a
 * new id and a fresh second-factor time, and the person goes back to `redirectTo`.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const auth = await requireAuth({ request, context });
  const url = new URL(request.url);
  const redirectTo = safeRedirect(url.searchParams.get("redirectTo"), homeFor(auth.org.kind));
  const reason = url.searchParams.get("stepUp");
  const known = reason && Object.hasOwn(STEP_UP_REASONS, reason) ? (reason as StepUpReason) : null;
  if (!auth.user.hasSecondFactor) throw redirect(`/account/security?${known ? `stepUp=${known}&` : ""}redirectTo=${encodeURIComponent(redirectTo)}`);
  const why = known ? STEP_UP_REASONS[known] : null;
  const factors = await withSystem((tx) => factorsOf(tx, auth.user.id));
  return { why, redirectTo, gated: auth.org.requireMfa && !auth.mfaAt, orgName: auth.org.name, hasPasskey: factors.passkeys.length > 0 };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const auth = await requireAuth({ request, context });
  const formData = await readForm(request);
  if (formData.get("intent") !== "code") return unknownIntent();
  const submission = parseWithZod(formData, { schema: secondFactorCodeSchema });
  if (submission.status !== "success") return data(submission.reply({ hideFields: ["code"] }), { status: 400 });
  try {
    await verifyCode({ userId: auth.user.id, code: submission.value.code, actor: actorOf(auth, context) });
  } catch (error) {
    return handleDomainError(error, submission, { hideFields: ["code"] });
  }
  const setCookie = await withSystem((tx) => rotateSession(tx, { sessionIdHash: auth.sessionIdHash, userId: auth.user.id, mfa: true }));
  if (!setCookie) throw redirect("/signin");
  return redirectWithToast(safeRedirect(submission.value.redirectTo, homeFor(auth.org.kind)), { kind: "success", message: "Confirmed. Go ahead." }, { headers: { "Set-Cookie": setCookie } });
}

export default function ConfirmItsYou() {
  const { why, redirectTo, gated, orgName, hasPasskey } = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  return (
    <>
      <PageHeader title="Confirm it's you" />
      <section className="card" aria-labelledby="confirm-why">
        <h2 id="confirm-why" className="visually-hidden">
          Why
        </h2>
        <p>
          {why
            ? `To ${why}, confirm with your second factor. You are asked at most every 10 minutes.`
            : gated
              ? `${orgName} requires a second factor for every session. Enter a code from your authenticator app to continue.`
              : "Enter a code from your authenticator app."}
        </p>
        {why ? <p className="hint">Then do it again: what you were doing was not done yet.</p> : null}
        {hasPasskey ? (
          <PasskeyButton kind="step-up" redirectTo={redirectTo} className="button primary">
            Use a passkey
          </PasskeyButton>
        ) : null}
        <SecondFactorCodeForm lastResult={lastResult} redirectTo={redirectTo} submitLabel="Confirm" />
      </section>
    </>
  );
}
