/**
 * Confirming the address an account was signed up with (ADR 0026). A button, not the link alone,
 * confirms: mail scanners that open links must not confirm for the person.
 */
import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { SubmitButton } from "~/components/forms";
import { checkEmailConfirmation, confirmEmail } from "~/modules/auth/email-confirmation.server";
import { loadAuth } from "~/modules/auth/session.server";
import { clientIp } from "~/modules/auth/gate.server";
import { withSystem } from "~/utils/db.server";
import { redirectWithToast } from "~/utils/http.server";

export const meta: MetaFunction = () => [{ title: "Confirm your email address · Partnerdesk" }];

function linkGone(reason: "unknown" | "expired"): never {
  throw new Response(reason === "unknown" ? "This confirmation link is not valid." : "This confirmation link has expired, was replaced by a newer one, or was already used.", {
    status: reason === "unknown" ? 404 : 410,
  });
}

export async function loader({ params }: LoaderFunctionArgs) {
  const state = await withSystem((tx) => checkEmailConfirmation(tx, params.token ?? ""));
  if (!state.ok) linkGone(state.reason);
  return state.value;
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const result = await withSystem((tx) => confirmEmail(tx, { token: params.token ?? "", ip: clientIp(context) }));
  if (!result.ok) linkGone(result.reason);
  const signedIn = await loadAuth(request, context);
  return redirectWithToast(signedIn ? "/" : "/signin", { kind: "success", message: "Your email address is confirmed." });
}

export default function ConfirmEmail() {
  const { email, orgName } = useLoaderData<typeof loader>();
  return (
    <main className="auth-page">
      <div className="auth-card">
        <p className="brand">Partnerdesk</p>
        <h1>Confirm your email address</h1>
        <p>
          Confirm that <strong>{email}</strong> is your address and that you signed up <strong>{orgName}</strong> on Partnerdesk. If you did not,
          someone used your address: do not confirm, and use <a href="/forgot-password">Forgot password</a> to take the account back. Until it is
          confirmed, {orgName} cannot reset its password.
        </p>
        <Form method="post">
          <SubmitButton pendingText="Confirming…">Confirm my address</SubmitButton>
        </Form>
      </div>
    </main>
  );
}
