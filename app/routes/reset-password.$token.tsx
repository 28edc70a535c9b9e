import { getFormProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod";
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { ErrorList, Field, SubmitButton } from "~/components/forms";
import { checkResetToken, resetPassword } from "~/modules/auth/accounts.server";
import { withConfirmation } from "~/modules/auth/password-rules";
import { readDevice, rememberDevice } from "~/modules/auth/throttle.server";
import { clientIp } from "~/modules/auth/gate.server";
import { withSystem } from "~/utils/db.server";
import { redirectWithToast } from "~/utils/http.server";
import { readForm } from "~/utils/form.server";

export const meta: MetaFunction = () => [{ title: "Choose a new password · Partnerdesk" }];

const schema = withConfirmation({});

function linkGone(reason: "unknown" | "expired"): never {
  throw new Response(
    reason === "unknown" ? "This password reset link is not valid." : "This password reset link has expired or was already used. Ask for a new one.",
    { status: reason === "unknown" ? 404 : 410 },
  );
}

export async function loader({ params }: LoaderFunctionArgs) {
  const state = await withSystem((tx) => checkResetToken(tx, params.token ?? ""));
  if (!state.ok) linkGone(state.reason);
  return { email: state.value.email };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const submission = parseWithZod(await readForm(request), { schema });
  if (submission.status !== "success") return data(submission.reply({ hideFields: ["password", "confirmPassword"] }), { status: 400 });
  const token = params.token ?? "";
  const link = await withSystem((tx) => checkResetToken(tx, token));
  if (!link.ok) linkGone(link.reason);
  const result = await withSystem((tx) => resetPassword(tx, { token, password: submission.value.password, ip: clientIp(context) }));
  if (!result.ok) linkGone(result.reason);
  // This browser proved the mailbox: it is a known browser of the account, which sign-in
  // throttling from unknown browsers does not lock out (ADR 0029).
  const deviceCookie = await rememberDevice(await readDevice(request), link.value.email);
  return redirectWithToast("/signin", { kind: "success", message: "Your password was changed. Sign in with the new password." }, { headers: { "Set-Cookie": deviceCookie } });
}

export default function ResetPassword() {
  const { email } = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const [form, fields] = useForm({
    id: "reset",
    lastResult,
    constraint: getZodConstraint(schema),
    onValidate: ({ formData }) => parseWithZod(formData, { schema }),
  });
  return (
    <main className="auth-page">
      <div className="auth-card">
        <p className="brand">Partnerdesk</p>
        <h1>Choose a new password</h1>
        <p>For {email}. Signing in elsewhere ends when you save.</p>
        <Form method="post" {...getFormProps(form)}>
          <ErrorList id={form.errorId} errors={form.errors} />
          <Field meta={fields.password} label="New password" type="password" hint="At least 12 characters." inputProps={{ autoComplete: "new-password" }} />
          <Field meta={fields.confirmPassword} label="Repeat the new password" type="password" inputProps={{ autoComplete: "new-password" }} />
          <SubmitButton pendingText="Saving…">Save password</SubmitButton>
        </Form>
      </div>
    </main>
  );
}
