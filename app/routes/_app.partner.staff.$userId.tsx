import { parseWithZod } from "@conform-to/zod";
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { ConfirmAction } from "~/components/confirm";
import { ErrorList, replyErrors, SubmitButton } from "~/components/forms";
import { Badge, PageHeader } from "~/components/layout";
import { endMemberSessions } from "~/modules/auth/sign-in-policy.server";
import { PARTNER_ROLES, ROLE_DESCRIPTIONS, ROLE_LABELS } from "~/modules/auth/permissions";
import { changeStaffRoles, getStaffMember, resendInvitation, revokeInvitation, setStaffActive } from "~/modules/staff/staff.server";
import { actorOf, type IntentArgs, requirePermission, requireRecentSecondFactor, tenantOf } from "~/modules/auth/gate.server";
import { withTenant, withTenantReads, type Tx } from "~/utils/db.server";
import { handleDomainError, redirectWithToast, unknownIntent } from "~/utils/http.server";
import { readForm } from "~/utils/form.server";

export const meta: MetaFunction = () => [{ title: "Staff member · Partnerdesk" }];

const userIdParam = z.string().uuid();

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const auth = await requirePermission({ request, context }, "staff:manage", { kind: "partner" });
  const userId = userIdParam.safeParse(params.userId);
  if (!userId.success) throw new Response("No such staff member.", { status: 404 });
  const member = await withTenantReads(tenantOf(auth), (tx) => getStaffMember(tx, { orgId: auth.org.id, userId: userId.data })).catch(handleDomainError);
  return { member, isMe: member.userId === auth.user.id };
}

const rolesSchema = z.object({
  roles: z.array(z.enum(PARTNER_ROLES), { required_error: "Choose at least one role." }).min(1, "Choose at least one role."),
});

type StaffIntentArgs = IntentArgs & { userId: string };

export async function action({ request, params, context }: ActionFunctionArgs) {
  const auth = await requirePermission({ request, context }, "staff:manage", { kind: "partner" });
  const userId = userIdParam.safeParse(params.userId);
  if (!userId.success) throw new Response("No such staff member.", { status: 404 });
  const formData = await readForm(request);
  const args = { auth, formData, context, userId: userId.data };
  switch (formData.get("intent")) {
    case "roles":
      requireRecentSecondFactor(request, auth, "staff-access");
      return rolesAction(args);
    case "deactivate":
      return activeAction(args, false);
    case "reactivate":
      requireRecentSecondFactor(request, auth, "staff-access");
      return activeAction(args, true);
    case "resend":
      return resendAction(args);
    case "revoke":
      return revokeAction(args);
    case "end-sessions":
      return endSessionsAction(args);
    default:
      return unknownIntent();
  }
}

const memberOf = ({ auth, context, userId }: StaffIntentArgs) => ({ orgId: auth.org.id, actor: actorOf(auth, context), userId });

async function rolesAction(args: StaffIntentArgs) {
  const submission = parseWithZod(args.formData, { schema: rolesSchema });
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  try {
    await withTenant(tenantOf(args.auth), (tx) => changeStaffRoles(tx, { ...memberOf(args), roles: submission.value.roles }));
  } catch (error) {
    return handleDomainError(error, submission);
  }
  return redirectWithToast(`/partner/staff/${args.userId}`, { kind: "success", message: "Roles saved." });
}

/** The intents without fields still answer with a reply, so that a refusal shows on the page. */
const noFields = z.object({});

/** Runs `work` for an intent without fields: the refusal as the reply, else `message` as a toast. */
async function simpleIntent(args: StaffIntentArgs, work: (tx: Tx) => Promise<unknown>, message: string, to = `/partner/staff/${args.userId}`) {
  const submission = parseWithZod(args.formData, { schema: noFields });
  try {
    await withTenant(tenantOf(args.auth), work);
  } catch (error) {
    return handleDomainError(error, submission);
  }
  return redirectWithToast(to, { kind: "success", message });
}

const activeAction = (args: StaffIntentArgs, active: boolean) =>
  simpleIntent(args, (tx) => setStaffActive(tx, { ...memberOf(args), active }), active ? "Staff member reactivated." : "Staff member deactivated. They can no longer sign in to this organisation.");

const resendAction = (args: StaffIntentArgs) => simpleIntent(args, (tx) => resendInvitation(tx, memberOf(args)), "A new activation link was sent. The previous link no longer works.");

const endSessionsAction = (args: StaffIntentArgs) =>
  simpleIntent(args, (tx) => endMemberSessions(tx, memberOf(args)), "Their sessions in this organisation were ended: they must sign in again.");

const revokeAction = (args: StaffIntentArgs) => simpleIntent(args, (tx) => revokeInvitation(tx, memberOf(args)), "Invitation revoked.", "/partner/staff");

export default function StaffMember() {
  const { member, isMe } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <>
      <p className="breadcrumb">
        <Link to="/partner/staff">Staff</Link> /
      </p>
      <PageHeader
        title={member.displayName}
        description={
          <>
            {member.email} ·{" "}
            <Badge tone={member.status === "active" ? "good" : member.status === "invited" ? "warn" : "bad"}>{member.status}</Badge>
            {isMe ? " · this is you" : null}
          </>
        }
      />
      <ErrorList errors={replyErrors(result)} />
      <section className="card" aria-labelledby="roles">
        <h2 id="roles">Roles</h2>
        <Form method="post">
          <fieldset className="field">
            <legend className="visually-hidden">Roles</legend>
            {PARTNER_ROLES.map((role) => (
              <label key={role} className="checkbox">
                <input type="checkbox" name="roles" value={role} defaultChecked={member.roles.includes(role)} />
                <span>
                  <strong>{ROLE_LABELS.partner[role]}</strong>
                  <span className="muted small"> {ROLE_DESCRIPTIONS[role]}</span>
                </span>
              </label>
            ))}
          </fieldset>
          <SubmitButton name="intent" value="roles" pendingText="Saving…">
            Save roles
          </SubmitButton>
        </Form>
      </section>
      <section className="card" aria-labelledby="access">
        <h2 id="access">Access</h2>
        <div className="button-row">
          {member.status === "invited" ? (
            <>
              <Form method="post">
                <SubmitButton name="intent" value="resend" className="button" pendingText="Sending…">
                  Resend activation link
                </SubmitButton>
              </Form>
              <ConfirmAction label="Revoke invitation" title="Revoke this invitation?" intent="revoke" confirmLabel="Revoke invitation">
                <p>The activation link sent to {member.email} stops working and they are removed from the staff list.</p>
              </ConfirmAction>
            </>
          ) : member.status === "active" ? (
            <>
              {isMe ? null : (
                <ConfirmAction label="Sign out everywhere" title={`End ${member.displayName}'s sessions?`} intent="end-sessions" confirmLabel="End sessions">
                  <p>Every browser where they are signed in to this organisation is signed out. They can sign in again (for a lost laptop or phone).</p>
                </ConfirmAction>
              )}
              <ConfirmAction label="Deactivate" title={`Deactivate ${member.displayName}?`} intent="deactivate" confirmLabel="Deactivate">
                <p>They are signed out of this organisation at once and cannot sign in to it until reactivated.</p>
              </ConfirmAction>
            </>
          ) : (
            <Form method="post">
              <SubmitButton name="intent" value="reactivate" pendingText="Reactivating…">
                Reactivate
              </SubmitButton>
            </Form>
          )}
        </div>
      </section>
    </>
  );
}
