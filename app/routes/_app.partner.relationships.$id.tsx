import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { CopyButton } from "~/components/copy-button";
import { Badge, formatDate, formatDateTime, PageHeader } from "~/components/layout";
import { getGdapForPartner } from "~/modules/admin-relationships.server";
import { requirePermission, tenantOf } from "~/utils/auth.server";
import { withTenant } from "~/utils/db.server";
import { orThrowResponse } from "~/utils/http.server";

export const meta: MetaFunction = () => [{ title: "Admin relationship · Partnerdesk" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const auth = await requirePermission(request, "relationships:manage", { kind: "partner" });
  const id = z.string().uuid().safeParse(params.id);
  if (!id.success) throw new Response("No such admin relationship.", { status: 404 });
  return orThrowResponse(withTenant(tenantOf(auth), (tx) => getGdapForPartner(tx, { partnerId: auth.org.id, id: id.data })));
}

const STATUS: Record<string, ["good" | "warn" | "info" | "neutral", string]> = {
  active: ["good", "Active"],
  expiring: ["warn", "Expiring"],
  approval_pending: ["info", "Approval pending"],
  created: ["info", "Created"],
  expired: ["neutral", "Expired"],
  termination_requested: ["neutral", "Termination requested"],
  terminated: ["neutral", "Terminated"],
};

export default function AdminRelationshipDetail() {
  const r = useLoaderData<typeof loader>();
  return (
    <>
      <p className="breadcrumb">
        <Link to="/partner/relationships">Admin relationships</Link> /
      </p>
      <PageHeader title={r.displayName} description={<Badge tone={STATUS[r.status]?.[0] ?? "neutral"}>{STATUS[r.status]?.[1] ?? r.status}</Badge>} />
      {r.approvalUrl ? (
        <section className="card" aria-labelledby="approval">
          <h2 id="approval">Approval link</h2>
          <p className="muted">
            {r.customerId ? "Emailed to the customer's global admins." : "An open request: send it to the customer; any customer's global admin who opens it can approve it for their organisation."} It
            expires {formatDate(r.requestExpiresAt)} if nobody approves it.
          </p>
          <div className="input-with-button">
            <label htmlFor="approval-url" className="visually-hidden">
              Approval link
            </label>
            <input id="approval-url" readOnly value={r.approvalUrl} onFocus={(e) => e.currentTarget.select()} />
            <CopyButton text={r.approvalUrl} label="Copy link" />
          </div>
        </section>
      ) : null}
      <section className="card" aria-labelledby="details">
        <h2 id="details">Details</h2>
        <dl className="details">
          <dt>Customer</dt>
          <dd>{r.customerId && r.customerName ? <Link to={`/partner/customers/${r.customerId}`}>{r.customerName}</Link> : r.customerId ? "—" : "Open request (not approved yet)"}</dd>
          <dt>Duration</dt>
          <dd>
            {r.durationDays} days{r.autoExtendDays ? `, extends automatically by ${r.autoExtendDays} days` : ", no auto-extend"}
          </dd>
          <dt>Requested</dt>
          <dd>{formatDateTime(r.createdAt)}</dd>
          {r.approvedAt ? (
            <>
              <dt>Approved</dt>
              <dd>{formatDateTime(r.approvedAt)}</dd>
            </>
          ) : null}
          {r.endsAt ? (
            <>
              <dt>Ends</dt>
              <dd>{formatDate(r.endsAt)}</dd>
            </>
          ) : null}
          {r.endedAt ? (
            <>
              <dt>Ended</dt>
              <dd>
                {formatDateTime(r.endedAt)}
                {r.endReason ? ` (${r.endReason})` : ""}
              </dd>
            </>
          ) : null}
        </dl>
        <h3>Roles</h3>
        <ul className="plain-list">
          {r.roles.map((role) => (
            <li key={role.templateId}>
              <strong>{role.name}</strong> <span className="muted">— {role.description}</span>
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}
