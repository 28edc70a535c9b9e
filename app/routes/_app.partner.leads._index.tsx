import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useSearchParams } from "@remix-run/react";
import { createColumnHelper, type ColumnDef } from "@tanstack/react-table";
import { CellLink, DataTable } from "~/components/data-table";
import { Badge, EmptyState, PageHeader } from "~/components/layout";
import { LEAD_STATUS_LABELS, LEAD_STATUS_TONES as LEAD_TONE, LEAD_STATUSES, type LeadStatus } from "~/modules/directory/directory-options";
import { listLeads } from "~/modules/directory/leads.server";
import { requirePermission, tenantOf } from "~/modules/auth/gate.server";
import { withTenantReads } from "~/utils/db.server";
import { CountryName, FormattedDateTime } from "~/components/format";

export const meta: MetaFunction = () => [{ title: "Leads · Partnerdesk" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const params = new URL(request.url).searchParams;
  const status = (LEAD_STATUSES as readonly string[]).includes(params.get("status") ?? "") ? (params.get("status") as LeadStatus) : undefined;
  const assigned = params.get("assigned") === "me" ? "me" : params.get("assigned") === "none" ? "none" : undefined;
  const auth = await requirePermission(request, "leads:manage", { kind: "partner" });
  const result = await withTenantReads(tenantOf(auth), (tx) =>
    listLeads(tx, { partnerId: auth.org.id, userId: auth.user.id, query: { status, assigned, after: params.get("after") ?? undefined } }),
  );
  return { ...result, status: status ?? null, assigned: assigned ?? null };
}

type Row = Awaited<ReturnType<typeof loader>>["rows"][number];
const column = createColumnHelper<Row>();
const columns = [
  column.accessor("organisation", {
    header: "Organisation",
    enableSorting: false,
    cell: ({ row: { original: r } }) => (
      <>
        <CellLink href={`/partner/leads/${r.id}`}>{r.organisation}</CellLink>
        <div className="muted small">
          {r.name} · {r.email}
        </div>
      </>
    ),
  }),
  column.accessor("size", { header: "Size", enableSorting: false }),
  column.accessor("country", { header: "Country", enableSorting: false, cell: ({ row: { original: r } }) => <CountryName code={r.country} /> }),
  column.accessor("status", { header: "Status", enableSorting: false, cell: ({ row: { original: r } }) => <Badge tone={LEAD_TONE[r.status]}>{LEAD_STATUS_LABELS[r.status]}</Badge> }),
  column.accessor("assignedName", { header: "Assigned to", enableSorting: false, cell: ({ row: { original: r } }) => r.assignedName ?? <span className="muted">Nobody</span> }),
  column.accessor("createdAt", { id: "received", header: "Received", enableSorting: false, cell: ({ row: { original: r } }) => <FormattedDateTime value={r.createdAt} /> }),
] as ColumnDef<Row, unknown>[];

export default function Leads() {
  const { rows, next, counts, status, assigned } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const href = (change: Record<string, string | null>) => {
    const p = new URLSearchParams(params);
    p.delete("after");
    for (const [k, v] of Object.entries(change)) {
      if (v) p.set(k, v);
      else p.delete(k);
    }
    const s = p.toString();
    return s ? `/partner/leads?${s}` : "/partner/leads";
  };
  const all = LEAD_STATUSES.reduce((n, s) => n + counts[s], 0);
  return (
    <>
      <PageHeader
        title="Leads"
        description={
          <>
            Requests from customers who found you in the <Link to="/partners">partner directory</Link>. Answer with an invitation or offer; a lead is won when its customer accepts it.
          </>
        }
      />
      <nav className="inline-actions" aria-label="Filter leads by status">
        <Link to={href({ status: null })} className={`button small${status ? "" : " primary"}`} aria-current={status ? undefined : "page"}>
          All ({all})
        </Link>
        {LEAD_STATUSES.map((s) => (
          <Link key={s} to={href({ status: s })} className={`button small${status === s ? " primary" : ""}`} aria-current={status === s ? "page" : undefined}>
            {LEAD_STATUS_LABELS[s]} ({counts[s]})
          </Link>
        ))}
        <span className="muted">·</span>
        <Link to={href({ assigned: assigned === "me" ? null : "me" })} className={`button small${assigned === "me" ? " primary" : ""}`} aria-pressed={assigned === "me"}>
          Assigned to me
        </Link>
        <Link to={href({ assigned: assigned === "none" ? null : "none" })} className={`button small${assigned === "none" ? " primary" : ""}`} aria-pressed={assigned === "none"}>
          Unassigned
        </Link>
      </nav>
      <div className="top-gap">
        <DataTable
          caption="Leads, newest first"
          columns={columns}
          data={rows}
          getRowId={(r) => r.id}
          sort={{ id: "received", dir: "desc" }}
          sortHref={() => href({})}
          empty={
            <EmptyState title={status || assigned ? "No leads here" : "No leads yet"}>
              <p>{status || assigned ? "No lead matches this filter." : "List your organisation in the partner directory to receive requests from customers."}</p>
            </EmptyState>
          }
        />
      </div>
      {next ? (
        <nav className="keyset-pager" aria-label="Pages of leads">
          {params.get("after") ? (
            <Link className="button small" to={href({})}>
              « First
            </Link>
          ) : null}
          <Link className="button small" rel="next" to={href({ after: next })}>
            Next ›
          </Link>
        </nav>
      ) : null}
    </>
  );
}
