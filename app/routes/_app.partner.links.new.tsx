import { getFormProps, getSelectProps, getTextareaProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod";
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useState } from "react";
import { z } from "zod";
import { calendarDate, multilineText, text } from "~/utils/input";
import { ErrorList, SubmitButton } from "~/components/forms";
import { PageHeader } from "~/components/layout";
import { licenceCounts } from "~/modules/links/link-forms";
import { createLink } from "~/modules/links/links.server";
import { getOrganisation } from "~/modules/organisations/organisations.server";
import { listProducts } from "~/modules/subscriptions/products.server";
import { actorOf, requirePermission, requireRecentSecondFactor, tenantOf } from "~/modules/auth/gate.server";
import { withTenant, withTenantReads } from "~/utils/db.server";
import { handleDomainError, redirectWithToast } from "~/utils/http.server";
import { readForm } from "~/utils/form.server";
import { useFormat } from "~/components/format";

export const meta: MetaFunction = () => [{ title: "Create link · Partnerdesk" }];

const schema = z
  .object({
    kind: z.enum(["trial", "offer", "reseller"], { required_error: "Choose what the link offers.", invalid_type_error: "Choose what the link offers." }),
    trialProduct: text().max(100).optional(),
    licences: licenceCounts,
    offerDap: z.boolean().optional(),
    message: multilineText().trim().max(2000, "Keep the message under 2,000 characters.").optional(),
    expiresOn: calendarDate("Enter a date.").optional(),
  })
  .superRefine((v, ctx) => {
    if (v.kind === "trial" && !v.trialProduct) ctx.addIssue({ code: "custom", path: ["trialProduct"], message: "Choose the product to try." });
    if (v.kind === "offer" && !Object.values(v.licences ?? {}).some((n) => n !== undefined)) {
      ctx.addIssue({ code: "custom", path: ["licences"], message: "Enter a licence count for at least one product." });
    }
  });

export async function loader({ request, context }: LoaderFunctionArgs) {
  const auth = await requirePermission({ request, context }, "links:manage", { kind: "partner" });
  return withTenantReads(tenantOf(auth), async (tx) => {
    const org = await getOrganisation(tx, { orgId: auth.org.id });
    return { advisor: org.isAuthorisedAdvisor, dap: org.isDapCertified, products: await listProducts(tx) };
  });
}


export async function action({ request, context }: ActionFunctionArgs) {
  const auth = await requirePermission({ request, context }, "links:manage", { kind: "partner" });
  const formData = await readForm(request);
  const submission = parseWithZod(formData, { schema });
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  const v = submission.value;
  // A link that offers delegated administration asks each customer who follows it for DAP.
  if (v.offerDap) requireRecentSecondFactor(request, auth, "admin-relationship");
  const items =
    v.kind === "trial"
      ? [{ productId: v.trialProduct! }]
      : v.kind === "offer"
        ? Object.entries(v.licences ?? {})
            .filter(([, n]) => n !== undefined)
            .map(([productId, licences]) => ({ productId, licences: licences! }))
        : [];
  try {
    const link = await withTenant(tenantOf(auth), (tx) =>
      createLink(tx, {
        partnerId: auth.org.id,
        actor: actorOf(auth, context),
        link: { kind: v.kind, items, offerDap: Boolean(v.offerDap), message: v.message ?? null, expiresAt: v.expiresOn ? new Date(`${v.expiresOn}T23:59:59.999Z`) : null },
      }),
    );
    return redirectWithToast(`/partner/links/${link.id}`, { kind: "success", message: "Your link is ready. Copy it, email it, or post it on your website." });
  } catch (error) {
    return handleDomainError(error, submission, { fields: { expiresAt: "expiresOn", items: v.kind === "offer" ? "licences" : "trialProduct" } });
  }
}

export default function NewLink() {
  const { advisor, dap, products } = useLoaderData<typeof loader>();
  const format = useFormat();
  const lastResult = useActionData<typeof action>();
  const [form, fields] = useForm({
    id: "new-link",
    lastResult,
    constraint: getZodConstraint(schema),
    onValidate: ({ formData }) => parseWithZod(formData, { schema }),
    shouldValidate: "onSubmit",
    shouldRevalidate: "onInput",
    defaultValue: { kind: advisor ? "trial" : "reseller" },
  });
  const [kind, setKind] = useState<string>(String(fields.kind.initialValue ?? (advisor ? "trial" : "reseller")));
  const licenceFields = fields.licences.getFieldset();
  const trials = products.filter((p) => p.hasTrial);
  return (
    <>
      <p className="breadcrumb">
        <Link to="/partner/links">Invitations and offers</Link> /
      </p>
      <PageHeader title="Create link" description="The link carries your Partner ID. Whoever accepts it signs in (or signs up) as a customer admin and reads the customer agreement first." />
      <Form method="post" {...getFormProps(form)} className="card form-grid">
        <ErrorList id={form.errorId} errors={form.errors} />
        <fieldset className="choice-group">
          <legend>What do you offer?</legend>
          {(
            [
              ["trial", "Trial invitation", "One product to try for free, for its trial period.", advisor],
              ["offer", "Purchase offer", "Products with the number of licences the customer needs; the customer may change the counts.", advisor],
              ["reseller", "Reseller invitation", "The customer accepts you as its reseller.", true],
            ] as const
          ).map(([value, label, hint, allowed]) => (
            <label key={value} className={`choice${allowed ? "" : " disabled"}`}>
              <input type="radio" name={fields.kind.name} value={value} checked={kind === value} disabled={!allowed} onChange={() => setKind(value)} />
              <span>
                <strong>{label}</strong>
                <span className="hint">{allowed ? hint : "Only partners authorised as subscription advisors can send these."}</span>
              </span>
            </label>
          ))}
          <ErrorList id={fields.kind.errorId} errors={fields.kind.errors} />
        </fieldset>

        {kind === "trial" ? (
          <div className="field">
            <label htmlFor={fields.trialProduct.id}>Product to try</label>
            <select {...getSelectProps(fields.trialProduct)} key={fields.trialProduct.key}>
              <option value="">Choose…</option>
              {trials.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name} — {p.trialDays} days, {p.trialSeats} users
                </option>
              ))}
            </select>
            <ErrorList id={fields.trialProduct.errorId} errors={fields.trialProduct.errors} />
          </div>
        ) : null}

        {kind === "offer" ? (
          <fieldset className="offer-products" aria-describedby={fields.licences.errorId}>
            <legend>Products and licences</legend>
            <p className="hint">Enter a licence count for each product you offer; leave the others empty.</p>
            <ErrorList id={fields.licences.errorId} errors={fields.licences.errors} />
            <table className="table compact">
              <thead>
                <tr>
                  <th scope="col">Product</th>
                  <th scope="col">Price per licence / month</th>
                  <th scope="col">Licences</th>
                </tr>
              </thead>
              <tbody>
                {products.map((p) => {
                  const f = licenceFields[p.id];
                  const errors = f?.errors;
                  return (
                    <tr key={p.id}>
                      <td>
                        <label htmlFor={`licences-${p.id}`}>{p.name}</label>
                        <div className="muted small">{p.description}</div>
                      </td>
                      <td>{format.money(p.monthlyPriceCents, p.currency)}</td>
                      <td>
                        <input
                          id={`licences-${p.id}`}
                          name={`${fields.licences.name}.${p.id}`}
                          type="number"
                          inputMode="numeric"
                          min={p.minLicences}
                          max={p.maxLicences}
                          defaultValue={String(f?.initialValue ?? "")}
                          aria-invalid={errors?.length ? true : undefined}
                          aria-describedby={`licences-${p.id}-hint`}
                          className="narrow"
                        />
                        <div id={`licences-${p.id}-hint`} className="muted small">
                          {p.minLicences}–{format.number(p.maxLicences)}
                        </div>
                        <ErrorList errors={errors} />
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </fieldset>
        ) : null}

        {dap ? (
          <label className="checkbox">
            <input type="checkbox" name={fields.offerDap.name} defaultChecked={fields.offerDap.initialValue === "on"} />
            <span>
              Also offer delegated administration: if the customer's global admin authorises it, your admin agents can administer the customer's organisation.
            </span>
          </label>
        ) : (
          <p className="muted small">Delegated administration can be offered by partners certified for it.</p>
        )}
        <ErrorList id={fields.offerDap.errorId} errors={fields.offerDap.errors} />

        <div className="field">
          <label htmlFor={fields.message.id}>
            Message to the customer <span className="optional">(optional)</span>
          </label>
          <textarea {...getTextareaProps(fields.message)} key={fields.message.key} rows={4} maxLength={2000} />
          <ErrorList id={fields.message.errorId} errors={fields.message.errors} />
        </div>
        <div className="field">
          <label htmlFor={fields.expiresOn.id}>
            Valid until <span className="optional">(optional)</span>
          </label>
          <input id={fields.expiresOn.id} name={fields.expiresOn.name} type="date" defaultValue={String(fields.expiresOn.initialValue ?? "")} className="narrow" aria-describedby={fields.expiresOn.errorId} />
          <ErrorList id={fields.expiresOn.errorId} errors={fields.expiresOn.errors} />
        </div>
        <div>
          <SubmitButton pendingText="Creating link…">Create link</SubmitButton>
        </div>
      </Form>
    </>
  );
}
