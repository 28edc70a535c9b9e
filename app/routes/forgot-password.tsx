import { getFormProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod";
import { data, type ActionFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData } from "@remix-run/react";
import { z } from "zod";
import { ErrorList, Field, SubmitButton } from "~/components/forms";
import { requestPasswordReset } from "~/modules/auth/accounts.server";
import { clientIp } from "~/modules/auth/gate.server";
import { retryAfterHeaders } from "~/utils/http.server";
import { readForm } from "~/utils/form.server";

export const meta: MetaFunction = () => [{ title: "Forgot password · Partnerdesk" }];

const schema = z.object({
  email: z.string({ required_error: "Enter your email address." }).trim().email("Enter a valid email address.").max(254),
});

// A refused request's Retry-After reaches the document response too.
export const headers = retryAfterHeaders;

export async function action({ request, context }: ActionFunctionArgs) {
  const submission = parseWithZod(await readForm(request), { schema });
  if (submission.status !== "success") return data({ result: submission.reply(), sent: false }, { status: 400 });
  const asked = await requestPasswordReset({ email: submission.value.email, ip: clientIp(context) });
  if (!asked.ok) {
    const minutes = Math.ceil(asked.retryAfter / 60);
    return data(
      { result: submission.reply({ formErrors: [`Too many reset requests from your network. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`] }), sent: false },
      { status: 429, headers: { "Retry-After": String(asked.retryAfter) } },
    );
  }
  return data({ result: submission.reply(), sent: true });
}

export default function ForgotPassword() {
  const actionData = useActionData<typeof action>();
  const [form, fields] = useForm({
    id: "forgot",
    lastResult: actionData?.result,
    constraint: getZodConstraint(schema),
    onValidate: ({ formData }) => parseWithZod(formData, { schema }),
  });
  return (
    <main className="auth-page">
      <div className="auth-card">
        <p className="brand">Partnerdesk</p>
        <h1>Forgot your password?</h1>
        {actionData?.sent ? (
          <div role="status" className="notice notice-good">
            <p>If an account exists for that address, we have emailed a link to reset the password. The link works once, for 60 minutes.</p>
          </div>
        ) : (
          <Form method="post" {...getFormProps(form)}>
            <p>Enter the email address you sign in with. We will email you a link to choose a new password.</p>
            <ErrorList id={form.errorId} errors={form.errors} />
            <Field meta={fields.email} label="Email address" type="email" inputProps={{ autoComplete: "username" }} />
            <SubmitButton pendingText="Sending…">Send reset link</SubmitButton>
          </Form>
        )}
        <p className="auth-links">
          <Link to="/signin">Back to sign in</Link>
        </p>
      </div>
    </main>
  );
}
