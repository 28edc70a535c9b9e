import { getFormProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod";
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { useRef } from "react";
import { z } from "zod";
import { ErrorList, SubmitButton } from "~/components/forms";
import { EmptyState, formatDate, PageHeader, SubscriptionStatus } from "~/components/layout";
import { convertTrial, listSubscriptions } from "~/modules/customer-partners.server";
import { actorOf, requirePermission, tenantOf } from "~/utils/auth.server";
import { withTenant } from "~/utils/db.server";
import { redirectWithToast, replyWithDomainError } from "~/utils/http.server";

export const meta: MetaFunction = () => [{ title: "Subscriptions · Partnerdesk" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const auth = await requirePermission(request, "subscriptions:manage", { kind: "customer" });
  return { subscriptions: await withTenant(tenantOf(auth), (tx) => listSubscriptions(tx, { customerId: auth.org.id })) };
}

const convertSchema = z.object({
  intent: z.literal("convert"),
  id: z.string().uuid(),
  licences: z.number({ required_error: "Enter the number of licences.", invalid_type_error: "Enter a whole number." }).int("Enter a whole number."),
});

export async function action({ request, context }: ActionFunctionArgs) {
  const auth = await requirePermission(request, "subscriptions:manage", { kind: "customer" });
  const submission = parseWithZod(await request.formData(), { schema: convertSchema });
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  try {
    await withTenant(tenantOf(auth), (tx) =>
      convertTrial(tx, { customerId: auth.org.id, actor: actorOf(auth, context), subscriptionId: submission.value.id, licences: submission.value.licences }),
    );
  } catch (error) {
    return replyWithDomainError(submission, error);
  }
  return redirectWithToast("/customer/subscriptions", { kind: "success", message: `The trial is now a paid subscription with ${submission.value.licences} licences.` });
}

function ConvertTrial({ id, productName, licences, min, max }: { id: string; productName: string; licences: number; min: number; max: number }) {
  const lastResult = useActionData<typeof action>();
  const mine = (lastResult as { initialValue?: { id?: string } } | undefined)?.initialValue?.id === id;
  const ref = useRef<HTMLDetailsElement>(null);
  const [form, fields] = useForm({
    id: `convert-${id}`,
    lastResult: mine ? lastResult : undefined,
    constraint: getZodConstraint(convertSchema),
    onValidate: ({ formData }) => parseWithZod(formData, { schema: convertSchema }),
    shouldValidate: "onSubmit",
  });
  return (
    <details ref={ref} open={mine && Boolean(form.errors?.length || fields.licences.errors?.length)}>
      <summary className="button">Convert to paid</summary>
      <Form method="post" {...getFormProps(form)} className="inline-form">
        <ErrorList id={form.errorId} errors={form.errors} />
        <input type="hidden" name="intent" value="convert" />
        <input type="hidden" name="id" value={id} />
        <label htmlFor={fields.licences.id}>Licences of {productName}</label>
        <input
          id={fields.licences.id}
          name={fields.licences.name}
          type="number"
          inputMode="numeric"
          className="narrow"
          min={min}
          max={max}
          required
          defaultValue={String(fields.licences.initialValue ?? licences)}
          aria-invalid={fields.licences.errors?.length ? true : undefined}
          aria-describedby={fields.licences.errorId}
        />
        <ErrorList id={fields.licences.errorId} errors={fields.licences.errors} />
        <SubmitButton name="intent" value="convert" pendingText="Converting…">
          Buy
        </SubmitButton>
      </Form>
    </details>
  );
}

export default function Subscriptions() {
  const { subscriptions } = useLoaderData<typeof loader>();
  return (
    <>
      <PageHeader title="Subscriptions" description="Your organisation's subscriptions and the partner on each." />
      {subscriptions.length === 0 ? (
        <EmptyState title="There's nothing here">
          <p>You have no subscriptions yet. A partner's trial invitation or offer adds them.</p>
        </EmptyState>
      ) : (
        <table className="table">
          <caption className="visually-hidden">Subscriptions</caption>
          <thead>
            <tr>
              <th scope="col">Product</th>
              <th scope="col">Licences</th>
              <th scope="col">Status</th>
              <th scope="col">Started</th>
              <th scope="col">Ends</th>
              <th scope="col">Partner</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {subscriptions.map((s) => (
              <tr key={s.id}>
                <td>{s.productName}</td>
                <td>{s.licences}</td>
                <td>
                  <SubscriptionStatus status={s.status} />
                  {s.convertedAt ? <div className="muted small">converted {formatDate(s.convertedAt)}</div> : null}
                </td>
                <td>{formatDate(s.startedAt)}</td>
                <td>{s.endsAt ? formatDate(s.endsAt) : "—"}</td>
                <td>{s.partnerName ? `${s.partnerName} (Partner ID ${s.partnerNumber})` : "—"}</td>
                <td>{s.status === "trial" ? <ConvertTrial id={s.id} productName={s.productName} licences={s.licences} min={s.minLicences} max={s.maxLicences} /> : null}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
