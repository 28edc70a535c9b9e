/** Acting in a customer tenant: its service requests (open, comment, close). ADR 0010. */
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { multilineText, text } from "~/utils/input";
import { SubmitButton } from "~/components/forms";
import { Badge, EmptyState, PageHeader } from "~/components/layout";
import { DomainError } from "~/utils/errors";
import { actInCustomer, enterCustomerAsPartner, openCustomerWorkspace } from "~/modules/customer-tenant/tenant-users.server";
import { closeServiceRequest, commentServiceRequest, listServiceRequests, openServiceRequest } from "~/modules/customer-tenant/tenant-work.server";
import { actorOf, requirePermission, tenantOf } from "~/modules/auth/gate.server";
import { withTenant, withTenantReads } from "~/utils/db.server";
import { orThrowResponse, redirectWithToast, uuidParam } from "~/utils/http.server";
import { readForm } from "~/utils/form.server";
import { useFormat } from "~/components/format";

export const meta: MetaFunction = () => [{ title: "Service requests · Partnerdesk" }];

const customerIdOf = (params: { customerId?: string }) => uuidParam(params.customerId, "No such customer.");

export async function loader({ request, params }: LoaderFunctionArgs) {
  const auth = await requirePermission(request, "customers:view", { kind: "partner" });
  const customerId = customerIdOf(params);
  return orThrowResponse(
    withTenantReads(tenantOf(auth), async (tx) => {
      const { customer, rights } = await openCustomerWorkspace(tx, { partnerId: auth.org.id, userId: auth.user.id, customerId });
      const base = { customer, canManage: rights.actions.has("service-requests:manage") };
      if (!rights.actions.has("service-requests:read")) return { ...base, requests: null };
      await enterCustomerAsPartner(tx, { customerId });
      return { ...base, requests: await listServiceRequests(tx, { customerId }) };
    }),
  );
}

const form = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("open"), title: text().trim().min(1, "Give the request a title.").max(200), description: multilineText().trim().min(1, "Describe the request.").max(5000) }),
  z.object({ intent: z.literal("comment"), requestId: z.string().uuid(), body: multilineText().trim().min(1, "Write a comment.").max(5000) }),
  z.object({ intent: z.literal("close"), requestId: z.string().uuid() }),
]);

export async function action({ request, params, context }: ActionFunctionArgs) {
  const auth = await requirePermission(request, "customers:view", { kind: "partner" });
  const customerId = customerIdOf(params);
  const parsed = form.safeParse(Object.fromEntries(await readForm(request)));
  if (!parsed.success) return data({ error: parsed.error.issues[0]?.message ?? "Check the form." }, { status: 400 });
  const input = parsed.data;
  try {
    await withTenant(tenantOf(auth), async (tx) => {
      await actInCustomer(tx, { partnerId: auth.org.id, userId: auth.user.id, customerId, action: "service-requests:manage" });
      const actor = actorOf(auth, context);
      if (input.intent === "open") await openServiceRequest(tx, { customerId, actor, title: input.title, description: input.description });
      if (input.intent === "comment") await commentServiceRequest(tx, { customerId, actor, requestId: input.requestId, body: input.body });
      if (input.intent === "close") await closeServiceRequest(tx, { customerId, actor, requestId: input.requestId });
    });
  } catch (error) {
    if (error instanceof DomainError) return data({ error: error.message }, { status: error.status });
    throw error;
  }
  const done = { open: "Service request opened.", comment: "Comment added.", close: "Service request closed." } as const;
  return redirectWithToast(`/partner/customers/${customerId}/service-requests`, { kind: "success", message: done[input.intent] });
}

export default function ServiceRequests() {
  const { customer, requests, canManage } = useLoaderData<typeof loader>();
  const format = useFormat();
  const result = useActionData<typeof action>();
  return (
    <>
      <p className="breadcrumb">
        <Link to="/partner/customers">Customers</Link> / <Link to={`/partner/customers/${customer.id}`}>{customer.name}</Link> /
      </p>
      <PageHeader title="Service requests" description={`Support requests of ${customer.name}.`} />
      {result?.error ? (
        <p className="notice notice-warn" role="alert">
          {result.error}
        </p>
      ) : null}
      {requests === null ? (
        <EmptyState title="Not allowed">
          <p>Your admin roles in this organisation do not include service requests (for example Helpdesk or Service Support Administrator).</p>
        </EmptyState>
      ) : (
        <>
          {canManage ? (
            <Form method="post" className="card form-grid" aria-label="Open a service request">
              <h2>Open a service request</h2>
              <div className="field">
                <label htmlFor="sr-title">Title</label>
                <input id="sr-title" name="title" required maxLength={200} />
              </div>
              <div className="field">
                <label htmlFor="sr-description">Description</label>
                <textarea id="sr-description" name="description" required maxLength={5000} rows={3} />
              </div>
              <div>
                <SubmitButton name="intent" value="open" pendingText="Opening…">
                  Open request
                </SubmitButton>
              </div>
            </Form>
          ) : null}
          {requests.length === 0 ? (
            <EmptyState title="No service requests">
              <p>Requests opened for this organisation appear here.</p>
            </EmptyState>
          ) : (
            requests.map((r) => (
              <section key={r.id} className="card top-gap" aria-labelledby={`sr-${r.id}`}>
                <h2 id={`sr-${r.id}`}>
                  {r.title} <Badge tone={r.status === "open" ? "info" : "neutral"}>{r.status === "open" ? "Open" : "Closed"}</Badge>
                </h2>
                <p className="muted small">
                  Opened {format.dateTime(r.createdAt)}
                  {r.openedByName ? ` by ${r.openedByName}` : ""}
                </p>
                <p className="partner-message">{r.description}</p>
                <ul className="plain-list">
                  {r.comments.map((c) => (
                    <li key={c.id}>
                      <strong>{c.authorName ?? "Someone"}</strong> <span className="muted small">{format.dateTime(c.createdAt)}</span>
                      <div>{c.body}</div>
                    </li>
                  ))}
                </ul>
                {canManage && r.status === "open" ? (
                  <Form method="post" className="form-grid">
                    <input type="hidden" name="requestId" value={r.id} />
                    <div className="field">
                      <label htmlFor={`comment-${r.id}`}>Comment</label>
                      <textarea id={`comment-${r.id}`} name="body" maxLength={5000} rows={2} />
                    </div>
                    <div className="button-row">
                      <SubmitButton name="intent" value="comment" className="button" pendingText="Adding…">
                        Add comment
                      </SubmitButton>
                      <SubmitButton name="intent" value="close" className="button" pendingText="Closing…">
                        Close request
                      </SubmitButton>
                    </div>
                  </Form>
                ) : null}
              </section>
            ))
          )}
        </>
      )}
    </>
  );
}
