/**
 * An MPSA partner's view of what its customer bought through the customer's other MPSA partners,
 * while the customer shares them (seeds 000/002/004). 404 unless the signed-in partner is an
 * active MPSA partner of this customer; nothing but those purchases is shown.
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { EmptyState, PageHeader, SubscriptionStatus } from "~/components/layout";
import { useFormat } from "~/components/format";
import { listMpsaSharedPurchases } from "~/modules/customer-tenant/mpsa-sharing.server";
import { requirePermission, tenantOf } from "~/modules/auth/gate.server";
import { withTenantReads } from "~/utils/db.server";
import { handleDomainError, uuidParam } from "~/utils/http.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `MPSA purchases · ${data?.customerName ?? "Customer"} · Partnerdesk` }];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const auth = await requirePermission({ request, context }, "subscriptions:view", { kind: "partner" });
  const customerId = uuidParam(params.customerId, "No such customer.");
  const value = await withTenantReads(tenantOf(auth), (tx) => listMpsaSharedPurchases(tx, { partnerId: auth.org.id, customerId })).catch(handleDomainError);
  return { ...value, customerId };
}

export default function MpsaPurchases() {
  const { customerName, customerId, sharing, purchases } = useLoaderData<typeof loader>();
  const format = useFormat();
  return (
    <>
      <p className="breadcrumb">
        <Link to="/partner/customers">Customers</Link> / <Link to={`/partner/customers/${customerId}`}>{customerName}</Link> /
      </p>
      <PageHeader title="Purchases through its other MPSA partners" description={`What ${customerName} bought through its other MPSA partners, shared with you by ${customerName}.`} />
      {!sharing ? (
        <EmptyState title="Not shared">
          <p>{customerName} does not share its MPSA purchases with its MPSA partners. Its global admin can turn this on under Partner relationships.</p>
        </EmptyState>
      ) : purchases.length === 0 ? (
        <EmptyState title="There's nothing here">
          <p>{customerName} has bought nothing through its other MPSA partners.</p>
        </EmptyState>
      ) : (
        <div className="table-scroll" role="region" aria-labelledby="mpsa-caption" tabIndex={0}>
          <table className="table">
            <caption id="mpsa-caption" className="visually-hidden">Purchases of {customerName} through its other MPSA partners</caption>
            <thead>
              <tr>
                <th scope="col">Product</th>
                <th scope="col">Licences</th>
                <th scope="col">Status</th>
                <th scope="col">Partner</th>
                <th scope="col">Since</th>
              </tr>
            </thead>
            <tbody>
              {purchases.map((p) => (
                <tr key={p.subscriptionId}>
                  <td>{p.productName}</td>
                  <td>{format.number(p.licences)}</td>
                  <td>
                    <SubscriptionStatus status={p.status} />
                  </td>
                  <td>
                    {p.partnerName}
                    {p.partnerNumber ? <div className="muted small">Partner ID {p.partnerNumber}</div> : null}
                  </td>
                  <td>{format.date(p.startedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
