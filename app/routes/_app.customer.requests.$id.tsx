import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { ConfirmAction } from "~/components/confirm";
import { Badge, PageHeader } from "~/components/layout";
import { approveGdap, declineGdap, getGdapForCustomer } from "~/modules/delegated-admin/admin-relationships.server";
import { actorOf, requirePermission, tenantOf, type IntentArgs } from "~/modules/auth/gate.server";
import { withTenant, withTenantReads } from "~/utils/db.server";
import { handleDomainError, redirectWithToast, unknownIntent, uuidParam } from "~/utils/http.server";
import { readForm } from "~/utils/form.server";
import { useFormat } from "~/components/format";

export const meta: MetaFunction = () => [{ title: "Admin roles request · Partnerdesk" }];

const idOf = (params: { id?: string }) => uuidParam(params.id, "No such request.");

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const auth = await requirePermission({ request, context }, "partners:view", { kind: "customer" });
  const id = idOf(params);
  const gdap = await withTenantReads(tenantOf(auth), (tx) => getGdapForCustomer(tx, { customerId: auth.org.id, id })).catch(handleDomainError);
  return { gdap, canApprove: auth.permissions.includes("requests:approve"), agreementPending: auth.org.agreementPending };
}

type RequestIntentArgs = IntentArgs & { id: string };

export async function action({ request, params, context }: ActionFunctionArgs) {
  const auth = await requirePermission({ request, context }, "requests:approve", { kind: "customer" });
  const id = idOf(params);
  const formData = await readForm(request);
  const args = { auth, formData, context, id };
  switch (formData.get("intent")) {
    case "approve":
      return approveAction(args);
    case "decline":
      return declineAction(args);
    default:
      return unknownIntent();
  }
}

async function approveAction({ auth, context, id }: RequestIntentArgs) {
  await withTenant(tenantOf(auth), (tx) => approveGdap(tx, { customerId: auth.org.id, actor: actorOf(auth, context), id })).catch(handleDomainError);
  return redirectWithToast("/customer/partners", { kind: "success", message: "Approved. The partner holds these roles until the end date; you can remove them at any time." });
}

async function declineAction({ auth, context, id }: RequestIntentArgs) {
  await withTenant(tenantOf(auth), (tx) => declineGdap(tx, { customerId: auth.org.id, actor: actorOf(auth, context), id })).catch(handleDomainError);
  return redirectWithToast("/customer/requests", { kind: "success", message: "Declined. The partner got no admin roles." });
}

const CUSTOMER_GDAP_STATUS: Record<string, string> = {
  active: "Active",
  expiring: "Expiring",
  expired: "Expired",
  termination_requested: "Termination requested",
  terminated: "Terminated",
  declined: "Declined",
};

export default function GdapRequest() {
  const { gdap: r, canApprove, agreementPending } = useLoaderData<typeof loader>();
  const format = useFormat();
  const pending = r.status === "approval_pending" || r.status === "created";
  return (
    <>
      <p className="breadcrumb">
        <Link to="/customer/requests">Requests</Link> /
      </p>
      <PageHeader
        title={`${r.partner.name} asks for admin roles`}
        description={
          <>
            “{r.displayName}” · <Badge tone={pending ? "info" : r.status === "active" ? "good" : "neutral"}>{pending ? "Waiting for approval" : (CUSTOMER_GDAP_STATUS[r.status] ?? r.status)}</Badge>
          </>
        }
      />
      <section className="card" aria-labelledby="partner">
        <h2 id="partner">Partner</h2>
        <dl className="details">
          <dt>Name</dt>
          <dd>
            {r.partner.name} <span className="muted">(Partner ID {r.partner.partnerNumber})</span>
          </dd>
          {r.partner.email ? (
            <>
              <dt>Email</dt>
              <dd>
                <a href={`mailto:${r.partner.email}`}>{r.partner.email}</a>
              </dd>
            </>
          ) : null}
          {r.partner.phone ? (
            <>
              <dt>Phone</dt>
              <dd>{r.partner.phone}</dd>
            </>
          ) : null}
          <dt>Duration</dt>
          <dd>
            {r.durationDays} days from approval{r.endsAt ? ` (ends ${format.date(r.endsAt)})` : ""}
          </dd>
          <dt>Auto-extend</dt>
          <dd>{r.autoExtendDays ? `Yes: by ${r.autoExtendDays} days at the end, unless you remove the roles` : "No"}</dd>
          <dt>Requested</dt>
          <dd>{format.dateTime(r.createdAt)}</dd>
          {r.status === "declined" && r.endedAt ? (
            <>
              <dt>Declined</dt>
              <dd>Declined on {format.dateTime(r.endedAt)}</dd>
            </>
          ) : null}
          {pending ? (
            <>
              <dt>Expires</dt>
              <dd>{format.date(r.requestExpiresAt)} if not approved</dd>
            </>
          ) : null}
        </dl>
      </section>
      <section className="card" aria-labelledby="roles">
        <h2 id="roles">Roles the partner's staff would hold</h2>
        <ul className="plain-list">
          {r.roles.map((role) => (
            <li key={role.templateId}>
              <strong>{role.name}</strong>
              <div className="muted small">{role.description}</div>
            </li>
          ))}
        </ul>
      </section>
      {!pending ? null : !canApprove ? (
        <p className="notice notice-warn" role="note">
          Only your organisation's global admin can approve or decline this request.
        </p>
      ) : agreementPending ? (
        <p className="notice notice-warn" role="note">
          Accept the current <Link to="/customer/agreement">customer agreement</Link> first; then approve here.
        </p>
      ) : (
        <div className="button-row">
          <ConfirmAction label="Approve" title={`Give ${r.partner.name} these admin roles?`} intent="approve" confirmLabel="Approve" tone="primary">
            <p>
              The partner's staff it assigns can use {r.roles.map((x) => x.name).join(", ")} in your organisation for {r.durationDays} days. You can remove the roles at any time on
              the Partners page.
            </p>
          </ConfirmAction>
          <ConfirmAction label="Decline" title="Decline this request?" intent="decline" confirmLabel="Decline">
            <p>The partner gets no admin roles. It may send a new request.</p>
          </ConfirmAction>
        </div>
      )}
    </>
  );
}
