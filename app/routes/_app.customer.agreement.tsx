import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { parseWithZod } from "@conform-to/zod";
import { z } from "zod";
import { text } from "~/utils/input";
import { ErrorList, replyErrors, SubmitButton } from "~/components/forms";
import { PageHeader } from "~/components/layout";
import { acceptAgreement, getCurrentAgreement } from "~/modules/customer-tenant/agreements.server";
import { actorOf, requirePermission, tenantOf } from "~/modules/auth/gate.server";
import { withTenant, withTenantReads } from "~/utils/db.server";
import { handleDomainError, redirectWithToast } from "~/utils/http.server";
import { readForm } from "~/utils/form.server";
import { useFormat } from "~/components/format";

export const meta: MetaFunction = () => [{ title: "Customer agreement · Partnerdesk" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const auth = await requirePermission({ request, context }, "overview:view", { kind: "customer" });
  const agreement = await withTenantReads(tenantOf(auth), getCurrentAgreement);
  return { agreement, pending: auth.org.agreementPending, canAccept: auth.permissions.includes("agreement:accept") };
}

const schema = z.object({
  version: text().min(1).max(50),
  read: z.literal("on", { errorMap: () => ({ message: "Tick the box to confirm that you have read the agreement." }) }),
});

export async function action({ request, context }: ActionFunctionArgs) {
  const auth = await requirePermission({ request, context }, "agreement:accept", { kind: "customer" });
  const formData = await readForm(request);
  const submission = parseWithZod(formData, { schema });
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  try {
    await withTenant(tenantOf(auth), (tx) => acceptAgreement(tx, { customerId: auth.org.id, actor: actorOf(auth, context), version: submission.value.version }));
  } catch (error) {
    return handleDomainError(error, submission);
  }
  return redirectWithToast("/customer", { kind: "success", message: "Thank you. The customer agreement is accepted; your partners can now work with you." });
}

export default function Agreement() {
  const { agreement, pending, canAccept } = useLoaderData<typeof loader>();
  const format = useFormat();
  const result = useActionData<typeof action>();
  return (
    <>
      <PageHeader title={agreement.title} description={`Version ${agreement.version}, in effect since ${format.date(agreement.effectiveAt)}`} />
      <section className="card agreement-text" aria-label="Agreement text" tabIndex={0}>
        {agreement.body.split("\n").map((p, i) => (p.trim() ? <p key={i}>{p}</p> : null))}
      </section>
      {!pending ? (
        <p className="notice notice-good" role="status">
          Your organisation has accepted this version.
        </p>
      ) : canAccept ? (
        <Form method="post" className="card">
          <ErrorList errors={replyErrors(result)} />
          <input type="hidden" name="version" value={agreement.version} />
          <label className="checkbox">
            <input type="checkbox" name="read" required />
            <span>I have read the customer agreement and accept it on behalf of my organisation.</span>
          </label>
          <SubmitButton pendingText="Accepting…">Accept</SubmitButton>
        </Form>
      ) : (
        <p className="notice notice-warn" role="note">
          Your organisation's global admin must accept this agreement before your partners can buy or manage anything for you.
        </p>
      )}
    </>
  );
}
