import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { Badge, PageHeader } from "~/components/layout";
import { getImport, maskedKey } from "~/modules/product-keys/product-keys.server";
import { requirePermission, tenantOf } from "~/modules/auth/gate.server";
import { withTenantReads } from "~/utils/db.server";
import { handleDomainError, uuidParam } from "~/utils/http.server";
import { useFormat } from "~/components/format";

export const meta: MetaFunction = () => [{ title: "Key import report · Partnerdesk" }];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const auth = await requirePermission({ request, context }, "keys:manage", { kind: "partner" });
  const importId = uuidParam(params.importId, "No such import.");
  const row = await withTenantReads(tenantOf(auth), (tx) => getImport(tx, { partnerId: auth.org.id, importId })).catch(handleDomainError);
  return {
    fileName: row.fileName,
    createdAt: row.createdAt,
    accepted: row.accepted,
    refused: row.refused,
    report: row.report.map((r) => ({ ...r, masked: r.lastGroup ? maskedKey(r.lastGroup) : null })),
  };
}

export default function ImportReport() {
  const { fileName, createdAt, accepted, refused, report } = useLoaderData<typeof loader>();
  const format = useFormat();
  const refusedRows = report.filter((r) => !r.accepted);
  return (
    <>
      <p className="breadcrumb">
        <Link to="/partner/product-keys">Product keys</Link> /
      </p>
      <PageHeader title="Import report" description={`${fileName ?? "Pasted CSV"} · ${format.dateTime(createdAt)}`} />
      <dl className="totals" aria-label="Result">
        <div>
          <dt>Accepted</dt>
          <dd>{accepted}</dd>
        </div>
        <div>
          <dt>Refused</dt>
          <dd>{refused}</dd>
        </div>
      </dl>
      {refusedRows.length ? (
        <p className="notice notice-warn" role="status">
          {refusedRows.length} row{refusedRows.length === 1 ? " was" : "s were"} refused. Correct {refusedRows.length === 1 ? "it" : "them"} and import just those rows again; accepted keys are already in your
          inventory.
        </p>
      ) : (
        <p className="notice notice-good" role="status">
          Every key was accepted.
        </p>
      )}
      <table className="table">
        <caption className="visually-hidden">One line per row of the file</caption>
        <thead>
          <tr>
            <th scope="col" className="num">
              Line
            </th>
            <th scope="col">Key</th>
            <th scope="col">Product</th>
            <th scope="col" className="num">
              Licences
            </th>
            <th scope="col">Result</th>
          </tr>
        </thead>
        <tbody>
          {report.map((r) => (
            <tr key={r.line} data-accepted={r.accepted}>
              <td className="num">{r.line}</td>
              <td className="mono">{r.masked ?? "—"}</td>
              <td>{r.productId ?? "—"}</td>
              <td className="num">{r.licences ?? "—"}</td>
              <td>
                {r.accepted ? <Badge tone="good">Accepted</Badge> : <Badge tone="bad">Refused</Badge>} {r.accepted ? null : r.message}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
