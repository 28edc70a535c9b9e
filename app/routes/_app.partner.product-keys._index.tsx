import {
  data,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { ErrorList, SubmitButton } from "~/components/forms";
import { readForm } from "~/utils/form.server";
import { Badge, EmptyState, PageHeader } from "~/components/layout";
import { DomainError } from "~/utils/errors";
import { getOrganisation } from "~/modules/organisations/organisations.server";
import { IMPORT_MAX_BYTES, IMPORT_MAX_ROWS } from "~/modules/product-keys/key-format";
import { importProductKeys, listProductKeys } from "~/modules/product-keys/product-keys.server";
import { actorOf, requirePermission, tenantOf } from "~/modules/auth/gate.server";
import { withTenant, withTenantReads } from "~/utils/db.server";
import { redirectWithToast } from "~/utils/http.server";
import { useFormat } from "~/components/format";

export const meta: MetaFunction = () => [{ title: "Product keys · Partnerdesk" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  const status = url.searchParams.get("status");
  const filter = status === "available" || status === "used" ? status : undefined;
  const auth = await requirePermission(request, "keys:manage", { kind: "partner" });
  const orgId = auth.org.id;
  return withTenantReads(tenantOf(auth), async (tx) => {
    const org = await getOrganisation(tx, { orgId });
    const inventory = await listProductKeys(tx, { partnerId: orgId, status: filter, after: url.searchParams.get("after") ?? undefined });
    return { authorised: org.isAuthorisedAdvisor, filter: filter ?? null, ...inventory };
  });
}

type ImportError = { error: string };

export async function action({ request, context }: ActionFunctionArgs) {
  const auth = await requirePermission(request, "keys:manage", { kind: "partner" });
  const tooLarge = data<ImportError>({ error: `The file is larger than ${IMPORT_MAX_BYTES / 1_000_000} MB. Split it into smaller files.` }, { status: 413 });
  let form: FormData;
  try {
    // A file upload (multipart), or pasted CSV from a plain form: the import's own cap (the file
    // and the multipart framing around it), whatever REQUEST_BODY_MAX_BYTES is.
    form = await readForm(request, { maxBytes: IMPORT_MAX_BYTES + 64 * 1024 });
  } catch (error) {
    if (error instanceof Response && error.status === 413) return tooLarge;
    throw error;
  }
  const file = form.get("file");
  const pasted = form.get("csv");
  let text = typeof pasted === "string" ? pasted.trim() : "";
  let fileName: string | null = null;
  if (file instanceof File && file.size > IMPORT_MAX_BYTES) return tooLarge;
  if (file instanceof File && file.size > 0) {
    text = await file.text();
    fileName = file.name.slice(0, 200) || null;
  }
  if (!text) return data<ImportError>({ error: "Choose a CSV file, or paste its content." }, { status: 400 });
  try {
    const result = await withTenant(tenantOf(auth), (tx) => importProductKeys(tx, { partnerId: auth.org.id, actor: actorOf(auth, context), fileName, text }));
    return redirectWithToast(`/partner/product-keys/imports/${result.importId}`, {
      kind: result.refused ? "info" : "success",
      message: `${result.accepted} key${result.accepted === 1 ? "" : "s"} imported${result.refused ? `, ${result.refused} refused` : ""}.`,
    });
  } catch (error) {
    if (error instanceof DomainError) return data<ImportError>({ error: error.message }, { status: error.status });
    throw error;
  }
}

const FILTERS = [
  { value: null, label: "All" },
  { value: "available", label: "Available" },
  { value: "used", label: "Registered" },
] as const;

export default function ProductKeys() {
  const { authorised, filter, keys, next, counts, imports } = useLoaderData<typeof loader>();
  const format = useFormat();
  const result = useActionData<typeof action>();
  const [params] = useSearchParams();
  const hrefWith = (change: Record<string, string | null>) => {
    const p = new URLSearchParams(params);
    p.delete("after");
    for (const [k, v] of Object.entries(change)) {
      if (v) p.set(k, v);
      else p.delete(k);
    }
    const s = p.toString();
    return s ? `/partner/product-keys?${s}` : "/partner/product-keys";
  };
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
      <nav className="inline-actions" aria-label="Filter keys">
        {FILTERS.map((f) => (
          <Link key={f.label} to={hrefWith({ status: f.value })} className={`button small${filter === f.value ? " primary" : ""}`} aria-current={filter === f.value ? "page" : undefined}>
            {f.label}
          </Link>
        ))}
      </nav>
      {keys.length === 0 ? (
        <EmptyState title={filter ? "No keys here" : "No product keys yet"}>
          <p>{filter ? "No key matches this filter." : "Import the keys you received as a CSV file below."}</p>
        </EmptyState>
      ) : (
        <table className="table top-gap">
          <caption className="visually-hidden">Product keys</caption>
          <thead>
            <tr>
              <th scope="col">Key</th>
              <th scope="col">Product</th>
              <th scope="col" className="num">
                Licences
              </th>
              <th scope="col">Status</th>
              <th scope="col">Imported</th>
              <th scope="col">Customer</th>
            </tr>
          </thead>
          <tbody>
            {keys.map((k) => (
              <tr key={k.id}>
                <td className="mono" aria-label={`Key ending ${k.lastGroup}`}>
                  {k.masked}
                </td>
                <td>{k.productName}</td>
                <td className="num">{k.licences}</td>
                <td>{k.status === "used" ? <Badge tone="neutral">Registered {format.date(k.usedAt)}</Badge> : <Badge tone="good">Available</Badge>}</td>
                <td>{format.date(k.importedAt)}</td>
                <td>{k.customerId ? k.customerName ? <Link to={`/partner/customers/${k.customerId}`}>{k.customerName}</Link> : <span className="muted">no longer your customer</span> : "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {next ? (
        <nav className="keyset-pager" aria-label="Pages of keys">
          <Link className="button small" to={hrefWith({})}>
            « First
          </Link>
          <Link className="button small" rel="next" to={hrefWith({ after: next })}>
            Next ›
          </Link>
        </nav>
      ) : null}
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
              <input id="import-file" name="file" type="file" accept=".csv,text/csv" aria-describedby={result ? "import-error" : undefined} />
            </div>
            <div className="field">
              <label htmlFor="import-csv">
                Or paste the CSV <span className="optional">(optional)</span>
              </label>
              <textarea id="import-csv" name="csv" rows={5} className="mono" placeholder={"key,product,licences\nXXXXX-XXXXX-XXXXX-XXXXX-XXXXX,business-premium,25"} />
            </div>
            <ErrorList id="import-error" errors={result ? [result.error] : null} />
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
