import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { createColumnHelper, type ColumnDef } from "@tanstack/react-table";
import { z } from "zod";
import { CellLink, DataTable, KeysetPager } from "~/components/data-table";
import { FilterLinks, ListEmpty, useListHref } from "~/components/list";
import { Badge, PageHeader } from "~/components/layout";
import { LEAD_STATUS_LABELS, LEAD_STATUS_TONES as LEAD_TONE, LEAD_STATUSES } from "~/modules/directory/directory-options";
import { forwardFields, hasPages, listState, pagerLinks } from "~/utils/list";
import { listLeads } from "~/modules/directory/leads.server";
import { requirePermission, tenantOf } from "~/modules/auth/gate.server";
import { withTenantReads } from "~/utils/db.server";
import { CountryName, FormattedDateTime } from "~/components/format";

export const meta: MetaFunction = () => [{ title: "Leads · Partnerdesk" }];

const leadList = listState({ filters: { status: z.enum(LEAD_STATUSES), assigned: z.enum(["me", "none"]) }, paging: forwardFields });

export async function loader({ request, context }: LoaderFunctionArgs) {
  const auth = await requirePermission({ request, context }, "leads:manage", { kind: "partner" });
  const query = leadList.read(new URL(request.url).searchParams);
  const result = await withTenantReads(tenantOf(auth), (tx) => listLeads(tx, { partnerId: auth.org.id, userId: auth.user.id, query }));
  return { ...result, status: query.status ?? null, assigned: query.assigned ?? null, paged: Boolean(query.after) };
}

type Row = Awaited<ReturnType<typeof loader>>["rows"][number];
const column = createColumnHelper<Row>();
const columns = [
  column.accessor("organisation", {
    header: "Organisation",
    cell: ({ row: { original: r } }) => (
      <>
        <CellLink href={`/partner/leads/${r.id}`}>{r.organisation}</CellLink>
        <div className="muted small">
          {r.name} · {r.email}
        </div>
      </>
    ),
  }),
  column.accessor("size", { header: "Size" }),
  column.accessor("country", { header: "Country", cell: ({ row: { original: r } }) => <CountryName code={r.country} /> }),
  column.accessor("status", { header: "Status", cell: ({ row: { original: r } }) => <Badge tone={LEAD_TONE[r.status]}>{LEAD_STATUS_LABELS[r.status]}</Badge> }),
  column.accessor("assignedName", { header: "Assigned to", cell: ({ row: { original: r } }) => r.assignedName ?? <span className="muted">Nobody</span> }),
  column.accessor("createdAt", { id: "received", header: "Received", cell: ({ row: { original: r } }) => <FormattedDateTime value={r.createdAt} /> }),
] as ColumnDef<Row, unknown>[];

export default function Leads() {
  const { rows, next, counts, status, assigned, paged } = useLoaderData<typeof loader>();
  const href = useListHref("/partner/leads");
  const all = LEAD_STATUSES.reduce((n, s) => n + counts[s], 0);
  const pager = pagerLinks(href, { next, isFirst: !paged });
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
      <FilterLinks
        label="Filter leads by status"
        items={[
          { href: href({ status: null }), label: `All (${all})`, current: !status },
          ...LEAD_STATUSES.map((s) => ({ href: href({ status: s }), label: `${LEAD_STATUS_LABELS[s]} (${counts[s]})`, current: status === s })),
          null,
          { href: href({ assigned: assigned === "me" ? null : "me" }), label: "Assigned to me", pressed: assigned === "me" },
          { href: href({ assigned: assigned === "none" ? null : "none" }), label: "Unassigned", pressed: assigned === "none" },
        ]}
      />
      <div className="top-gap">
        <DataTable
          caption="Leads, newest first"
          columns={columns}
          data={rows}
          getRowId={(r) => r.id}
          sort={{ id: "received", dir: "desc" }}
          empty={
            <ListEmpty
              filtered={Boolean(status || assigned)}
              matches={["No leads here", "No lead matches this filter."]}
              none={["No leads yet", "List your organisation in the partner directory to receive requests from customers."]}
            />
          }
        />
      </div>
      {hasPages(pager) ? <KeysetPager label="Pages of leads" {...pager} /> : null}
    </>
  );
}
