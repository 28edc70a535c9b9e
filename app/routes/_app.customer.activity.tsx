import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { createColumnHelper, type ColumnDef } from "@tanstack/react-table";
import { useMemo } from "react";
import { DataTable, KeysetPager } from "~/components/data-table";
import { ListEmpty, useListHref } from "~/components/list";
import { forwardFields, hasPages, listState, pagerLinks } from "~/utils/list";
import type { Format } from "~/utils/format";
import { PageHeader } from "~/components/layout";
import { listPartnerActivity } from "~/modules/customer-tenant/customer-partners.server";
import { requirePermission, tenantOf } from "~/modules/auth/gate.server";
import { withTenantReads } from "~/utils/db.server";
import { useFormat } from "~/components/format";
import { describeActivity } from "~/components/partner-activity";

export const meta: MetaFunction = () => [{ title: "Partner activity · Partnerdesk" }];

const activityList = listState({ filters: {}, paging: forwardFields });

export async function loader({ request, context }: LoaderFunctionArgs) {
  const auth = await requirePermission({ request, context }, "partners:view", { kind: "customer" });
  const { after } = activityList.read(new URL(request.url).searchParams);
  const page = await withTenantReads(tenantOf(auth), (tx) => listPartnerActivity(tx, { customerId: auth.org.id, after }));
  return { ...page, paged: Boolean(after) };
}

type Row = Awaited<ReturnType<typeof loader>>["rows"][number];
const column = createColumnHelper<Row>();
function activityColumns(format: Format) {
  return [
    column.accessor("at", { header: "When", cell: ({ getValue }) => format.dateTime(getValue()) }),
    column.accessor("partnerName", { header: "Partner", cell: ({ getValue }) => getValue() ?? <span className="muted">A former partner</span> }),
    column.accessor("actorName", { header: "Who", cell: ({ getValue }) => getValue() ?? "—" }),
    column.accessor("action", { header: "What", cell: ({ row: { original: r } }) => describeActivity(r.action, r.details as Record<string, unknown> | null) }),
  ] as ColumnDef<Row, unknown>[];
}

export default function PartnerActivity() {
  const { rows, next, paged } = useLoaderData<typeof loader>();
  const format = useFormat();
  const columns = useMemo(() => activityColumns(format), [format]);
  const pager = pagerLinks(useListHref("/customer/activity"), { next, isFirst: !paged });
  return (
    <>
      <PageHeader title="Partner activity" description="What your partners' staff did in your organisation." />
      <DataTable
        caption="Partner activity"
        columns={columns}
        data={rows}
        getRowId={(r) => String(r.id)}
        empty={<ListEmpty none={["There's nothing here", "No partner has acted in your organisation yet."]} />}
      />
      {hasPages(pager) ? <KeysetPager label="Pages of partner activity" {...pager} /> : null}
    </>
  );
}
