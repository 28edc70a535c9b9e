import { getFormProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod";
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { ErrorList, Field, SubmitButton } from "~/components/forms";
import { PageHeader } from "~/components/layout";
import { useResetOnSuccess } from "~/components/reset-on-success";
import { changePassword } from "~/modules/auth/accounts.server";
import { loginLimits, readDevice } from "~/modules/auth/throttle.server";
import { withConfirmation } from "~/modules/auth/password-rules";
import { clientIp, requireAuth } from "~/modules/auth/gate.server";
import { redirectWithToast, retryAfterHeaders } from "~/utils/http.server";
import { readForm } from "~/utils/form.server";

export const meta: MetaFunction = () => [{ title: "Your account · Partnerdesk" }];

const schema = withConfirmation({ currentPassword: z.string({ required_error: "Enter your current password." }).max(1024) });

// A refused request's Retry-After reaches the document response too.
export const headers = retryAfterHeaders;

export async function loader({ request, context }: LoaderFunctionArgs) {
  const auth = await requireAuth({ request, context });
  return { user: auth.user };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const auth = await requireAuth({ request, context });
  const submission = parseWithZod(await readForm(request), { schema });
  const hide = { hideFields: ["currentPassword", "password", "confirmPassword"] };
  if (submission.status !== "success") return data(submission.reply(hide), { status: 400 });
  // Passwords belong to the user, not to an organisation: the auth (system) path, throttled like sign-in.
  const result = await changePassword({
    userId: auth.user.id,
    orgId: auth.org.id,
    currentPassword: submission.value.currentPassword,
    newPassword: submission.value.password,
    ip: clientIp(context),
    keepSessionHash: auth.sessionIdHash,
    device: await readDevice(request),
    limits: loginLimits(),
  });
  if (!result.ok && result.reason === "throttled") {
    const minutes = Math.ceil(result.retryAfter / 60);
    const message = `Too many wrong passwords. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`;
    return data(submission.reply({ ...hide, fieldErrors: { currentPassword: [message] } }), { status: 429, headers: { "Retry-After": String(result.retryAfter) } });
  }
  if (!result.ok) return data(submission.reply({ ...hide, fieldErrors: { [result.field]: [result.message] } }), { status: 400 });
  return redirectWithToast("/account", { kind: "success", message: "Password changed. Your other sessions were signed out." });
}

export default function Account() {
  const { user } = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const [form, fields] = useForm({
    id: "change-password",
    lastResult,
    constraint: getZodConstraint(schema),
    onValidate: ({ formData }) => parseWithZod(formData, { schema }),
  });
  // The page redirects to itself once the password is changed: no password stays in the form.
  const passwordForm = useResetOnSuccess();
  return (
    <>
      <PageHeader
        title="Your account"
        description={
          <>
            {user.displayName} · {user.email} · <Link to="/account/security">Sign-in and security</Link> · <Link to="/account/sessions">Sessions</Link>
          </>
        }
      />
      {user.mustChangePassword ? (
        <p className="notice notice-warn" role="alert">
          You signed in with a temporary password. Choose a new password to continue: enter the temporary one as the current password.
        </p>
      ) : null}
      <section className="card" aria-labelledby="pw">
        <h2 id="pw">Change password</h2>
        <Form method="post" {...getFormProps(form)} ref={passwordForm} className="form-grid narrow">
          <ErrorList id={form.errorId} errors={form.errors} />
          <Field meta={fields.currentPassword} label="Current password" type="password" inputProps={{ autoComplete: "current-password" }} />
          <Field meta={fields.password} label="New password" type="password" hint="At least 12 characters." inputProps={{ autoComplete: "new-password" }} />
          <Field meta={fields.confirmPassword} label="Repeat the new password" type="password" inputProps={{ autoComplete: "new-password" }} />
          <div>
            <SubmitButton pendingText="Saving…">Change password</SubmitButton>
          </div>
        </Form>
      </section>
    </>
  );
}
