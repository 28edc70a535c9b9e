import { parseWithZod } from "@conform-to/zod";
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { FormattedDateTime } from "~/components/format";
import { ReplyNotice, SubmitButton } from "~/components/forms";
import { Badge, PageHeader, TableRegion } from "~/components/layout";
import { describeDevice } from "~/modules/auth/devices";
import { endOtherSessions, endOwnSession, listSessions } from "~/modules/auth/session.server";
import { actorOf, requireAuth, type IntentArgs } from "~/modules/auth/gate.server";
import { recordAudit } from "~/modules/platform/audit.server";
import { withSystem } from "~/utils/db.server";
import { redirectWithToast, unknownIntent } from "~/utils/http.server";
import { readForm } from "~/utils/form.server";

export const meta: MetaFunction = () => [{ title: "Sessions · Partnerdesk" }];

/** The person's sessions (ADR 0042): device, IP, created, last used; end one or all others. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const auth = await requireAuth({ request, context });
  const sessions = await withSystem((tx) => listSessions(tx, { userId: auth.user.id, currentIdHash: auth.sessionIdHash }));
  return { sessions: sessions.map((s) => ({ ...s, device: describeDevice(s.userAgent) })) };
}

// A session is named by the SHA-256 of its id, base64url (43 characters).
const endSchema = z.object({ session: z.string().regex(/^[A-Za-z0-9_-]{43}$/) });

export async function action({ request, context }: ActionFunctionArgs) {
  const auth = await requireAuth({ request, context });
  const formData = await readForm(request);
  const args: IntentArgs = { auth, formData, context };
  switch (formData.get("intent")) {
    case "end":
      return endAction(args);
    case "end-others":
      return endOthersAction(args);
    default:
      return unknownIntent();
  }
}

async function endAction({ auth, formData, context }: IntentArgs) {
  const submission = parseWithZod(formData, { schema: endSchema });
  if (submission.status !== "success") return data(submission.reply({ formErrors: ["Choose a session to end."] }), { status: 400 });
  const ended = await withSystem(async (tx) => {
    const done = await endOwnSession(tx, { userId: auth.user.id, idHash: submission.value.session });
    if (done) await recordAudit(tx, { actor: actorOf(auth, context), action: "auth.session_ended", objectType: "user", objectId: auth.user.id });
    return done;
  });
  if (!ended) return data(submission.reply({ formErrors: ["That session has already ended."] }), { status: 404 });
  // Ending the session you are using signs you out.
  if (submission.value.session === auth.sessionIdHash) throw redirect("/signin");
  return redirectWithToast("/account/sessions", { kind: "success", message: "Session ended: that browser is signed out." });
}

async function endOthersAction({ auth, context }: IntentArgs) {
  const n = await withSystem(async (tx) => {
    const count = await endOtherSessions(tx, { userId: auth.user.id, keepIdHash: auth.sessionIdHash });
    await recordAudit(tx, { actor: actorOf(auth, context), action: "auth.other_sessions_ended", objectType: "user", objectId: auth.user.id, details: { count } });
    return count;
  });
  return redirectWithToast("/account/sessions", { kind: "success", message: n ? `${n} other session${n === 1 ? "" : "s"} ended.` : "There were no other sessions." });
}

export default function Sessions() {
  const { sessions } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const others = sessions.filter((s) => !s.current).length;
  return (
    <>
      <PageHeader
        title="Sessions"
        description={
          <>
            Where your account is signed in. <Link to="/account">Password</Link> · <Link to="/account/security">Sign-in and security</Link>
          </>
        }
        actions={
          others ? (
            <Form method="post">
              <input type="hidden" name="intent" value="end-others" />
              <SubmitButton pendingText="Signing out…" className="button danger-outline">
                Sign out everywhere else
              </SubmitButton>
            </Form>
          ) : null
        }
      />
      <ReplyNotice result={result} />
      <TableRegion label="Your sessions">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Device</th>
              <th scope="col">IP address</th>
              <th scope="col">Organisation</th>
              <th scope="col">Signed in</th>
              <th scope="col">Last used</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {sessions.map((s) => (
              <tr key={s.idHash}>
                <td data-label="Device">
                  {s.device} {s.current ? <Badge tone="good">This browser</Badge> : null}
                </td>
                <td data-label="IP address">{s.ip ?? "—"}</td>
                <td data-label="Organisation">{s.orgName ?? "—"}</td>
                <td data-label="Signed in">
                  <FormattedDateTime value={s.createdAt} />
                </td>
                <td data-label="Last used">
                  <FormattedDateTime value={s.lastSeenAt} />
                </td>
                <td>
                  <Form method="post">
                    <input type="hidden" name="intent" value="end" />
                    <input type="hidden" name="session" value={s.idHash} />
                    <SubmitButton pendingText="Ending…" className="button danger-outline small">
                      {s.current ? "Sign out" : "End session"}
                    </SubmitButton>
                  </Form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableRegion>
    </>
  );
}
