import { parseWithZod } from "@conform-to/zod";
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { ConfirmAction } from "~/components/confirm";
import { ErrorList, SubmitButton } from "~/components/forms";
import { Badge, PageHeader } from "~/components/layout";
import { PARTNER_ROLES, ROLE_DESCRIPTIONS, ROLE_LABELS } from "~/modules/auth/permissions";
import { changeStaffRoles, getStaffMember, resendInvitation, revokeInvitation, setStaffActive } from "~/modules/staff/staff.server";
import { actorOf, requirePermission, tenantOf } from "~/modules/auth/gate.server";
import { withTenant, withTenantReads } from "~/utils/db.server";
import { orThrowResponse, redirectWithToast, replyWithDomainError } from "~/utils/http.server";
import { readForm } from "~/utils/form.server";

export const meta: MetaFunction = () => [{ title: "Staff member · Partnerdesk" }];

const userIdParam = z.string().uuid();

export async function loader({ request, params }: LoaderFunctionArgs) {
  const auth = await requirePermission(request, "staff:manage", { kind: "partner" });
  const userId = userIdParam.safeParse(params.userId);
  if (!userId.success) throw new Response("No such staff member.", { status: 404 });
  const member = await orThrowResponse(withTenantReads(tenantOf(auth), (tx) => getStaffMember(tx, { orgId: auth.org.id, userId: userId.data })));
  return { member, isMe: member.userId === auth.user.id };
}

const schema = z.discriminatedUnion("intent", [
  z.object({
    intent: z.literal("roles"),
    roles: z.array(z.enum(PARTNER_ROLES), { required_error: "Choose at least one role." }).min(1, "Choose at least one role."),
  }),
  z.object({ intent: z.literal("deactivate") }),
  z.object({ intent: z.literal("reactivate") }),
  z.object({ intent: z.literal("resend") }),
  z.object({ intent: z.literal("revoke") }),
]);

export async function action({ request, params, context }: ActionFunctionArgs) {
  const auth = await requirePermission(request, "staff:manage", { kind: "partner" });
  const userId = userIdParam.safeParse(params.userId);
  if (!userId.success) throw new Response("No such staff member.", { status: 404 });
  const submission = parseWithZod(await readForm(request), { schema });
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  const v = submission.value;
  const base = { orgId: auth.org.id, actor: actorOf(auth, context), userId: userId.data };
  try {
    const message = await withTenant(tenantOf(auth), async (tx) => {
      switch (v.intent) {
        case "roles":
          await changeStaffRoles(tx, { ...base, roles: v.roles });
          return "Roles saved.";
        case "deactivate":
          await setStaffActive(tx, { ...base, active: false });
          return "Staff member deactivated. They can no longer sign in to this organisation.";
        case "reactivate":
          await setStaffActive(tx, { ...base, active: true });
          return "Staff member reactivated.";
        case "resend":
          await resendInvitation(tx, base);
          return "A new activation link was sent. The previous link no longer works.";
        case "revoke":
          await revokeInvitation(tx, base);
          return "Invitation revoked.";
      }
    });
    return redirectWithToast(v.intent === "revoke" ? "/partner/staff" : `/partner/staff/${userId.data}`, { kind: "success", message });
  } catch (error) {
    return replyWithDomainError(submission, error);
  }
}

export default function StaffMember() {
  const { member, isMe } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const errors = result?.error ? Object.values(result.error).flat() : [];
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
      <ErrorList errors={errors as string[]} />
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
            <ConfirmAction label="Deactivate" title={`Deactivate ${member.displayName}?`} intent="deactivate" confirmLabel="Deactivate">
              <p>They are signed out of this organisation at once and cannot sign in to it until reactivated.</p>
            </ConfirmAction>
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
