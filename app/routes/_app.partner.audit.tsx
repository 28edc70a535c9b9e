import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { createColumnHelper, type ColumnDef } from "@tanstack/react-table";
import { useMemo } from "react";
import { z } from "zod";
import { text } from "~/utils/input";
import { cursorField, hasPages, listState, pagerLinks, rowIdCursor } from "~/utils/list";
import { DataTable, KeysetPager } from "~/components/data-table";
import { FilterBar, FilterSelect, ListEmpty, useListHref } from "~/components/list";
import { PageHeader } from "~/components/layout";
import { listAuditActions, listAuditEntries } from "~/modules/platform/audit.server";
import { listStaff } from "~/modules/staff/staff.server";
import { requirePermission, tenantOf } from "~/modules/auth/gate.server";
import { withTenantReads } from "~/utils/db.server";
import { useFormat } from "~/components/format";
import type { Format } from "~/utils/format";

export const meta: MetaFunction = () => [{ title: "Audit log · Partnerdesk" }];

/** Newest first: `after` is the older page (below the entry with that id), `before` the newer one. */
const auditList = listState({
  filters: { action: text().max(100), user: z.string().uuid() },
  paging: { after: cursorField, before: cursorField },
});

export async function loader({ request, context }: LoaderFunctionArgs) {
  const auth = await requirePermission({ request, context }, "audit:view", { kind: "partner" });
  const q = auditList.read(new URL(request.url).searchParams);
  const older = rowIdCursor.decode(q.after)?.[0];
  const newer = older ? undefined : rowIdCursor.decode(q.before)?.[0];
  const orgId = auth.org.id;
  return withTenantReads(tenantOf(auth), async (tx) => {
    const page = await listAuditEntries(tx, { orgId, action: q.action, userId: q.user, before: older, after: newer });
    const first = page.entries[0];
    const last = page.entries[page.entries.length - 1];
    return {
      entries: page.entries,
      prev: page.hasNewer && first ? rowIdCursor.encode([first.id]) : null,
      next: page.hasOlder && last ? rowIdCursor.encode([last.id]) : null,
      query: { action: q.action ?? null, user: q.user ?? null },
      filtered: auditList.isFiltered(q),
      actions: (await listAuditActions(tx, { orgId })).map((a) => ({ value: a, label: a })),
      staff: (await listStaff(tx, { orgId })).map((s) => ({ value: s.userId, label: `${s.displayName} (${s.email})` })),
      orgId,
    };
  });
}

type Row = Awaited<ReturnType<typeof loader>>["entries"][number];
const column = createColumnHelper<Row>();
function auditColumns(format: Format, orgId: string) {
  return [
    column.accessor("at", { header: "Time", cell: ({ getValue }) => format.dateTime(getValue()) }),
    column.accessor("actorName", {
      header: "User",
      cell: ({ row: { original: e } }) => (e.actorName ? `${e.actorName} (${e.actorEmail})` : e.actorUserId ? e.actorUserId : "System / operator"),
    }),
    column.accessor("action", {
      header: "Action",
      cell: ({ row: { original: e } }) => (
        <>
          <code>{e.action}</code>
          {e.actorOrgId !== orgId ? <span className="muted small"> (by another organisation)</span> : null}
        </>
      ),
    }),
    column.accessor("objectType", { header: "Object", cell: ({ row: { original: e } }) => (e.objectType ? `${e.objectType} ${e.objectId ?? ""}` : "—") }),
    column.accessor("ip", { header: "IP", cell: ({ getValue }) => getValue() ?? "—" }),
  ] as ColumnDef<Row, unknown>[];
}

export default function Audit() {
  const { entries, prev, next, query, filtered, actions, staff, orgId } = useLoaderData<typeof loader>();
  const format = useFormat();
  const columns = useMemo(() => auditColumns(format, orgId), [format, orgId]);
  const href = useListHref("/partner/audit");
  const pager = pagerLinks(href, { prev, next, lastPage: false });
  return (
    <>
      <PageHeader title="Audit log" description="Every change made in or to your organisation: who, what, when and from where." />
      <FilterBar label="Filter the audit log" submitText="Apply filters" clearHref={filtered ? href(auditList.clearFilters) : null}>
        <FilterSelect name="action" label="Action" value={query.action} any="All actions" options={actions} />
        <FilterSelect name="user" label="User" value={query.user} any="All users" options={staff} />
      </FilterBar>
      <DataTable
        caption="Audit entries, newest first"
        columns={columns}
        data={entries}
        getRowId={(e) => String(e.id)}
        empty={<ListEmpty none={["No audit entries", "Nothing matches these filters yet."]} />}
      />
      {hasPages(pager) ? <KeysetPager label="Audit log pages" {...pager} /> : null}
    </>
  );
}
