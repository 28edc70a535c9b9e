import { getFormProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod";
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { ErrorList, Field, SubmitButton } from "~/components/forms";
import { PasskeyButton } from "~/components/passkeys";
import { signIn } from "~/modules/auth/accounts.server";
import { homeFor } from "~/modules/auth/navigation";
import { loadAuth, readSessionId, deleteSession } from "~/modules/auth/session.server";
import { loginLimits, readDevice } from "~/modules/auth/throttle.server";
import { clientIp, safeRedirect } from "~/modules/auth/gate.server";
import { withSystem } from "~/utils/db.server";
import { retryAfterHeaders } from "~/utils/http.server";
import { readForm } from "~/utils/form.server";

export const meta: MetaFunction = () => [{ title: "Sign in · Partnerdesk" }];

const schema = z.object({
  email: z.string({ required_error: "Enter your email address." }).trim().email("Enter a valid email address.").max(254),
  password: z.string({ required_error: "Enter your password." }).max(1024),
  redirectTo: z.string().optional(),
});

// A refused request's Retry-After reaches the document response too.
export const headers = retryAfterHeaders;

export async function loader({ request, context }: LoaderFunctionArgs) {
  const auth = await loadAuth(request, context);
  if (auth) throw redirect(homeFor(auth.org.kind));
  return null;
}

export async function action({ request, context }: ActionFunctionArgs) {
  const formData = await readForm(request);
  const submission = parseWithZod(formData, { schema });
  if (submission.status !== "success") return data(submission.reply({ hideFields: ["password"] }), { status: 400 });
  const previous = await readSessionId(request);
  // Rotation: whatever session this browser had is deleted; sign-in always makes a new one.
  if (previous) await withSystem((tx) => deleteSession(tx, previous));
  const result = await signIn({
    email: submission.value.email,
    password: submission.value.password,
    ip: clientIp(context),
    userAgent: request.headers.get("user-agent"),
    device: await readDevice(request),
    limits: loginLimits(),
    redirectTo: submission.value.redirectTo ? safeRedirect(submission.value.redirectTo, "") || null : null,
  });
  if (result.ok === "second-factor") throw redirect("/signin/verify", { headers: { "Set-Cookie": result.challengeCookie } });
  if (result.ok) {
    const headers = new Headers([
      ["Set-Cookie", result.setCookie],
      ["Set-Cookie", result.deviceCookie],
    ]);
    throw redirect(safeRedirect(submission.value.redirectTo, result.home), { headers });
  }
  if (result.reason === "throttled") {
    const minutes = Math.ceil(result.retryAfter / 60);
    return data(
      submission.reply({
        formErrors: [`Too many failed sign-in attempts. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`],
        hideFields: ["password"],
      }),
      { status: 429, headers: { "Retry-After": String(result.retryAfter) } },
    );
  }
  const message =
    result.reason === "no-organisation"
      ? "Your account is not active in any organisation. Ask your administrator."
      : "The email address or password is not correct.";
  return data(submission.reply({ formErrors: [message], hideFields: ["password"] }), {
    status: result.reason === "invalid" ? 401 : 403,
    headers: result.reason === "no-organisation" ? { "Set-Cookie": result.deviceCookie } : undefined,
  });
}

export default function SignIn() {
  const lastResult = useActionData<typeof action>();
  const [searchParams] = useSearchParams();
  const [form, fields] = useForm({
    id: "signin",
    lastResult,
    constraint: getZodConstraint(schema),
    onValidate: ({ formData }) => parseWithZod(formData, { schema }),
    shouldValidate: "onSubmit",
  });
  return (
    <main className="auth-page">
      <div className="auth-card">
        <p className="brand">Partnerdesk</p>
        <h1>Sign in</h1>
        <Form method="post" {...getFormProps(form)}>
          <input type="hidden" name="redirectTo" value={searchParams.get("redirectTo") ?? ""} />
          <ErrorList id={form.errorId} errors={form.errors} />
          <Field meta={fields.email} label="Email address" type="email" inputProps={{ autoComplete: "username", autoFocus: true }} />
          <Field meta={fields.password} label="Password" type="password" inputProps={{ autoComplete: "current-password" }} />
          <SubmitButton pendingText="Signing in…">Sign in</SubmitButton>
        </Form>
        <PasskeyButton kind="passwordless" redirectTo={searchParams.get("redirectTo") ?? undefined} className="button">
          Sign in with a passkey
        </PasskeyButton>
        <p className="auth-links">
          <Link to="/forgot-password">Forgot your password?</Link>
        </p>
        <p className="auth-links">
          Looking for a partner? <Link to="/partners">Find a partner</Link>
        </p>
      </div>
    </main>
  );
}
