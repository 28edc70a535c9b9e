import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { SubmitButton } from "~/components/forms";
import { formatDateTime, PageHeader } from "~/components/layout";
import { countryName } from "~/modules/countries";
import { RELATIONSHIP_LABELS, type RelationshipType } from "~/modules/customer-list";
import { deleteSelection, getSelection } from "~/modules/customers.server";
import { actorOf, requirePermission, tenantOf } from "~/utils/auth.server";
import { withTenant } from "~/utils/db.server";
import { orThrowResponse, redirectWithToast } from "~/utils/http.server";

export const meta: MetaFunction = () => [{ title: "Selected customers · Partnerdesk" }];

const idParam = z.string().uuid();

export async function loader({ request, params }: LoaderFunctionArgs) {
  const auth = await requirePermission(request, "customers:view", { kind: "partner" });
  const id = idParam.safeParse(params.selectionId);
  if (!id.success) throw new Response("No such selection.", { status: 404 });
  return orThrowResponse(withTenant(tenantOf(auth), (tx) => getSelection(tx, { partnerId: auth.org.id, selectionId: id.data })));
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const auth = await requirePermission(request, "customers:view", { kind: "partner" });
  const id = idParam.safeParse(params.selectionId);
  if (!id.success) throw new Response("No such selection.", { status: 404 });
  await orThrowResponse(withTenant(tenantOf(auth), (tx) => deleteSelection(tx, { partnerId: auth.org.id, actor: actorOf(auth, context), selectionId: id.data })));
  return redirectWithToast("/partner/customers", { kind: "info", message: "Selection discarded." });
}

export default function Selection() {
  const { selection, sample } = useLoaderData<typeof loader>();
  const f = selection.filter;
  const criteria = [
    f.q ? `name or domain contains “${f.q}”` : null,
    f.type ? `relationship: ${RELATIONSHIP_LABELS[f.type as RelationshipType] ?? f.type}` : null,
    f.country ? `country: ${countryName(f.country)}` : null,
    f.agreement ? `agreement: ${f.agreement}` : null,
  ].filter(Boolean);
  return (
    <>
      <p className="breadcrumb">
        <Link to="/partner/customers">Customers</Link> /
      </p>
      <PageHeader title={`${selection.count.toLocaleString("en")} customer${selection.count === 1 ? "" : "s"} selected`} />
      <section className="card">
        <p className="selection-count" role="status">
          Exactly <strong>{selection.count.toLocaleString("en")}</strong> customer{selection.count === 1 ? "" : "s"}{" "}
          {selection.allMatching ? `— every customer that matched ${criteria.length ? criteria.join(", ") : "(no filter: all your customers)"}` : "picked on the page"}, as of{" "}
          {formatDateTime(selection.createdAt)}. Customers added later are not included.
        </p>
        <p className="muted">Bulk actions on a selection (such as delegated-administration requests) arrive with later releases.</p>
        <h2>First {sample.length}</h2>
        <ul className="plain-list">
          {sample.map((c) => (
            <li key={c.id}>
              <Link to={`/partner/customers/${c.id}`}>{c.name}</Link> <span className="muted">{c.primaryDomain}</span>
            </li>
          ))}
        </ul>
        <Form method="post" className="button-row top-gap">
          <SubmitButton className="button danger-outline" pendingText="Discarding…">
            Discard selection
          </SubmitButton>
        </Form>
      </section>
    </>
  );
}
