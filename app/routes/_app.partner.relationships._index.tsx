import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useNavigation } from "@remix-run/react";
import { createColumnHelper, type ColumnDef } from "@tanstack/react-table";
import { parseWithZod } from "@conform-to/zod";
import { z } from "zod";
import { CellLink, DataTable, KeysetPager } from "~/components/data-table";
import { FilterBar, FilterLinks, FilterSelect, ListEmpty, optionsOf, PageSizeSelect, SearchField, useListHref } from "~/components/list";
import { Badge, PageHeader } from "~/components/layout";
import { adminRole, RELATIONSHIP_FILTERS } from "~/modules/delegated-admin/admin-roles";
import { listAdminRelationships, requestDap } from "~/modules/delegated-admin/admin-relationships.server";
import { ADMIN_RELATIONSHIP_KINDS, ADMIN_STATUS_LABELS, ENDS_WITHIN, relationshipList, type RelationshipSort } from "~/modules/delegated-admin/relationship-list";
import { RELATIONSHIP_LABELS } from "~/modules/relationships/relationship-types";
import { listHref, pagerLinks } from "~/utils/list";
import { actorOf, requirePermission, requireRecentSecondFactor, tenantOf } from "~/modules/auth/gate.server";
import { withTenant, withTenantReads } from "~/utils/db.server";
import { handleDomainError, redirectWithToast } from "~/utils/http.server";
import { readForm } from "~/utils/form.server";
import { useFormat, FormattedDate } from "~/components/format";

export const meta: MetaFunction = () => [{ title: "Admin relationships · Partnerdesk" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const auth = await requirePermission({ request, context }, "relationships:manage", { kind: "partner" });
  const params = relationshipList.read(new URL(request.url).searchParams);
  const list = await withTenantReads(tenantOf(auth), (tx) => listAdminRelationships(tx, { partnerId: auth.org.id, query: { ...params, filter: params.status } }));
  const { after: _a, before: _b, last: _l, ...query } = params;
  return {
    rows: list.rows.map((r) => ({ ...r, roleNames: r.roles.map((id) => adminRole(id)?.name ?? id) })),
    newer: list.newer,
    older: list.older,
    total: list.total,
    query,
  };
}

const dapSchema = z.object({ intent: z.literal("dap"), customerId: z.string().uuid() });

export async function action({ request, context }: ActionFunctionArgs) {
  const auth = await requirePermission({ request, context }, "relationships:manage", { kind: "partner" });
  requireRecentSecondFactor(request, auth, "admin-relationship");
  const formData = await readForm(request);
  const submission = parseWithZod(formData, { schema: dapSchema });
  if (submission.status !== "success") throw new Response("No such customer.", { status: 404 });
  const { customerId } = submission.value;
  const { requested } = await withTenant(tenantOf(auth), (tx) => requestDap(tx, { partnerId: auth.org.id, actor: actorOf(auth, context), customerId: customerId })).catch(handleDomainError);
  return redirectWithToast(
    `/partner/customers/${customerId}`,
    requested
      ? { kind: "success", message: "Delegated administration requested. The customer's global admins were told and can approve it." }
      : { kind: "info", message: "Delegated administration is already requested and waits for the customer's global admins; they were not told again." },
  );
}

const TONE: Record<string, "good" | "warn" | "bad" | "info" | "neutral"> = { active: "good", expiring: "warn", approval_pending: "info", created: "info", requested: "info" };
const FILTER_LABELS: Record<(typeof RELATIONSHIP_FILTERS)[number], string> = { active: "Active", expiring: "Expiring", pending: "Pending", expired: "Expired", terminated: "Terminated" };

type Row = Awaited<ReturnType<typeof loader>>["rows"][number];
const column = createColumnHelper<Row>();
/** Sortable by name, customer, status, end and creation (the roles column does not sort). */
const columns = [
  column.accessor("displayName", {
    id: "name",
    header: "Name",
    cell: ({ row: { original: r } }) => (r.kind === "gdap" ? <CellLink href={`/partner/relationships/${r.id}`}>{r.displayName}</CellLink> : r.displayName),
  }),
  column.accessor("customerName", {
    id: "customer",
    header: "Customer",
    cell: ({ row: { original: r } }) =>
      r.customerId && r.customerName ? <CellLink href={`/partner/customers/${r.customerId}`}>{r.customerName}</CellLink> : <span className="muted">{r.customerId ? "—" : "Open request"}</span>,
  }),
  column.display({
    id: "roles",
    enableSorting: false,
    header: "Roles",
    cell: ({ row: { original: r } }) => (r.kind === "dap" ? "Global Administrator (admin agents), Helpdesk Administrator (helpdesk agents)" : r.roleNames.join(", ")),
  }),
  column.accessor("status", {
    header: "Status",
    cell: ({ row: { original: r } }) => (
      <>
        <Badge tone={TONE[r.status] ?? "neutral"}>{ADMIN_STATUS_LABELS[r.status] ?? r.status}</Badge>
        {r.autoExtendDays ? <span className="muted small"> · auto-extends</span> : null}
      </>
    ),
  }),
  column.accessor("createdAt", { id: "created", header: "Requested", cell: ({ row: { original: r } }) => <FormattedDate value={r.createdAt} /> }),
  column.accessor("endsAt", {
    id: "ends",
    header: "Ends",
    // A declined request ends nothing ahead: it says when it was declined (issue 30).
    cell: ({ row: { original: r } }) =>
      r.status === "declined" && r.endedAt ? (
        <>
          Declined <FormattedDate value={r.endedAt} />
        </>
      ) : r.endsAt ? (
        <FormattedDate value={r.endsAt} />
      ) : r.durationDays && (r.status === "approval_pending" || r.status === "created") ? (
        `${r.durationDays} days after approval`
      ) : (
        "—"
      ),
  }),
] as ColumnDef<Row, unknown>[];

const SORT_TEXT: Record<RelationshipSort, string> = { name: "by name", customer: "by customer", status: "by status", ends: "by end date", created: "by request date" };
const ENDS_OPTIONS = ENDS_WITHIN.map((d) => ({ value: d, label: d === "1" ? "1 day" : `${d} days` }));

export default function AdminRelationships() {
  const { rows, newer, older, total, query } = useLoaderData<typeof loader>();
  const format = useFormat();
  const navigation = useNavigation();
  const href = useListHref("/partner/relationships");
  const searching = navigation.state === "loading" && navigation.location.pathname === "/partner/relationships";
  const filter = query.status ?? null;
  const filtered = relationshipList.isFiltered(query);
  // The export reads the filters and order strictly: it gets what the page read, not the raw URL.
  const exportHref = listHref("/partner/relationships/export.csv", new URLSearchParams(), {
    status: query.status,
    type: query.type,
    ends: query.ends,
    groups: query.groups,
    q: query.q,
    sort: query.sort,
    dir: query.dir,
  });
  const order = query.sort === "created" && query.dir === "desc" ? "newest first" : `${SORT_TEXT[query.sort]}, ${query.dir === "asc" ? "ascending" : "descending"}`;
  return (
    <>
      <PageHeader
        title="Admin relationships"
        description="Delegated (DAP) and granular delegated (GDAP) admin rights in your customers' organisations."
        actions={
          <>
            <a className="button" href={exportHref} download>
              Export CSV
            </a>
            <Link className="button primary" to="/partner/relationships/new">
              Request admin roles
            </Link>
          </>
        }
      />
      <FilterLinks
        label="Status"
        variant="tabs"
        items={[{ href: href({ status: null }), label: "All", current: filter === null }, ...RELATIONSHIP_FILTERS.map((f) => ({ href: href({ status: f }), label: FILTER_LABELS[f], current: filter === f }))]}
      />
      <FilterBar
        search
        label="Search and filter admin relationships"
        hidden={{ status: filter, sort: query.sort, dir: query.dir }}
        clearHref={filtered ? href(relationshipList.clearFilters) : null}
        submitProps={{ "aria-busy": searching, children: searching ? "Searching…" : "Search" }}
      >
        <SearchField label="Search by name or customer" value={query.q ?? ""} />
        <FilterSelect name="type" id="f-type" label="Type" value={query.type} any="DAP and GDAP" options={optionsOf(ADMIN_RELATIONSHIP_KINDS, RELATIONSHIP_LABELS)} />
        <FilterSelect name="ends" id="f-ends" label="Active, ending within" value={query.ends} any="Any time" options={ENDS_OPTIONS} />
        <FilterSelect name="groups" id="f-groups" label="Staff groups" value={query.groups} any="Any" options={[{ value: "none", label: "Active, no staff group assigned" }]} />
        <PageSizeSelect label="Rows per page" value={query.size} />
      </FilterBar>
      <p className="muted" aria-live="polite">
        {total.more ? `More than ${format.number(total.count)}` : format.number(total.count)} {total.count === 1 && !total.more ? "relationship" : "relationships"}
        {filtered ? " match" : ""}, {order}.
      </p>
      <DataTable
        caption={`Admin relationships, ${order}`}
        columns={columns}
        data={rows}
        getRowId={(r) => `${r.kind}-${r.id}`}
        sort={{ id: query.sort, dir: query.dir }}
        sortHref={(id, dir) => href({ sort: id, dir })}
        empty={
          <ListEmpty
            filtered={filtered}
            matches={["No admin relationships match", "Choose another status, type or end date, or change the search."]}
            none={["No admin relationships yet", "Request admin roles for a customer, or send an open request that any customer's global admin can approve."]}
          />
        }
      />
      <KeysetPager label="Pages of admin relationships" {...pagerLinks(href, { prev: newer, next: older })} />
    </>
  );
}
