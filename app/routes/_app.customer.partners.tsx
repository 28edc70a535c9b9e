import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { Badge, EmptyState, formatDate, PageHeader } from "~/components/layout";
import { listPartnerRelationships, listPendingRequests } from "~/modules/customer-partners.server";
import { requirePermission, tenantOf } from "~/utils/auth.server";
import { withTenant } from "~/utils/db.server";

export const meta: MetaFunction = () => [{ title: "Partners · Partnerdesk" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const auth = await requirePermission(request, "partners:view", { kind: "customer" });
  return withTenant(tenantOf(auth), async (tx) => ({
    partners: await listPartnerRelationships(tx, { customerId: auth.org.id }),
    pending: (await listPendingRequests(tx, { customerId: auth.org.id })).length,
  }));
}

const TYPE_LABELS = { reseller: "Reseller", advisor: "Advisor", dap: "Delegated admin", gdap: "Granular delegated admin" } as const;
const STATUS = {
  active: ["good", "Active"],
  pending: ["warn", "Agreement pending"],
  requested: ["info", "Waiting for your approval"],
  ended: ["neutral", "Ended"],
} as const;

export default function CustomerPartners() {
  const { partners, pending } = useLoaderData<typeof loader>();
  return (
    <>
      <PageHeader title="Partner relationships" description="The partners that work with your organisation, and what each may do." />
      {pending > 0 ? (
        <p className="notice notice-warn" role="status">
          {pending} request{pending === 1 ? "" : "s"} for admin rights {pending === 1 ? "waits" : "wait"} for your global admin. <Link to="/customer/requests">Review requests</Link>
        </p>
      ) : null}
      {partners.length === 0 ? (
        <EmptyState title="There's nothing here">
          <p>No partner works with your organisation yet. A partner's invitation link lets you accept one.</p>
        </EmptyState>
      ) : (
        <table className="table">
          <caption className="visually-hidden">Partner relationships</caption>
          <thead>
            <tr>
              <th scope="col">Partner</th>
              <th scope="col">Partner ID</th>
              <th scope="col">Type</th>
              <th scope="col">Relationships</th>
              <th scope="col">Since</th>
              <th scope="col">Contact</th>
            </tr>
          </thead>
          <tbody>
            {partners.map((p) => (
              <tr key={p.partnerId}>
                <td>{p.partnerName}</td>
                <td>{p.partnerNumber}</td>
                <td>{p.label}</td>
                <td>
                  <ul className="plain-list">
                    {p.relationships.map((r) => (
                      <li key={r.id}>
                        {TYPE_LABELS[r.type]} <Badge tone={STATUS[r.status][0]}>{STATUS[r.status][1]}</Badge>
                      </li>
                    ))}
                  </ul>
                </td>
                <td>{formatDate(p.since)}</td>
                <td>
                  {p.email ? <a href={`mailto:${p.email}`}>{p.email}</a> : null}
                  {p.phone ? <div className="muted small">{p.phone}</div> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
