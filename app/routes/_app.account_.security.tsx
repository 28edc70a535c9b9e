import { getFormProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod";
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useState } from "react";
import { z } from "zod";
import { CopyButton } from "~/components/copy-button";
import { FormattedDateTime } from "~/components/format";
import { ErrorList, Field, ReplyNotice, SubmitButton } from "~/components/forms";
import { Badge, PageHeader } from "~/components/layout";
import {
  confirmTotpEnrolment,
  factorsOf,
  pendingTotpEnrolment,
  regenerateRecoveryCodes,
  removeTotp,
  RECOVERY_CODE_COUNT,
  secondFactorRequired,
  startTotpEnrolment,
} from "~/modules/auth/mfa.server";
import { continueWithRotatedSession, rotateSession } from "~/modules/auth/session.server";
import { actorOf, clientIp, requireAuth, requireRecentSecondFactor, safeRedirect, STEP_UP_REASONS, type IntentArgs, type StepUpReason } from "~/modules/auth/gate.server";
import { requirePasswordForFirstFactor } from "~/modules/auth/accounts.server";
import { loginLimits, readDevice } from "~/modules/auth/throttle.server";
import { homeFor } from "~/modules/auth/navigation";
import { removePasskey, renamePasskey } from "~/modules/auth/passkeys.server";
import { PasskeyButton } from "~/components/passkeys";
import { text } from "~/utils/input";
import { withSystem } from "~/utils/db.server";
import { handleDomainError, redirectWithToast, retryAfterHeaders, unknownIntent } from "~/utils/http.server";
import { readForm } from "~/utils/form.server";

export const meta: MetaFunction = () => [{ title: "Sign-in and security · Partnerdesk" }];

// A refused request's Retry-After reaches the document response too.
export const headers = retryAfterHeaders;

/**
 * The person's second factors (ADR 0042): set up an authenticator app (QR code and manual key,
 * confirmed with a first code), remove it, and their recovery codes. Open to everyone signed in,
 * and the one page (with the sessions page) a person whose organisation requires a second factor
 * can open before they have one.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const auth = await requireAuth({ request, context });
  const url = new URL(request.url);
  const { factors, enrolment, requiredSomewhere } = await withSystem(async (tx) => ({
    factors: await factorsOf(tx, auth.user.id),
    enrolment: await pendingTotpEnrolment(tx, { userId: auth.user.id }),
    requiredSomewhere: await secondFactorRequired(tx, auth.user.id),
  }));
  const stepUp = url.searchParams.get("stepUp");
  return {
    factors,
    enrolment,
    required: auth.org.requireMfa,
    requiredSomewhere,
    // (A .server module's constant is not in the browser's bundle: the page gets it as data.)
    recoveryCodeCount: RECOVERY_CODE_COUNT,
    orgName: auth.org.name,
    stepUpWhy: stepUp && Object.hasOwn(STEP_UP_REASONS, stepUp) ? STEP_UP_REASONS[stepUp as StepUpReason] : null,
    redirectTo: url.searchParams.get("redirectTo") ? safeRedirect(url.searchParams.get("redirectTo"), homeFor(auth.org.kind)) : null,
  };
}

const codeSchema = z.object({
  code: z.string({ required_error: "Enter the 6-digit code your app shows now." }).trim().min(1, "Enter the 6-digit code your app shows now.").max(40),
  redirectTo: z.string().max(2048).optional(),
});
const removeSchema = z.object({ code: z.string().trim().max(40).optional() });
const startSchema = z.object({ password: z.string().max(1024).optional() });

export async function action({ request, context }: ActionFunctionArgs) {
  const auth = await requireAuth({ request, context });
  const formData = await readForm(request);
  const args: IntentArgs = { auth, formData, context };
  switch (formData.get("intent")) {
    case "totp-start":
      return startTotpAction(request, args);
    case "totp-confirm":
      return confirmTotpAction(args);
    case "totp-cancel":
    case "totp-remove":
      return removeTotpAction(args);
    case "recovery-regenerate":
      return regenerateAction(request, args);
    case "passkey-rename":
      return renamePasskeyAction(args);
    case "passkey-remove":
      // Removing a passkey (perhaps the last factor) asks for a fresh second factor.
      requireRecentSecondFactor(request, auth, "remove-factor");
      return removePasskeyAction(args);
    default:
      return unknownIntent();
  }
}

/**
 * Adding a factor to an account that already has one asks for that one again (step-up); the first
 * one asks for the current password (a stolen session alone must not choose the account's factor).
 */
async function startTotpAction(request: Request, { auth, formData, context }: IntentArgs) {
  if (auth.user.hasSecondFactor) requireRecentSecondFactor(request, auth, "add-factor");
  const submission = parseWithZod(formData, { schema: startSchema });
  if (submission.status !== "success") return data({ ...submission.reply({ hideFields: ["password"] }), recoveryCodes: null }, { status: 400 });
  try {
    if (!auth.user.hasSecondFactor) {
      await requirePasswordForFirstFactor({ userId: auth.user.id, orgId: auth.org.id, password: submission.value.password, ip: clientIp(context), device: await readDevice(request), limits: loginLimits() });
    }
    await withSystem((tx) => startTotpEnrolment(tx, { userId: auth.user.id }));
  } catch (error) {
    return handleDomainError(error, submission, { hideFields: ["password"] });
  }
  throw redirect(`/account/security${new URL(request.url).search}#authenticator`);
}

/** The first code confirms the app; the session has now completed a second factor (new id). */
async function confirmTotpAction({ auth, formData, context }: IntentArgs) {
  const submission = parseWithZod(formData, { schema: codeSchema });
  if (submission.status !== "success") return data({ ...submission.reply({ hideFields: ["code"] }), recoveryCodes: null }, { status: 400 });
  let codes: string[] | null;
  try {
    codes = (
      await confirmTotpEnrolment({
        userId: auth.user.id,
        code: submission.value.code,
        actor: actorOf(auth, context),
      })
    ).recoveryCodes;
  } catch (error) {
    return handleDomainError(error, submission, { hideFields: ["code"] });
  }
  const setCookie = await withSystem((tx) =>
    rotateSession(tx, {
      sessionIdHash: auth.sessionIdHash,
      userId: auth.user.id,
      mfa: true,
    })
  );
  if (!setCookie) throw redirect("/signin");
  const back = submission.value.redirectTo ? safeRedirect(submission.value.redirectTo, "") : "";
  if (!codes && back) return redirectWithToast(back, { kind: "success", message: "Authenticator app set up." }, { headers: { "Set-Cookie": setCookie } });
  // The page shows the codes once, in this answer: its loaders read the session under its new id.
  await continueWithRotatedSession(context, setCookie);
  return data(
    {
      status: "success" as const,
      recoveryCodes: codes,
      continueTo: back || null,
    },
    { headers: { "Set-Cookie": setCookie } }
  );
}

async function removeTotpAction({ auth, formData, context }: IntentArgs) {
  const submission = parseWithZod(formData, { schema: removeSchema });
  if (submission.status !== "success") return data({ ...submission.reply({ hideFields: ["code"] }), recoveryCodes: null }, { status: 400 });
  try {
    await removeTotp({
      userId: auth.user.id,
      code: submission.value.code,
      actor: actorOf(auth, context),
    });
  } catch (error) {
    return handleDomainError(error, submission, { hideFields: ["code"] });
  }
  const cancelled = formData.get("intent") === "totp-cancel";
  return redirectWithToast("/account/security", {
    kind: "success",
    message: cancelled ? "Set-up cancelled." : "Authenticator app removed.",
  });
}

const passkeySchema = z.object({ id: z.string().uuid() });
const renameSchema = passkeySchema.extend({
  name: text({ required_error: "Name the passkey." }).trim().min(1, "Name the passkey.").max(60, "At most 60 characters."),
});

async function renamePasskeyAction({ auth, formData }: IntentArgs) {
  const submission = parseWithZod(formData, { schema: renameSchema });
  if (submission.status !== "success") return data({ ...submission.reply(), recoveryCodes: null }, { status: 400 });
  try {
    await withSystem((tx) => renamePasskey(tx, { userId: auth.user.id, id: submission.value.id, name: submission.value.name }));
  } catch (error) {
    return handleDomainError(error, submission);
  }
  return redirectWithToast("/account/security", { kind: "success", message: "Passkey renamed." });
}

async function removePasskeyAction({ auth, formData, context }: IntentArgs) {
  const submission = parseWithZod(formData, { schema: passkeySchema });
  if (submission.status !== "success") return data({ ...submission.reply(), recoveryCodes: null }, { status: 400 });
  try {
    await withSystem((tx) => removePasskey(tx, { userId: auth.user.id, id: submission.value.id, actor: actorOf(auth, context) }));
  } catch (error) {
    return handleDomainError(error, submission);
  }
  return redirectWithToast("/account/security", { kind: "success", message: "Passkey removed." });
}

async function regenerateAction(request: Request, { auth, context }: IntentArgs) {
  requireRecentSecondFactor(request, auth, "recovery-codes");
  const codes = await withSystem((tx) =>
    regenerateRecoveryCodes(tx, {
      userId: auth.user.id,
      actor: actorOf(auth, context),
    })
  ).catch(handleDomainError);
  return { status: "success" as const, recoveryCodes: codes, continueTo: null };
}

export default function Security() {
  const { factors, enrolment, required, requiredSomewhere, recoveryCodeCount, orgName, stepUpWhy, redirectTo } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const [addedCodes, setAddedCodes] = useState<string[] | null>(null);
  const codes = addedCodes ?? (result && "recoveryCodes" in result ? result.recoveryCodes : null);
  const continueTo = result && "continueTo" in result ? result.continueTo : null;
  const hasFactor = Boolean(factors.totp) || factors.passkeys.length > 0;
  return (
    <>
      <PageHeader
        title="Sign-in and security"
        description={
          <>
            Second factors for your account. <Link to="/account">Password</Link> · <Link to="/account/sessions">Sessions</Link>
          </>
        }
      />
      {required && !hasFactor ? (
        <p className="notice notice-warn" role="alert">
          {orgName} requires a second factor for every sign-in. Set up an authenticator app to continue: until then you can only use this page.
        </p>
      ) : null}
      {stepUpWhy && !hasFactor ? (
        <p className="notice notice-warn" role="alert">
          To {stepUpWhy}, set up a second factor first.
        </p>
      ) : null}
      {codes ? <RecoveryCodes codes={codes} continueTo={continueTo} /> : null}

      <section className="card" aria-labelledby="authenticator">
        <h2 id="authenticator">Authenticator app</h2>
        {factors.totp ? (
          <TotpSetUp
            createdAt={factors.totp.createdAt}
            lastUsedAt={factors.totp.lastUsedAt}
            last={!factors.passkeys.length}
            requiredSomewhere={requiredSomewhere}
            result={result}
          />
        ) : enrolment ? (
          <TotpEnrolment enrolment={enrolment} result={result} redirectTo={redirectTo} />
        ) : (
          <>
            <p>Use an app such as Microsoft Authenticator, Google Authenticator, 1Password or Bitwarden: after your password, you enter the 6-digit code it shows.</p>
            <Form method="post" className="form-grid narrow">
              <input type="hidden" name="intent" value="totp-start" />
              {hasFactor ? null : <ReplyNotice result={result} />}
              {hasFactor ? null : <CurrentPassword id="totp-password" />}
              <div>
                <SubmitButton pendingText="Preparing…">Set up authenticator app</SubmitButton>
              </div>
            </Form>
          </>
        )}
      </section>

      <section className="card" aria-labelledby="passkeys">
        <h2 id="passkeys">Passkeys and security keys</h2>
        <p>A passkey on this device, your phone or a security key signs you in with a touch or your fingerprint: as the second factor after your password, or on its own.</p>
        {factors.passkeys.length ? (
          <ul className="passkey-list">
            {factors.passkeys.map((k) => (
              <li key={k.id}>
                <Form method="post" className="passkey-rename" aria-label={`Rename ${k.name}`}>
                  <input type="hidden" name="intent" value="passkey-rename" />
                  <input type="hidden" name="id" value={k.id} />
                  <label htmlFor={`passkey-${k.id}`} className="visually-hidden">
                    Name of the passkey
                  </label>
                  <input id={`passkey-${k.id}`} name="name" defaultValue={k.name} maxLength={60} required />
                  <SubmitButton pendingText="Saving…" className="button small">
                    Rename
                  </SubmitButton>
                </Form>
                <span className="hint">
                  Added <FormattedDateTime value={k.createdAt} />
                  {k.lastUsedAt ? (
                    <>
                      {" "}
                      · last used <FormattedDateTime value={k.lastUsedAt} />
                    </>
                  ) : null}
                </span>
                <Form method="post">
                  <input type="hidden" name="intent" value="passkey-remove" />
                  <input type="hidden" name="id" value={k.id} />
                  <SubmitButton pendingText="Removing…" className="button danger-outline small">
                    Remove {k.name}
                  </SubmitButton>
                </Form>
              </li>
            ))}
          </ul>
        ) : null}
        <AddPasskey onAdded={setAddedCodes} first={!hasFactor} />
      </section>

      <section className="card" aria-labelledby="recovery">
        <h2 id="recovery">Recovery codes</h2>
        {hasFactor ? (
          <>
            <p>
              {factors.recoveryCodesLeft} of {recoveryCodeCount} recovery codes left. Each signs you in once if you lose your phone. Making new ones stops the old ones.
            </p>
            <Form method="post">
              <input type="hidden" name="intent" value="recovery-regenerate" />
              <SubmitButton pendingText="Making codes…" className="button">
                Make new recovery codes
              </SubmitButton>
            </Form>
          </>
        ) : (
          <p className="hint">You get ten recovery codes when you set up your first second factor.</p>
        )}
      </section>
    </>
  );
}

/** The current password, asked before the first second factor is set up. */
function CurrentPassword({ id, value, onChange }: { id: string; value?: string; onChange?: (value: string) => void }) {
  return (
    <div className="field">
      <label htmlFor={id}>Current password</label>
      <p id={`${id}-hint`} className="hint">
        To set up your first second factor, confirm your password.
      </p>
      <input
        id={id}
        name="password"
        type="password"
        autoComplete="current-password"
        required
        maxLength={1024}
        aria-describedby={`${id}-hint`}
        {...(onChange ? { value, onChange: (e: React.ChangeEvent<HTMLInputElement>) => onChange(e.currentTarget.value) } : {})}
      />
    </div>
  );
}

function AddPasskey({ onAdded, first }: { onAdded: (codes: string[] | null) => void; first: boolean }) {
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  return (
    <div className="form-grid narrow">
      <div className="field">
        <label htmlFor="new-passkey-name">Name for a new passkey</label>
        <p id="new-passkey-name-hint" className="hint">
          So you can tell them apart, for example: Work laptop, YubiKey.
        </p>
        <input id="new-passkey-name" value={name} onChange={(e) => setName(e.currentTarget.value)} maxLength={60} aria-describedby="new-passkey-name-hint" />
      </div>
      {first ? <CurrentPassword id="passkey-password" value={password} onChange={setPassword} /> : null}
      <div>
        <PasskeyButton
          kind="register"
          name={name.trim() || "Passkey"}
          fields={first ? { password } : undefined}
          className="button primary"
          onAdded={(codes) => {
            setName("");
            setPassword("");
            onAdded(codes);
          }}
        >
          Add a passkey
        </PasskeyButton>
      </div>
    </div>
  );
}

function RecoveryCodes({ codes, continueTo }: { codes: string[]; continueTo: string | null }) {
  const text = codes.join("\n");
  return (
    <section className="card notice-good" aria-labelledby="codes" role="status">
      <h2 id="codes">Save your recovery codes</h2>
      <p>They are shown only now. Keep them somewhere safe (a password manager): each one signs you in once if you cannot use your authenticator app.</p>
      <ul className="recovery-codes">
        {codes.map((c) => (
          <li key={c}>
            <code>{c}</code>
          </li>
        ))}
      </ul>
      <p className="actions">
        <CopyButton text={text} label="Copy codes" />
        <a className="button" href={`data:text/plain;charset=utf-8,${encodeURIComponent(`Partnerdesk recovery codes\n\n${text}\n`)}`} download="partnerdesk-recovery-codes.txt">
          Download
        </a>
        {continueTo ? (
          <Link className="button primary" to={continueTo}>
            I saved them, continue
          </Link>
        ) : null}
      </p>
    </section>
  );
}

function TotpEnrolment({ enrolment, result, redirectTo }: { enrolment: { manualKey: string; qrCode: string; otpauthUri: string }; result: unknown; redirectTo: string | null }) {
  const [form, fields] = useForm({
    id: "totp-confirm",
    lastResult: result && typeof result === "object" && "initialValue" in result ? (result as never) : undefined,
    constraint: getZodConstraint(codeSchema),
    onValidate: ({ formData }) => parseWithZod(formData, { schema: codeSchema }),
    shouldValidate: "onSubmit",
  });
  return (
    <>
      <ol className="steps">
        <li>
          Scan this QR code with your authenticator app.
          <figure className="qr">
            <img src={enrolment.qrCode} alt="QR code to add Partnerdesk to an authenticator app" width={180} height={180} />
            <figcaption>
              Can't scan it? Enter this key in the app instead (time-based, 6 digits):
              <br />
              <code className="manual-key">{enrolment.manualKey}</code> <CopyButton text={enrolment.manualKey.replace(/ /g, "")} label="Copy key" />
            </figcaption>
          </figure>
        </li>
        <li>Enter the 6-digit code the app shows for Partnerdesk.</li>
      </ol>
      <Form method="post" {...getFormProps(form)} className="form-grid narrow">
        <input type="hidden" name="intent" value="totp-confirm" />
        {redirectTo ? <input type="hidden" name="redirectTo" value={redirectTo} /> : null}
        <ErrorList id={form.errorId} errors={form.errors} />
        <Field
          meta={fields.code}
          label="Code from the app"
          inputProps={{
            autoComplete: "one-time-code",
            inputMode: "numeric",
            spellCheck: false,
          }}
        />
        <div className="actions">
          <SubmitButton pendingText="Checking…">Confirm and turn on</SubmitButton>
        </div>
      </Form>
      <Form method="post">
        <input type="hidden" name="intent" value="totp-cancel" />
        <SubmitButton pendingText="Cancelling…" className="button link">
          Cancel set-up
        </SubmitButton>
      </Form>
    </>
  );
}

function TotpSetUp({
  createdAt,
  lastUsedAt,
  last,
  requiredSomewhere,
  result,
}: {
  createdAt: Date;
  lastUsedAt: Date | null;
  last: boolean;
  requiredSomewhere: boolean;
  result: unknown;
}) {
  return (
    <>
      <p>
        <Badge tone="good">On</Badge> Set up <FormattedDateTime value={createdAt} />
        {lastUsedAt ? (
          <>
            {" "}
            · last used <FormattedDateTime value={lastUsedAt} />
          </>
        ) : null}
      </p>
      <Form method="post" className="form-grid narrow">
        <input type="hidden" name="intent" value="totp-remove" />
        <ReplyNotice result={result} />
        {last ? (
          <div className="field">
            <label htmlFor="remove-code">Current code from the app, or a recovery code</label>
            <p id="remove-code-hint" className="hint">
              It is your only second factor: confirm with it to remove it.
              {requiredSomewhere ? " An organisation you belong to requires one, so you set up a new app straight away (a new phone, for example)." : ""}
            </p>
            <input id="remove-code" name="code" autoComplete="one-time-code" aria-describedby="remove-code-hint" maxLength={40} spellCheck={false} />
          </div>
        ) : null}
        <div>
          <SubmitButton pendingText="Removing…" className="button danger-outline">
            Remove authenticator app
          </SubmitButton>
        </div>
      </Form>
    </>
  );
}
