/** One of the customer's service requests: its thread, and a comment form while it is open. */
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { parseWithZod } from "@conform-to/zod";
import { z } from "zod";
import { multilineText } from "~/utils/input";
import { replyErrors } from "~/components/forms";
import { Badge, PageHeader } from "~/components/layout";
import { FormattedDateTime } from "~/components/format";
import { useResetOnSuccess } from "~/components/reset-on-success";
import { commentAsCustomer, getCustomerServiceRequest } from "~/modules/customer-tenant/tenant-work.server";
import { actorOf, requirePermission, tenantOf } from "~/modules/auth/gate.server";
import { withTenant, withTenantReads } from "~/utils/db.server";
import { readForm } from "~/utils/form.server";
import { handleDomainError, redirectWithToast, unknownIntent, uuidParam } from "~/utils/http.server";

export const meta: MetaFunction = () => [{ title: "Service request · Partnerdesk" }];

const idOf = (params: { id?: string }) => uuidParam(params.id, "No such service request.");

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const auth = await requirePermission({ request, context }, "service-requests:view", { kind: "customer" });
  const requestId = idOf(params);
  return withTenantReads(tenantOf(auth), (tx) => getCustomerServiceRequest(tx, { customerId: auth.org.id, requestId })).catch(handleDomainError);
}

const commentSchema = z.object({ body: multilineText({ required_error: "Write a comment." }).trim().min(1, "Write a comment.").max(5000, "A comment has at most 5,000 characters.") });

export async function action({ request, params, context }: ActionFunctionArgs) {
  const auth = await requirePermission({ request, context }, "service-requests:view", { kind: "customer" });
  const requestId = idOf(params);
  const formData = await readForm(request);
  if (formData.get("intent") !== "comment") return unknownIntent();
  const submission = parseWithZod(formData, { schema: commentSchema });
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  try {
    await withTenant(tenantOf(auth), (tx) => commentAsCustomer(tx, { customerId: auth.org.id, actor: actorOf(auth, context), requestId, body: submission.value.body }));
  } catch (error) {
    return handleDomainError(error, submission, { goneIsPage: true });
  }
  return redirectWithToast(`/customer/service-requests/${requestId}`, { kind: "success", message: "Comment added. Your partner is told." });
}

export default function ServiceRequest() {
  const r = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const errors = replyErrors(result);
  const navigation = useNavigation();
  const pending = navigation.state !== "idle" && navigation.formData?.get("intent") === "comment";
  // The page redirects to itself after a comment: the form starts empty again.
  const form = useResetOnSuccess();
  return (
    <>
      <p className="breadcrumb">
        <Link to="/customer/service-requests">Service requests</Link> /
      </p>
      <PageHeader
        title={r.title}
        description={
          <>
            <Badge tone={r.status === "open" ? "info" : "neutral"}>{r.status === "open" ? "Open" : "Closed"}</Badge> Opened <FormattedDateTime value={r.createdAt} />
            {r.openedByName ? ` by ${r.openedByName}` : ""}
            {r.partnerName ? ` of ${r.partnerName}` : ""}
            {r.closedAt ? (
              <>
                , closed <FormattedDateTime value={r.closedAt} />
              </>
            ) : null}
            .
          </>
        }
      />
      <section className="card" aria-labelledby="sr-description">
        <h2 id="sr-description">Description</h2>
        <p className="pre-line">{r.description}</p>
      </section>
      <section className="card top-gap" aria-labelledby="sr-thread">
        <h2 id="sr-thread">Comments</h2>
        {r.comments.length === 0 ? (
          <p className="muted">No comments yet.</p>
        ) : (
          <ol className="plain-list">
            {r.comments.map((c) => (
              <li key={c.id} className="top-gap">
                <strong>{c.authorName ?? "Someone"}</strong> <span className="muted small">({c.partnerName ?? "your organisation"})</span>{" "}
                <span className="muted small">
                  <FormattedDateTime value={c.createdAt} />
                </span>
                <div className="pre-line">{c.body}</div>
              </li>
            ))}
          </ol>
        )}
        {r.status === "open" ? (
          <Form method="post" ref={form} className="form-grid top-gap" noValidate>
            <div className="field">
              <label htmlFor="comment-body">Your comment</label>
              <textarea
                id="comment-body"
                name="body"
                rows={4}
                maxLength={5000}
                required
                aria-invalid={errors.length ? true : undefined}
                aria-describedby={errors.length ? "comment-error" : "comment-hint"}
              />
              <p id="comment-hint" className="hint">
                {r.partnerName ? `${r.partnerName} is told of your comment.` : "Your comment is added to the thread."}
              </p>
              {errors.length ? (
                <p id="comment-error" className="field-errors" role="alert">
                  {errors.join(" ")}
                </p>
              ) : null}
            </div>
            <div>
              <button type="submit" name="intent" value="comment" className="button primary" disabled={pending} aria-busy={pending}>
                {pending ? (
                  <>
                    <span className="spinner" aria-hidden="true" /> Adding…
                  </>
                ) : (
                  "Add comment"
                )}
              </button>
            </div>
          </Form>
        ) : (
          <p className="muted top-gap">This request is closed, so it takes no more comments. Ask your partner to open a new one.</p>
        )}
      </section>
    </>
  );
}
