/** Acting in a customer tenant: its service requests (open, comment, close). ADR 0010. */
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { parseWithZod } from "@conform-to/zod";
import { z } from "zod";
import { multilineText, text } from "~/utils/input";
import { ReplyNotice, SubmitButton } from "~/components/forms";
import { Badge, EmptyState, PageHeader } from "~/components/layout";
import { actInCustomer, enterCustomerAsPartner, openCustomerWorkspace } from "~/modules/customer-tenant/tenant-users.server";
import { closeServiceRequest, commentServiceRequest, listServiceRequests, openServiceRequest } from "~/modules/customer-tenant/tenant-work.server";
import { actorOf, requirePermission, tenantOf, type IntentArgs } from "~/modules/auth/gate.server";
import { withTenant, withTenantReads, type Tx } from "~/utils/db.server";
import { handleDomainError, redirectWithToast, unknownIntent, uuidParam } from "~/utils/http.server";
import { readForm } from "~/utils/form.server";
import { useFormat } from "~/components/format";
import { useResetOnSuccess } from "~/components/reset-on-success";
import { rightsSummary, whyNot } from "~/modules/delegated-admin/admin-roles";
import { rightsView } from "~/modules/staff/staff-groups.server";

export const meta: MetaFunction = () => [{ title: "Service requests · Partnerdesk" }];

const customerIdOf = (params: { customerId?: string }) => uuidParam(params.customerId, "No such customer.");

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const auth = await requirePermission({ request, context }, "customers:view", { kind: "partner" });
  const customerId = customerIdOf(params);
  return withTenantReads(tenantOf(auth), async (tx) => {
    const { customer, rights } = await openCustomerWorkspace(tx, { partnerId: auth.org.id, userId: auth.user.id, customerId });
    const base = { customer, rights: rightsView(rights), canManage: rights.actions.has("service-requests:manage") };
    if (!rights.actions.has("service-requests:read")) return { ...base, requests: null };
    await enterCustomerAsPartner(tx, { customerId });
    return { ...base, requests: await listServiceRequests(tx, { customerId }) };
  }).catch(handleDomainError);
}

const openSchema = z.object({
  title: text({ required_error: "Give the request a title." }).trim().min(1, "Give the request a title.").max(200),
  description: multilineText({ required_error: "Describe the request." }).trim().min(1, "Describe the request.").max(5000),
});
const commentSchema = z.object({ requestId: z.string().uuid(), body: multilineText({ required_error: "Write a comment." }).trim().min(1, "Write a comment.").max(5000) });
const closeSchema = z.object({ requestId: z.string().uuid() });

type RequestIntentArgs = IntentArgs & { customerId: string };

export async function action({ request, params, context }: ActionFunctionArgs) {
  const auth = await requirePermission({ request, context }, "customers:view", { kind: "partner" });
  const customerId = customerIdOf(params);
  const formData = await readForm(request);
  const args = { auth, formData, context, customerId };
  switch (formData.get("intent")) {
    case "open":
      return openRequestAction(args);
    case "comment":
      return commentAction(args);
    case "close":
      return closeRequestAction(args);
    default:
      return unknownIntent();
  }
}

/** Runs `work` in the customer as the staff member, when their roles there let them manage service requests. */
function inCustomer({ auth, customerId }: RequestIntentArgs, work: (tx: Tx) => Promise<unknown>) {
  return withTenant(tenantOf(auth), async (tx) => {
    await actInCustomer(tx, { partnerId: auth.org.id, userId: auth.user.id, customerId, action: "service-requests:manage" });
    await work(tx);
  });
}

async function openRequestAction(args: RequestIntentArgs) {
  const submission = parseWithZod(args.formData, { schema: openSchema });
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  try {
    await inCustomer(args, (tx) => openServiceRequest(tx, { customerId: args.customerId, actor: actorOf(args.auth, args.context), ...submission.value }));
  } catch (error) {
    return handleDomainError(error, submission);
  }
  return redirectWithToast(`/partner/customers/${args.customerId}/service-requests`, { kind: "success", message: "Service request opened." });
}

async function commentAction(args: RequestIntentArgs) {
  const submission = parseWithZod(args.formData, { schema: commentSchema });
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  try {
    await inCustomer(args, (tx) => commentServiceRequest(tx, { customerId: args.customerId, actor: actorOf(args.auth, args.context), ...submission.value }));
  } catch (error) {
    return handleDomainError(error, submission);
  }
  return redirectWithToast(`/partner/customers/${args.customerId}/service-requests`, { kind: "success", message: "Comment added." });
}

async function closeRequestAction(args: RequestIntentArgs) {
  const submission = parseWithZod(args.formData, { schema: closeSchema });
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  try {
    await inCustomer(args, (tx) => closeServiceRequest(tx, { customerId: args.customerId, actor: actorOf(args.auth, args.context), ...submission.value }));
  } catch (error) {
    return handleDomainError(error, submission);
  }
  return redirectWithToast(`/partner/customers/${args.customerId}/service-requests`, { kind: "success", message: "Service request closed." });
}

export default function ServiceRequests() {
  const { customer, requests, canManage, rights } = useLoaderData<typeof loader>();
  const summary = rightsSummary(rights);
  const readReason = whyNot(rights, "service-requests:read", "handle service requests");
  const manageReason = requests !== null ? whyNot(rights, "service-requests:manage", "handle service requests") : null;
  const format = useFormat();
  const result = useActionData<typeof action>();
  // The page redirects to itself after each action: an opened request's form starts empty again.
  const openForm = useResetOnSuccess();
  return (
    <>
      <p className="breadcrumb">
        <Link to="/partner/customers">Customers</Link> / <Link to={`/partner/customers/${customer.id}`}>{customer.name}</Link> /
      </p>
      <PageHeader title="Service requests" description={`Support requests of ${customer.name}.${summary === readReason ? "" : ` ${summary}`}`} />
      <ReplyNotice result={result} />
      {requests === null ? (
        <EmptyState title="Not allowed">
          <p>{readReason}</p>
        </EmptyState>
      ) : (
        <>
          {manageReason ? <p className="muted">{manageReason}</p> : null}
          {canManage ? (
            <Form method="post" ref={openForm} className="card form-grid" aria-label="Open a service request">
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
                      <strong>{c.authorName ?? "Someone"}</strong>{" "}
                      {c.authorOrgId === customer.id ? <Badge tone="info">{customer.name}</Badge> : null}{" "}
                      <span className="muted small">{format.dateTime(c.createdAt)}</span>
                      <div>{c.body}</div>
                    </li>
                  ))}
                </ul>
                {canManage && r.status === "open" ? (
                  <CommentForm requestId={r.id} />
                ) : null}
              </section>
            ))
          )}
        </>
      )}
    </>
  );
}

/** A request's comment form, emptied once its comment was added. */
function CommentForm({ requestId }: { requestId: string }) {
  const ref = useResetOnSuccess();
  return (
    <Form method="post" ref={ref} className="form-grid">
      <input type="hidden" name="requestId" value={requestId} />
      <div className="field">
        <label htmlFor={`comment-${requestId}`}>Comment</label>
        <textarea id={`comment-${requestId}`} name="body" maxLength={5000} rows={2} />
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
  );
}
