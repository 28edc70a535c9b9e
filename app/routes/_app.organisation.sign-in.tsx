import { parseWithZod } from "@conform-to/zod";
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { ReplyNotice, SubmitButton } from "~/components/forms";
import { Badge, EmptyState, PageHeader, TableRegion } from "~/components/layout";
import { ROLE_LABELS } from "~/modules/auth/permissions";
import { setRequireMfa, signInSettings } from "~/modules/auth/sign-in-policy.server";
import { actorOf, requirePermission, requireRecentSecondFactor, tenantOf } from "~/modules/auth/gate.server";
import { withTenant, withTenantReads } from "~/utils/db.server";
import { handleDomainError, redirectWithToast, unknownIntent } from "~/utils/http.server";
import { readForm } from "~/utils/form.server";

export const meta: MetaFunction = () => [{ title: "Sign-in settings · Partnerdesk" }];

/**
 * The organisation's sign-in settings (ADR 0042), for its global admin: whether every member needs
 * a second factor (always, for a partner) and who has set one up.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const auth = await requirePermission({ request, context }, "sign-in:manage");
  const settings = await withTenantReads(tenantOf(auth), (tx) => signInSettings(tx, { orgId: auth.org.id })).catch(handleDomainError);
  return { ...settings, orgName: auth.org.name, me: auth.user.id, iHaveFactor: auth.user.hasSecondFactor };
}

const requireSchema = z.object({ enabled: z.enum(["on", "off"]) });

export async function action({ request, context }: ActionFunctionArgs) {
  const auth = await requirePermission({ request, context }, "sign-in:manage");
  const formData = await readForm(request);
  if (formData.get("intent") !== "require-mfa") return unknownIntent();
  requireRecentSecondFactor(request, auth, "sign-in-settings");
  const submission = parseWithZod(formData, { schema: requireSchema });
  if (submission.status !== "success") return data(submission.reply({ formErrors: ["Choose on or off."] }), { status: 400 });
  const enabled = submission.value.enabled === "on";
  try {
    await withTenant(tenantOf(auth), (tx) => setRequireMfa(tx, { orgId: auth.org.id, actor: actorOf(auth, context), enabled }));
  } catch (error) {
    return handleDomainError(error, submission);
  }
  return redirectWithToast("/organisation/sign-in", {
    kind: "success",
    message: enabled ? "Every member now needs a second factor: those without one set it up at their next page." : "Members no longer need a second factor (those who have one keep using it).",
  });
}

export default function SignInSettings() {
  const { kind, requireMfa, members, orgName, me } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const missing = members.filter((m) => !m.enrolled).length;
  return (
    <>
      <PageHeader title="Sign-in settings" description={`How people of ${orgName} sign in.`} />
      <ReplyNotice result={result} />
      <section className="card" aria-labelledby="mfa-policy">
        <h2 id="mfa-policy">Second factor</h2>
        {kind === "partner" ? (
          <p>
            <Badge tone="good">Required</Badge> Every staff member signs in with a password and a second factor (an authenticator app). Partner staff act in
            customers' tenants, so this cannot be switched off. Staff without one are led to set it up at their next sign-in and can do nothing else until they
            have.
          </p>
        ) : (
          <>
            <p>
              {requireMfa ? <Badge tone="good">Required</Badge> : <Badge>Not required</Badge>}{" "}
              {requireMfa
                ? "Every admin and user signs in with a password and a second factor."
                : "Members may set up a second factor on their own; they are not made to."}
            </p>
            <Form method="post">
              <input type="hidden" name="intent" value="require-mfa" />
              <input type="hidden" name="enabled" value={requireMfa ? "off" : "on"} />
              <SubmitButton pendingText="Saving…" className={requireMfa ? "button danger-outline" : "button primary"}>
                {requireMfa ? "Stop requiring a second factor" : "Require a second factor for everyone"}
              </SubmitButton>
            </Form>
            {!requireMfa ? <p className="hint">You are asked to confirm it's you first, so you need a second factor yourself.</p> : null}
          </>
        )}
      </section>
      <section className="card" aria-labelledby="enrolment">
        <h2 id="enrolment">Who has a second factor</h2>
        <p>{missing === 0 ? "Everyone has set one up." : `${missing} of ${members.length} ${missing === 1 ? "has" : "have"} not set one up yet.`}</p>
        {members.length === 0 ? (
          <EmptyState title="No active members" />
        ) : (
          <TableRegion label="Members and their second factor">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Email</th>
                  <th scope="col">Roles</th>
                  <th scope="col">Second factor</th>
                </tr>
              </thead>
              <tbody>
                {members.map((m) => (
                  <tr key={m.userId}>
                    <td>
                      {m.displayName}
                      {m.userId === me ? " (you)" : ""}
                    </td>
                    <td>{m.email}</td>
                    <td>{m.roles.map((r) => ROLE_LABELS[kind][r] ?? r).join(", ")}</td>
                    <td>{m.enrolled ? <Badge tone="good">Set up</Badge> : <Badge tone="warn">Not set up</Badge>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableRegion>
        )}
      </section>
    </>
  );
}
