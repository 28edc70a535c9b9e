import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { createColumnHelper, type ColumnDef } from "@tanstack/react-table";
import { z } from "zod";
import { text } from "~/utils/input";
import { CellLink, DataTable, KeysetPager } from "~/components/data-table";
import { Badge, EmptyState, PageHeader } from "~/components/layout";
import { adminRole, RELATIONSHIP_FILTERS } from "~/modules/delegated-admin/admin-roles";
import { PAGE_SIZES } from "~/utils/list";
import { listAdminRelationships, requestDap } from "~/modules/delegated-admin/admin-relationships.server";
import { encodeTimeCursor, listHref, pagerLinks, timeKeysetFields } from "~/utils/time-cursor";
import { actorOf, requirePermission, tenantOf } from "~/modules/auth/gate.server";
import { withTenant, withTenantReads } from "~/utils/db.server";
import { orThrowResponse, redirectWithToast } from "~/utils/http.server";
import { readForm } from "~/utils/form.server";
import { useFormat, FormattedDate } from "~/components/format";

export const meta: MetaFunction = () => [{ title: "Admin relationships · Partnerdesk" }];

const query = z.object({
  status: z.enum(RELATIONSHIP_FILTERS).optional().catch(undefined),
  q: text().max(100).optional().catch(undefined),
  ...timeKeysetFields,
});

export async function loader({ request }: LoaderFunctionArgs) {
  const params = query.parse(Object.fromEntries([...new URL(request.url).searchParams].filter(([, v]) => v !== "")));
  const auth = await requirePermission(request, "relationships:manage", { kind: "partner" });
  const list = await withTenantReads(tenantOf(auth), (tx) => listAdminRelationships(tx, { partnerId: auth.org.id, query: { ...params, filter: params.status } }));
  return {
    rows: list.rows.map((r) => ({ ...r, roleNames: r.roles.map((id) => adminRole(id)?.name ?? id) })),
    newer: list.newer ? encodeTimeCursor(list.newer) : null,
    older: list.older ? encodeTimeCursor(list.older) : null,
    total: list.total,
    filter: params.status ?? null,
    q: params.q ?? "",
    size: params.size,
  };
}

const dapForm = z.object({ intent: z.literal("dap"), customerId: z.string().uuid() });

export async function action({ request, context }: ActionFunctionArgs) {
  const auth = await requirePermission(request, "relationships:manage", { kind: "partner" });
  const parsed = dapForm.safeParse(Object.fromEntries(await readForm(request)));
  if (!parsed.success) throw new Response("No such customer.", { status: 404 });
  const { requested } = await orThrowResponse(
    withTenant(tenantOf(auth), (tx) => requestDap(tx, { partnerId: auth.org.id, actor: actorOf(auth, context), customerId: parsed.data.customerId })),
  );
  return redirectWithToast(
    `/partner/customers/${parsed.data.customerId}`,
    requested
      ? { kind: "success", message: "Delegated administration requested. The customer's global admins were told and can approve it." }
      : { kind: "info", message: "Delegated administration is already requested and waits for the customer's global admins; they were not told again." },
  );
}

const STATUS: Record<string, [tone: "good" | "warn" | "bad" | "info" | "neutral", label: string]> = {
  active: ["good", "Active"],
  expiring: ["warn", "Expiring"],
  approval_pending: ["info", "Approval pending"],
  created: ["info", "Created"],
  requested: ["info", "Approval pending"],
  expired: ["neutral", "Expired"],
  termination_requested: ["neutral", "Termination requested"],
  terminated: ["neutral", "Terminated"],
  ended: ["neutral", "Ended"],
};
const FILTER_LABELS: Record<(typeof RELATIONSHIP_FILTERS)[number], string> = { active: "Active", expiring: "Expiring", pending: "Pending", expired: "Expired", terminated: "Terminated" };

type Row = Awaited<ReturnType<typeof loader>>["rows"][number];
const column = createColumnHelper<Row>();
/** One order (newest first) keyed for paging: the columns do not sort. */
const columns = [
  column.accessor("displayName", {
    id: "name",
    header: "Name",
    enableSorting: false,
    cell: ({ row: { original: r } }) => (r.kind === "gdap" ? <CellLink href={`/partner/relationships/${r.id}`}>{r.displayName}</CellLink> : r.displayName),
  }),
  column.accessor("customerName", {
    header: "Customer",
    enableSorting: false,
    cell: ({ row: { original: r } }) =>
      r.customerId && r.customerName ? <CellLink href={`/partner/customers/${r.customerId}`}>{r.customerName}</CellLink> : <span className="muted">{r.customerId ? "—" : "Open request"}</span>,
  }),
  column.display({
    id: "roles",
    header: "Roles",
    cell: ({ row: { original: r } }) => (r.kind === "dap" ? "Global Administrator (admin agents), Helpdesk Administrator (helpdesk agents)" : r.roleNames.join(", ")),
  }),
  column.accessor("status", {
    header: "Status",
    enableSorting: false,
    cell: ({ row: { original: r } }) => (
      <>
        <Badge tone={STATUS[r.status]?.[0] ?? "neutral"}>{STATUS[r.status]?.[1] ?? r.status}</Badge>
        {r.autoExtendDays ? <span className="muted small"> · auto-extends</span> : null}
      </>
    ),
  }),
  column.accessor("createdAt", { id: "created", header: "Requested", enableSorting: false, cell: ({ row: { original: r } }) => <FormattedDate value={r.createdAt} /> }),
  column.accessor("endsAt", {
    header: "Ends",
    enableSorting: false,
    cell: ({ row: { original: r } }) => (r.endsAt ? <FormattedDate value={r.endsAt} /> : r.durationDays ? `${r.durationDays} days after approval` : "—"),
  }),
] as ColumnDef<Row, unknown>[];

export default function AdminRelationships() {
  const { rows, newer, older, total, filter, q, size } = useLoaderData<typeof loader>();
  const format = useFormat();
  const [params] = useSearchParams();
  const navigation = useNavigation();
  const href = (change: Record<string, string | null>) => listHref("/partner/relationships", params, change);
  const searching = navigation.state === "loading" && navigation.location.pathname === "/partner/relationships";
  return (
    <>
      <PageHeader
        title="Admin relationships"
        description="Delegated (DAP) and granular delegated (GDAP) admin rights in your customers' organisations."
        actions={
          <Link className="button primary" to="/partner/relationships/new">
            Request admin roles
          </Link>
        }
      />
      <nav aria-label="Status" className="tabs">
        <Link to={href({ status: null })} aria-current={filter === null ? "page" : undefined}>
          All
        </Link>
        {RELATIONSHIP_FILTERS.map((f) => (
          <Link key={f} to={href({ status: f })} aria-current={filter === f ? "page" : undefined}>
            {FILTER_LABELS[f]}
          </Link>
        ))}
      </nav>
      <Form method="get" role="search" aria-label="Search admin relationships" className="filters">
        {filter ? <input type="hidden" name="status" value={filter} /> : null}
        <div className="field grow">
          <label htmlFor="q">Search by name or customer</label>
          <input id="q" name="q" type="search" defaultValue={q} maxLength={100} />
        </div>
        <div className="field">
          <label htmlFor="size">Rows per page</label>
          <select id="size" name="size" defaultValue={String(size)}>
            {PAGE_SIZES.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="button primary" aria-busy={searching || undefined}>
          {searching ? "Searching…" : "Search"}
        </button>
      </Form>
      <p className="muted" aria-live="polite">
        {total.more ? `More than ${format.number(total.count)}` : format.number(total.count)} {total.count === 1 && !total.more ? "relationship" : "relationships"}
        {filter || q ? " match" : ""}, newest first.
      </p>
      <DataTable
        caption="Admin relationships, newest first"
        columns={columns}
        data={rows}
        getRowId={(r) => `${r.kind}-${r.id}`}
        sort={{ id: "created", dir: "desc" }}
        sortHref={() => href({})}
        empty={
          <EmptyState title={filter || q ? "No admin relationships match" : "No admin relationships yet"}>
            <p>{filter || q ? "Choose another status or change the search." : "Request admin roles for a customer, or send an open request that any customer's global admin can approve."}</p>
          </EmptyState>
        }
      />
      <KeysetPager label="Pages of admin relationships" {...pagerLinks(newer, older, href)} />
    </>
  );
}
