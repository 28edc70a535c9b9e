/**
 * The customer's service requests: those its partners opened for it while acting in it (ADR 0010),
 * newest first, with their status, partner and who opened them. Its global and billing admins
 * read them and comment on each (the detail page).
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { createColumnHelper, type ColumnDef } from "@tanstack/react-table";
import { z } from "zod";
import { CellLink, DataTable, KeysetPager } from "~/components/data-table";
import { FilterLinks, ListEmpty, useListHref } from "~/components/list";
import { Badge, PageHeader } from "~/components/layout";
import { FormattedDateTime } from "~/components/format";
import { forwardFields, hasPages, listState, pagerLinks } from "~/utils/list";
import { listCustomerServiceRequests } from "~/modules/customer-tenant/tenant-work.server";
// Not from the .server module: the page's component reads them in the browser too.
import { SERVICE_REQUEST_STATUS_LABELS as STATUS_LABELS, SERVICE_REQUEST_STATUSES } from "~/modules/customer-tenant/service-request-status";
import { requirePermission, tenantOf } from "~/modules/auth/gate.server";
import { withTenantReads } from "~/utils/db.server";

export const meta: MetaFunction = () => [{ title: "Service requests · Partnerdesk" }];

const requestList = listState({ filters: { status: z.enum(SERVICE_REQUEST_STATUSES) }, paging: forwardFields });

export async function loader({ request, context }: LoaderFunctionArgs) {
  const auth = await requirePermission({ request, context }, "service-requests:view", { kind: "customer" });
  const query = requestList.read(new URL(request.url).searchParams);
  const result = await withTenantReads(tenantOf(auth), (tx) => listCustomerServiceRequests(tx, { customerId: auth.org.id, query }));
  return { ...result, status: query.status ?? null, paged: Boolean(query.after) };
}


type Row = Awaited<ReturnType<typeof loader>>["rows"][number];
const column = createColumnHelper<Row>();
const columns = [
  column.accessor("title", {
    header: "Request",
    cell: ({ row: { original: r } }) => (
      <>
        <CellLink href={`/customer/service-requests/${r.id}`}>{r.title}</CellLink>
        <div className="muted small">
          {r.comments === 1 ? "1 comment" : `${r.comments} comments`}
        </div>
      </>
    ),
  }),
  column.accessor("status", { header: "Status", cell: ({ row: { original: r } }) => <Badge tone={r.status === "open" ? "info" : "neutral"}>{STATUS_LABELS[r.status]}</Badge> }),
  column.accessor("partnerName", { header: "Partner", cell: ({ row: { original: r } }) => r.partnerName ?? <span className="muted">Your organisation</span> }),
  column.accessor("openedByName", { header: "Opened by", cell: ({ row: { original: r } }) => r.openedByName ?? <span className="muted">Unknown</span> }),
  column.accessor("createdAt", { id: "opened", header: "Opened", cell: ({ row: { original: r } }) => <FormattedDateTime value={r.createdAt} /> }),
] as ColumnDef<Row, unknown>[];

export default function ServiceRequests() {
  const { rows, next, counts, status, paged } = useLoaderData<typeof loader>();
  const href = useListHref("/customer/service-requests");
  const pager = pagerLinks(href, { next, isFirst: !paged });
  return (
    <>
      <PageHeader title="Service requests" description="Support requests your partners opened for your organisation. Open one to read its thread and add a comment; the partner is told." />
      <FilterLinks
        label="Filter service requests by status"
        items={[
          { href: href({ status: null }), label: `All (${counts.open + counts.closed})`, current: !status },
          ...SERVICE_REQUEST_STATUSES.map((s) => ({ href: href({ status: s }), label: `${STATUS_LABELS[s]} (${counts[s]})`, current: status === s })),
        ]}
      />
      <div className="top-gap">
        <DataTable
          caption="Service requests, newest first"
          columns={columns}
          data={rows}
          getRowId={(r) => r.id}
          sort={{ id: "opened", dir: "desc" }}
          empty={
            <ListEmpty
              filtered={Boolean(status)}
              matches={["No service requests here", "No service request has this status."]}
              none={["There's nothing here", "When a partner opens a service request for your organisation, it is listed here."]}
            />
          }
        />
      </div>
      {hasPages(pager) ? <KeysetPager label="Pages of service requests" {...pager} /> : null}
    </>
  );
}
