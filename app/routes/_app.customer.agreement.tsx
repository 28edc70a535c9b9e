import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { parseWithZod } from "@conform-to/zod";
import { z } from "zod";
import { text } from "~/utils/input";
import { ErrorList, replyErrors, SubmitButton } from "~/components/forms";
import { PageHeader } from "~/components/layout";
import { acceptAgreement, getCurrentAgreement } from "~/modules/customer-tenant/agreements.server";
import { partnersAwaitingAgreement } from "~/modules/customer-tenant/partner-details.server";
import { actorOf, requirePermission, tenantOf } from "~/modules/auth/gate.server";
import { withTenant, withTenantReads } from "~/utils/db.server";
import { handleDomainError, redirectWithToast } from "~/utils/http.server";
import { readForm } from "~/utils/form.server";
import { useFormat } from "~/components/format";

export const meta: MetaFunction = () => [{ title: "Customer agreement · Partnerdesk" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const auth = await requirePermission({ request, context }, "overview:view", { kind: "customer" });
  const pending = auth.org.agreementPending;
  const { agreement, waiting } = await withTenantReads(tenantOf(auth), async (tx) => ({
    agreement: await getCurrentAgreement(tx),
    // Who is waiting for it: the reason the page appears (seeds 000/004).
    waiting: pending ? await partnersAwaitingAgreement(tx, { customerId: auth.org.id }) : [],
  }));
  return { agreement, pending, waiting, canAccept: auth.permissions.includes("agreement:accept") };
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
  // The list of partners is shown next (seeds 000/004).
  return redirectWithToast("/customer/partners", { kind: "success", message: "You accepted the customer agreement. Your partners can now buy and manage subscriptions for you." });
}

export default function Agreement() {
  const { agreement, pending, waiting, canAccept } = useLoaderData<typeof loader>();
  const format = useFormat();
  const result = useActionData<typeof action>();
  return (
    <>
      <PageHeader title={agreement.title} description={`Version ${agreement.version}, in effect since ${format.date(agreement.effectiveAt)}`} />
      {pending ? (
        <section className="card" aria-labelledby="why">
          <h2 id="why">Why you are asked</h2>
          <p>
            {waiting.length ? (
              <>
                <strong>{listNames(waiting)}</strong> {waiting.length === 1 ? "needs" : "need"} you to accept the customer agreement before {waiting.length === 1 ? "it" : "they"} can buy
                or manage subscriptions for you.
              </>
            ) : (
              "Your partners need you to accept the customer agreement before they can buy or manage subscriptions for you."
            )}
          </p>
          <p>
            Accepting it on behalf of your organisation lets your partners buy and manage subscriptions for you under this agreement. It grants them no admin roles: those you
            approve separately, and you can remove them at any time. After you accept, the list of your partners is shown.
          </p>
        </section>
      ) : null}
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

/** "A", "A and B", "A, B and C". */
function listNames(names: string[]) {
  return names.length <= 1 ? (names[0] ?? "") : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}
