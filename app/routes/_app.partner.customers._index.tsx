import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData, useSearchParams } from "@remix-run/react";
import { createColumnHelper, type ColumnDef, type RowSelectionState } from "@tanstack/react-table";
import { useCallback, useEffect, useMemo, useState } from "react";
import { z } from "zod";
import { CellLink, DataTable, KeysetPager } from "~/components/data-table";
import { SubmitButton } from "~/components/forms";
import { CountryOptions } from "~/components/country-select";
import { useFormat } from "~/components/format";
import { Badge, EmptyState, PageHeader } from "~/components/layout";
import type { Format } from "~/utils/format";
import { customerListHref, parseCustomerListQuery, PAGE_SIZES, RELATIONSHIP_LABELS, RELATIONSHIP_TYPES, type RelationshipType } from "~/modules/customers/customer-list";
import { createSelection, listCustomerCountriesCached, listCustomers, type CustomerRow } from "~/modules/customers/customers.server";
import { actorOf, requirePermission, tenantOf } from "~/modules/auth/gate.server";
import { withTenant, withTenantReads } from "~/utils/db.server";
import { orThrowResponse } from "~/utils/http.server";
import { readForm } from "~/utils/form.server";

export const meta: MetaFunction = () => [{ title: "Customers · Partnerdesk" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const query = parseCustomerListQuery(new URL(request.url).searchParams);
  const auth = await requirePermission(request, "customers:view", { kind: "partner" });
  const partnerId = auth.org.id;
  const [page, countries] = await withTenantReads(tenantOf(auth), async (tx) => [
    await listCustomers(tx, { partnerId, query }),
    await listCustomerCountriesCached(tx, { partnerId }),
  ] as const);
  // Codes only: the names are a fixed table the page has anyway.
  const countryCodes = query.country && !countries.includes(query.country) ? [...countries, query.country] : countries;
  return { page, query, countryCodes, canCreate: auth.permissions.includes("customers:create") };
}

const selectionForm = z.discriminatedUnion("mode", [
  z.object({ mode: z.literal("page"), ids: z.array(z.string().uuid()).min(1, "Select at least one customer.").max(200) }),
  z.object({ mode: z.literal("all") }),
]);

export async function action({ request, context }: ActionFunctionArgs) {
  const auth = await requirePermission(request, "customers:view", { kind: "partner" });
  const form = await readForm(request);
  const parsed = selectionForm.safeParse({ mode: form.get("mode"), ids: form.getAll("ids") });
  if (!parsed.success) return data({ error: parsed.error.issues[0]?.message ?? "Select at least one customer." }, { status: 400 });
  const query = parseCustomerListQuery(new URL(request.url).searchParams);
  const selection = await orThrowResponse(
    withTenant(tenantOf(auth), (tx) =>
      createSelection(tx, { partnerId: auth.org.id, actor: actorOf(auth, context), query, customerIds: parsed.data.mode === "all" ? "all" : parsed.data.ids }),
    ),
  );
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
    column.accessor("createdAt", { id: "created", header: "Created", cell: ({ getValue }) => format.date(getValue()) }),
  ] as ColumnDef<CustomerRow, unknown>[];
}

const rowId = (r: CustomerRow) => r.id;
const rowName = (r: CustomerRow) => r.name;

export default function Customers() {
  const { page, query, countryCodes, canCreate } = useLoaderData<typeof loader>();
  const format = useFormat();
  const columns = useMemo(() => customerColumns(format), [format]);
  const [params] = useSearchParams();
  const [rowSelection, setRowSelection] = useState<RowSelectionState>({});
  // A new page (or sort, or search) starts with nothing selected.
  useEffect(() => setRowSelection({}), [page.rows]);
  const selected = Object.keys(rowSelection).filter((id) => rowSelection[id]);
  const href = useCallback((change: Record<string, string | null>) => customerListHref(params, change), [params]);
  const filtered = Boolean(query.q || query.type || query.country || query.agreement);
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
            <a className="button" href={`/partner/customers/export.csv${params.toString() ? `?${params}` : ""}`} download>
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
      <Form method="get" className="filters" role="search" aria-label="Search and filter customers">
        <div className="field grow">
          <label htmlFor="q">Search by name or domain</label>
          <input id="q" name="q" type="search" defaultValue={query.q ?? ""} placeholder="e.g. bakery or contoso.com" maxLength={100} />
        </div>
        <div className="field">
          <label htmlFor="type">Relationship</label>
          <select id="type" name="type" defaultValue={query.type ?? ""}>
            <option value="">Any</option>
            {RELATIONSHIP_TYPES.map((t) => (
              <option key={t} value={t}>
                {RELATIONSHIP_LABELS[t]}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="country">Country</label>
          <select id="country" name="country" defaultValue={query.country ?? ""}>
            <option value="">Any</option>
            <CountryOptions codes={countryCodes} />
          </select>
        </div>
        <div className="field">
          <label htmlFor="agreement">Agreement</label>
          <select id="agreement" name="agreement" defaultValue={query.agreement ?? ""}>
            <option value="">Any</option>
            <option value="accepted">Accepted</option>
            <option value="pending">Pending</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="size">Per page</label>
          <select id="size" name="size" defaultValue={String(query.size)}>
            {PAGE_SIZES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </div>
        <input type="hidden" name="sort" value={query.sort} />
        <input type="hidden" name="dir" value={query.dir} />
        <button type="submit" className="button primary">
          Search
        </button>
        {filtered ? (
          <Link className="button link" to={href({ q: null, type: null, country: null, agreement: null })}>
            Clear filters
          </Link>
        ) : null}
      </Form>

      <p className="result-count" role="status">
        {page.total.count === 0 ? "No customers" : `${totalText} customer${page.total.count === 1 && page.total.exact ? "" : "s"}`}
        {filtered ? " match" : ""}
      </p>

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
        sort={{ id: query.sort, dir: query.dir }}
        sortHref={(id, dir) => href({ sort: id, dir })}
        selection={{ state: rowSelection, onChange: setRowSelection }}
        empty={
          filtered ? (
            <EmptyState title="No customers match">
              <p>Try a shorter search term or fewer filters.</p>
            </EmptyState>
          ) : (
            <EmptyState title="No customers yet">
              <p>{canCreate ? "Add your first customer, or invite one with a link." : "Customers your organisation adds appear here."}</p>
            </EmptyState>
          )
        }
        footer={
          page.rows.length > 0 ? (
            <KeysetPager
              label="Customer pages"
              first={page.isFirst ? null : href({ after: null, before: null, last: null })}
              prev={page.prev ? href({ before: page.prev }) : null}
              next={page.next ? href({ after: page.next }) : null}
              last={page.isLast ? null : href({ last: "1" })}
            />
          ) : null
        }
      />
    </>
  );
}
