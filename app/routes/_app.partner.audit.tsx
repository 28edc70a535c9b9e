import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { createColumnHelper, type ColumnDef } from "@tanstack/react-table";
import { useMemo } from "react";
import { hasPages, listHref, pagerLinks, rowIdCursor } from "~/utils/list";
import { CellLink, DataTable, KeysetPager } from "~/components/data-table";
import { FilterBar, FilterSelect, ListEmpty, SearchField, useListHref } from "~/components/list";
import { PageHeader } from "~/components/layout";
import { listAuditActions, listAuditEntries, type AuditEntry } from "~/modules/platform/audit.server";
import { auditList, DATE_MESSAGE, DATE_RANGE_MESSAGE, rangeReversed } from "~/modules/platform/audit-list";
import { auditObjectHref, auditObjectLabel } from "~/modules/platform/audit-objects";
import { listStaff } from "~/modules/staff/staff.server";
import { requirePermission, tenantOf } from "~/modules/auth/gate.server";
import { withTenantReads } from "~/utils/db.server";
import { useFormat } from "~/components/format";
import type { Format } from "~/utils/format";

export const meta: MetaFunction = () => [{ title: "Audit log · Partnerdesk" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const auth = await requirePermission({ request, context }, "audit:view", { kind: "partner" });
  const params = new URL(request.url).searchParams;
  const q = auditList.read(params);
  // A date the page could not read, or a range that ends before it starts, is said next to its
  // field and not applied (the list shows what the other filters match), never a 500.
  const dateErrors: { from?: string; to?: string } = {};
  if (params.get("from") && !q.from) dateErrors.from = DATE_MESSAGE;
  if (params.get("to") && !q.to) dateErrors.to = DATE_MESSAGE;
  const reversed = rangeReversed(q.from, q.to);
  if (reversed) dateErrors.from = DATE_RANGE_MESSAGE;
  const from = reversed ? undefined : q.from;
  const to = reversed ? undefined : q.to;
  const older = rowIdCursor.decode(q.after)?.[0];
  const newer = older ? undefined : rowIdCursor.decode(q.before)?.[0];
  const orgId = auth.org.id;
  return withTenantReads(tenantOf(auth), async (tx) => {
    const page = await listAuditEntries(tx, { orgId, action: q.action, userId: q.user, q: q.q, from, to, before: older, after: newer });
    const first = page.entries[0];
    const last = page.entries[page.entries.length - 1];
    return {
      entries: page.entries,
      prev: page.hasNewer && first ? rowIdCursor.encode([first.id]) : null,
      next: page.hasOlder && last ? rowIdCursor.encode([last.id]) : null,
      // What the page shows in its fields: the URL's text for a date it could not use, so the person sees what to fix.
      query: { q: q.q ?? "", action: q.action ?? null, user: q.user ?? null, from: q.from ?? params.get("from")?.slice(0, 20) ?? "", to: q.to ?? params.get("to")?.slice(0, 20) ?? "" },
      applied: { q: q.q, action: q.action, user: q.user, from, to },
      dateErrors,
      filtered: auditList.isFiltered(q) || Object.keys(dateErrors).length > 0,
      actions: (await listAuditActions(tx, { orgId })).map((a) => ({ value: a, label: a })),
      staff: (await listStaff(tx, { orgId })).map((s) => ({ value: s.userId, label: `${s.displayName} (${s.email})` })),
      orgId,
    };
  });
}

type Row = AuditEntry;
const column = createColumnHelper<Row>();
function auditColumns(format: Format, orgId: string) {
  return [
    column.accessor("at", { header: "Time", cell: ({ getValue }) => format.dateTime(getValue()) }),
    column.accessor("actorName", {
      header: "User",
      cell: ({ row: { original: e } }) => {
        const name = e.actorName ?? e.actorEmail ?? (e.actorUserId ? "A user" : null);
        if (!name) return <span className="muted">System / operator</span>;
        return (
          <>
            {e.actorIsStaff && e.actorUserId ? <CellLink href={`/partner/staff/${e.actorUserId}`}>{name}</CellLink> : name}
            {e.actorEmail && e.actorName ? <div className="muted small">{e.actorEmail}</div> : null}
          </>
        );
      },
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
    column.accessor("customerName", {
      id: "customer",
      header: "Customer",
      cell: ({ row: { original: e } }) =>
        e.customerId && e.customerName ? (
          <CellLink href={`/partner/customers/${e.customerId}`}>{e.customerName}</CellLink>
        ) : e.customerId ? (
          <span className="muted">Another organisation</span>
        ) : (
          "—"
        ),
    }),
    column.accessor("objectType", {
      header: "Object",
      cell: ({ row: { original: e } }) => {
        if (!e.objectType) return "—";
        const label = auditObjectLabel(e);
        const href = auditObjectHref(e);
        return href ? <CellLink href={href}>{label}</CellLink> : label;
      },
    }),
    column.accessor("ip", { header: "IP", cell: ({ getValue }) => getValue() ?? "—" }),
  ] as ColumnDef<Row, unknown>[];
}

function DateField({ name, label, value, error }: { name: "from" | "to"; label: string; value: string; error?: string }) {
  const errorId = `${name}-error`;
  return (
    <div className="field">
      <label htmlFor={`f-${name}`}>{label}</label>
      <input id={`f-${name}`} name={name} type="date" defaultValue={value} aria-invalid={error ? true : undefined} aria-describedby={error ? errorId : undefined} />
      {error ? (
        <p id={errorId} className="field-errors" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}

export default function Audit() {
  const { entries, prev, next, query, applied, dateErrors, filtered, actions, staff, orgId } = useLoaderData<typeof loader>();
  const format = useFormat();
  const columns = useMemo(() => auditColumns(format, orgId), [format, orgId]);
  const href = useListHref("/partner/audit");
  const pager = pagerLinks(href, { prev, next, lastPage: false });
  // The export gets the filters the page applied (read strictly there).
  const exportHref = listHref("/partner/audit/export.csv", new URLSearchParams(), { q: applied.q, action: applied.action, user: applied.user, from: applied.from, to: applied.to });
  return (
    <>
      <PageHeader
        title="Audit log"
        description="Every change made in or to your organisation: who, what, when and from where."
        actions={
          <a className="button" href={exportHref} download>
            Export CSV
          </a>
        }
      />
      <FilterBar search label="Search and filter the audit log" submitText="Apply filters" clearHref={filtered ? href(auditList.clearFilters) : null}>
        <SearchField label="Search by user, action or customer" value={query.q} placeholder="e.g. Jane, gdap or Contoso" />
        <FilterSelect name="action" label="Action" value={query.action} any="All actions" options={actions} />
        <FilterSelect name="user" label="User" value={query.user} any="All users" options={staff} />
        <DateField name="from" label="From (UTC)" value={query.from} error={dateErrors.from} />
        <DateField name="to" label="To (UTC)" value={query.to} error={dateErrors.to} />
      </FilterBar>
      <DataTable
        caption="Audit entries, newest first"
        columns={columns}
        data={entries}
        getRowId={(e) => String(e.id)}
        empty={<ListEmpty filtered={filtered} matches={["No audit entries match", "Change the search, the filters or the dates."]} none={["No audit entries", "Nothing has been recorded yet."]} />}
      />
      {hasPages(pager) ? <KeysetPager label="Audit log pages" {...pager} /> : null}
    </>
  );
}
