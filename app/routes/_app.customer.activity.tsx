import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { rowIdParam } from "~/utils/input";
import { EmptyState, PageHeader } from "~/components/layout";
import { listPartnerActivity } from "~/modules/customer-tenant/customer-partners.server";
import { requirePermission, tenantOf } from "~/modules/auth/gate.server";
import { withTenantReads } from "~/utils/db.server";
import { useFormat } from "~/components/format";

export const meta: MetaFunction = () => [{ title: "Partner activity · Partnerdesk" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const before = rowIdParam.optional().catch(undefined).parse(new URL(request.url).searchParams.get("before") ?? undefined);
  const auth = await requirePermission(request, "partners:view", { kind: "customer" });
  return withTenantReads(tenantOf(auth), (tx) => listPartnerActivity(tx, { customerId: auth.org.id, before }));
}

/** What an entry says, in words. */
function describe(action: string, details: Record<string, unknown> | null) {
  const email = typeof details?.email === "string" ? details.email : null;
  switch (action) {
    case "tenant_user.password_reset":
      return `Reset the password of ${email ?? "a user"}`;
    case "tenant_user.created":
      return `Added the user ${email ?? ""}`.trim();
    case "gdap.requested":
      return "Asked for admin roles";
    case "gdap.roles_assigned":
      return "Assigned admin roles to a staff group";
    case "dap.requested":
      return "Asked for delegated administration";
    case "customer.created":
      return "Created your organisation";
    case "licence.assigned":
      return "Assigned a licence";
    case "licence.removed":
      return "Removed a licence";
    case "service_request.opened":
      return `Opened the service request “${String(details?.title ?? "")}”`;
    case "service_request.commented":
      return `Commented on “${String(details?.title ?? "")}”`;
    case "service_request.closed":
      return `Closed the service request “${String(details?.title ?? "")}”`;
    case "gdap.termination_requested":
      return "Ended its admin roles";
    case "gdap.withdrawn":
      return "Withdrew a request for admin roles";
    default:
      return action;
  }
}

export default function PartnerActivity() {
  const { rows, nextBefore } = useLoaderData<typeof loader>();
  const format = useFormat();
  return (
    <>
      <PageHeader title="Partner activity" description="What your partners' staff did in your organisation." />
      {rows.length === 0 ? (
        <EmptyState title="There's nothing here">
          <p>No partner has acted in your organisation yet.</p>
        </EmptyState>
      ) : (
        <table className="table">
          <caption className="visually-hidden">Partner activity</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Partner</th>
              <th scope="col">Who</th>
              <th scope="col">What</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.id}>
                <td>{format.dateTime(r.at)}</td>
                <td>{r.partnerName ?? <span className="muted">A former partner</span>}</td>
                <td>{r.actorName ?? "—"}</td>
                <td>{describe(r.action, r.details)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {nextBefore ? (
        <p>
          <Link to={`?before=${nextBefore}`}>Older entries</Link>
        </p>
      ) : null}
    </>
  );
}
