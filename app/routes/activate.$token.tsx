import { getFormProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod";
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { ErrorList, Field, SubmitButton } from "~/components/forms";
import { activateMembership, checkActivationToken } from "~/modules/auth/auth.server";
import { withConfirmation } from "~/modules/auth/password-rules";
import { clientIp } from "~/utils/auth.server";
import { withSystem } from "~/utils/db.server";

export const meta: MetaFunction = () => [{ title: "Activate your account · Partnerdesk" }];

const newUserSchema = withConfirmation({
  displayName: z.string({ required_error: "Enter your name." }).trim().min(1).max(120),
});
const existingUserSchema = z.object({ password: z.string({ required_error: "Enter your password." }).max(1024) });

function linkGone(reason: "unknown" | "expired"): never {
  throw new Response(
    reason === "unknown" ? "This activation link is not valid." : "This activation link has expired, was replaced by a newer one, or was already used. Ask your administrator to resend it.",
    { status: reason === "unknown" ? 404 : 410 },
  );
}

export async function loader({ params }: LoaderFunctionArgs) {
  const state = await withSystem((tx) => checkActivationToken(tx, params.token ?? ""));
  if (!state.ok) linkGone(state.reason);
  const { email, displayName, hasPassword, orgName } = state.value;
  return { email, displayName, hasPassword, orgName };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const token = params.token ?? "";
  const state = await withSystem((tx) => checkActivationToken(tx, token));
  if (!state.ok) linkGone(state.reason);
  const formData = await request.formData();
  const submission = state.value.hasPassword
    ? parseWithZod(formData, { schema: existingUserSchema })
    : parseWithZod(formData, { schema: newUserSchema });
  if (submission.status !== "success") return data(submission.reply({ hideFields: ["password", "confirmPassword"] }), { status: 400 });
  const value = submission.value as { password: string; displayName?: string };
  const result = await withSystem((tx) =>
    activateMembership(tx, { token, password: value.password, displayName: value.displayName, ip: clientIp(context), userAgent: request.headers.get("user-agent") }),
  );
  if (result.ok) throw redirect(result.home, { headers: { "Set-Cookie": result.setCookie } });
  if (result.reason === "wrong-password") {
    return data(submission.reply({ fieldErrors: { password: ["The password is not correct."] }, hideFields: ["password"] }), { status: 400 });
  }
  linkGone(result.reason);
}

export default function Activate() {
  const info = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const schema = info.hasPassword ? existingUserSchema : newUserSchema;
  const [form, fields] = useForm({
    id: "activate",
    lastResult,
    constraint: getZodConstraint(schema),
    defaultValue: { displayName: info.displayName },
    onValidate: ({ formData }) => parseWithZod(formData, { schema }),
  });
  return (
    <main className="auth-page">
      <div className="auth-card">
        <p className="brand">Partnerdesk</p>
        <h1>Join {info.orgName}</h1>
        <p>
          You were invited as <strong>{info.email}</strong>.
          {info.hasPassword ? " You already have a Partnerdesk account: confirm with its password." : " Choose your name and a password to activate your account."}
        </p>
        <Form method="post" {...getFormProps(form)}>
          <ErrorList id={form.errorId} errors={form.errors} />
          {info.hasPassword ? (
            <Field meta={fields.password} label="Password" type="password" inputProps={{ autoComplete: "current-password" }} />
          ) : (
            <>
              <Field meta={fields.displayName} label="Your name" inputProps={{ autoComplete: "name" }} />
              <Field meta={fields.password} label="Password" type="password" hint="At least 12 characters." inputProps={{ autoComplete: "new-password" }} />
              <Field meta={fields.confirmPassword} label="Repeat the password" type="password" inputProps={{ autoComplete: "new-password" }} />
            </>
          )}
          <SubmitButton pendingText="Activating…">Activate and sign in</SubmitButton>
        </Form>
      </div>
    </main>
  );
}
