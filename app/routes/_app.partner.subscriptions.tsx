import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { createColumnHelper, type ColumnDef } from "@tanstack/react-table";
import { CellLink, DataTable, KeysetPager } from "~/components/data-table";
import { FilterBar, FilterCheckbox, FilterSelect, ListEmpty, optionsOf, PageSizeSelect, useListHref } from "~/components/list";
import { PageHeader, SubscriptionStatus } from "~/components/layout";
import { listProducts } from "~/modules/subscriptions/products.server";
import { partnerSubscriptionList, SUBSCRIPTION_STATUSES, TRIAL_ENDING_DAYS } from "~/modules/subscriptions/subscription-filters";
import { pagerLinks } from "~/utils/list";
import { listPartnerSubscriptions } from "~/modules/subscriptions/subscriptions.server";
import { requirePermission, tenantOf } from "~/modules/auth/gate.server";
import { withTenantReads } from "~/utils/db.server";
import { useFormat, FormattedDate, FormattedMoney } from "~/components/format";

export const meta: MetaFunction = () => [{ title: "Subscriptions · Partnerdesk" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const auth = await requirePermission({ request, context }, "subscriptions:view", { kind: "partner" });
  const query = partnerSubscriptionList.read(new URL(request.url).searchParams);
  return withTenantReads(tenantOf(auth), async (tx) => {
    // Issued together: postgres.js sends the page, its totals and the products in one write.
    const [list, products] = await Promise.all([listPartnerSubscriptions(tx, { partnerId: auth.org.id, query }), listProducts(tx)]);
    return {
      ...list,
      query,
      products: products.map((p) => ({ value: p.id, label: p.name })),
      filtered: partnerSubscriptionList.isFiltered(query),
    };
  });
}

const STATUS_LABELS = { trial: "Trial", active: "Active", expired: "Expired", cancelled: "Cancelled" } as const;

type Row = Awaited<ReturnType<typeof loader>>["rows"][number];
const column = createColumnHelper<Row>();
/** One order (newest first) keyed for paging: the columns do not sort. */
const columns = [
  column.accessor("customerName", {
    header: "Customer",
    cell: ({ row: { original: r } }) => (
      <>
        {r.customerName ? <CellLink href={`/partner/customers/${r.customerId}`}>{r.customerName}</CellLink> : <span className="muted">—</span>}
        {r.customerDomain ? <div className="muted small">{r.customerDomain}</div> : null}
      </>
    ),
  }),
  column.accessor("productName", { header: "Product" }),
  column.accessor("licences", { header: "Licences" }),
  column.accessor("status", { header: "Status", cell: ({ row: { original: r } }) => <SubscriptionStatus status={r.status} /> }),
  column.accessor("startedAt", { id: "started", header: "Started", cell: ({ row: { original: r } }) => <FormattedDate value={r.startedAt} /> }),
  column.accessor("endsAt", { header: "Trial ends", cell: ({ row: { original: r } }) => (r.status === "trial" ? <FormattedDate value={r.endsAt} /> : "—") }),
  column.accessor("monthlyValueCents", { header: "Monthly value", cell: ({ row: { original: r } }) => (r.monthlyValueCents ? <FormattedMoney cents={r.monthlyValueCents} currency={r.currency} /> : "—") }),
  column.display({
    id: "role",
    header: "You are",
    cell: ({ row: { original: r } }) => [r.isPartnerOfRecord ? "Partner of record" : null, r.isReseller ? "Reseller" : null].filter(Boolean).join(" & "),
  }),
] as ColumnDef<Row, unknown>[];

export default function PartnerSubscriptions() {
  const { rows, newer, older, totals, products, query, filtered } = useLoaderData<typeof loader>();
  const format = useFormat();
  const href = useListHref("/partner/subscriptions");
  return (
    <>
      <PageHeader title="Subscriptions" description="Every subscription you are Partner of Record or reseller for. Totals cover all that match the filters, not just this page." />
      <FilterBar autoSubmit label="Filter subscriptions" submitText="Apply" clearHref={filtered ? href(partnerSubscriptionList.clearFilters) : null}>
        <FilterSelect name="status" id="f-status" label="Status" value={query.status} options={optionsOf(SUBSCRIPTION_STATUSES, STATUS_LABELS)} />
        <FilterSelect name="product" id="f-product" label="Product" value={query.product} options={products} />
        <FilterCheckbox name="ending" label={`Trials ending in ${TRIAL_ENDING_DAYS} days`} checked={query.ending === true} />
        <PageSizeSelect id="f-size" value={query.size} />
      </FilterBar>
      <dl className="totals" aria-label="Totals">
        <div>
          <dt>Subscriptions</dt>
          <dd>{format.number(totals.subscriptions)}</dd>
        </div>
        <div>
          <dt>Licences</dt>
          <dd>{format.number(totals.licences)}</dd>
        </div>
        <div>
          <dt>Paid licences</dt>
          <dd>{format.number(totals.activeLicences)}</dd>
        </div>
        <div>
          <dt>Monthly value</dt>
          <dd>{format.money(totals.monthlyValueCents, totals.currency)}</dd>
        </div>
      </dl>
      <DataTable
        caption="Subscriptions, newest first"
        columns={columns}
        data={rows}
        getRowId={(r) => r.id}
        sort={{ id: "started", dir: "desc" }}
        empty={
          <ListEmpty
            filtered={filtered}
            matches={["No subscriptions match", "Change or clear the filters."]}
            none={["There's nothing here", "Subscriptions appear when customers accept your offers and trials, when you register product keys, or when a customer names you as its partner."]}
          />
        }
      />
      <KeysetPager label="Pages of subscriptions" {...pagerLinks(href, { prev: newer, next: older })} />
    </>
  );
}
