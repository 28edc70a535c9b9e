import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { Badge, EmptyState, formatDate, PageHeader } from "~/components/layout";
import { adminRole, RELATIONSHIP_FILTERS } from "~/modules/admin-roles";
import { listAdminRelationships, requestDap } from "~/modules/admin-relationships.server";
import { actorOf, requirePermission, tenantOf } from "~/utils/auth.server";
import { withTenant } from "~/utils/db.server";
import { orThrowResponse, redirectWithToast } from "~/utils/http.server";

export const meta: MetaFunction = () => [{ title: "Admin relationships · Partnerdesk" }];

const query = z.object({
  status: z.enum(RELATIONSHIP_FILTERS).optional().catch(undefined),
  q: z.string().max(100).optional().catch(undefined),
});

export async function loader({ request }: LoaderFunctionArgs) {
  const auth = await requirePermission(request, "relationships:manage", { kind: "partner" });
  const params = query.parse(Object.fromEntries(new URL(request.url).searchParams));
  const rows = await withTenant(tenantOf(auth), (tx) => listAdminRelationships(tx, { partnerId: auth.org.id, filter: params.status, q: params.q }));
  return { rows: rows.map((r) => ({ ...r, roleNames: r.roles.map((id) => adminRole(id)?.name ?? id) })), filter: params.status ?? null, q: params.q ?? "" };
}

const dapForm = z.object({ intent: z.literal("dap"), customerId: z.string().uuid() });

export async function action({ request, context }: ActionFunctionArgs) {
  const auth = await requirePermission(request, "relationships:manage", { kind: "partner" });
  const parsed = dapForm.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) throw new Response("No such customer.", { status: 404 });
  await orThrowResponse(withTenant(tenantOf(auth), (tx) => requestDap(tx, { partnerId: auth.org.id, actor: actorOf(auth, context), customerId: parsed.data.customerId })));
  return redirectWithToast(`/partner/customers/${parsed.data.customerId}`, { kind: "success", message: "Delegated administration requested. The customer's global admins were told and can approve it." });
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

export default function AdminRelationships() {
  const { rows, filter, q } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const hrefWith = (status: string | null) => {
    const next = new URLSearchParams(params);
    if (status) next.set("status", status);
    else next.delete("status");
    return `?${next}`;
  };
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
        <Link to={hrefWith(null)} aria-current={filter === null ? "page" : undefined}>
          All
        </Link>
        {RELATIONSHIP_FILTERS.map((f) => (
          <Link key={f} to={hrefWith(f)} aria-current={filter === f ? "page" : undefined}>
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
        <button type="submit" className="button primary">
          Search
        </button>
      </Form>
      {rows.length === 0 ? (
        <EmptyState title={filter || q ? "No admin relationships match" : "No admin relationships yet"}>
          <p>Request admin roles for a customer, or send an open request that any customer's global admin can approve.</p>
        </EmptyState>
      ) : (
        <table className="table">
          <caption className="visually-hidden">Admin relationships</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Customer</th>
              <th scope="col">Roles</th>
              <th scope="col">Status</th>
              <th scope="col">Ends</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={`${r.kind}-${r.id}`}>
                <td>{r.kind === "gdap" ? <Link to={`/partner/relationships/${r.id}`}>{r.displayName}</Link> : r.displayName}</td>
                <td>{r.customerId && r.customerName ? <Link to={`/partner/customers/${r.customerId}`}>{r.customerName}</Link> : <span className="muted">{r.customerId ? "—" : "Open request"}</span>}</td>
                <td>{r.kind === "dap" ? "Global Administrator (admin agents), Helpdesk Administrator (helpdesk agents)" : r.roleNames.join(", ")}</td>
                <td>
                  <Badge tone={STATUS[r.status]?.[0] ?? "neutral"}>{STATUS[r.status]?.[1] ?? r.status}</Badge>
                  {r.autoExtendDays ? <span className="muted small"> · auto-extends</span> : null}
                </td>
                <td>{r.endsAt ? formatDate(r.endsAt) : r.durationDays ? `${r.durationDays} days after approval` : "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
