/** Progress and per-customer results of a bulk GDAP request; refreshes itself while it runs. */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useRevalidator } from "@remix-run/react";
import { useEffect } from "react";
import { z } from "zod";
import { Badge, PageHeader } from "~/components/layout";
import { getBulkOperation } from "~/modules/delegated-admin/bulk-gdap.server";
import { requirePermission, tenantOf } from "~/modules/auth/gate.server";
import { withTenantReads } from "~/utils/db.server";
import { handleDomainError } from "~/utils/http.server";
import { useFormat } from "~/components/format";

export const meta: MetaFunction = () => [{ title: "Bulk request · Partnerdesk" }];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const auth = await requirePermission({ request, context }, "relationships:manage", { kind: "partner" });
  const id = z.string().uuid().safeParse(params.id);
  if (!id.success) throw new Response("No such bulk operation.", { status: 404 });
  return withTenantReads(tenantOf(auth), (tx) => getBulkOperation(tx, { partnerId: auth.org.id, id: id.data })).catch(handleDomainError);
}

export default function BulkOperation() {
  const { op, items } = useLoaderData<typeof loader>();
  const format = useFormat();
  const revalidator = useRevalidator();
  const running = op.status === "running";
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => {
      if (revalidator.state === "idle" && document.visibilityState === "visible") revalidator.revalidate();
    }, 2000);
    return () => clearInterval(timer);
  }, [running, revalidator]);
  const done = op.succeeded + op.failed;
  return (
    <>
      <p className="breadcrumb">
        <Link to="/partner/relationships">Admin relationships</Link> /
      </p>
      <PageHeader
        title="Bulk admin-roles request"
        description={
          <>
            <Badge tone={running ? "info" : op.failed ? "warn" : "good"}>{running ? "Running" : "Finished"}</Badge> Started {format.dateTime(op.createdAt)}
            {op.finishedAt ? `, finished ${format.dateTime(op.finishedAt)}` : ""}
          </>
        }
      />
      <section className="card" aria-labelledby="progress-title">
        <h2 id="progress-title">Progress</h2>
        <progress max={op.total} value={done} aria-labelledby="progress-title" className="full-width" />
        <p role="status" aria-live="polite">
          {format.number(done)} of {format.number(op.total)} customers done: {format.number(op.succeeded)} requested, {format.number(op.failed)} failed.
        </p>
      </section>
      <section className="card top-gap" aria-labelledby="results">
        <h2 id="results">Results {items.length < op.total ? <span className="muted small">(failures first; the first {items.length})</span> : null}</h2>
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Customer</th>
              <th scope="col">Result</th>
            </tr>
          </thead>
          <tbody>
            {items.map((i) => (
              <tr key={i.customerId}>
                <td>{i.name ? <Link to={`/partner/customers/${i.customerId}`}>{i.name}</Link> : <span className="muted">No longer your customer</span>} <span className="muted small">{i.domain}</span></td>
                <td>
                  {i.status === "succeeded" && i.resultId ? (
                    <Link to={`/partner/relationships/${i.resultId}`}>Requested</Link>
                  ) : i.status === "failed" ? (
                    <>
                      <Badge tone="bad">Failed</Badge> {i.message}
                    </>
                  ) : (
                    <span className="muted">Waiting</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </>
  );
}
