import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData, useSearchParams } from "@remix-run/react";
import { createColumnHelper, type ColumnDef } from "@tanstack/react-table";
import { useCallback, useMemo, useState } from "react";
import { z } from "zod";
import { DataTable, KeysetPager } from "~/components/data-table";
import { SubmitButton } from "~/components/forms";
import { badgeHtml, EmptyState, formatDate, PageHeader } from "~/components/layout";
import { countryName, countryOptionsFor } from "~/modules/countries";
import { customerListHref, parseCustomerListQuery, PAGE_SIZES, RELATIONSHIP_LABELS, RELATIONSHIP_TYPES, type RelationshipType } from "~/modules/customer-list";
import { createSelection, listCustomerCountriesCached, listCustomerPage, type CustomerRow } from "~/modules/customers.server";
import { actorOf, requirePermission, requirePermissionThenRead, tenantOf } from "~/utils/auth.server";
import { withTenant } from "~/utils/db.server";
import { html } from "~/utils/html";
import { unpackRows } from "~/utils/row-columns";
import { orThrowResponse } from "~/utils/http.server";
import { readForm } from "~/utils/form.server";

export const meta: MetaFunction = () => [{ title: "Customers · Partnerdesk" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const query = parseCustomerListQuery(new URL(request.url).searchParams);
  // The page's read goes with the session lookup where it can (ADR 0023).
  const {
    auth,
    value: [page, countries],
  } = await requirePermissionThenRead(request, "customers:view", { kind: "partner" }, async (tx, { orgId: partnerId }) => [
    await listCustomerPage(tx, { partnerId, query }),
    await listCustomerCountriesCached(tx, { partnerId }),
  ] as const);
  // Codes only: the names are a fixed table the page has anyway.
  const countryCodes = query.country && !countries.includes(query.country) ? [...countries, query.country] : countries;
  // The rows travel packed (app/utils/row-columns.ts) as PostgreSQL built them: columns as one
  // JSON text, far cheaper to encode for the browser than an object per row (ADR 0019).
  const { packed, ...pager } = page;
  return { rows: packed, pager, query, countryCodes, canCreate: auth.permissions.includes("customers:create") };
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

type Row = CustomerRow;
const column = createColumnHelper<Row>();

const AGREEMENT_BADGES = { accepted: badgeHtml("good", "Accepted"), pending: badgeHtml("warn", "Agreement pending") };

// Module level: the data table builds its column model once per column set. The body renders as
// HTML (ADR 0020): each cell is `meta.html`, or its value as text.
const columns = [
  column.accessor("name", {
    id: "name",
    header: "Name",
    // A plain anchor: the data table navigates its rows' links client-side.
    meta: { html: (name, r) => html`<a href="/partner/customers/${r.id}">${name}</a>` },
  }),
  column.accessor("primaryDomain", { id: "domain", header: "Primary domain" }),
  column.accessor("country", {
    id: "country",
    header: "Country",
    meta: { html: (code) => (code ? html`<span title="${countryName(code)}">${code}</span>` : "—") },
  }),
  column.accessor("relationshipTypes", {
    id: "types",
    header: "Relationships",
    meta: { html: (types) => types.map((t) => RELATIONSHIP_LABELS[t as RelationshipType] ?? t).join(", ") },
  }),
  column.accessor("agreementStatus", { id: "agreement", header: "Agreement", meta: { html: (status) => AGREEMENT_BADGES[status] } }),
  column.accessor("createdAt", { id: "created", header: "Created", meta: { html: (created) => formatDate(created) } }),
] as ColumnDef<Row, unknown>[];

const rowId = (r: Row) => r.id;
const rowName = (r: Row) => r.name;

export default function Customers() {
  const { rows: packedRows, pager, query, countryCodes, canCreate } = useLoaderData<typeof loader>();
  const rows = useMemo(() => unpackRows(packedRows), [packedRows]);
  const page = { ...pager, rows };
  const countryOptions = useMemo(() => countryOptionsFor(countryCodes), [countryCodes]);
  const [params] = useSearchParams();
  const [selected, setSelected] = useState<string[]>([]);
  const onSelectionChange = useCallback((ids: string[]) => setSelected(ids), []);
  const href = useCallback((change: Record<string, string | null>) => customerListHref(params, change), [params]);
  const filtered = Boolean(query.q || query.type || query.country || query.agreement);
  const totalText = page.total.exact
    ? page.total.count.toLocaleString("en")
    : page.total.estimated
      ? `about ${page.total.count.toLocaleString("en")}`
      : `${page.total.count.toLocaleString("en")}+`;


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
            {countryOptions.map((c) => (
              <option key={c.code} value={c.code}>
                {c.name}
              </option>
            ))}
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
        rows="html"
        sort={{ id: query.sort, dir: query.dir }}
        sortHref={(id, dir) => href({ sort: id, dir })}
        selectable
        onSelectionChange={onSelectionChange}
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
