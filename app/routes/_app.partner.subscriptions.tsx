import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData, useSearchParams, useSubmit } from "@remix-run/react";
import { createColumnHelper, type ColumnDef } from "@tanstack/react-table";
import { CellLink, DataTable, KeysetPager } from "~/components/data-table";
import { EmptyState, PageHeader, SubscriptionStatus } from "~/components/layout";
import { PAGE_SIZES } from "~/utils/list";
import { listProducts } from "~/modules/subscriptions/products.server";
import { parsePartnerSubscriptionQuery, SUBSCRIPTION_STATUSES, TRIAL_ENDING_DAYS } from "~/modules/subscriptions/subscription-filters";
import { encodeTimeCursor, listHref, pagerLinks } from "~/utils/time-cursor";
import { listPartnerSubscriptions } from "~/modules/subscriptions/subscriptions.server";
import { requirePermission, tenantOf } from "~/modules/auth/gate.server";
import { withTenantReads } from "~/utils/db.server";
import { useFormat, FormattedDate, FormattedMoney } from "~/components/format";

export const meta: MetaFunction = () => [{ title: "Subscriptions · Partnerdesk" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const query = parsePartnerSubscriptionQuery(new URL(request.url).searchParams);
  const auth = await requirePermission(request, "subscriptions:view", { kind: "partner" });
  return withTenantReads(tenantOf(auth), async (tx) => {
    // Issued together: postgres.js sends the page, its totals and the products in one write.
    const [list, products] = await Promise.all([listPartnerSubscriptions(tx, { partnerId: auth.org.id, query }), listProducts(tx)]);
    return {
      ...list,
      newer: list.newer ? encodeTimeCursor(list.newer) : null,
      older: list.older ? encodeTimeCursor(list.older) : null,
      products: products.map((p) => ({ id: p.id, name: p.name })),
      filtered: Boolean(query.status || query.product || query.ending),
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
    enableSorting: false,
    cell: ({ row: { original: r } }) => (
      <>
        {r.customerName ? <CellLink href={`/partner/customers/${r.customerId}`}>{r.customerName}</CellLink> : <span className="muted">—</span>}
        {r.customerDomain ? <div className="muted small">{r.customerDomain}</div> : null}
      </>
    ),
  }),
  column.accessor("productName", { header: "Product", enableSorting: false }),
  column.accessor("licences", { header: "Licences", enableSorting: false }),
  column.accessor("status", { header: "Status", enableSorting: false, cell: ({ row: { original: r } }) => <SubscriptionStatus status={r.status} /> }),
  column.accessor("startedAt", { id: "started", header: "Started", enableSorting: false, cell: ({ row: { original: r } }) => <FormattedDate value={r.startedAt} /> }),
  column.accessor("endsAt", { header: "Trial ends", enableSorting: false, cell: ({ row: { original: r } }) => (r.status === "trial" ? <FormattedDate value={r.endsAt} /> : "—") }),
  column.accessor("monthlyValueCents", { header: "Monthly value", enableSorting: false, cell: ({ row: { original: r } }) => (r.monthlyValueCents ? <FormattedMoney cents={r.monthlyValueCents} currency={r.currency} /> : "—") }),
  column.display({
    id: "role",
    header: "You are",
    cell: ({ row: { original: r } }) => [r.isPartnerOfRecord ? "Partner of record" : null, r.isReseller ? "Reseller" : null].filter(Boolean).join(" & "),
  }),
] as ColumnDef<Row, unknown>[];

export default function PartnerSubscriptions() {
  const { rows, newer, older, totals, products, filtered } = useLoaderData<typeof loader>();
  const format = useFormat();
  const [params] = useSearchParams();
  const submit = useSubmit();
  const href = (change: Record<string, string | null>) => listHref("/partner/subscriptions", params, change);
  return (
    <>
      <PageHeader title="Subscriptions" description="Every subscription you are Partner of Record or reseller for. Totals cover all that match the filters, not just this page." />
      <Form method="get" className="filters" onChange={(e) => submit(e.currentTarget, { replace: true, preventScrollReset: true })} aria-label="Filter subscriptions">
        <div className="field">
          <label htmlFor="f-status">Status</label>
          <select id="f-status" name="status" defaultValue={params.get("status") ?? ""}>
            <option value="">Any</option>
            {SUBSCRIPTION_STATUSES.map((s) => (
              <option key={s} value={s}>
                {STATUS_LABELS[s]}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="f-product">Product</label>
          <select id="f-product" name="product" defaultValue={params.get("product") ?? ""}>
            <option value="">Any</option>
            {products.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </div>
        <label className="checkbox field">
          <input type="checkbox" name="ending" value="1" defaultChecked={params.get("ending") === "1"} />
          <span>Trials ending in {TRIAL_ENDING_DAYS} days</span>
        </label>
        <div className="field">
          <label htmlFor="f-size">Per page</label>
          <select id="f-size" name="size" defaultValue={params.get("size") ?? "50"}>
            {PAGE_SIZES.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </div>
        <noscript>
          <button type="submit" className="button">
            Apply
          </button>
        </noscript>
        {filtered ? (
          <Link to="/partner/subscriptions" className="button small">
            Clear filters
          </Link>
        ) : null}
      </Form>
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
        sortHref={() => href({})}
        empty={
          <EmptyState title={filtered ? "No subscriptions match" : "There's nothing here"}>
            <p>{filtered ? "Change or clear the filters." : "Subscriptions appear when customers accept your offers and trials, when you register product keys, or when a customer names you as its partner."}</p>
          </EmptyState>
        }
      />
      <KeysetPager label="Pages of subscriptions" {...pagerLinks(newer, older, href)} />
    </>
  );
}
