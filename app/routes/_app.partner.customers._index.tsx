import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { createColumnHelper, type ColumnDef, type RowSelectionState } from "@tanstack/react-table";
import { useEffect, useMemo, useState } from "react";
import { parseWithZod } from "@conform-to/zod";
import { z } from "zod";
import { CellLink, DataTable, KeysetPager } from "~/components/data-table";
import { FilterBar, FilterSelect, ListEmpty, optionsOf, PageSizeSelect, SearchField, useListHref } from "~/components/list";
import { ReplyNotice, SubmitButton } from "~/components/forms";
import { CountryOptions } from "~/components/country-select";
import { useFormat } from "~/components/format";
import { Badge, PageHeader } from "~/components/layout";
import type { Format } from "~/utils/format";
import { customerList, CUSTOMER_FILTER_TYPES, RELATIONSHIP_LABELS, type RelationshipType } from "~/modules/customers/customer-list";
import { listHref, pagerLinks } from "~/utils/list";
import { createSelection, listCustomerCountriesCached, listCustomers, type CustomerRow } from "~/modules/customers/customers.server";
import { actorOf, requirePermission, tenantOf } from "~/modules/auth/gate.server";
import { withTenant, withTenantReads } from "~/utils/db.server";
import { handleDomainError } from "~/utils/http.server";
import { readForm } from "~/utils/form.server";

export const meta: MetaFunction = () => [{ title: "Customers · Partnerdesk" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const auth = await requirePermission({ request, context }, "customers:view", { kind: "partner" });
  const query = customerList.read(new URL(request.url).searchParams);
  const partnerId = auth.org.id;
  const [page, countries] = await withTenantReads(tenantOf(auth), async (tx) => [
    await listCustomers(tx, { partnerId, query }),
    await listCustomerCountriesCached(tx, { partnerId }),
  ] as const);
  // Codes only: the names are a fixed table the page has anyway.
  const countryCodes = query.country && !countries.includes(query.country) ? [...countries, query.country] : countries;
  return { page, query, countryCodes, canCreate: auth.permissions.includes("customers:create") };
}

/** What to select: the ticked customers of this page, or every customer the list's filters match. */
const selectionSchema = z.discriminatedUnion("mode", [
  z.object({ mode: z.literal("page"), ids: z.array(z.string().uuid(), { required_error: "Select at least one customer." }).min(1, "Select at least one customer.").max(200) }),
  z.object({ mode: z.literal("all") }),
]);

export async function action({ request, context }: ActionFunctionArgs) {
  const auth = await requirePermission({ request, context }, "customers:view", { kind: "partner" });
  const submission = parseWithZod(await readForm(request), { schema: selectionSchema });
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  // Strict: "select all matching" with a filter it cannot read would select more than was shown.
  const read = customerList.readStrict(new URL(request.url).searchParams);
  if (!read.success) return data(submission.reply({ formErrors: ["The list's filters in this link are not valid."] }), { status: 400 });
  const { value } = submission;
  const selection = await withTenant(tenantOf(auth), (tx) =>
    createSelection(tx, { partnerId: auth.org.id, actor: actorOf(auth, context), query: read.data, customerIds: value.mode === "all" ? "all" : value.ids }),
  ).catch((error) => handleDomainError(error));
  throw redirect(`/partner/customers/selections/${selection.id}`);
}

const column = createColumnHelper<CustomerRow>();

/** The table's columns; their ids are the sort keys of the URL (customer-list.ts). */
function customerColumns(format: Format) {
  return [
    column.accessor("name", {
      header: "Name",
      cell: ({ row, getValue }) => <CellLink href={`/partner/customers/${row.original.id}`}>{getValue()}</CellLink>,
    }),
    column.accessor("primaryDomain", { id: "domain", header: "Primary domain" }),
    column.accessor("country", {
      header: "Country",
      cell: ({ getValue }) => {
        const code = getValue();
        return code ? <span title={format.country(code)}>{code}</span> : "—";
      },
    }),
    column.accessor("relationshipTypes", {
      id: "types",
      header: "Relationships",
      cell: ({ getValue }) => getValue().map((t) => RELATIONSHIP_LABELS[t as RelationshipType] ?? t).join(", "),
    }),
    column.accessor("agreementStatus", {
      id: "agreement",
      header: "Agreement",
      cell: ({ getValue }) => (getValue() === "accepted" ? <Badge tone="good">Accepted</Badge> : <Badge tone="warn">Agreement pending</Badge>),
    }),
    column.accessor("createdAt", { id: "created", header: "Created", meta: { className: "nowrap" }, cell: ({ getValue }) => format.date(getValue()) }),
  ] as ColumnDef<CustomerRow, unknown>[];
}

const rowId = (r: CustomerRow) => r.id;
const rowName = (r: CustomerRow) => r.name;

const AGREEMENT_OPTIONS = [
  { value: "accepted", label: "Accepted" },
  { value: "pending", label: "Pending" },
];

export default function Customers() {
  const { page, query, countryCodes, canCreate } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const format = useFormat();
  const columns = useMemo(() => customerColumns(format), [format]);
  const href = useListHref("/partner/customers");
  const [rowSelection, setRowSelection] = useState<RowSelectionState>({});
  // A new page (or sort, or search) starts with nothing selected.
  useEffect(() => setRowSelection({}), [page.rows]);
  const selected = Object.keys(rowSelection).filter((id) => rowSelection[id]);
  const filtered = customerList.isFiltered(query);
  // The export reads the list's filters and order strictly: send what the page read, not the raw URL.
  const exportHref = listHref("/partner/customers/export.csv", new URLSearchParams(), { q: query.q, type: query.type, country: query.country, agreement: query.agreement, sort: query.sort, dir: query.dir });
  const totalText = page.total.exact
    ? format.number(page.total.count)
    : page.total.estimated
      ? `about ${format.number(page.total.count)}`
      : `${format.number(page.total.count)}+`;

  const allOnPage = selected.length > 0 && selected.length === page.rows.length;
  return (
    <>
      <PageHeader
        title="Customers"
        description="Find a customer by name or domain, then open it to help."
        actions={
          <>
            <a className="button" href={exportHref} download>
              Export CSV
            </a>
            {canCreate ? (
              <Link className="button primary" to="/partner/customers/new">
                Add customer
              </Link>
            ) : null}
          </>
        }
      />
      <FilterBar search label="Search and filter customers" hidden={{ sort: query.sort, dir: query.dir }} clearHref={filtered ? href(customerList.clearFilters) : null}>
        <SearchField label="Search by name or domain" value={query.q} placeholder="e.g. bakery or contoso.com" />
        <FilterSelect name="type" label="Relationship" value={query.type} options={optionsOf(CUSTOMER_FILTER_TYPES, RELATIONSHIP_LABELS)} />
        <FilterSelect name="country" label="Country" value={query.country}>
          <CountryOptions codes={countryCodes} />
        </FilterSelect>
        <FilterSelect name="agreement" label="Agreement" value={query.agreement} options={AGREEMENT_OPTIONS} />
        <PageSizeSelect value={query.size} />
      </FilterBar>

      <p className="result-count" role="status">
        {page.total.count === 0 ? "No customers" : `${totalText} customer${page.total.count === 1 && page.total.exact ? "" : "s"}`}
        {filtered ? " match" : ""}
      </p>

      <ReplyNotice result={result} />
      {selected.length > 0 ? (
        <Form method="post" className="selection-bar" aria-label="Selection">
          <span>
            {selected.length} selected on this page.
          </span>
          {selected.map((id) => (
            <input key={id} type="hidden" name="ids" value={id} />
          ))}
          <SubmitButton name="mode" value="page" className="button" pendingText="Saving…">
            Use these {selected.length}
          </SubmitButton>
          {allOnPage && (!page.isFirst || !page.isLast) ? (
            <SubmitButton name="mode" value="all" className="button primary" pendingText="Selecting every match…">
              Select all {totalText} matching
            </SubmitButton>
          ) : null}
        </Form>
      ) : null}

      <DataTable
        caption="Customers"
        columns={columns}
        data={page.rows}
        getRowId={rowId}
        rowLabel={rowName}
        selectAllLabel="Select every customer on this page"
        sort={{ id: query.sort, dir: query.dir }}
        sortHref={(id, dir) => href({ sort: id, dir })}
        selection={{ state: rowSelection, onChange: setRowSelection }}
        empty={
          <ListEmpty
            filtered={filtered}
            matches={["No customers match", "Try a shorter search term or fewer filters."]}
            none={["No customers yet", canCreate ? "Add your first customer, or invite one with a link." : "Customers your organisation adds appear here."]}
          />
        }
        footer={page.rows.length > 0 ? <KeysetPager label="Customer pages" {...pagerLinks(href, page)} /> : null}
      />
    </>
  );
}
