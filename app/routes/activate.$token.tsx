/**
 * An invitation link (ADR 0026). A new address chooses its name and password here; a person who
 * already has an account accepts or declines while signed in as that account — nobody else can.
 */
import { getFormProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod";
import { data, redirect, type ActionFunctionArgs, type AppLoadContext, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { text } from "~/utils/input";
import { ErrorList, Field, SubmitButton } from "~/components/forms";
import { activateMembership, checkActivationToken, declineInvitation } from "~/modules/auth/accounts.server";
import { withConfirmation } from "~/modules/auth/password-rules";
import { loadAuth } from "~/modules/auth/session.server";
import { clientIp } from "~/modules/auth/gate.server";
import { withSystem } from "~/utils/db.server";
import { redirectWithToast } from "~/utils/http.server";
import { readForm } from "~/utils/form.server";
import { DomainError } from "~/utils/errors";

export const meta: MetaFunction = () => [{ title: "Your invitation · Partnerdesk" }];

const newUserSchema = withConfirmation({
  displayName: text({ required_error: "Enter your name." }).trim().min(1).max(120),
});

function linkGone(reason: "unknown" | "expired"): never {
  throw new Response(
    reason === "unknown"
      ? "This invitation link is not valid."
      : "This invitation has expired, was replaced by a newer one, was withdrawn, or was already answered. Ask the organisation to invite you again.",
    { status: reason === "unknown" ? 404 : 410 },
  );
}

/** Who is signed in on this browser, if anyone (the invitation page is public). */
async function signedInOn(request: Request, context: AppLoadContext) {
  const auth = await loadAuth(request, context);
  return auth ? { userId: auth.user.id, sessionIdHash: auth.sessionIdHash, email: auth.user.email } : null;
}

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const token = params.token ?? "";
  const state = await withSystem((tx) => checkActivationToken(tx, token));
  if (!state.ok) linkGone(state.reason);
  const { email, displayName, hasPassword, orgName, userId } = state.value;
  const session = await signedInOn(request, context);
  // Who the invitation is for is shown only to the holder of the link (mailed to that address).
  const viewer = !session ? "anonymous" : session.userId === userId ? "invitee" : "someone-else";
  return { email, displayName, hasPassword, orgName, viewer, signedInAs: viewer === "someone-else" ? session!.email : null, token };
}

type ActivationIntentArgs = { request: Request; formData: FormData; context: AppLoadContext; token: string; state: Extract<Awaited<ReturnType<typeof checkActivationToken>>, { ok: true }>["value"] };

export async function action({ request, params, context }: ActionFunctionArgs) {
  const token = params.token ?? "";
  const state = await withSystem((tx) => checkActivationToken(tx, token));
  if (!state.ok) linkGone(state.reason);
  const formData = await readForm(request);
  const args = { request, formData, context, token, state: state.value };
  // The form's submit button says "accept"; a form sent without one (Enter, no script) accepts too.
  switch (formData.get("intent") ?? "accept") {
    case "accept":
      return acceptAction(args);
    case "decline":
      return declineAction(args);
    default:
      throw new Response("Choose to accept or decline the invitation.", { status: 400 });
  }
}

async function declineAction({ request, context, token, state }: ActivationIntentArgs) {
  const session = await signedInOn(request, context);
  const result = await withSystem((tx) => declineInvitation(tx, { token, signedIn: session, ip: clientIp(context) }));
  if (result.ok) return redirectWithToast(session ? "/" : "/signin", { kind: "info", message: `You declined the invitation to ${state.orgName}.` });
  if (result.reason === "sign-in-required") throw new Response("Sign in with the invited account to answer this invitation.", { status: 403 });
  linkGone(result.reason);
}

/** A refusal of the acceptance (a partner's person's invitation accepted by a non-member of that partner) is the page's message. */
async function refusedAs409<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof DomainError) throw new Response(error.message, { status: error.status });
    throw error;
  }
}

/** An existing account accepts while signed in as itself; a new address chooses its password here. */
async function acceptAction({ request, formData, context, token, state }: ActivationIntentArgs) {
  const session = await signedInOn(request, context);
  const ip = clientIp(context);
  if (state.hasPassword) {
    if (session?.userId !== state.userId) throw new Response("Sign in with the invited account to accept this invitation.", { status: 403 });
    const result = await refusedAs409(withSystem((tx) => activateMembership(tx, { token, signedIn: session, ip, userAgent: request.headers.get("user-agent") })));
    // The session moved to the organisation joined, under a new id.
    if (result.ok) return redirectWithToast(result.home, { kind: "success", message: `You joined ${result.orgName}.` }, result.setCookie ? { headers: { "Set-Cookie": result.setCookie } } : {});
    if (result.reason === "sign-in-required") throw new Response("Sign in with the invited account to accept this invitation.", { status: 403 });
    linkGone(result.reason);
  }

  const submission = parseWithZod(formData, { schema: newUserSchema });
  if (submission.status !== "success") return data(submission.reply({ hideFields: ["password", "confirmPassword"] }), { status: 400 });
  const result = await refusedAs409(withSystem((tx) =>
    activateMembership(tx, {
      token,
      password: submission.value.password,
      displayName: submission.value.displayName,
      signedIn: null,
      ip,
      userAgent: request.headers.get("user-agent"),
    }),
  ));
  if (result.ok) throw redirect(result.home, result.setCookie ? { headers: { "Set-Cookie": result.setCookie } } : undefined);
  // The address got a password meanwhile (another invitation accepted): it signs in to accept.
  if (result.reason === "sign-in-required") throw redirect(`/activate/${token}`);
  linkGone(result.reason);
}

function DeclineButton() {
  return (
    <Form method="post" className="top-gap">
      <SubmitButton name="intent" value="decline" className="button" pendingText="Declining…">
        Decline
      </SubmitButton>
    </Form>
  );
}

export default function Activate() {
  const info = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const [form, fields] = useForm({
    id: "activate",
    lastResult,
    constraint: getZodConstraint(newUserSchema),
    defaultValue: { displayName: info.displayName },
    onValidate: ({ formData }) => parseWithZod(formData, { schema: newUserSchema }),
  });
  const here = `/activate/${info.token}`;
  return (
    <main className="auth-page">
      <div className="auth-card">
        <p className="brand">Partnerdesk</p>
        <h1>Join {info.orgName}</h1>
        {!info.hasPassword ? (
          <>
            <p>
              You were invited as <strong>{info.email}</strong>. Choose your name and a password to create your account and join.
            </p>
            <Form method="post" {...getFormProps(form)}>
              <ErrorList id={form.errorId} errors={form.errors} />
              <Field meta={fields.displayName} label="Your name" inputProps={{ autoComplete: "name" }} />
              <Field meta={fields.password} label="Password" type="password" hint="At least 12 characters." inputProps={{ autoComplete: "new-password" }} />
              <Field meta={fields.confirmPassword} label="Repeat the password" type="password" inputProps={{ autoComplete: "new-password" }} />
              <SubmitButton name="intent" value="accept" pendingText="Joining…">
                Create account and join
              </SubmitButton>
            </Form>
            <DeclineButton />
          </>
        ) : info.viewer === "invitee" ? (
          <>
            <p>
              You are signed in as <strong>{info.email}</strong>. Accept to join {info.orgName} with this account. Your
              password and sign-in stay yours: {info.orgName} cannot change them.
            </p>
            <Form method="post">
              <SubmitButton name="intent" value="accept" pendingText="Joining…">
                Accept and join
              </SubmitButton>
            </Form>
            <DeclineButton />
          </>
        ) : info.viewer === "someone-else" ? (
          <>
            <p role="alert" className="notice notice-warn">
              This invitation is for <strong>{info.email}</strong>, but you are signed in as <strong>{info.signedInAs}</strong>. Sign out, then sign in
              as {info.email} to answer it.
            </p>
            <Form method="post" action="/signout">
              <SubmitButton>Sign out</SubmitButton>
            </Form>
          </>
        ) : (
          <>
            <p>
              You were invited as <strong>{info.email}</strong>. Sign in with that account to accept or decline; nobody else can answer for you.
            </p>
            <p>
              <Link className="button primary" to={`/signin?redirectTo=${encodeURIComponent(here)}`}>
                Sign in to answer
              </Link>
            </p>
          </>
        )}
      </div>
    </main>
  );
}
