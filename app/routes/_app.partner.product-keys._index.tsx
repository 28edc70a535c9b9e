import {
  data,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { createColumnHelper, type ColumnDef } from "@tanstack/react-table";
import { parseWithZod } from "@conform-to/zod";
import { z } from "zod";
import { CellLink, DataTable, KeysetPager } from "~/components/data-table";
import { FilterLinks, ListEmpty, useListHref } from "~/components/list";
import { forwardFields, hasPages, listState, pagerLinks } from "~/utils/list";
import { ErrorList, replyError, replyErrors, SubmitButton } from "~/components/forms";
import { readForm } from "~/utils/form.server";
import { Badge, PageHeader } from "~/components/layout";
import { getOrganisation } from "~/modules/organisations/organisations.server";
import { IMPORT_MAX_BYTES, IMPORT_MAX_ROWS } from "~/modules/product-keys/key-format";
import { importProductKeys, listProductKeys } from "~/modules/product-keys/product-keys.server";
import { actorOf, requirePermission, tenantOf } from "~/modules/auth/gate.server";
import { withTenant, withTenantReads } from "~/utils/db.server";
import { handleDomainError, redirectWithToast } from "~/utils/http.server";
import { FormattedDate, useFormat } from "~/components/format";

export const meta: MetaFunction = () => [{ title: "Product keys · Partnerdesk" }];

const keyList = listState({ filters: { status: z.enum(["available", "used"]) }, paging: forwardFields });

export async function loader({ request, context }: LoaderFunctionArgs) {
  const auth = await requirePermission({ request, context }, "keys:manage", { kind: "partner" });
  const query = keyList.read(new URL(request.url).searchParams);
  const orgId = auth.org.id;
  return withTenantReads(tenantOf(auth), async (tx) => {
    const org = await getOrganisation(tx, { orgId });
    const inventory = await listProductKeys(tx, { partnerId: orgId, status: query.status, after: query.after });
    return { authorised: org.isAuthorisedAdvisor, filter: query.status ?? null, paged: Boolean(query.after), ...inventory };
  });
}

/** The import's form: a CSV file (multipart) or its content pasted; the refusals go on the reply. */
const importSchema = z.object({ csv: z.string().optional(), file: z.unknown() });

export async function action({ request, context }: ActionFunctionArgs) {
  const auth = await requirePermission({ request, context }, "keys:manage", { kind: "partner" });
  const tooLarge = (submission = parseWithZod(new FormData(), { schema: importSchema })) =>
    data(submission.reply({ formErrors: [`The file is larger than ${IMPORT_MAX_BYTES / 1_000_000} MB. Split it into smaller files.`] }), { status: 413 });
  let formData: FormData;
  try {
    // A file upload (multipart), or pasted CSV from a plain form: the import's own cap (the file
    // and the multipart framing around it), whatever REQUEST_BODY_MAX_BYTES is.
    formData = await readForm(request, { maxBytes: IMPORT_MAX_BYTES + 64 * 1024 });
  } catch (error) {
    if (error instanceof Response && error.status === 413) return tooLarge();
    throw error;
  }
  const submission = parseWithZod(formData, { schema: importSchema });
  const file = formData.get("file");
  const pasted = formData.get("csv");
  let text = typeof pasted === "string" ? pasted.trim() : "";
  let fileName: string | null = null;
  if (file instanceof File && file.size > IMPORT_MAX_BYTES) return tooLarge(submission);
  if (file instanceof File && file.size > 0) {
    text = await file.text();
    fileName = file.name.slice(0, 200) || null;
  }
  if (!text) return data(submission.reply({ formErrors: ["Choose a CSV file, or paste its content."] }), { status: 400 });
  try {
    const result = await withTenant(tenantOf(auth), (tx) => importProductKeys(tx, { partnerId: auth.org.id, actor: actorOf(auth, context), fileName, text }));
    return redirectWithToast(`/partner/product-keys/imports/${result.importId}`, {
      kind: result.refused ? "info" : "success",
      message: `${result.accepted} key${result.accepted === 1 ? "" : "s"} imported${result.refused ? `, ${result.refused} refused` : ""}.`,
    });
  } catch (error) {
    return handleDomainError(error, submission);
  }
}

const FILTERS = [
  { value: null, label: "All" },
  { value: "available", label: "Available" },
  { value: "used", label: "Registered" },
] as const;

type Row = Awaited<ReturnType<typeof loader>>["keys"][number];
const column = createColumnHelper<Row>();
const columns = [
  column.accessor("masked", { header: "Key", meta: { className: "mono", cellLabel: (k) => `Key ending ${k.lastGroup}` } }),
  column.accessor("productName", { header: "Product" }),
  column.accessor("licences", { header: "Licences", meta: { className: "num" } }),
  column.accessor("status", {
    header: "Status",
    cell: ({ row: { original: k } }) =>
      k.status === "used" ? (
        <Badge tone="neutral">
          Registered <FormattedDate value={k.usedAt} />
        </Badge>
      ) : (
        <Badge tone="good">Available</Badge>
      ),
  }),
  column.accessor("importedAt", { header: "Imported", cell: ({ row: { original: k } }) => <FormattedDate value={k.importedAt} /> }),
  column.accessor("customerName", {
    header: "Customer",
    cell: ({ row: { original: k } }) =>
      k.customerId ? k.customerName ? <CellLink href={`/partner/customers/${k.customerId}`}>{k.customerName}</CellLink> : <span className="muted">no longer your customer</span> : "—",
  }),
] as ColumnDef<Row, unknown>[];

export default function ProductKeys() {
  const { authorised, filter, paged, keys, next, counts, imports } = useLoaderData<typeof loader>();
  const format = useFormat();
  const result = useActionData<typeof action>();
  const href = useListHref("/partner/product-keys");
  const pager = pagerLinks(href, { next, isFirst: !paged });
  return (
    <>
      <PageHeader
        title="Product keys"
        description="Keys you hold for customers' subscriptions. Registering a key for a customer creates its subscription with you as Partner of Record. Keys are stored so that no one, including us, can read them back: keep your originals."
        actions={
          authorised ? (
            <Link className="button primary" to="/partner/product-keys/register">
              Register a key
            </Link>
          ) : null
        }
      />
      {!authorised ? (
        <p className="notice notice-warn" role="note">
          Your organisation is not authorised as a subscription advisor, so it cannot hold or register product keys. The platform operator grants this.
        </p>
      ) : null}
      <dl className="totals" aria-label="Inventory">
        <div>
          <dt>Available</dt>
          <dd>{format.number(counts.available)}</dd>
        </div>
        <div>
          <dt>Registered</dt>
          <dd>{format.number(counts.used)}</dd>
        </div>
      </dl>
      <FilterLinks label="Filter keys" items={FILTERS.map((f) => ({ href: href({ status: f.value }), label: f.label, current: filter === f.value }))} />
      <div className="top-gap">
        <DataTable
          caption="Your keys, newest import first"
          columns={columns}
          data={keys}
          getRowId={(k) => k.id}
          empty={<ListEmpty filtered={Boolean(filter)} matches={["No keys here", "No key matches this filter."]} none={["No product keys yet", "Import the keys you received as a CSV file below."]} />}
        />
      </div>
      {hasPages(pager) ? <KeysetPager label="Pages of keys" {...pager} /> : null}
      {authorised ? (
        <section className="card top-gap" aria-labelledby="import">
          <h2 id="import">Import keys</h2>
          <p className="hint">
            A CSV file with a header row naming the columns <code>key</code>, <code>product</code> (a product id or name from the catalogue) and <code>licences</code>; at most{" "}
            {format.number(IMPORT_MAX_ROWS)} keys and {IMPORT_MAX_BYTES / 1_000_000} MB per file. Every row is reported: accepted, or refused with the reason.
          </p>
          <Form method="post" encType="multipart/form-data" className="stack-form" id="import-form">
            <div className="field">
              <label htmlFor="import-file">CSV file</label>
              <input id="import-file" name="file" type="file" accept=".csv,text/csv" aria-describedby={replyError(result) ? "import-error" : undefined} />
            </div>
            <div className="field">
              <label htmlFor="import-csv">
                Or paste the CSV <span className="optional">(optional)</span>
              </label>
              <textarea id="import-csv" name="csv" rows={5} className="mono" placeholder={"key,product,licences\nXXXXX-XXXXX-XXXXX-XXXXX-XXXXX,business-premium,25"} />
            </div>
            <ErrorList id="import-error" errors={replyErrors(result)} />
            <SubmitButton pendingText="Importing…">Import</SubmitButton>
          </Form>
          {imports.length ? (
            <>
              <h3 className="top-gap">Recent imports</h3>
              <ul className="plain-list">
                {imports.map((i) => (
                  <li key={i.id}>
                    <Link to={`/partner/product-keys/imports/${i.id}`}>{i.fileName ?? "Pasted CSV"}</Link> · {format.dateTime(i.createdAt)} · {i.accepted} accepted, {i.refused} refused
                  </li>
                ))}
              </ul>
            </>
          ) : null}
        </section>
      ) : null}
    </>
  );
}
